"""Small text helpers shared by every layer (one of each)."""

from __future__ import annotations

import textwrap


def clip(text: str, width: int) -> str:
    """``text`` on one line, cut at a word boundary to at most ``width`` characters ("…")."""
    # textwrap.shorten collapses whitespace and never cuts inside a word
    return textwrap.shorten(text, width=max(width, 2), placeholder=" …")
