"""Date, count and amount candidates in one sentence (see ``assistant.answer_spans``).

Each candidate is a ``(start, end, fit)`` range of the sentence text: dates ("4 March 1861",
"March 2 and 3, 2012", "July 1923", "1898", "1817–1825", "the 1950s", "early twentieth
century", "6000 BC"), counts (numerals and number words that are not years or parts of
dates, with their scale and the counted noun when it follows) and amounts (money,
percentages, a number with a unit of measure). ``life_side`` tells a birth date from a death
date in a person's life dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from corpus.dates import MONTHS

Candidate = tuple[int, int, float]

_MONTH = "(?:" + "|".join(MONTHS) + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.)"
_ORDINAL_WORDS = (
    "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    "thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
    "twenty-first"
)
_CENTURY = (
    rf"\b(?:early|mid|late)?[- ]?(?:\d{{1,2}}(?:st|nd|rd|th)|{_ORDINAL_WORDS})[- ]centur(?:y|ies)\b"
)
_YEAR = r"(?:1\d{3}|20\d{2}|\d{1,4}\s?(?:BC|BCE|AD|CE)\b)"
_DATE_FORMS: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(rf"\b{_MONTH}\s\d{{1,2}}(?:\s?(?:–|-|and|to)\s?\d{{1,2}})?,?\s{_YEAR}\b"), 1.0),
    (re.compile(rf"\b\d{{1,2}}(?:\s?(?:–|-|and|to)\s?\d{{1,2}})?\s{_MONTH},?\s{_YEAR}\b"), 1.0),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), 1.0),
    (re.compile(rf"\b{_MONTH},?\s{_YEAR}\b"), 0.9),
    (re.compile(_CENTURY, re.I), 0.85),
    (re.compile(r"\b(?:1\d{3}|20\d{2})\s?(?:–|-|to)\s?(?:1\d{3}|20\d{2}|\d{2})\b"), 0.85),
    (re.compile(r"\b(?:the\s)?(?:1\d|20)\d0s\b"), 0.8),
    (re.compile(rf"\b{_YEAR}"), 0.8),
    (re.compile(rf"\b{_MONTH}\s\d{{1,2}}\b"), 0.6),
)
_SCALE = r"(?:hundred|thousand|million|billion|trillion|crore|lakh)"
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    "eighty|ninety|hundred|dozen|dozens|hundreds|thousands|millions"
)
_NUMBER = re.compile(
    rf"(?:\b(?:{_NUMBER_WORDS})(?:[- ](?:{_NUMBER_WORDS}))*\b|\b\d+(?:[,.]\d+)*\b)"
    rf"(?:\s{_SCALE}\b)?|\b(?:once|twice|thrice)\b|\b(?:{_NUMBER_WORDS})-time\b",
    re.I,
)
_UNIT = (
    r"(?:%|percent|per cent|dollars?|euros?|pounds?|yen|rupees?|francs?|"
    r"(?:square |cubic )?(?:kilo|centi|milli)?(?:metres?|meters?)|km2?|km²|mi|miles?|feet|foot|"
    r"ft|inches|in\.|yards?|acres?|hectares?|kg|kilograms?|grams?|g|lbs?|tonnes?|tons?|"
    r"(?:hecto|milli)?lit(?:re|er)s?|hL|gallons?|years?|months?|weeks?|days?|hours?|minutes?|"
    r"seconds?|degrees?|°[CF]?|mph|km/h|knots)"
)
_MONEY = re.compile(rf"[$€£¥]\s?\d[\d,.]*(?:\s{_SCALE})?|\b\d[\d,.]*(?:\s{_SCALE})?\s?{_UNIT}\b")


def dates(text: str) -> Iterator[Candidate]:
    """Dates, the most precise form first; a year inside a longer date is not repeated."""
    taken: list[tuple[int, int]] = []
    for form, fit in _DATE_FORMS:
        for m in form.finditer(text):
            if not any(s < m.end() and m.start() < e for s, e in taken):
                taken.append((m.start(), m.end()))
                yield m.start(), m.end(), fit


def numbers(text: str, focus: str = "") -> Iterator[Candidate]:
    """Counts: numbers that are not years or parts of a date, with the counted noun when it
    follows ("six days" for "how many days")."""
    in_dates = [(s, e) for s, e, _ in dates(text)]
    for m in _NUMBER.finditer(text):
        s, e = m.start(), m.end()
        if any(ds <= s and e <= de for ds, de in in_dates) or _is_year(m.group()):
            continue
        fit = 0.3 if m.group().lower() == "one" else 0.8  # "one of the …" is rarely a count
        after = re.match(r"\s([a-z-]+)(?:\s([a-z]+))?", text[e:])  # "six days", "ten new days"
        if focus and after:
            for g in (1, 2):
                if after.group(g) and _same_word(after.group(g), focus.split()[-1]):
                    e, fit = e + after.end(g), 1.0
                    break
        yield s, e, fit


def amounts(text: str) -> Iterator[Candidate]:
    """Money, shares and measures: "$5 million", "28%", "1.80 meters", "22 months"."""
    for m in _MONEY.finditer(text):
        yield m.start(), m.end(), 1.0
    for s, e, fit in numbers(text):
        yield s, e, fit * 0.5


def _is_year(token: str) -> bool:
    return bool(re.fullmatch(r"1\d{3}|20\d{2}", token))


def _same_word(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return a == b or a.rstrip("s") == b.rstrip("s") or (len(a) > 4 and a[:5] == b[:5])


_LIFE = re.compile(r"\((?:born\s+)?([^()]{4,40}?)(?:\s*[–—-]\s*([^()]{4,40}?))?\)")


def life_side(text: str, a: int, b: int) -> str:
    """ "birth" or "death" for a date inside the life dates after a name ("Chiang Kai-shek
    (October 31, 1887 – April 5, 1975)", "(born 8 June 1951)"), else ""."""
    for m in _LIFE.finditer(text, max(0, a - 60)):
        if m.start() > a:
            break
        if not (m.start() < a and b <= m.end()):
            continue
        born = m.group(0)[1:].startswith("born")
        if m.group(2) is None:
            return "birth" if born else ""
        return "birth" if b <= m.end(1) else "death" if a >= m.start(2) else ""
    return ""
