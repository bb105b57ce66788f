"""The one text clipper, corpus.text.clip."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from corpus.text import clip


def test_clip_cuts_at_a_word_boundary_on_one_line() -> None:
    assert clip("The order   directs\nagencies to act", 20) == "The order directs …"
    assert clip("short\ttext", 20) == "short text"


def test_clip_cuts_a_word_too_long_to_keep() -> None:
    # a URL or text without spaces must not shrink to a lone "…"
    assert clip("https://example.gov/a/very/long/path and more", 12) == "https://exa…"
    assert clip("人工知能" * 10, 5) == "人工知能…"


@given(st.text(), st.integers(2, 300))
def test_clip_fits_and_keeps_a_prefix(text: str, width: int) -> None:
    short = clip(text, width)
    line = " ".join(text.split())
    assert len(short) <= width and "\n" not in short
    assert short == line or short.endswith("…")
    assert line.startswith(short.removesuffix("…").rstrip())
