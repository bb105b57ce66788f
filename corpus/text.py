"""Small text helpers shared by every layer (one of each)."""

from __future__ import annotations

import re
import textwrap


def clip(text: str, width: int) -> str:
    """``text`` on one line, cut at a word boundary to at most ``width`` characters ("…")."""
    width = max(width, 2)
    line = " ".join(text.split())
    if len(line) <= width:
        return line
    # textwrap.shorten never cuts inside a word, so it keeps nothing when the first word
    # alone is too long (a URL, text without spaces): cut that word instead
    short = textwrap.shorten(line, width=width, placeholder=" …")
    return line[: width - 1] + "…" if short == "…" else short


# Markdown punctuation that can open markup (emphasis, code, links, images, raw HTML, entities,
# tables, headings, quotes); a backslash before any of them makes it literal in CommonMark.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#|!~&])")
_CITE_MARKER = re.compile(r"\\\[(\d+)\\\](?![(:])")


def markdown_text(text: str) -> str:
    """``text`` as literal Markdown: every character that could start markup is escaped, so
    ``<img src=x onerror=…>`` or ``[x](javascript:…)`` shows as text in any renderer; citation
    markers ``[n]`` stay readable (no link can be made of them without a ``(`` or ``:``)."""
    return _CITE_MARKER.sub(r"[\1]", _MD_SPECIAL.sub(r"\\\1", text))
