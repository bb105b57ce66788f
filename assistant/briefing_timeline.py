"""When things were done: the dates a sentence states as the date of an action, and the
document's own date for a sentence that reports what is done "today".

"On March 28, 2024, OMB issued …" and "the plan was approved on 9 January 2023" date an
action. "Executive Order 13960 of December 3, 2020" cites an older order by its date, and
"by December 1, 2024, agencies must …" sets a deadline: neither is an event.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from corpus.dates import MONTHS, find_dates

_STEMS = (
    "sign|issu|announc|releas|launch|unveil|publish|establish|creat|conven|host|revok|rescind|"
    "repeal|replac|supersed|receiv|enact|adopt|approv|appoint|complet|introduc|submitt?|"
    "finaliz|award|join|deliver|hir|committ?"
)
# a verb of action in any tense ("signed", "is issuing", "announces"); a few irregular ones
ACTION = re.compile(
    r"\b(?:(?:" + _STEMS + r")(?:e|es|s|ed|ing)?|held|met|began|took|passed|"
    r"directed|directs|ordered|opened|started|secured)\b", re.I,
)  # fmt: skip
_ON = re.compile(r"\b(?:on|in|On|In)\s+(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?$")
_ACTED = re.compile(ACTION.pattern + r"\s+(?:on\s+|in\s+)?$", re.I)  # "signed on ", "issued "
# a date that cites something older or sets a deadline, not the date of this action
_NOT_EVENT = re.compile(r"\b(?:of|dated|by|until|before|through|within|no later than|"
                        r"starting|beginning|effective|since|after)\s*$", re.I)  # fmt: skip
_YEARLESS = re.compile(
    r"\b(?:[Oo]n\s+)(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
    r"(?P<month>" + "|".join(MONTHS) + r")\s+(?P<day>\d{1,2})\b(?!,?\s*\d{4})(?!\d)"
)
_TODAY = re.compile(r"\b(?:today|this (?:morning|afternoon|evening|week)|tonight)\b(?!['’]s)", re.I)
_YESTERDAY = re.compile(r"\byesterday\b(?!['’]s)", re.I)
_THIS_ACT = re.compile(r"^(?:This|The) (?:order|memorandum|proclamation|directive)\b")
ABOUT = 2  # relevant sentences that make a document one about the topic


@dataclass(frozen=True)
class ActionDate:
    iso: str  # "2024-03-28", or "2023-07" for a month
    label: str  # the date as written in the sentence, or "<iso> (date of the document)"
    from_document: bool = False  # dated by the document's front matter, not its text


def action_dates(text: str, doc_date: str | None = None) -> list[ActionDate]:
    """The dates ``text`` states as the date of an action it reports, in order. A sentence
    with no date of its own that reports what was done "today" (or what "this order" does)
    is dated by its document (``doc_date``, ISO)."""
    out: list[ActionDate] = []
    has_action = bool(ACTION.search(text))
    for d in find_dates(text):
        if _is_event(text, d.start, d.end, has_action):
            out.append(ActionDate(d.iso, " ".join(d.text.split())))
    if doc_date and len(doc_date) >= 10:
        for m in _YEARLESS.finditer(text):  # "On Tuesday, August 26, the First Lady launched"
            day = _complete(m.group("month"), int(m.group("day")), doc_date[:10])
            if day and has_action and not any(o.iso == day for o in out):
                # the year the reader needs, which the sentence left to its document
                out.append(ActionDate(day, f"{m.group('month')} {m.group('day')}, {day[:4]}"))
    if out or not doc_date or not has_action or find_dates(text):
        return out
    day = doc_date[:10]
    if _YESTERDAY.search(text):
        earlier = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
        return [ActionDate(earlier, f"{earlier} (the day before the document)", True)]
    if _TODAY.search(text) or _THIS_ACT.match(text):
        return [ActionDate(day, f"{day} (date of the document)", True)]
    return out


def acted_on(text: str) -> frozenset[str]:
    """The words of the name each action of ``text`` acts on: the capitalised run right
    after the verb (past an article or preposition), "signed an Executive Order to …" ->
    {executive, order}, "released “Winning the AI Race: America’s AI Action Plan”" ->
    {winning, ai, race, america’s, action, plan}; "issued two revised policies" names none."""
    out: set[str] = set()
    for m in ACTION.finditer(text):
        words = [w.strip("“”\"'‘’,.:;()") for w in text[m.end() :].split()[:12]]
        skip = 0
        while skip < min(2, len(words)) and not words[skip][:1].isupper():
            skip += 1  # "an", "on the"
        for w in words[skip:]:
            if w[:1].isupper():
                out.add(w.lower())
            elif w and w.lower() not in _INNER:
                break  # the name ended
    return frozenset(out)


_INNER = frozenset({"the", "of", "for", "on", "and", "in", "to", "a", "an"})  # inside a name


def different_actions(a: str, b: str) -> bool:
    """Two statements of one day that each name what they act on (two words or more) and
    share none of it report different actions, however alike they read: "signed an
    Executive Order" and "released … America’s AI Action Plan"."""
    named, other = acted_on(a), acted_on(b)
    return len(named) >= 2 and len(other) >= 2 and not named & other


def _is_event(text: str, start: int, end: int, has_action: bool) -> bool:
    before = text[:start]
    if before.count("(") > before.count(")") or _NOT_EVENT.search(before):
        return False  # "(December 3, 2020)", "Order 13960 of December 3, 2020", "by May 27"
    if _ACTED.search(before):
        return True  # "signed on October 30, 2023"
    after = text[end:]
    starts = not before.strip() and re.match(r"\s*[,:—–-]", after) is not None
    return has_action and (_ON.search(before) is not None or starts)


def _complete(month: str, day: int, doc_date: str) -> str | None:
    """A month and day without a year, read in the year of the document that writes it (the
    year before, when that would put it after the document)."""
    written = date.fromisoformat(doc_date)
    for year in (written.year, written.year - 1):
        try:
            found = date(year, MONTHS.index(month) + 1, day)
        except ValueError:
            return None
        if found <= written:
            return found.isoformat()
    return None


def on_topic(
    pool: Sequence[int], docs: Sequence[str], scores: Sequence[float] | np.ndarray, bar: float
) -> list[int]:
    """The statements of ``pool`` a timeline may show: each relevant to the topic itself
    (``scores[i] >= bar``) or in a document about the topic (ABOUT relevant sentences;
    ``docs[i]`` is sentence i's document). A dated action of an unrelated document is no
    event of the topic, however near its words come ("OMB is releasing two policies" in a
    briefing on border policy)."""
    about = Counter(docs[i] for i in range(len(scores)) if scores[i] >= bar)
    return [i for i in pool if scores[i] >= bar or about[docs[i]] >= ABOUT]
