"""Sentence spans with exact character offsets (rule-based, no model).

A sentence ends at ``. ! ? …`` (plus closing quotes/brackets) before whitespace, at CJK
full stops, at blank lines, and at single line breaks that separate list items or follow
a heading. Hard-wrapped lines inside a paragraph do not end a sentence.
"""

from __future__ import annotations

import itertools
import re

__all__ = ["split_sentences"]

# The lookbehinds anchor at the start of a punctuation run, so a long run of dots is
# scanned once rather than once per position.
_LATIN_END = re.compile(r"(?<![.!?…])[.!?…]+[\"'”’»)\]]*(?=\s|$)")
_CJK_END = re.compile(r"(?<![。！？])[。！？]+[\"'”’»)\]」』]*")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_NON_SPACE = re.compile(r"\S")

# After these a period never ends a sentence: they are followed by a name or a number.
_TITLES = frozenset(
    {
        *("mr", "mrs", "ms", "dr", "prof", "sr", "st", "gen", "gov", "rev", "sen", "rep", "mt"),
        *("fig", "figs", "no", "nos", "vol", "pp", "cf", "eq", "vs", "e.g", "i.e", "approx", "ca"),
    }
)
_LIST_MARKER = re.compile(r"(?:[-*•‣◦·–—+>|#]|\d{1,3}[.)]|[a-zA-Z][.)]|\(\w{1,3}\))(?:\s|$)")
_NUMBERED_HEADING = re.compile(r"\d+(?:\.\d+)*\.?\s+\S")
_SHORT_HEADING = 60  # title-case lines longer than this are more likely prose


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Trimmed, non-empty sentence spans ``(s, e)`` of ``text[start:end]``, in text order.

    Offsets index ``text`` itself, so ``text[s:e]`` is the sentence.
    """
    stop = len(text) if end is None else min(end, len(text))
    start = max(0, start)
    if start >= stop:
        return []
    part = text[start:stop]
    cuts = sorted({*_punctuation_ends(part), *_line_ends(part), len(part)})
    spans: list[tuple[int, int]] = []
    prev = 0
    for cut in cuts:
        span = _trimmed(part, prev, cut)
        if span is not None:
            spans.append((span[0] + start, span[1] + start))
        prev = cut
    return spans


def _trimmed(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """``(lo, hi)`` narrowed to exclude surrounding whitespace; None if nothing is left."""
    first = _NON_SPACE.search(text, lo, hi)
    if first is None:
        return None
    lo = first.start()
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return lo, hi


def _punctuation_ends(text: str) -> list[int]:
    ends = [m.end() for m in _CJK_END.finditer(text)]
    for m in _LATIN_END.finditer(text):
        if _ends_sentence(text, m.start(), m.end()):
            ends.append(m.end())
    return ends


def _ends_sentence(text: str, p_start: int, p_end: int) -> bool:
    """Whether the terminal punctuation at ``text[p_start:p_end]`` closes a sentence."""
    nxt = _NON_SPACE.search(text, p_end)
    if nxt is not None and text[nxt.start()].islower():
        return False  # "5 p.m. on Monday", "e.g. this": a real sentence starts in upper case
    if text[p_start] != "." or (p_end - p_start > 1 and text[p_start + 1] == "."):
        return True  # "!", "?", "..." are never abbreviations
    word_start = p_start
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1  # scan back over the word only: rfind per match would be quadratic
    word = text[word_start:p_start].lstrip("\"'“‘([")
    if not word:
        return True
    if word.lower() in _TITLES:
        return False  # "Dr. Smith", "Fig. 3"
    if len(word) == 1 and word.isupper():
        return False  # an initial: "J. K. Rowling"
    # "1." or "a." opening a line is a list marker, not a one-word sentence.
    return not ((word.isdigit() or len(word) == 1) and _opens_line(text, word_start))


def _opens_line(text: str, pos: int) -> bool:
    """Whether only spaces or tabs separate ``pos`` from the start of its line."""
    while pos > 0 and text[pos - 1] in " \t":
        pos -= 1
    return pos == 0 or text[pos - 1] == "\n"


def _line_ends(text: str) -> list[int]:
    """Cut points at blank lines and at single line breaks that separate blocks."""
    cuts = [m.start() for m in _BLANK_LINE.finditer(text)]
    lines = text.split("\n")
    newline = -1
    for prev_line, next_line in itertools.pairwise(lines):
        newline += len(prev_line) + 1  # offset of the "\n" between the two lines
        prev, nxt = prev_line.strip(), next_line.strip()
        if prev and nxt and _separates_blocks(prev, nxt):
            cuts.append(newline)
    return cuts


def _separates_blocks(prev_line: str, next_line: str) -> bool:
    """Whether a single line break between these lines is a block (sentence) boundary."""
    if _LIST_MARKER.match(next_line) or prev_line.endswith(":"):
        return True  # a list item follows, or a list is being introduced
    if _looks_like_heading(next_line):
        return True  # e.g. a section title right after a list
    return _looks_like_heading(prev_line) and not next_line[0].islower()


def _looks_like_heading(line: str) -> bool:
    """A heading: markdown ``#``, numbered ("2.1 Methods"), ALL CAPS or short Title Case."""
    if line.startswith("#"):
        return True
    if line[-1] in ".,;:!?-–—":
        return False  # prose, or a line continued on the next
    if _NUMBERED_HEADING.match(line) or (line.isupper() and len(line) > 1):
        return True
    words = [w for w in line.split() if len(w) > 3]
    return len(line) <= _SHORT_HEADING and bool(words) and all(w[0].isupper() for w in words)
