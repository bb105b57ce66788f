"""Search filters as Chroma where-filters: a date filter is a range over the vectors' day
numbers (``day`` metadata), never a list of every admitted document's id (a ``$in`` over
thousands of ids cost 438 ms a query at 5,000 documents)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from index.catalog import DocumentInfo
from index.types import SearchFilter

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def day_number(iso: str | None) -> int | None:
    """A YYYY-MM-DD date as a day number (ordering as the strings do); None for anything
    else: a range over day numbers then admits exactly what comparing the strings does."""
    if not iso or not _ISO_DAY.fullmatch(iso):
        return None
    try:
        return date.fromisoformat(iso).toordinal()
    except ValueError:
        return None


def chroma_where(
    doc_ids: Sequence[str] | None, days: tuple[int | None, int | None] | None = None,
    also: Sequence[str] = (),
) -> dict[str, Any] | None:  # fmt: skip
    """A Chroma filter: vectors of ``doc_ids``, or (with ``days``, an inclusive range whose
    open ends are None) vectors whose day is in it, plus those of the documents ``also``
    names (dated in a way no day number says). None admits everything; a filter admitting
    nothing is ``{"doc_id": {"$in": []}}``."""
    if days is None:
        return None if doc_ids is None else {"doc_id": {"$in": list(doc_ids)}}
    lo, hi = days
    parts = [{"day": {op: v}} for op, v in (("$gte", lo), ("$lte", hi)) if v is not None]
    ranged: dict[str, Any] = parts[0] if len(parts) == 1 else {"$and": parts}
    return {"$or": [ranged, {"doc_id": {"$in": list(also)}}]} if also else ranged


# an inclusive range of day numbers (None: open) and the admitted documents whose date no
# day number says (they are named by id): what a date filter admits, as a Chroma filter
DayRange = tuple[int | None, int | None, list[str]]


def day_range(
    filters: SearchFilter, docs: Mapping[str, DocumentInfo], allowed: Sequence[str]
) -> DayRange | None:
    """A date-only filter as a range over the vectors' ``day`` metadata; None for any other
    (a source, tag or document filter stays a list of the ``allowed`` documents' ids)."""
    if filters.source or filters.tag or filters.doc_ids or not (filters.since or filters.until):
        return None
    lo, hi = day_number(filters.since), day_number(filters.until)
    if (filters.since and lo is None) or (filters.until and hi is None):
        return None  # compared as strings by SearchFilter.admits: only the id list agrees
    return lo, hi, [d for d in allowed if day_number(docs[d].date) is None]
