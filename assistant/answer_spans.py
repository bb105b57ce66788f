"""Candidate answer spans in one sentence, by the kind of answer a question asks for.

Every candidate is a ``(start, end, fit)`` range of the sentence text (so the span is
verbatim by construction) and ``fit`` says how typical it is of its kind (0..1): a whole
date fits a "when" question better than a bare year, a number followed by the counted noun
("six days") fits "how many days" better than a lone number. Rules only, no model:

- dates, counts and amounts (``assistant.span_numbers``);
- names: runs of capitalised words, joined by "of", "de", "von", "&" … and initials
  ("Medal of Honor", "Georg Philipp Telemann", "J. R. R. Tolkien"), "City, State" pairs for
  places; a name standing first in the sentence only when it is more than a common word;
- noun phrases: runs of content words (no stop word inside), for answers that are not names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import chain

from assistant.question_type import PERSON_NOUNS, Kind, QuestionType
from assistant.span_numbers import Candidate, amounts, dates, numbers
from assistant.span_words import (
    BODY_HEADS,
    COMMON,
    CONNECTORS,
    INSTITUTION_HEADS,
    NOUN_STOP,
    word_set,
)
from corpus.dates import MONTHS
from index.bm25 import tokenize

_CAP_WORD = re.compile(r"[A-Z\u00C0-\u00DE][\w'’.-]*|\d+(?:st|nd|rd|th)?")
_TOKEN = re.compile(r"[\w'’.&-]+|[^\w\s]")


def names(text: str, places: bool = False) -> Iterator[Candidate]:
    """Runs of capitalised words, with connectors inside; "City, State" pairs for places."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    i = 0
    while i < len(tokens):
        if not _capitalised(tokens[i][2]):
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and not _ends_sentence(tokens[j - 1][2]):
            word = tokens[j][2]
            if _capitalised(word):
                j += 1
            elif word.lower() in CONNECTORS and _capitalised(_at(tokens, j + 1)):
                j += 2
            elif (
                word in _QUOTES
                and _capitalised(_at(tokens, j + 1))
                and (_at(tokens, j + 2) in _QUOTES and _capitalised(_at(tokens, j + 3)))
            ):
                j += 4  # a nickname inside a name: Nicholas Lofton "Nick" Hexum
            else:
                break
        start_i = i
        while start_i < j and tokens[start_i][2].lower() in COMMON:
            start_i += 1  # "The", "In": sentence openers, not part of the name
        words = [t[2].rstrip(".") for t in tokens[start_i:j]]
        if words and not all(w in _CALENDAR for w in words):
            s, e = tokens[start_i][0], tokens[j - 1][1]
            e = s + len(text[s:e].rstrip(".,"))
            fit = min(1.0, 0.7 + 0.15 * len(words))
            if len(words) == 1 and _DEMONYM.search(words[0]) and _qualifies_noun(text, e):
                fit *= 0.4  # "an American rock band": a qualifier, not a name
            yield s, (_with_region(text, e) if places else e), fit
            of = [k for k in range(start_i + 1, j - 1) if tokens[k][2] == "of"]
            if of:  # "Earl of Northumbria": the place alone, if the question holds the title
                tail = tokens[of[-1] + 1][0]
                yield tail, (_with_region(text, e) if places else e), TAIL_FIT * fit
        i = j


_LIST_GAP = re.compile(r",\s*|,?\s+(?:and|or)\s+")


def name_lists(text: str) -> Iterator[Candidate]:
    """Names listed together, "Gillian Chung, Bobo Chan, and Cecilia Cheung", for a plural
    focus noun ("what actresses"): the whole list answers it."""
    found = sorted({(a, b) for a, b, _ in names(text)})
    run: list[tuple[int, int]] = []
    for a, b in [*found, (len(text) + 1, len(text) + 1)]:
        if run and _LIST_GAP.fullmatch(text[run[-1][1] : a]):
            run.append((a, b))
            continue
        if len(run) >= 2 and re.search(r"\b(?:and|or)\s+$", text[: run[-1][0]]):
            yield run[0][0], run[-1][1], 1.0
        run = [(a, b)]


ONE_OF_MANY = 0.85  # a single name's fit for a plural focus noun


def _plural_focus(qtype: QuestionType) -> bool:
    f = qtype.focus
    return len(f) > 3 and f.endswith("s") and not f.endswith(("ss", "us", "is"))


_INITIALS = re.compile(r"(?:[A-Z]\.)+|[A-Z][a-z]{0,2}\.")  # "J.", "U.S.", "Jr.", "St."


def _ends_sentence(word: str) -> bool:
    """ "Performance." ends a name ("Parallel Performance. The …"); "J." and "Jr." do not."""
    return word.endswith(".") and not _INITIALS.fullmatch(word)


def _at(tokens: list[tuple[int, int, str]], i: int) -> str:
    return tokens[i][2] if i < len(tokens) else ""


TAIL_FIT = 0.8  # "Northumbria" of "Earl of Northumbria", beside the whole name
_QUOTES = frozenset('"“”')
_CALENDAR = frozenset(
    [*MONTHS, "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
)
_DEMONYM = re.compile(r"(?:an|ian|ese|ish|ic|i)$")
_NEXT_WORD = re.compile(r"\s+([a-z][\w-]*)")


def _qualifies_noun(text: str, end: int) -> bool:
    """Whether a lower-case content word follows: "American rock", not "Spanish in"."""
    m = _NEXT_WORD.match(text, end)
    return m is not None and m.group(1) not in NOUN_STOP


def noun_phrases(text: str) -> Iterator[Candidate]:
    """Runs of up to five content words: "urban landscapes", "central defender"; no number
    and no verb form opening it ("starring Anna Neagle", "pioneering British aviator" gives
    "British aviator")."""
    run: list[tuple[int, int]] = []
    for m in [*_TOKEN.finditer(text), None]:
        word = m.group() if m else ""
        if (
            m
            and re.match(r"[^\W\d]", word)
            and not _DIGIT.search(word)
            and word.lower() not in NOUN_STOP
        ):
            run.append((m.start(), m.end()))
            continue
        while run and _VERB_FORM.search(text[run[0][0] : run[0][1]]):
            run = run[1:]
        if run and len(run) <= 5:
            end = run[0][0] + len(text[run[0][0] : run[-1][1]].rstrip("."))
            yield run[0][0], end, 0.4 + 0.1 * min(len(run), 3)
        run = []


_VERB_FORM = re.compile(r"^[a-z]\w*(?:ing|ed)$")
_DIGIT = re.compile(r"\d")


_REGION = re.compile(r",\s([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)(?=[\s.,;:)]|$)(?!,?\s(?:and|or)\b)")


def _with_region(text: str, end: int) -> int:
    """A place followed by ", Region" takes the region along: "Columbus, Ohio"."""
    m = _REGION.match(text, end)
    if m and m.group(1).lower() not in COMMON:
        return m.end()
    return end


def _capitalised(word: str) -> bool:
    return bool(_CAP_WORD.fullmatch(word)) and not word[0].isdigit()


def _entities(text: str, qtype: QuestionType) -> Iterator[Candidate]:
    """Names and noun phrases for "which/what N"; a bare "what" ("What did X say?") asks for
    anything at all, which no rule here can tell apart, so it gets none."""
    if not qtype.focus:
        return
    # "what profession": "aviator", rarely a name; "what universities": a list of names
    common = qtype.focus in COMMON_NOUN_FOCUS
    named = 0.4 if common else 1.0
    if _plural_focus(qtype):
        yield from name_lists(text)
        named *= ONE_OF_MANY
    yield from ((a, b, fit * named) for a, b, fit in names(text))
    if qtype.focus == "name":
        return  # "under what name": a name, not a description
    focus = {st for _, _, st in content_words(qtype.focus)}
    phrase = 1.5 if common else 0.8  # the kind asked for, or a description
    for a, b, fit in noun_phrases(text):
        if not focus & {st for _, _, st in content_words(text[a:b])}:
            yield a, b, fit * phrase  # "several types of birds" restates "what birds"


# focus nouns whose answers are common nouns ("aviator", "lead vocalist", "striker")
COMMON_NOUN_FOCUS = word_set(
    """profession professions occupation occupations job jobs career role roles position
    positions genre genres instrument instruments sport sports"""
)


_PLACE_PREPOSITION = re.compile(
    r"\b(?:in|at|near|from|to|into|across|along|throughout|around|outside|inside|within)\s+"
    r"(?:the\s+)?$",
    re.I,
)


def _people(text: str, qtype: QuestionType) -> Iterator[Candidate]:
    """Names for "who": one after "in", "at", "from" … is more likely a place, and one
    ending in "University", "States", "Award" … names no one."""
    plural = _plural_focus(qtype)
    single = ((a, b, fit * (ONE_OF_MANY if plural else 1.0)) for a, b, fit in names(text))
    for a, b, fit in chain(single, name_lists(text) if plural else ()):
        if _PLACE_PREPOSITION.search(text[max(0, a - 12) : a]):
            fit *= 0.5
        words = [w.strip(".,").lower() for w in text[a:b].split()]
        role = words[-1] in PERSON_NOUNS and words[-1] not in _SURNAMES
        if words[-1] in INSTITUTION_HEADS or role:
            fit *= 0.4  # "United States", "Justice", "Supporting Actress": no one's name
        elif _ACRONYM.fullmatch(text[a:b]):
            fit *= 0.5  # "YTV", "MIAL": a body, rarely a person
        yield a, b, fit


_ACRONYM = re.compile(r"[A-Z0-9&]{2,6}")
# person nouns that are also surnames: "Stephen King", "Elizabeth Bishop"
_SURNAMES = word_set("king bishop judge prince queen child young")


def _places(text: str, qtype: QuestionType) -> Iterator[Candidate]:
    """Names for "where", best after "in", "at", "near" …, which the span then takes along
    ("in the White House"): it answers "where" as a person would."""
    for a, b, fit in names(text, places=True):
        if text[a:b].split(",")[0].split()[-1].lower() in BODY_HEADS:
            fit *= 0.4  # "Australian National University": a body, not the place it is in
        before = _PLACE_PREPOSITION.search(text, max(0, a - 12), a)
        if before is None:
            yield a, b, fit * 0.7
        elif qtype.focus:  # "what city": the name alone
            yield a, b, fit
        else:
            yield before.start(), b, fit


_GENERATORS: dict[Kind, Callable[[str, QuestionType], Iterator[Candidate]]] = {
    Kind.DATE: lambda text, q: dates(text),
    Kind.COUNT: lambda text, q: numbers(text, q.focus),
    Kind.AMOUNT: lambda text, q: amounts(text),
    Kind.PERSON: _people,
    Kind.PLACE: _places,
    Kind.ENTITY: _entities,
}


KINDS = frozenset(_GENERATORS)


def of_kind(qtype: QuestionType, text: str) -> Iterator[Candidate]:
    """The candidates in ``text`` for the kind of answer ``qtype`` asks for; one the
    sentence denies ("born not in 1789 but in 1776") fits little."""
    for a, b, fit in _GENERATORS[qtype.kind](text, qtype):
        yield a, b, fit * (0.3 if _DENIED.search(text, max(0, a - 12), a) else 1.0)


_DENIED = re.compile(r"\b(?:not|never)\s+(?:\w+\s+)?$")


_WORD_RE = re.compile(r"\w+(?:['’]\w+)*")


def content_words(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, stem)`` of each content word: the stems and stop words of search."""
    out = []
    for m in _WORD_RE.finditer(text):
        word = m.group().lower()
        stem = _stem(word) if len(word) > 1 or word.isdigit() else ""  # "world 's": no "s"
        if stem:
            out.append((m.start(), m.end(), stem))
    return out


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    stems = tokenize(word)
    return stems[0] if stems else ""
