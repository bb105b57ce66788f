"""Dates written in English text: the month names, the forms of a date, and parsing them.

The one place that knows what a written date looks like: briefing timelines, the extractive
answerer's "when" questions and the key terms of generated evaluation questions use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_MONTH = "(?P<month>" + "|".join(MONTHS) + ")"
# the forms of a date, most precise first; "July 2023" is a month, not a day
_FORMS = (
    re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})\b"),  # July 21, 2023
    re.compile(rf"\b(?P<day>\d{{1,2}})\s+{_MONTH},?\s+(?P<year>\d{{4}})\b"),  # 21 July 2023
    re.compile(r"\b(?P<year>\d{4})-(?P<mm>\d{2})-(?P<day>\d{2})\b"),  # 2023-07-21
    re.compile(rf"\b{_MONTH},?\s+(?P<year>\d{{4}})\b"),  # July 2023
)
# a year or a month name anywhere: enough to suggest a sentence says when
YEAR_OR_MONTH = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b|\b(?:" + "|".join(MONTHS) + r")\b")


@dataclass(frozen=True)
class WrittenDate:
    start: int  # offsets in the text
    end: int
    text: str  # as written, e.g. "July 21, 2023"
    iso: str  # "2023-07-21", or "2023-07" for a month: a month sorts before its days


def find_dates(text: str) -> list[WrittenDate]:
    """The real calendar dates written in ``text``, in order and not overlapping: the most
    precise form wins ("21 July 2023" is one day, not also the month "July 2023")."""
    found = [d for form in _FORMS for m in form.finditer(text) if (d := _parse(m)) is not None]
    found.sort(key=lambda d: (d.start, -d.end))
    out: list[WrittenDate] = []
    for d in found:
        if not out or d.start >= out[-1].end:
            out.append(d)
    return out


def _parse(m: re.Match[str]) -> WrittenDate | None:
    parts = m.groupdict()
    month = int(parts["mm"]) if parts.get("mm") else MONTHS.index(parts["month"]) + 1
    try:
        day = date(int(parts["year"]), month, int(parts.get("day") or 1))
    except ValueError:  # "February 30, 2023", "2023-13-01": not a date
        return None
    iso = day.isoformat() if parts.get("day") else day.isoformat()[:7]
    return WrittenDate(m.start(), m.end(), m.group(), iso)
