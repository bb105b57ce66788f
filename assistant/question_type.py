"""What kind of answer a question asks for, from its wording alone (rules, no model).

The wh-phrase decides: "when" and "what/which year" ask for a date, "how many" for a count,
"how much" and "what percentage" for an amount, "who" for a name, "where" for a place,
"which/what N" for a thing named like N (the focus noun), and a question opening with an
auxiliary ("Is", "Did", "Are … both …") is a yes/no question. The wh-phrase may stand at the
end ("… is based where?", "… developed by what company?"): a wh-word inside the question counts
only where it asks (after a preposition or a verb, or near the end), not where it opens a
relative clause ("the politician who was premier").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    DATE = "date"
    COUNT = "count"  # a number of things: "how many", "what population"
    AMOUNT = "amount"  # money, a share, a quantity with its unit
    PERSON = "person"  # a person or an organisation: a proper name
    PLACE = "place"
    ENTITY = "entity"  # "which/what N": a name or noun phrase
    YESNO = "yesno"
    OTHER = "other"  # why, how (manner), definitions: no short answer


@dataclass(frozen=True)
class QuestionType:
    kind: Kind
    focus: str = ""  # the noun after which/what/how many ("city", "actress", "days")
    wh_start: int = -1  # where the wh-phrase starts in the question (-1: none)
    wh_end: int = -1


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_AUX = _words(
    "is are was were am do does did has have had can could will would shall should may might must"
)
_PREPOSITIONS = _words(
    "in on at of by for from to with into onto about under over during since until after "
    "before between through within across against among as like per near behind"
)
_BE_VERBS = _words("is are was were be been being became becomes become called named")
_WH = re.compile(
    r"\b(how\s+(?:many|much|old|long|far|tall|high|big|large|wide|deep|often)|"
    r"when|where|whom|whose|who|which|what)\b",
    re.I,
)
# where a new clause may open: after a sentence end, or after a comma before "what was …"
_CLAUSE_START = re.compile(r"[.;:?!]\s+|,\s+(?=\w+\s+(?:is|are|was|were|did|do|does)\b)")
# "Who was Kwame Nkrumah?", "What is the MRT?", "What is "tobogganing"?": asks for a
# description of a name or a quoted term
_DEFINITION = re.compile(
    r"^(?i:who|what)\s+(?i:is|are|was|were)\s+(?:the\s+|an?\s+)?"
    r"(?:[\"“'](?:[^\"”']+)[\"”']|[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)*)\s*\?$"
)
_WORD = re.compile(r"[A-Za-z][\w'-]*")
# skipped between "what" and its focus noun: "what is the name of the band"
_FILLER = _words(
    "the a an is was are were kind kinds type types sort sorts of name names one ones two"
)

PERSON_NOUNS = _words(
    """person people man woman men women actor actress singer songwriter musician composer
    director producer writer author novelist poet playwright screenwriter journalist artist
    painter sculptor photographer architect player footballer cricketer athlete coach manager
    politician president senator governor mayor minister chancellor leader king queen prince
    princess emperor ruler founder inventor scientist physicist chemist economist philosopher
    businessman entrepreneur ceo chairman member character guitarist drummer vocalist rapper
    comedian host presenter brother sister father mother son daughter wife husband child
    designer engineer officer general admiral commander earl duke lord bishop pope saint
    candidate winner boxer wrestler dancer model judge lawyer"""
)
PLACE_NOUNS = _words(
    """place city town village country state province county region district island
    continent location area capital river lake mountain street neighborhood neighbourhood
    municipality borough suburb territory nation peninsula valley island coast"""
)
DATE_NOUNS = _words("year date day month decade century era")
COUNT_NOUNS = _words("number population count total")
AMOUNT_NOUNS = _words("percentage percent proportion share amount cost price budget salary revenue")
_HOW = {
    "many": Kind.COUNT,
    "much": Kind.AMOUNT,
    "old": Kind.COUNT,
    "long": Kind.AMOUNT,
    "far": Kind.AMOUNT,
    "tall": Kind.AMOUNT,
    "high": Kind.AMOUNT,
    "big": Kind.AMOUNT,
    "large": Kind.AMOUNT,
    "wide": Kind.AMOUNT,
    "deep": Kind.AMOUNT,
    "often": Kind.OTHER,
}


def classify(question: str) -> QuestionType:
    """The answer type ``question`` asks for."""
    q = question.strip()
    words = _WORD.findall(q)
    if not words:
        return QuestionType(Kind.OTHER)
    if _TWO_ASKS.search(q):
        return QuestionType(Kind.OTHER)  # "What are X, and how …?": no span answers both
    wh = _asking_wh(q)
    if _is_polar(q) and not (wh and _after_preposition(q, wh.start())):
        return QuestionType(Kind.YESNO)  # "Do Lafzon Ki Kahani, … released in which year"
    if wh is None:
        return QuestionType(Kind.OTHER)
    phrase = " ".join(wh.group(1).lower().split())
    span = (wh.start(), wh.end())
    if phrase.startswith("how "):
        focus = _next_noun(q, wh.end()) if phrase in ("how many", "how much") else phrase[4:]
        return QuestionType(_HOW[phrase.split()[1]], focus, *span)
    if phrase == "when":
        return QuestionType(Kind.DATE, "", *span)
    if phrase == "where":
        return QuestionType(Kind.PLACE, "", *span)
    if _DEFINITION.match(q):
        return QuestionType(Kind.OTHER)  # "Who was Kwame Nkrumah?": a description, not a name
    if phrase in ("who", "whom", "whose"):
        return QuestionType(Kind.PERSON, "", *span)
    focus = _next_noun(q, wh.end(), skip_filler=True)
    return QuestionType(_by_focus(focus), focus, *span)


_TWO_ASKS = re.compile(r"\b(?:and|but)\s+(?:how|why|what|which|when|where|who(?!['’]s))\b", re.I)


def _by_focus(focus: str) -> Kind:
    singular = _singular(focus)
    for nouns, kind in _FOCUS_KINDS:
        if singular in nouns:
            return kind
    return Kind.ENTITY


_FOCUS_KINDS = (
    (DATE_NOUNS, Kind.DATE),
    (PERSON_NOUNS, Kind.PERSON),
    (PLACE_NOUNS, Kind.PLACE),
    (COUNT_NOUNS, Kind.COUNT),
    (AMOUNT_NOUNS, Kind.AMOUNT),
)
_ALL_NOUNS = DATE_NOUNS | PERSON_NOUNS | PLACE_NOUNS | COUNT_NOUNS | AMOUNT_NOUNS


def _asking_wh(q: str) -> re.Match[str] | None:
    """The wh-phrase that asks: the first one opening the question (after prepositions),
    else the first inside it that follows a preposition or a verb or ends the question."""
    found = list(_WH.finditer(q))
    if not found:
        return None
    for m in found:
        # words since the last clause boundary: "… of The Simpsons". What character …"
        cuts = [b.end() for b in _CLAUSE_START.finditer(q, 0, m.end() + 8) if b.end() <= m.start()]
        clause = q[max(cuts, default=0) : m.start()]
        if all(w.lower() in _PREPOSITIONS for w in _WORD.findall(clause)):
            return m
    for m in found:
        before = _WORD.findall(q[: m.start()])
        prev = before[-1].lower() if before else ""
        comma = q[: m.start()].rstrip().endswith(",")
        near_end = len(_WORD.findall(q[m.end() :])) <= 3
        if not comma and (prev in _PREPOSITIONS or prev in _BE_VERBS or near_end):
            return m
        if prev.endswith("ed") and not comma:  # "based where", "developed by what"
            return m
    return None


def _after_preposition(q: str, pos: int) -> bool:
    before = _WORD.findall(q[:pos])
    return bool(before) and before[-1].lower() in _PREPOSITIONS


def last_sentence(q: str) -> str:
    """The sentence of a question that asks: "Does …?" of "X has an OBE. Does …?"."""
    return re.split(r"(?<=\w{2}[.;])\s+(?=[A-Z])", q)[-1]


def _is_polar(q: str) -> bool:
    """A yes/no question: it, or its last sentence, opens with an auxiliary ("Did …?",
    "… has an OBE. Does …?"); "Is it X or Y?" asks for a choice, not a yes or no."""
    for clause in (q, last_sentence(q)):
        first = _WORD.match(clause.lstrip("\"'“ "))
        if first and first.group().lower() in _AUX:
            return " or " not in clause.lower()
    return False


def _next_noun(q: str, pos: int, skip_filler: bool = False) -> str:
    """The focus noun after the wh-phrase: "which Bollywood actress" gives "actress", "what
    is the name of the pop band" gives "band", "what type of creatures breathe" gives
    "creatures"; none when a verb follows instead ("what happened", "what attracts the …")."""
    run: list[str] = []
    raw = _WORD.findall(q[pos:])[:10]
    words = [w.lower() for w in raw]
    for i, low in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else ""
        named_next = i + 1 < len(raw) and raw[i + 1][0].isupper()
        if skip_filler and not run and low in _FILLER:
            continue
        if low in _AUX or low in _PREPOSITIONS or low in _BE_VERBS or low in _FILLER:
            break
        if low in _DETERMINERS or low in _PRONOUNS:
            break
        if (low.endswith("ly") and not low.endswith(("ily", "ply", "bly"))) or low in _DEGREE:
            continue  # "the most densely populated country"
        if (low.endswith("est") and following and low not in _EST_NOUNS) or "-" in low:
            continue  # "the smallest German-speaking country"
        if low.endswith(("ed", "ing")) or low in _PARTICIPLES:
            if not run and following and following not in _STOP_AFTER and not named_next:
                continue  # an adjective: "populated country", "leading role"
            if run:
                break
            return ""
        if low.endswith("s") and not low.endswith("ss") and following in _DETERMINERS:
            if run:
                break
            return ""  # "what attracts the most …": a verb
        run.append(low)
        if (_plural(low) and following and not following.endswith("s")) or len(run) == 4:
            break  # "what creatures breathe air": the plural noun heads the phrase
    if not run and skip_filler and words[:1] == ["name"]:
        return "name"  # "Under what name did he release …": a name is asked for
    # a listed noun anywhere in the run decides ("which Queensland Senator Australian …")
    # unless the head is one: "what low budget comedy franchise" asks for a franchise
    listed = [w for w in run if _singular(w) in PERSON_NOUNS | PLACE_NOUNS]
    if run and _singular(run[-1]) in _ALL_NOUNS:
        return run[-1]
    return listed[0] if listed else (run[-1] if run else "")


_DETERMINERS = _words("the a an this that these those his her its their our my your some")
_EST_NOUNS = _words(
    "forest interest contest conquest request protest harvest quest test guest west"
)
_PRONOUNS = _words("it they he she we you i them him us which who whom whose that")
_DEGREE = _words("most least more less also best worst")
_STOP_AFTER = _AUX | _PREPOSITIONS | _BE_VERBS | _DETERMINERS | _words("and or by")


def _plural(word: str) -> bool:
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


_PARTICIPLES = _words("known born made written given taken seen shown won begun")


def _singular(noun: str) -> str:
    for plural, singular in (("ies", "y"), ("es", ""), ("s", "")):
        if noun.endswith(plural) and noun[: -len(plural)] + singular in _ALL_NOUNS:
            return noun[: -len(plural)] + singular
    return noun
