"""The short answer: a few words copied from one cited sentence, of the kind the question
asks for, shown before the evidence.

How a span is chosen (rules, no model):

1. The question's wording gives the kind of answer (``assistant.question_type``): a date for
   "when" and "what year", a count for "how many", an amount for "how much" and "what
   percentage", a name for "who", a place for "where", a thing named like the focus noun for
   "which/what N" ("what company", "which Bollywood actress"). "Why", "how", definitions
   ("Who was Kwame Nkrumah?") and a bare "what" ("What did Ford say?") get none.
2. Each evidence sentence offers candidate spans of that kind (``assistant.answer_spans``):
   dates, numbers that are not years, amounts with their unit, capitalised names, and for
   "what N" also plain noun phrases. A candidate whose content words all occur in the
   question is dropped: it repeats the question instead of answering it.
3. A candidate scores by how typical it is of its kind (a whole date over a bare year; a
   "who" name that does not end in "University" or follow "in"; not one the sentence denies,
   "born not in 1789"), by how close it stands to the question's words in its sentence, by
   the share of those words its sentence (and its document's title) holds, by sitting next
   to the focus noun ("the band Euphoria"), by being the subject or "by"-agent of the verb
   a "who" question asks about ("Coolidge appointed …", "founded by the Spanish"), and by
   its sentence's score from the answerer; it loses for words shared with the question.
   A document named in another document's sentence (the second hop of "the director of
   the film shot in Leland") holds that sentence's words too, and its sentences score as
   high as the sentence naming it: the answer is in the named document.
   Question words count more the fewer evidence sentences hold them: the topic ("Monroe")
   is in every sentence, the word that tells them apart ("died") is not
   (``assistant.span_scoring``).
4. The best candidate wins if it scores at least ``MIN_SCORE``; otherwise there is no short
   answer and the evidence stands alone (a wrong short answer is worse than none).
5. Yes/no questions are settled by the rules of ``assistant.yes_no``, either-or questions
   ("Which was formed first, X or Y?") by those of ``assistant.choice``, or not at all;
   these answers are marked inferred.

The span is ``sentence.text[a:b]`` of one evidence sentence, at most twelve words, and its
document offsets are ``sentence.start + a`` to ``sentence.start + b``: verbatim and cited by
construction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from assistant import answer_spans as spans
from assistant import span_scoring as scoring
from assistant.choice import choose, options
from assistant.question_type import Kind, QuestionType, classify
from assistant.yes_no import yes_no
from corpus.sentences import split_sentences

if TYPE_CHECKING:
    from index.embedder import Embedder

MIN_SCORE = 0.6


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
        """As ``ask --json`` shows it: ``inferred`` is true for "Yes"/"No" and either-or
        answers, whose ``start``/``end`` span the sentence that settles them."""
        return {
            "text": self.text,
            "n": self.n,
            "start": self.start,
            "end": self.end,
            "inferred": self.inferred,
        }


def short_answer(
    question: str, sentences: Sequence[Sentence], embedder: Embedder | None = None
) -> ShortAnswer | None:
    """The short answer to ``question`` from the cited ``sentences``, or None. With an
    ``embedder``, names are also checked against the focus noun (see ``TYPE_WEIGHT``)."""
    qtype = classify(question)
    if _inferred_kind(question, qtype):
        return inferred(question, qtype, sentences)
    best = best_span(question, qtype, sentences, embedder)
    return best if best is not None and best.score >= MIN_SCORE else None


# a span's score gains this times its sentence's answerer score above the best sentence's
SENTENCE_WEIGHT = 0.5


# a sentence of a document that another sentence names counts this share of the way from
# its own score to the naming sentence's (see ``span_scoring.bridges``)
BRIDGE_PRIOR = 1.0


def _score_prior(
    sentences: Sequence[Sentence], bridged: dict[str, scoring.Bridge]
) -> Callable[[Sentence], float]:
    """Sentences the answerer scored higher are likelier to hold the answer; so are those of
    a document that a high-scored sentence names (the second hop of a two-hop question)."""
    top = max((getattr(s, "score", 0.0) for s in sentences), default=0.0)

    def prior(s: Sentence) -> float:
        own = getattr(s, "score", top)
        bridge = bridged.get(getattr(s, "title", "") or "")
        if bridge is not None and bridge.score > own:
            own += BRIDGE_PRIOR * (bridge.score - own)
        return SENTENCE_WEIGHT * (own - top)

    return prior


def _inferred_kind(question: str, qtype: QuestionType) -> bool:
    """Yes/no and either-or questions: their answer is not a span of the evidence (an
    either-or answer is one of the question's own options, so it is marked inferred)."""
    return qtype.kind is Kind.YESNO or options(question) is not None


def inferred(
    question: str, qtype: QuestionType, sentences: Sequence[Sentence]
) -> ShortAnswer | None:
    """ "Yes"/"No" or one of two options, where the rules of ``assistant.yes_no`` and
    ``assistant.choice`` settle it from ``sentences``; else None."""
    if qtype.kind is Kind.YESNO:
        return yes_no(question, sentences)
    return choose(question, sentences)


def best_span(
    question: str,
    qtype: QuestionType,
    sentences: Sequence[Sentence],
    embedder: Embedder | None = None,
) -> ShortAnswer | None:
    """The best-scoring candidate span over ``sentences``, whatever its score."""
    ranked = ranked_spans(question, qtype, sentences)
    if embedder is not None and ranked:
        ranked = _type_checked(ranked, qtype, embedder)
    return ranked[0] if ranked else None


def ranked_spans(
    question: str,
    qtype: QuestionType,
    sentences: Sequence[Sentence],
) -> list[ShortAnswer]:
    """Every candidate span of the asked kind in ``sentences``, best first; a span's score
    gains its sentence's (see ``_score_prior``)."""
    if qtype.kind not in spans.KINDS:
        return []
    asked = question[: qtype.wh_start] + " " + question[qtype.wh_end :]
    focus = scoring.stems(qtype.focus)
    # the focus noun describes the answer, it is no cue to where the answer stands
    q_stems = scoring.stems(asked) - focus
    cue = scoring.Cues(
        scoring.cue_weights(q_stems, sentences),
        focus,
        scoring.agent_verb(question, qtype),
        scoring.bridges(sentences),
        scoring.life_event(q_stems) if qtype.kind is Kind.DATE else "",
        scoring.anchor(question, qtype),
    )
    prior = _score_prior(sentences, cue.bridged)
    out = []
    for sentence in sentences:
        extra = prior(sentence)
        for a, b, score in scoring.scored(sentence, spans.of_kind(qtype, sentence.text), cue):
            text = sentence.text[a:b]
            out.append(
                ShortAnswer(
                    text,
                    sentence.n,
                    sentence.start + a,
                    sentence.start + b,
                    qtype.kind.value,
                    False,
                    score + extra,
                )
            )
    return sorted(out, key=lambda sa: -sa.score)


# how much the cosine between a name and the focus noun ("city", "medal") counts, for the
# TYPE_CHECKED best candidates by the rules; centred on TYPE_BASE, a typical cosine
TYPE_WEIGHT = 0.4
TYPE_BASE = 0.3
TYPE_CHECKED = 12


def _type_checked(
    ranked: list[ShortAnswer], qtype: QuestionType, embedder: Embedder
) -> list[ShortAnswer]:
    """The best candidates rescored by how much each looks like the thing asked for."""
    prototype = qtype.focus or _PROTOTYPES.get(qtype.kind, "")
    if not prototype or qtype.kind not in _PROTOTYPES:
        return ranked
    head = ranked[:TYPE_CHECKED]
    vecs = embedder.embed([prototype, *(sa.text for sa in head)])
    sims = vecs[1:] @ vecs[0]
    rescored = [
        replace(sa, score=sa.score + TYPE_WEIGHT * (float(sim) - TYPE_BASE))
        for sa, sim in zip(head, sims, strict=True)
    ]
    return sorted(rescored, key=lambda sa: -sa.score) + ranked[TYPE_CHECKED:]


_PROTOTYPES = {Kind.PERSON: "person", Kind.PLACE: "place", Kind.ENTITY: ""}


@dataclass(frozen=True)
class CitedSentence:
    """One sentence of a citation: ``text`` is the document's text from ``start`` to ``end``."""

    n: int
    start: int
    end: int
    text: str
    title: str = ""
    score: float = 0.0


def cited_sentences(citations: Sequence[Sentence]) -> list[CitedSentence]:
    """The sentences of each citation, keeping its ``n`` and exact offsets: a model's
    answer cites whole passages, and a short answer comes from one sentence."""
    out = []
    for c in citations:
        for a, b in split_sentences(c.text):
            out.append(
                CitedSentence(
                    c.n,
                    c.start + a,
                    c.start + b,
                    c.text[a:b],
                    getattr(c, "title", ""),
                    getattr(c, "score", 0.0),
                )
            )
    return out


class ScoredSentence(Sentence, Protocol):
    """A candidate sentence with the extractive answerer's score for it."""

    @property
    def score(self) -> float: ...


def from_candidates(
    question: str,
    sentences: Sequence[ScoredSentence],
    embedder: Embedder | None = None,
    top: int = 32,
) -> ShortAnswer | None:
    """The short answer from the ``top`` best-scored candidate sentences (not only those
    cited: the answer of a two-hop question often sits in a sentence scored low); a span's
    score gains ``SENTENCE_WEIGHT`` times its sentence's score above the best one's.
    The caller cites the sentence the span comes from (``n`` is the sentence's)."""
    return short_answer(question, sorted(sentences, key=lambda s: -s.score)[:top], embedder)
