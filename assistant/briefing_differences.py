"""Where sources differ: a newer document that revokes, rescinds, replaces, supersedes or
revises an earlier policy (both named), and two documents that state the same figure or date
differently. Statements that merely share words are not differences.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.briefing_points import Reader, Sentence
from assistant.briefing_timeline import ACTION, action_dates
from corpus.dates import find_dates
from index.bm25 import tokenize
from index.catalog import DocumentInfo

# the verb that changes a policy, and the relation it names
CHANGE = re.compile(r"\b(revok|rescind|repeal|supersed|replac|revis)(?:e|es|ed|ing|s)?\b", re.I)
CHANGE_WORDS = "revoked rescinded replaced superseded revised"  # to search for changes with
RELATIONS = {"revok": "revokes", "rescind": "rescinds", "repeal": "repeals",
             "supersed": "supersedes", "replac": "replaces", "revis": "revises"}  # fmt: skip
DIFFERENT_FIGURE = "states a different figure"
DIFFERENT_DATE = "states a different date"
# two statements are of the same thing when they share this much of their wording (figures
# and dates aside): only then is a different figure or date a difference, not another event
SAME_WORDS = 0.7
_PASSIVE = re.compile(r"\b(?:was|were|been|be|being|is|are)\s+$", re.I)
_POLICY = re.compile(
    r"\b(?:orders?|memorand\w*|memos?|polic(?:y|ies)|directives?|guidance|rules?|"
    r"regulations?|framework|plan|act|strategy)\b|\bM-\d{2}-\d{2}\b", re.I,
)  # fmt: skip
_IDENTIFIER = re.compile(r"\bM-\d{2}-\d{2}\b|\b(?:Order|EO|E\.O\.|No\.)\s+(\d{4,6})\b")
# words every title of a corpus like this has: they do not tell one policy from another
_PLAIN = frozenset(tokenize("fact sheet statement remarks president white house the new"))
_NUMBER_WORDS = {w: i for i, w in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty"))}  # fmt: skip
_QUANTITY = re.compile(
    r"(?<![\w-])(\$?\d[\d,]*(?:\.\d+)?|" + "|".join(_NUMBER_WORDS) + r")\+?"
    r"(?:\s+(million|billion|thousand|percent))?\s+((?:[A-Za-z-]+\s+){0,2}[A-Za-z-]+)", re.I,
)  # fmt: skip


@dataclass(frozen=True)
class Change:
    relation: str  # one of RELATIONS' values, DIFFERENT_FIGURE or DIFFERENT_DATE
    earlier: Sentence
    later: Sentence


def replacements(
    pool: Sequence[Sentence], docs: Sequence[DocumentInfo], reader: Reader, limit: int = 4
) -> list[Change]:
    """Newer statements that revoke, replace or revise a named earlier policy, each paired
    with the opening statement of the earlier document it names."""
    # the strongest statement of each change: one (day, earlier document) pair, one change
    found: dict[tuple[str, str], tuple[int, Change]] = {}
    plain = _plain([d.title for d in docs])
    for sent in pool:
        m = CHANGE.search(sent.shown)
        if m is None or not sent.doc.date:
            continue
        before, after = sent.shown[: m.start()], sent.shown[m.end() :]
        target = before[-160:] if _PASSIVE.search(before) else after[:200]
        if not _POLICY.search(target):
            continue  # "rescind such actions": no policy named
        earlier = [d for d in docs if d.date and d.date < sent.doc.date[:10]]
        named = [
            (n, d, _statement(reader.opening(d, 4)))
            for n, d in _named(target, earlier, reader, plain)
        ]
        strength, doc, opening = next(((n, d, o) for n, d, o in named if o), (0, None, None))
        if doc is None or opening is None:
            continue
        key = (sent.doc.date[:10], doc.doc_id)
        if key not in found or strength > found[key][0]:
            relation = RELATIONS[m.group(1).lower()]
            found[key] = (strength, Change(relation, opening, sent))
    ranked = sorted(found.values(), key=lambda x: -x[0])
    return [change for _, change in ranked][:limit]


def _plain(titles: Sequence[str]) -> set[str]:
    """Words in more than a quarter of the collection's titles: they name no one document."""
    df = Counter(w for t in titles for w in set(tokenize(t)))
    return {w for w, n in df.items() if n > 0.25 * len(titles)} | _PLAIN


def _named(
    target: str, earlier: Sequence[DocumentInfo], reader: Reader, plain: set[str]
) -> list[tuple[int, DocumentInfo]]:
    """The earlier document that ``target`` names: by an identifier it contains ("M-24-10",
    "Order 14110"), by its date ("… of October 30, 2023") or by its title's words."""
    ids = {m.group(1) or m.group(0) for m in _IDENTIFIER.finditer(target)}
    days = {d.iso for d in find_dates(target)}
    words = set(tokenize(target)) - plain
    kinds = {s for m in _POLICY.finditer(target) for s in tokenize(m.group())}  # "order"
    scored: list[tuple[int, str, DocumentInfo]] = []
    for doc in earlier:
        title = set(tokenize(doc.title)) - plain
        shared = len(words & title)
        score = shared + bool(kinds & set(tokenize(doc.title)))  # a title of the same kind
        if days and (doc.date or "")[:10] in days:
            score += 3
        if ids:
            got = reader.get(doc.doc_id)
            if got is not None and any(i in got[0].text for i in ids):
                score += 3
        if score - shared >= 3 or shared >= 3:  # an identifier, a date, or three words
            scored.append((score, doc.date or "", doc))
    # the strongest match first; among equals the earliest, which first stated the policy
    return [(n, doc) for n, _, doc in sorted(scored, key=lambda x: (-x[0], x[1]))][:3]


def _statement(opening: Sequence[Sentence]) -> Sentence | None:
    """A document's statement of what it does: its first sentence that reports its action
    ("Today, the President is issuing …"); None when it has none."""
    return next((s for s in opening if action_dates(s.shown, s.doc.date)), None)


def conflicts(
    pool: Sequence[Sentence], vecs: np.ndarray, similar: float = 0.8, limit: int = 2
) -> list[Change]:
    """Pairs from different documents that say the same thing but give a different figure
    (the same unit counted differently) or a different date for the same action."""
    out: list[Change] = []
    used: set[int] = set()
    for i in range(len(pool)):
        for j in range(i + 1, len(pool)):
            a, b = pool[i], pool[j]
            if a.doc.doc_id == b.doc.doc_id or i in used or j in used:
                continue
            if float(vecs[i] @ vecs[j]) < similar or _overlap(a.shown, b.shown) < SAME_WORDS:
                continue
            relation = _differs(a, b)
            if relation:
                first, second = sorted((a, b), key=lambda s: s.doc.date or "")
                out.append(Change(relation, first, second))
                used |= {i, j}
                if len(out) == limit:
                    return out
    return out


def _differs(a: Sentence, b: Sentence) -> str | None:
    qa, qb = _quantities(a.shown), _quantities(b.shown)
    for unit, value in qa.items():
        if unit in qb and qb[unit] != value:
            return DIFFERENT_FIGURE
    da = {x.iso for x in action_dates(a.shown, a.doc.date)}
    db = {x.iso for x in action_dates(b.shown, b.doc.date)}
    agree = any(x.startswith(y) or y.startswith(x) for x in da for y in db)  # "2025-04" ~ day
    if da and db and not agree and _same_action(a.shown, b.shown):
        return DIFFERENT_DATE
    return None


def _quantities(text: str) -> dict[str, float]:
    """{unit: value}: "$5 million" -> {"dollar": 5e6}, "seven leading companies" -> {...}."""
    out: dict[str, float] = {}
    dated = [(d.start, d.end) for d in find_dates(text)]
    for m in _QUANTITY.finditer(text):
        if any(s <= m.start() < e for s, e in dated):
            continue  # the day or year of a date is not a figure
        raw, scale, unit = m.group(1).lower(), (m.group(2) or "").lower(), m.group(3)
        value = float(_NUMBER_WORDS[raw]) if raw in _NUMBER_WORDS else _number(raw)
        if value is None:
            continue
        value *= {"thousand": 1e3, "million": 1e6, "billion": 1e9}.get(scale, 1.0)
        stems = [s for s in tokenize(unit) if not s.isdigit()]
        if raw.startswith("$"):
            stems = ["dollar"]
        if stems:
            out.setdefault(stems[-1], value)
    return out


def _number(raw: str) -> float | None:
    try:
        return float(raw.lstrip("$").replace(",", ""))
    except ValueError:
        return None


def _overlap(a: str, b: str) -> float:
    """Shared content words (numbers aside): the two say the same thing."""
    wa = {w for w in tokenize(a) if not w.isdigit()}
    wb = {w for w in tokenize(b) if not w.isdigit()}
    return len(wa & wb) / max(min(len(wa), len(wb)), 1)


def _same_action(a: str, b: str) -> bool:
    return bool(_verbs(a) & _verbs(b))


def _verbs(text: str) -> set[str]:
    return {m.group(0).lower()[:5] for m in ACTION.finditer(text)}
