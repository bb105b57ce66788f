"""How well a candidate span answers a question, from where it stands in its sentence.

A span scores by how typical it is of the asked kind (``fit``, from ``answer_spans``), by
how close it stands to the question's words (``near``: each word found counts its weight
``/ (1 + d/DECAY)`` for a distance of ``d`` words), by the weighted share of the question's
words its sentence and that sentence's document title hold (``share``; a document that
another document's sentence names also holds that sentence's words, see ``bridges``), by
standing next to
the focus noun (``beside``: "the band Euphoria"), by being the subject or "by"-agent of the
verb a "who" question asks about (``agent``: "Coolidge appointed …", "founded by the
Spanish"), and loses for the share of its own words that are the question's (``overlap``).
A question word weighs more the fewer evidence sentences hold it (``cue_weights``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant import answer_spans as spans
from assistant.question_type import Kind, QuestionType
from assistant.span_numbers import life_side

if TYPE_CHECKING:
    from assistant.short_answer import Sentence

MAX_WORDS = 12  # the longest short answer


def cue_weights(q_stems: set[str], sentences: Sequence[Sentence]) -> dict[str, float]:
    """A weight per question word, higher for words few of the sentences hold: the topic
    ("Monroe") is in every sentence, the word that tells them apart ("died") is not."""
    held = [sentence_stems(s) for s in sentences]
    n = len(held)
    return {t: 1.0 + math.log((n + 1) / (sum(t in h for h in held) + 1)) for t in q_stems}


def stems(text: str) -> set[str]:
    """The stems of the content words of ``text``."""
    return {s for _, _, s in spans.content_words(text)}


def sentence_stems(sentence: Sentence) -> set[str]:
    """The stems of a sentence and of its document's title, which says what "he" or "the
    film" is."""
    return stems(sentence.text) | stems(getattr(sentence, "title", "") or "")


_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")  # "Toad Hall (ANU)" is named "Toad Hall"


@dataclass
class Bridge:
    """What a document named by other documents' sentences inherits from them."""

    stems: set[str] = field(default_factory=set)
    score: float = -math.inf  # the best answerer score of a sentence naming it


def bridges(sentences: Sequence[Sentence]) -> dict[str, Bridge]:
    """Per document title, the stems of the other documents' sentences that name it.

    A two-hop question describes one document and asks about another that the first names
    ("the film shot in Leland in 1986" is *Maximum Overdrive*, whose article names its
    director): the named document's sentences hold the question's words only through the
    sentence that names it, so they inherit that sentence's words."""
    titles = {getattr(s, "title", "") or "" for s in sentences}
    out: dict[str, Bridge] = {}
    for title in titles:
        name = _QUALIFIER.sub("", title)
        if len(name) < 4 or not name[:1].isupper():
            continue
        pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
        for s in sentences:
            other = getattr(s, "title", "") or ""
            if other != title and pattern.search(s.text):
                bridge = out.setdefault(title, Bridge())
                bridge.stems |= sentence_stems(s)
                bridge.score = max(bridge.score, getattr(s, "score", 0.0))
    return out


def about(sentence: Sentence, subject: set[str]) -> bool:
    """Whether the sentence (or its title) holds every stem of a non-empty ``subject``."""
    return bool(subject) and subject <= sentence_stems(sentence)


# the weights of the features (see the module docstring)
DECAY = 8.0
WEIGHTS = {
    "fit": 0.45,
    "near": 0.35,
    "share": 0.35,
    "beside": 0.15,
    "agent": 0.15,
    "overlap": 0.25,
    "life": 0.3,
    "anchor": 0.2,
}


@dataclass(frozen=True)
class Cues:
    weights: dict[str, float]  # question word stem -> weight
    focus: set[str]  # stems of the focus noun
    verb: str  # stem of the verb a "who"/"what" question asks the subject of, or ""
    bridged: dict[str, Bridge] = field(default_factory=dict)  # see ``bridges``
    life: str = ""  # "birth" or "death" when the question asks when someone was born or died
    anchor: str = ""  # the stem of the word right before a wh-phrase inside the question


def scored(
    sentence: Sentence, cands: Iterator[spans.Candidate], cue: Cues
) -> Iterator[tuple[int, int, float]]:
    text = sentence.text
    words = spans.content_words(text)
    total = sum(cue.weights.values())
    held = sentence_stems(sentence)  # "He was the father of …": the title says who
    bridge = cue.bridged.get(getattr(sentence, "title", "") or "")
    if bridge is not None:
        held |= bridge.stems
    share = sum(w for t, w in cue.weights.items() if t in held) / total if total else 0.0
    w = WEIGHTS
    seen: set[tuple[int, int]] = set()
    for a, b, fit in cands:
        if (a, b) in seen or "\n" in text[a:b] or len(text[a:b].split()) > MAX_WORDS:
            continue
        seen.add((a, b))
        inside = {st for s, e, st in words if a <= s and e <= b}
        if not inside or inside <= cue.weights.keys():
            continue  # nothing but words of the question
        overlap = len(inside & cue.weights.keys()) / len(inside)
        near = _proximity(words, a, b, cue.weights) / total if total else 0.0
        beside = _beside_focus(words, a, b, cue.focus)
        agent = _is_agent(text, words, a, b, cue.verb)
        anchored = bool(cue.anchor) and cue.anchor in [st for _, e, st in words if e <= a][-2:]
        side = life_side(text, a, b) if cue.life else ""
        life = 0.0 if not side else 1.0 if side == cue.life else -1.0
        score = (
            w["fit"] * fit
            + w["near"] * near
            + w["share"] * share
            + w["beside"] * beside
            + w["agent"] * agent
            + w["life"] * life
            + w["anchor"] * anchored
            - w["overlap"] * overlap
        )
        yield a, b, score


def _proximity(
    words: list[tuple[int, int, str]], a: int, b: int, weights: dict[str, float]
) -> float:
    """The question's words near the span: each counts its weight / (1 + d/DECAY) for a
    distance of d words."""
    first = next((i for i, w in enumerate(words) if w[1] > a), len(words))
    last = next((i for i in range(len(words) - 1, -1, -1) if words[i][0] < b), -1)
    best: dict[str, float] = {}
    for i, (s, e, stem) in enumerate(words):
        if stem not in weights or (a <= s and e <= b):
            continue
        d = first - i if i < first else i - last
        best[stem] = max(best.get(stem, 0.0), weights[stem] / (1.0 + max(d - 1, 0) / DECAY))
    return sum(best.values())


_AGENT_WH = re.compile(r"^\s*(?:who|what|which)\s+(\w+)", re.I)
_BY_WH = re.compile(r"(\w+)\s+by\s+$", re.I)  # "… created by who?", "founded by what company"


def anchor(question: str, qtype: QuestionType) -> str:
    """ "… an Earl of which location", "headquartered in what city": the stem of the word
    before a wh-phrase inside the question, which the answer's sentence often repeats right
    before the answer ("Earl of Northumbria", "headquartered in Canton")."""
    before = spans.content_words(question[: max(qtype.wh_start, 0)])
    if not before or "," in question[before[-1][1] : qtype.wh_start]:
        return ""
    return before[-1][2]


_LIFE_STEMS = {"born": "birth", "birth": "birth", "die": "death", "death": "death"}


def life_event(q_stems: set[str]) -> str:
    """ "birth" or "death" when the question asks about one: the first or the second of a
    person's life dates ("(1 July 1903 – 5 January 1941)") answers it."""
    return next((_LIFE_STEMS[t] for t in sorted(q_stems) if t in _LIFE_STEMS), "")


def agent_verb(question: str, qtype: QuestionType) -> str:
    """ "Who appointed Stone?", "… created by who?": the stem of the verb whose subject (or
    "by"-agent) is asked."""
    if qtype.kind not in (Kind.PERSON, Kind.ENTITY):
        return ""
    m = _AGENT_WH.match(question) or _BY_WH.search(question[: max(qtype.wh_start, 0)])
    if not m or m.group(1).lower() in _NOT_VERBS:
        return ""
    words = spans.content_words(m.group(1))
    return words[0][2] if words else ""


_NOT_VERBS = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "did",
        "do",
        "does",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
    ]
)


def _is_agent(text: str, words: list[tuple[int, int, str]], a: int, b: int, verb: str) -> float:
    """1 when the span is the subject of the asked verb ("Coolidge appointed") or its agent
    ("founded by the Spanish")."""
    if not verb:
        return 0.0
    after = [st for s, _, st in words if s >= b][:2]
    if verb in after:
        return 1.0
    before = [st for _, e, st in words if e <= a][-5:]
    return 1.0 if verb in before and _BY_AGENT.search(text[max(0, a - 40) : a]) else 0.0


# "by" and at most three words before a name: "by the Spanish", "by TV executive Reg Watson"
_BY_AGENT = re.compile(r"\bby\s+(?:[\w'’-]+\s+){0,3}$")


def _beside_focus(words: list[tuple[int, int, str]], a: int, b: int, focus: set[str]) -> float:
    """1 when the focus noun is in the span or right next to it ("the band Euphoria")."""
    if not focus:
        return 0.0
    for s, e, stem in words:
        if stem in focus and (a <= s < b or 0 <= a - e <= 2 or 0 <= s - b <= 2):
            return 1.0
    return 0.0
