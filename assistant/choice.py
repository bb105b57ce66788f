"""Either-or questions ("Which band was formed first, The Exies or Circus Diablo?"): one of
the two named options, inferred from the cited sentences only where a stated rule settles it.

The options are the names on either side of the last " or " (or "Between X and Y, which …").
A sentence is *about* an option when the option's words are in it or in its document's title.

1. **Time** ("first", "earlier", "older", "oldest" … or "later", "younger", "most recent" …):
   each option's year is the first year written in the first cited sentence about it (a
   sentence saying "born" first, for "older"/"younger"); the earlier (or later) year wins.
   Equal years, or a year missing for either option, settle nothing.
2. **A stated property** ("Which singer is American, Mark King or Nick Hexum?"): the option
   whose sentences hold every content word of the property wins, when the other option has
   a sentence but none holds them.

The answer is the option as written in the sentence that settled it (its exact span), or as
the question writes it when that sentence names it only in its title; it is always marked
inferred.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant import answer_spans as spans
from assistant.span_scoring import about, stems

if TYPE_CHECKING:
    from assistant.short_answer import Sentence, ShortAnswer

_EARLY = re.compile(r"\b(?:first|earlier|earliest|older|oldest|elder|eldest|sooner)\b", re.I)
_LATE = re.compile(r"\b(?:later|latest|younger|youngest|newer|newest|most recent)\b", re.I)
_AGE = re.compile(r"\b(?:older|oldest|younger|youngest|elder|eldest)\b", re.I)
_BETWEEN = re.compile(r"^between\s+(?P<x>.+?)\s+and\s+(?P<y>.+?),", re.I)
_YEAR = re.compile(r"\b(1\d{3}|20\d{2})\b")


def options(question: str) -> tuple[str, str] | None:
    """The two names a question asks to choose between, or None."""
    q = question.strip().rstrip("?").strip()
    m = _BETWEEN.match(q)
    if m:
        return m.group("x").strip(), m.group("y").strip()
    if " or " not in q:
        return None
    before, after = q.rsplit(" or ", 1)
    left = list(spans.names(before))
    right = list(spans.names(after))
    if not left or not right or left[-1][1] < len(before.rstrip(" ,")) - 1:
        return None  # the name must end right before "or": "give birth or lay eggs" has none
    return _with_article(before, *left[-1][:2]), _with_article(after, *right[0][:2])


def _with_article(text: str, start: int, end: int) -> str:
    """The name with the "The" it is written with: "The Exies", not "Exies"."""
    article = re.search(r"\bthe\s+$", text[:start], re.I)
    return text[article.start() if article else start : end]


def choose(question: str, sentences: Sequence[Sentence]) -> ShortAnswer | None:
    pair = options(question)
    if pair is None:
        return None
    about_each = [[s for s in sentences if about(s, stems(option))] for option in pair]
    if not all(about_each):
        return None
    if _EARLY.search(question) or _LATE.search(question):
        return _by_time(question, pair, about_each)
    return _by_property(question, pair, about_each)


def _by_time(
    question: str, pair: tuple[str, str], about_each: list[list[Sentence]]
) -> ShortAnswer | None:
    found = []
    for sentences in about_each:
        if _AGE.search(question):  # age: the sentence giving a birth date
            sentences = sorted(sentences, key=lambda s: "born" not in s.text)
        year = _YEAR.search(sentences[0].text)
        if year is None:
            return None
        found.append((int(year.group()), sentences[0]))
    (x_year, _), (y_year, _) = found
    if x_year == y_year:
        return None
    early = _EARLY.search(question) is not None
    pick = 0 if (x_year < y_year) == early else 1
    return _answer(pair[pick], found[pick][1])


def _by_property(
    question: str, pair: tuple[str, str], about_each: list[list[Sentence]]
) -> ShortAnswer | None:
    rest = question
    for option in pair:
        rest = rest.replace(option, " ")
    m = re.search(r"\b(?:is|was|are|were)\s+([^,?]+)", rest)
    wanted = stems(m.group(1)) if m else set()
    if not wanted:
        return None
    holds = [next((s for s in ss if wanted <= stems(s.text)), None) for ss in about_each]
    if (holds[0] is None) == (holds[1] is None):
        return None
    pick = 0 if holds[0] is not None else 1
    sentence = holds[pick]
    return _answer(pair[pick], sentence) if sentence is not None else None


def _answer(option: str, sentence: Sentence) -> ShortAnswer:
    from assistant.short_answer import ShortAnswer

    at = sentence.text.lower().find(option.lower())
    if at < 0:
        return ShortAnswer(
            option, sentence.n, sentence.start, sentence.end, "choice", inferred=True, score=1.0
        )
    a, b = sentence.start + at, sentence.start + at + len(option)
    return ShortAnswer(
        sentence.text[at : at + len(option)], sentence.n, a, b, "choice", inferred=True, score=1.0
    )
