"""Sentence spans with exact character offsets (rule-based, no model).

A sentence ends at ``. ! ? …`` (plus closing quotes/brackets) before whitespace, at CJK
full stops, at blank lines, and at single line breaks that separate list items or follow
a heading. Hard-wrapped lines inside a paragraph (PDF text, wrapped Markdown) do not end
a sentence, nor does a period after an abbreviation, an initial, a list number, or one
inside a Markdown link ``[text](url)``.
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
# [text](url "title") or ![alt](url): the text may wrap lines (not paragraphs) and hold one
# level of brackets, the url one level of parentheses. "\[" is an escaped, literal bracket.
_LINK = re.compile(
    r"(?<!\\)!?\[(?:[^\[\]\n]|\[[^\[\]\n]*\]|\n(?![^\S\n]*\n))*\]"
    r"\((?:[^()\s]|\([^()\s]*\))*(?:[ \t]+\"[^\"\n]*\")?\)"
)

# After these a period never ends a sentence: a name, a number or an example follows.
_NEVER_ENDS = frozenset(
    {
        *("mr", "mrs", "ms", "dr", "prof", "rev", "gen", "gov", "sen", "rep", "st", "mt"),
        *("capt", "col", "lt", "sgt", "hon", "pres", "fr"),
        *("e.g", "i.e", "cf", "vs", "viz", "approx", "ca", "c"),
    }
)
# These end no sentence when a number follows ("No. 5", "Fig. 3b"); otherwise they may.
_BEFORE_NUMBER = frozenset(
    {"no", "nos", "vol", "vols", "p", "pp", "fig", "figs", "eq", "eqs", "sec", "ch", "art"}
    | {"para", "ref", "refs", "tab", "op", "ed", "eds"}
)
# These, initials ("J.") and initialisms ("U.S.", "O.F.M.") end a sentence as often as
# not: they do only when a word that usually opens a sentence follows.
_MAYBE_ENDS = frozenset(
    {"inc", "ltd", "co", "corp", "jr", "sr", "etc", "al", "bros", "dept", "univ", "govt"}
)
_INITIALISM = re.compile(r"[A-Za-z]{1,2}(?:\.[A-Za-z]{1,2})+")
_OPENERS = frozenset(
    {
        *("The", "This", "That", "These", "Those", "It", "Its", "He", "She", "They", "We"),
        *("I", "You", "His", "Her", "Their", "Our", "My", "Your", "A", "An", "In", "On"),
        *("At", "For", "But", "And", "Or", "So", "Yet", "However", "There", "Here", "As"),
        *("After", "Before", "When", "While", "If", "Since", "Although", "Because", "Some"),
        *("Many", "Most", "Each", "All", "Both", "One", "Then", "Thus", "Also", "What"),
        *("Who", "Why", "How", "Today", "Yesterday", "During", "According", "With", "By"),
    }
)
_LEADING_MARKS = "\"'“‘([*_"

_BULLET = re.compile(r"[-*•‣◦·▪+>|#](?:\s|$)")
# "1." "a)" "(iv)": a parenthesised marker is a number, a letter or a roman numeral, so
# that "(OMB) is ..." at the start of a wrapped line is no list item.
_ENUMERATOR = re.compile(
    r"(?:\d{1,3}[.)]|[a-zA-Z][.)]|\((?:\d{1,3}|[a-zA-Z]|[ivxlc]{1,6})\))(?:\s|$)"
)
_NUMBERED_ITEM = re.compile(r"\d{1,3}[.)]\s+\S")
_NUMBERED_HEADING = re.compile(r"\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z]")
_SHORT_HEADING = 60  # title-case lines longer than this are more likely prose
_LONG_HEADING = 80  # numbered or upper-case ones may run longer
# A line ending in one of these stops mid-phrase: wrapped prose, not a heading.
_FUNCTION_WORDS = frozenset(
    {"a", "an", "the", "and", "or", "nor", "of", "to", "in", "on", "for", "with", "by"}
    | {"at", "from", "as", "that", "which", "who", "is", "are", "was", "were", "be", "its"}
)


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Trimmed, non-empty sentence spans ``(s, e)`` of ``text[start:end]``, in text order.

    Offsets index ``text`` itself, so ``text[s:e]`` is the sentence.
    """
    stop = len(text) if end is None else min(end, len(text))
    start = max(0, start)
    if start >= stop:
        return []
    part = text[start:stop]
    links = [m.span() for m in _LINK.finditer(part)]
    cuts = [*sorted({*_punctuation_ends(part), *_line_ends(part)} - _inside(links)), len(part)]
    spans: list[tuple[int, int]] = []
    prev = 0
    for cut in cuts:
        span = _trimmed(part, prev, cut)
        if span is not None:
            spans.append((span[0] + start, span[1] + start))
        prev = cut
    return spans


def _inside(spans: list[tuple[int, int]]) -> set[int]:
    """Every offset strictly inside one of ``spans``: no cut may fall there."""
    return {i for s, e in spans for i in range(s + 1, e)}


def _trimmed(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """``(lo, hi)`` narrowed to exclude surrounding whitespace; None if nothing is left."""
    first = _NON_SPACE.search(text, lo, hi)
    if first is None:
        return None
    lo = first.start()
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return lo, hi


# --- punctuation ---------------------------------------------------------------------------


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
    word = text[word_start:p_start].lstrip(_LEADING_MARKS)
    if not word:
        return True
    following = _next_word(text, nxt.start()) if nxt is not None else ""
    return _period_ends(word, following, text, word_start)


def _next_word(text: str, pos: int) -> str:
    end = pos
    while end < len(text) and not text[end].isspace() and end - pos < 40:
        end += 1
    return text[pos:end].rstrip(",;:.!?\"'”’)")


def _period_ends(word: str, following: str, text: str, word_start: int) -> bool:
    """Whether a period after ``word``, with ``following`` next, ends a sentence."""
    lower = word.lower()
    if lower in _NEVER_ENDS:
        return False  # "Dr. Smith", "e.g. Paris"
    if lower in _BEFORE_NUMBER and any(c.isdigit() for c in following):
        return False  # "No. 5", "Fig. S2"
    marker = (word.isdigit() and len(word) <= 3) or (len(word) == 1 and word.isalpha())
    if marker and _list_position(text, word_start):
        return False  # "1." or "a." as a list marker, not a one-word sentence
    if lower in _MAYBE_ENDS or (len(word) == 1 and word.isupper()) or _INITIALISM.fullmatch(word):
        # "J. R. R. Tolkien", "the U.S. Army", "O.F.M. (died 1244)" go on; "in the U.S.
        # The ..." and "plan B. It ..." end.
        return following.lstrip(_LEADING_MARKS) in _OPENERS
    return True


def _list_position(text: str, pos: int) -> bool:
    """Whether ``pos`` starts a line, the text, or follows a colon or a sentence's end."""
    while pos > 0 and text[pos - 1] in " \t":
        pos -= 1
    return pos == 0 or text[pos - 1] in "\n:;.!?"


# --- line breaks ---------------------------------------------------------------------------


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
    """Whether a single line break between these lines is a block (sentence) boundary.

    A wrapped line may begin with "(OMB) is", "(i) the", "2023 by" or "NASA": such a
    line starts a block only after a line that ends one (a list item, a heading, a
    sentence, a colon), never in the middle of a sentence.
    """
    if _BULLET.match(next_line) or prev_line.endswith(":"):
        return True  # a bullet, a table row or a "#" heading; or a list being introduced
    if _NUMBERED_ITEM.match(next_line) or _numbered_heading(next_line):
        return True  # "12. Smith, J." or "3.5 Results": a wrapped sentence seldom starts so
    prev_heading = _looks_like_heading(prev_line)
    if _ENUMERATOR.match(next_line) or _looks_like_heading(next_line):
        return _is_item(prev_line) or prev_heading or _closes(prev_line)
    # After a heading comes a capitalised line; "(OMB) is ..." continues a wrapped one.
    return prev_heading and next_line[0].isupper()


def _is_item(line: str) -> bool:
    """A whole list item: a marker, and no word or comma that carries on to the next line."""
    if not (_BULLET.match(line) or _ENUMERATOR.match(line)):
        return False
    return not line.endswith((",", "-")) and line.split()[-1].lower() not in _FUNCTION_WORDS


def _closes(line: str) -> bool:
    """Whether the line ends like a sentence or a clause of a list ("...;")."""
    return line.rstrip("\"'”’»)]*_").endswith((".", "!", "?", "…", ";", "。", "！", "？"))


def _numbered_heading(line: str) -> bool:
    """ "2 Methods", "3.5 R3 Corda": a short section number, a capital, no trailing phrase."""
    if not _NUMBERED_HEADING.match(line) or len(line) > _LONG_HEADING:
        return False
    return line[-1] not in ".,;:!?-–—" and line.split()[-1].lower() not in _FUNCTION_WORDS


def _looks_like_heading(line: str) -> bool:
    """A heading: markdown ``#``, numbered ("2.1 Methods"), ALL CAPS or short Title Case."""
    if line.startswith("#"):
        return True
    if line[-1] in ".,;:!?-–—" or line.split()[-1].lower() in _FUNCTION_WORDS:
        return False  # prose, or a line continued on the next
    if _numbered_heading(line) or (line.isupper() and any(c.isalpha() for c in line)):
        return len(line) <= _LONG_HEADING
    if not line[0].isupper() or len(line) > _SHORT_HEADING:
        return False
    words = [w for w in line.split() if len(w) > 3]
    return bool(words) and all(w[0].isupper() for w in words)
