"""The short answer: a few words copied from one cited sentence, of the kind the question
asks for, shown before the evidence.

How a span is chosen (rules, no model):

1. The question's wording gives the kind of answer (``assistant.question_type``): a date for
   "when", a count for "how many", an amount for "how much", a name for "who", a place for
   "where", a thing named like the focus noun for "which/what N"; "why" and "how" get none.
2. Each cited sentence offers candidate spans of that kind (``assistant.answer_spans``):
   dates, numbers that are not years, amounts with their unit, capitalised names, and for
   "what" questions also plain noun phrases. A candidate whose content words all occur in
   the question is dropped: it repeats the question instead of answering it.
3. A candidate scores by how typical it is of its kind, by how close it stands to the
   question's words in its sentence (each question word found counts ``1 / (1 + d/4)`` for a
   distance of ``d`` words), by the share of the question's words its sentence holds, by
   sitting next to the focus noun ("the band Euphoria"), and loses for words shared with
   the question. The best candidate over all cited sentences wins if it scores at least
   ``MIN_SCORE``; otherwise there is no short answer and the evidence stands alone.
4. Yes/no questions are settled by the rules of ``assistant.yes_no``, or not at all.

The span is ``sentence.text[a:b]`` of a cited sentence, at most ``MAX_WORDS`` words, and its
document offsets are ``sentence.start + a`` to ``sentence.start + b``: verbatim and cited by
construction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from assistant import answer_spans as spans
from assistant.question_type import Kind, QuestionType, classify

MAX_WORDS = 12
MIN_SCORE = 0.55


class Sentence(Protocol):
    """A cited evidence sentence: ``text`` is the document's text from ``start`` to ``end``
    (``assistant.types.Citation`` is one)."""

    @property
    def n(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class ShortAnswer:
    """``text`` is the document's text from ``start`` to ``end``, in the sentence cited as
    ``[n]``; an inferred answer ("Yes"/"No") instead names the sentence that settles it."""

    text: str
    n: int
    start: int
    end: int
    kind: str  # the kind of answer the question asked for: "date", "person", "yesno" …
    inferred: bool = False
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "n": self.n, "start": self.start,
                               "end": self.end}  # fmt: skip
        if self.inferred:
            out["inferred"] = True
        return out


def short_answer(question: str, sentences: Sequence[Sentence]) -> ShortAnswer | None:
    """The short answer to ``question`` from the cited ``sentences``, or None."""
    qtype = classify(question)
    if qtype.kind is Kind.YESNO:
        from assistant.yes_no import yes_no

        return yes_no(question, sentences)
    best = best_span(question, qtype, sentences)
    return best if best is not None and best.score >= MIN_SCORE else None


def best_span(
    question: str, qtype: QuestionType, sentences: Sequence[Sentence]
) -> ShortAnswer | None:
    """The best-scoring candidate span over ``sentences``, whatever its score."""
    generate = _GENERATORS.get(qtype.kind)
    if generate is None:
        return None
    asked = question[: qtype.wh_start] + " " + question[qtype.wh_end :]
    q_stems = {s for _, _, s in spans.content_words(asked)}
    focus = spans.content_words(qtype.focus)
    q_stems -= {s for _, _, s in focus}  # the focus noun describes the answer, it is no cue
    best: ShortAnswer | None = None
    for sentence in sentences:
        for a, b, score in _scored(sentence.text, generate(sentence.text, qtype), q_stems, focus):
            if best is None or score > best.score:
                best = ShortAnswer(sentence.text[a:b], sentence.n, sentence.start + a,
                                   sentence.start + b, qtype.kind.value, False, score)  # fmt: skip
    return best


def _scored(
    text: str,
    cands: Iterator[spans.Candidate],
    q_stems: set[str],
    focus: list[tuple[int, int, str]],
) -> Iterator[tuple[int, int, float]]:
    words = spans.content_words(text)
    found = {s for _, _, s in words if s in q_stems}
    share = len(found) / len(q_stems) if q_stems else 0.0
    focus_stems = {s for _, _, s in focus}
    seen: set[tuple[int, int]] = set()
    for a, b, fit in cands:
        if (a, b) in seen or "\n" in text[a:b] or len(text[a:b].split()) > MAX_WORDS:
            continue
        seen.add((a, b))
        stems = {st for s, e, st in words if a <= s and e <= b}
        if not stems or stems <= q_stems:
            continue  # nothing but words of the question
        overlap = len(stems & q_stems) / len(stems)
        near = _proximity(words, a, b, q_stems)
        beside = _beside_focus(text, words, a, b, focus_stems)
        score = 0.45 * fit + 0.35 * near + 0.2 * share + 0.15 * beside - 0.4 * overlap
        yield a, b, score


def _proximity(words: list[tuple[int, int, str]], a: int, b: int, q_stems: set[str]) -> float:
    """Share of the question's words near the span: each counts 1 / (1 + d/4), d in words."""
    if not q_stems:
        return 0.0
    first = next((i for i, w in enumerate(words) if w[1] > a), len(words))
    last = next((i for i in range(len(words) - 1, -1, -1) if words[i][0] < b), -1)
    best: dict[str, float] = {}
    for i, (s, e, stem) in enumerate(words):
        if stem not in q_stems or (a <= s and e <= b):
            continue
        d = first - i if i < first else i - last
        best[stem] = max(best.get(stem, 0.0), 1.0 / (1.0 + max(d - 1, 0) / 4.0))
    return sum(best.values()) / len(q_stems)


def _beside_focus(
    text: str, words: list[tuple[int, int, str]], a: int, b: int, focus: set[str]
) -> float:
    """1 when the focus noun is in the span or right next to it ("the band Euphoria")."""
    if not focus:
        return 0.0
    for s, e, stem in words:
        if stem in focus and (a <= s < b or 0 <= a - e <= 2 or 0 <= s - b <= 2):
            return 1.0
    return 0.0


def _entities(text: str, qtype: QuestionType) -> Iterator[spans.Candidate]:
    yield from spans.names(text)
    for a, b, fit in spans.noun_phrases(text):
        yield a, b, fit * 0.8


_PLACE_PREPOSITION = re.compile(r"\b(?:in|at|near|from|to|into|across)\s+(?:the\s+)?$", re.I)


def _people(text: str, qtype: QuestionType) -> Iterator[spans.Candidate]:
    """Names for "who": one after "in", "at", "from" … is more likely a place."""
    for a, b, fit in spans.names(text):
        yield a, b, fit * (0.5 if _PLACE_PREPOSITION.search(text[max(0, a - 12) : a]) else 1.0)


def _places(text: str, qtype: QuestionType) -> Iterator[spans.Candidate]:
    """Names for "where", best after "in", "at", "near" …"""
    for a, b, fit in spans.names(text, places=True):
        yield a, b, fit * (1.0 if _PLACE_PREPOSITION.search(text[max(0, a - 12) : a]) else 0.7)


_GENERATORS: dict[Kind, Callable[[str, QuestionType], Iterator[spans.Candidate]]] = {
    Kind.DATE: lambda text, q: spans.dates(text),
    Kind.COUNT: lambda text, q: spans.numbers(text, q.focus),
    Kind.AMOUNT: lambda text, q: spans.amounts(text),
    Kind.PERSON: _people,
    Kind.PLACE: _places,
    Kind.ENTITY: _entities,
}


class ScoredSentence(Sentence, Protocol):
    """A candidate sentence with the extractive answerer's score for it."""

    @property
    def score(self) -> float: ...


def from_candidates(
    question: str, sentences: Sequence[ScoredSentence], top: int = 8, weight: float = 0.5
) -> ShortAnswer | None:
    """The short answer from the ``top`` best-scored candidate sentences (not only those
    cited): a span's score gains ``weight`` times its sentence's score above the best one's.
    The caller cites the sentence the span comes from (``n`` is the sentence's)."""
    order = sorted(sentences, key=lambda s: -s.score)[:top]
    if not order:
        return None
    qtype = classify(question)
    if qtype.kind is Kind.YESNO:
        from assistant.yes_no import yes_no

        return yes_no(question, order)
    best: ShortAnswer | None = None
    for sentence in order:
        found = best_span(question, qtype, [sentence])
        if found is None:
            continue
        score = found.score + weight * (sentence.score - order[0].score)
        if best is None or score > best.score:
            best = replace(found, score=score)
    return best if best is not None and best.score >= MIN_SCORE else None
