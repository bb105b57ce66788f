"""Small text helpers shared by every layer (one of each)."""

from __future__ import annotations

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
