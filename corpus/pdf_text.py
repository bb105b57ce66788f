"""Cleaning the text of PDF pages: what the extractor returns is not what a reader sees.

Pure text functions, whatever the extractor. In order: Unicode NFKC (ligatures such as
"ﬁ" become "fi"), soft hyphens removed, running headers and footers dropped, and words
hyphenated across line breaks joined while real hyphens are kept. Pages stay separate so
that page numbers stay exact; the parser joins them and records where each starts.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from corpus.tokens import count_tokens

__all__ = ["clean_pages", "drop_running_lines", "join_hyphenated", "normalise_page"]

# pdfium swallows a line-end hyphen with its line break and writes one of these instead
# (U+FFFE in current builds, 0x02 in older ones); either way the break must be judged.
_PDFIUM_HYPHEN = re.compile("[\ufffe\x02]")
_SOFT_HYPHEN = re.compile("\u00ad(?:[ \t]*\n[ \t]*)?")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_LETTERS = r"[^\W\d_]+"
# "param-\neters": a letter run, a hyphen at the end of a line, a letter run (the caller
# checks that it starts in lower case: "COVID-\n19" or "Anglo-\nSaxon" are not breaks).
# The lookbehind starts a match at a word's start only: a long run of letters is then
# scanned once, not once per position.
_BREAK = re.compile(rf"(?<![\w-])((?:{_LETTERS}-)*{_LETTERS})-[ \t]*\n[ \t]*({_LETTERS})")
_PAGE_END = re.compile(rf"(?<![\w-])((?:{_LETTERS}-)*{_LETTERS})-\Z")
_PAGE_START = re.compile(_LETTERS)
_WORD = re.compile(rf"{_LETTERS}(?:-{_LETTERS})*")
_DIGITS = re.compile(r"\d+")

EDGE_LINES = 3  # running heads and feet sit in the first and last few lines of a page
# Even and odd pages often carry different heads (journal name, paper title), so each
# repeats on only about half the pages: 40% still separates them from body lines.
RUNNING_SHARE = 0.4
MIN_PAGES = 3  # with fewer pages a repeated line is as likely to be content
MIN_HALF = 3  # shorter halves of a break ("ne-/gating", "be-/tween") are syllables


def clean_pages(raw_pages: Sequence[str]) -> list[str]:
    """The pages as a reader sees them, one string per page (empty for a page without text)."""
    pages = [normalise_page(page) for page in raw_pages]
    return join_hyphenated(drop_running_lines(pages))


def normalise_page(text: str) -> str:
    """Newlines, NFKC, soft hyphens and pdfium's hyphen marks; trailing spaces trimmed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = _PDFIUM_HYPHEN.sub("-\n", text)
    # A soft hyphen is invisible unless the line breaks there: the word is whole either way.
    text = _SOFT_HYPHEN.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    return _TRAILING_SPACE.sub("", text).strip()


# --- running headers and footers -----------------------------------------------------------


def _line_key(line: str) -> str:
    """A line as compared across pages: page numbers differ, the rest of a header does not."""
    return _DIGITS.sub("#", " ".join(line.lower().split()))


def _edge_indices(lines: list[str]) -> list[int]:
    """The first and last few lines, less those that end a word broken on the line before."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    edges = sorted({*filled[:EDGE_LINES], *filled[-EDGE_LINES:]})
    return [i for i in edges if i == 0 or not lines[i - 1].endswith("-")]


def drop_running_lines(pages: Sequence[str]) -> list[str]:
    """The pages without lines that repeat at the top or bottom of most pages."""
    if sum(bool(page) for page in pages) < MIN_PAGES:
        return list(pages)
    split = [page.split("\n") for page in pages]
    counts: Counter[str] = Counter()
    for lines in split:
        counts.update({_line_key(lines[i]) for i in _edge_indices(lines)})
    needed = max(2, RUNNING_SHARE * len(pages))
    running = {key for key, n in counts.items() if n >= needed}
    cleaned = []
    for lines in split:
        drop = {i for i in _edge_indices(lines) if _line_key(lines[i]) in running}
        kept = [line for i, line in enumerate(lines) if i not in drop]
        cleaned.append("\n".join(kept).strip())
    return cleaned


# --- words hyphenated across line breaks ---------------------------------------------------


class _Vocabulary:
    """How often each word, and each hyphenated compound, occurs in the document itself.

    The document is the best dictionary for itself: if it writes "pretrained" elsewhere, a
    "pre-/trained" break is a line break; if it writes "pre-trained", the hyphen is real.
    """

    def __init__(self, pages: Sequence[str]) -> None:
        self.counts: Counter[str] = Counter()
        for page in pages:
            # The fragments around a break are not words: leave them out of the count.
            for word in _WORD.findall(_without_fragments(page)):
                word = word.lower()
                self.counts[word] += 1
                parts = word.split("-")
                if len(parts) > 1:
                    self.counts.update(parts)
                    self.counts.update(f"{a}-{b}" for a, b in itertools.pairwise(parts))

    def keeps_hyphen(self, left: str, right: str) -> bool:
        """Whether ``left-`` + line break + ``right`` is a real hyphen, not a broken word."""
        head = left.rsplit("-", 1)[-1].lower()
        right = right.lower()
        joined, hyphenated = self.counts[head + right], self.counts[f"{head}-{right}"]
        if joined or hyphenated:
            return hyphenated > joined  # the document's own spelling decides
        if "-" in left:
            return True  # a compound that goes on: "state-of-the-/art", "peer-to-/peer"
        if _common_word(head + right):
            return False  # "some-/times", "param-/eters": one common word
        # Two common words that do not make one ("user-/friendly", "time-/consuming"): a
        # compound. Otherwise ("outper-/forming", "possi-/ble") a rare word broken in two.
        return all(len(half) >= MIN_HALF and _common_word(half) for half in (head, right))


def _common_word(word: str) -> bool:
    """Whether cl100k has ``word`` as one token: its vocabulary holds the common words."""
    return count_tokens(f" {word}") == 1


def _without_fragments(page: str) -> str:
    """The page without the halves of broken words, at line breaks and at its two ends."""
    page = _BREAK.sub(" ", _PAGE_END.sub("", page))
    start = _PAGE_START.match(page)
    return page[start.end() :] if start and start.group(0)[0].islower() else page


def join_hyphenated(pages: Sequence[str]) -> list[str]:
    """Words broken across lines made whole, within a page and from one page to the next."""
    vocabulary = _Vocabulary(pages)

    def mend(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        if not right[0].islower():
            return match.group(0)
        return f"{left}{'-' if vocabulary.keeps_hyphen(left, right) else ''}{right}"

    mended = [_BREAK.sub(mend, page) for page in pages]
    for i in range(len(mended) - 1):
        mended[i], mended[i + 1] = _mend_page_break(mended[i], mended[i + 1], vocabulary)
    return mended


def _mend_page_break(page: str, following: str, vocabulary: _Vocabulary) -> tuple[str, str]:
    """A word broken over a page break moves whole to the page on which it starts."""
    end, start = _PAGE_END.search(page), _PAGE_START.match(following)
    if end is None or start is None or not start.group(0)[0].islower():
        return page, following
    left, right = end.group(1), start.group(0)
    hyphen = "-" if vocabulary.keeps_hyphen(left, right) else ""
    return f"{page[: end.start()]}{left}{hyphen}{right}", following[start.end() :].lstrip()
