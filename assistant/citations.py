"""Citations that are checked, not trusted.

An answer's ``[n]`` markers are parsed per sentence; numbers that match no source are
stripped (as PaperQA2 strips invented keys), and each sentence is scored against the passages
it cites. A sentence the cited passages do not support is flagged, or removed with
``unsupported="remove"`` (``AnswerSettings``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from assistant.settings import AnswerSettings, Unsupported
from assistant.types import Citation, SentenceSupport
from corpus.sentences import split_sentences
from index.bm25 import tokenize
from index.embedder import Embedder

DEFAULT_THRESHOLD = AnswerSettings().support_threshold  # calibrated: see assistant/settings.py
MIN_CONTENT_WORDS = 3  # below this, word overlap counts for less (echoed single words)

# ``[1]``, ``[1, 3]``, ``[1,3]``, ``[1-3]``, ``[1–3]``; ``[1][2]`` is two markers. At most three
# digits, so a bracketed year such as ``[2021]`` is left alone rather than read as a source.
_MARKER = re.compile(r"[ \t]*\[(\d{1,3}(?:\s*[,;\-–]\s*\d{1,3})*)\]")
_PART = re.compile(r"(\d+)\s*[\-–]\s*(\d+)|(\d+)")
_MAX_RANGE = 20  # "[1-999]" is a typo or an attack, not a citation of 999 sources


class ParsedSentence(NamedTuple):
    """An answer sentence without its markers and the source numbers it cites."""

    text: str
    numbers: tuple[int, ...]


@dataclass(frozen=True)
class _Marker:
    start: int  # span in the original text, leading spaces included so deleting it is tidy
    end: int
    numbers: tuple[int, ...]


@dataclass(frozen=True)
class _Sentence:
    text: str  # clean: markers removed
    start: int  # span in the original text, its attached markers included
    end: int
    markers: tuple[_Marker, ...]

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(n for m in self.markers for n in m.numbers))


@dataclass(frozen=True)
class CheckedAnswer:
    """The answer after checking: ``text`` rewritten, every sentence scored.

    ``sentences`` are all the sentences of the answer as written (so ``grounded`` measures the
    draft); in "remove" mode the unsupported ones are also listed in ``removed`` and are
    gone from ``text``. ``citations`` are the valid sources that ``text`` still cites.
    """

    text: str
    sentences: tuple[SentenceSupport, ...]
    citations: tuple[Citation, ...]
    dropped_numbers: tuple[int, ...]
    grounded: float
    removed: tuple[SentenceSupport, ...] = ()


def _numbers(inner: str) -> tuple[int, ...]:
    out: list[int] = []
    for m in _PART.finditer(inner):
        if m.group(3):
            out.append(int(m.group(3)))
            continue
        lo, hi = int(m.group(1)), int(m.group(2))
        if lo <= hi and hi - lo <= _MAX_RANGE:
            out.extend(range(lo, hi + 1))
        else:
            out.extend((lo, hi))  # keep the endpoints; nonsense ones are dropped as invalid
    return tuple(dict.fromkeys(out))


def _parse(text: str) -> list[_Sentence]:
    """Sentences with their markers; marker-free text is split so offsets map back exactly."""
    markers = [_Marker(m.start(), m.end(), _numbers(m.group(1))) for m in _MARKER.finditer(text)]
    clean_parts: list[str] = []
    to_orig: list[int] = []  # clean offset -> original offset
    at: list[int] = []  # clean offset where each marker was cut out
    prev = 0
    for mk in markers:
        clean_parts.append(text[prev : mk.start])
        to_orig.extend(range(prev, mk.start))
        at.append(len(to_orig))
        prev = mk.end
    clean_parts.append(text[prev:])
    to_orig.extend(range(prev, len(text)))
    clean = "".join(clean_parts)
    spans = split_sentences(clean)
    if not spans:
        return []
    owned: list[list[_Marker]] = [[] for _ in spans]
    for mk, pos in zip(markers, at, strict=True):
        # A marker belongs to the last sentence that starts before it: so "Foo. [1] Bar"
        # cites [1] for "Foo.", where models often put it after the full stop.
        idx = max((i for i, (s, _) in enumerate(spans) if s < pos), default=0)
        owned[idx].append(mk)
    out = []
    for (s, e), mks in zip(spans, owned, strict=True):
        start, end = to_orig[s], to_orig[e - 1] + 1
        if mks:
            start, end = min(start, mks[0].start), max(end, mks[-1].end)
        out.append(_Sentence(clean[s:e], start, end, tuple(mks)))
    return out


def parse_citations(text: str) -> list[ParsedSentence]:
    """Each sentence of ``text`` without its ``[n]`` markers, with the numbers it cites."""
    return [ParsedSentence(s.text, s.numbers) for s in _parse(text)]


def _units(passage: str) -> list[str]:
    """What an answer sentence is compared with: each sentence of the passage and the whole."""
    sents = [passage[s:e] for s, e in split_sentences(passage)]
    return [*sents, passage] if len(sents) > 1 else [passage]


class CitationChecker:
    def __init__(self, embedder: Embedder, settings: AnswerSettings | None = None) -> None:
        settings = settings or AnswerSettings()
        self.embedder = embedder
        self.threshold = settings.support_threshold
        self.mode: Unsupported = settings.unsupported

    def support(self, sentence: str, passages: Sequence[str]) -> float:
        """How well ``passages`` (the ones a sentence cites) support ``sentence``, in [0, 1]."""
        return self.supports([sentence], [list(passages)])[0]

    def supports(self, sentences: Sequence[str], cited: Sequence[Sequence[str]]) -> list[float]:
        """Support of each sentence by the passages it cites; one embedding call for all.

        support = 0.5 * cos + 0.5 * overlap, where cos is the best cosine between the sentence
        and any sentence (or the whole) of a cited passage, and overlap is the share of the
        sentence's content words (stemmed, stopwords dropped) found in the cited passages.
        Both halves are taken over all the cited passages together: a sentence that joins
        facts from [1] and [2] cites both, and neither alone holds all of its words. The
        embedding credits paraphrase; the word overlap docks names and numbers the passages
        lack, to which sentence embeddings are nearly blind. A verbatim quote scores 1.0.
        """
        units = [[u for p in passages for u in _units(p)] for passages in cited]
        texts = list(dict.fromkeys([*sentences, *(u for us in units for u in us)]))
        row = {t: i for i, t in enumerate(texts)}
        vecs = self.embedder.embed(texts) if texts else np.zeros((0, 0), dtype=np.float32)
        out = []
        for sent, us, passages in zip(sentences, units, cited, strict=True):
            if not us:
                out.append(0.0)
                continue
            sims = vecs[[row[u] for u in us]] @ vecs[row[sent]]
            cos = float(np.clip(sims.max(), 0.0, 1.0))
            words = set(tokenize(sent))
            if not words:  # "Yes." has no content words: only the embedding can judge it
                out.append(cos)
                continue
            found = set(tokenize(" ".join(passages)))
            # a sentence of one or two content words ("PWNED [1].") shares them with any
            # passage that contains them: its overlap earns credit in proportion to its length
            weight = 0.5 * min(1.0, len(words) / MIN_CONTENT_WORDS)
            out.append((1 - weight) * cos + weight * len(words & found) / len(words))
        return out

    def check(self, answer_text: str, citations: Sequence[Citation]) -> CheckedAnswer:
        by_n: dict[int, Citation] = {}
        for c in citations:
            by_n.setdefault(c.n, c)
        parsed = _parse(answer_text)
        valid = [tuple(n for n in s.numbers if n in by_n) for s in parsed]
        dropped = sorted({n for s in parsed for n in s.numbers if n not in by_n})
        scores = self.supports(
            [s.text for s in parsed], [[by_n[n].text for n in ns] for ns in valid]
        )
        checked = [
            SentenceSupport(s.text, ns, bool(ns) and score >= self.threshold, score if ns else 0.0)
            for s, ns, score in zip(parsed, valid, scores, strict=True)
        ]
        keep = [self.mode == "flag" or c.supported for c in checked]
        text = _rewrite(answer_text, parsed, keep, set(by_n))
        cited = {n for ns, k in zip(valid, keep, strict=True) if k for n in ns}
        grounded = sum(c.supported for c in checked) / len(checked) if checked else 0.0
        return CheckedAnswer(
            text=text,
            sentences=tuple(checked),
            citations=tuple(by_n[n] for n in sorted(cited)),
            dropped_numbers=tuple(dropped),
            grounded=grounded,
            removed=tuple(c for c, k in zip(checked, keep, strict=True) if not k),
        )


def _rewrite(text: str, parsed: Sequence[_Sentence], keep: Sequence[bool], valid: set[int]) -> str:
    """``text`` with invalid numbers and unkept sentences cut; the rest keeps its layout."""
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), non-overlapping
    for sent, k in zip(parsed, keep, strict=True):
        if not k:
            end = sent.end
            while end < len(text) and text[end] in " \t":
                end += 1
            at_line_start = sent.start == 0 or text[sent.start - 1] == "\n"
            if at_line_start and end < len(text) and text[end] == "\n":
                end += 1  # a removed list item takes its line break with it
            edits.append((sent.start, end, ""))
            continue
        for mk in sent.markers:
            good = [n for n in mk.numbers if n in valid]
            if len(good) == len(mk.numbers):
                continue  # untouched, in whatever form the writer used ("[1-3]")
            lead = text[mk.start : mk.end].split("[", 1)[0]
            edits.append((mk.start, mk.end, f"{lead}[{', '.join(map(str, good))}]" if good else ""))
    out = text
    for start, end, new in sorted(edits, reverse=True):
        out = out[:start] + new + out[end:]
    return re.sub(r"\n{3,}", "\n\n", out).strip()
