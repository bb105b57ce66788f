"""Key terms of a sentence for known-item questions: dates, numbers and capitalised names,
scored by how rare their words are in the collection (document frequency over chunks, with
the BM25 tokenizer) plus a small preference by kind.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from corpus.dates import MONTHS, find_dates
from corpus.types import Chunk
from index.bm25 import tokenize

_NUMBER = re.compile(
    r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\w)|(?<![\w.,])\d+(?:\.\d+)?(?!\w)"
)
_YEAR = re.compile(r"(?:1[6-9]|20)\d\d")
# Capitalised words joined by single spaces: a name never spans a line break, so the
# term stays verbatim in the document text.
_WORD = r"(?:[A-Z][A-Za-z'’-]*[a-z][A-Za-z'’-]*|[A-Z]{2,}s?\b)"  # "Quist", "NASA", "CHIPS"
_NAME = re.compile(rf"\b{_WORD}(?: (?:(?:of|for|de|the|of the) )?{_WORD})*")
_CONNECTORS = {"of", "for", "de", "the"}
_TITLES = {"Dr", "Mr", "Mrs", "Ms", "Mx", "Prof", "St", "Sr", "Jr", "Gen", "Gov", "Sen", "Rep"}
_CALENDAR = set(MONTHS) | {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "Spring", "Summer", "Autumn", "Fall", "Winter", "Today", "Tomorrow", "Yesterday",
}  # fmt: skip
# word: a one-word name, often just a capitalised noun ("the Administration")
_KIND_BONUS = {"date": 0.5, "name": 0.3, "number": 0.3, "year": 0.2, "word": -0.5}
# A term whose tokens are, on average, in more than a sixth of the chunks (or more than
# one, in a small collection) is no key term: blanking "the White House" in a corpus of
# White House statements asks nothing.
COMMON_SHARE = 1 / 6


@dataclass(frozen=True)
class Term:
    start: int  # offsets within the sentence
    end: int
    text: str
    kind: str  # "date" | "year" | "number" | "name" | "word"
    score: float


def document_frequency(chunks: Iterable[Chunk]) -> tuple[Counter[str], int]:
    """How many chunks hold each BM25 token, and the number of chunks."""
    df: Counter[str] = Counter()
    n = 0
    for chunk in chunks:
        df.update(set(tokenize(chunk.text)))
        n += 1
    return df, n


def _rarity(text: str, df: Counter[str], n: int) -> float:
    """Mean IDF of the term's tokens over the chunks; 0.0 for a term of stopwords only."""
    idf = [math.log((n + 1) / (df[t] + 0.5)) for t in tokenize(text)]
    return sum(idf) / len(idf) if idf else 0.0


def _name_runs(sentence: str) -> Iterable[tuple[int, list[str]]]:
    """Each capitalised run, and, where it has connectors, each part: "Jonah Whitlock of the
    Calder Water Authority" also gives "Jonah Whitlock" and "Calder Water Authority"."""
    for m in _NAME.finditer(sentence):
        words = m.group().split(" ")
        yield m.start(), words
        if not _CONNECTORS.intersection(words):
            continue
        run: list[str] = []
        pos = run_start = m.start()
        for w in [*words, "of"]:
            if w in _CONNECTORS:
                if run:
                    yield run_start, run
                run, run_start = [], pos + len(w) + 1
            else:
                run.append(w)
            pos += len(w) + 1


def _names(sentence: str) -> Iterable[tuple[int, int, str]]:
    for start, found in _name_runs(sentence):
        words = list(found)
        while any(w in _TITLES for w in words):  # "Hydrologist Dr" -> "", then "Amara Quist"
            start += len(words.pop(0)) + 1
        while words and not tokenize(words[0]):  # "The Port Calder" -> "Port Calder"
            start += len(words.pop(0)) + 1
        if words and words[-1].endswith(("'s", "’s")):
            words[-1] = words[-1][:-2]
        text = " ".join(words)
        if not words or (len(words) == 1 and (start == 0 or text in _CALENDAR)) or len(text) < 3:
            continue  # a lone capitalised word at the start is just the sentence's first word
        yield start, start + len(text), text


def key_terms(sentence: str, df: Counter[str], n: int) -> list[Term]:
    """Candidate key terms, dates first: a number inside a date is not a term of its own."""
    found: list[tuple[int, int, str, str]] = [
        (d.start, d.end, d.text, "date") for d in find_dates(sentence)
    ]
    for m in _NUMBER.finditer(sentence):
        found.append(
            (m.start(), m.end(), m.group(), "year" if _YEAR.fullmatch(m.group()) else "number")
        )
    found += [(s, e, text, "name") for s, e, text in _names(sentence)]
    taken: list[tuple[int, int]] = []
    terms: list[Term] = []
    min_rarity = math.log((n + 1) / (max(1.0, n * COMMON_SHARE) + 0.5))
    for start, end, text, kind in found:
        if any(start < e and s < end for s, e in taken):
            continue
        if kind != "name":  # names may overlap each other: only one term is kept
            taken.append((start, end))
        if sentence.count(text) != 1 or len(text.split()) * 2 > len(sentence.split()):
            continue  # an ambiguous blank, or one that leaves too little to go on
        if sentence[start - 1 : start] == "(" and sentence[end : end + 1] == ")":
            continue  # "(3)": a list enumerator, not a fact
        rarity = _rarity(text, df, n)
        if kind == "name" and " " not in text:
            kind = "word"
        if rarity >= min_rarity - 1e-9:
            terms.append(Term(start, end, text, kind, rarity + _KIND_BONUS[kind]))
    return terms
