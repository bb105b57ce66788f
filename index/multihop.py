"""The second hop of retrieval: documents that the first hop's best documents name.

A multi-hop question names one document's subject and asks about another that the first one
names. "Who directed the film that was shot in or around Leland, North Carolina in 1986?"
finds the article on Leland, which says that *Maximum Overdrive* was filmed there; the
director is in the article "Maximum Overdrive", which shares hardly a word with the question.
So the passages of the ``sources`` best documents are read for other documents' titles, and
each document named is ranked right behind the best document naming it:

    score(passage) = max(1 / (K + rank), 1 / (K + rank(s) + 0.5))   s: its best source

the second term only for the named document's best passage (its best by BM25 for the question
when the first hop did not find it at all); other passages keep 1 / (K + rank).

A title is named when it appears with its own capitalisation as whole words; a trailing
qualifier in brackets may be left out ("Paul Gross (actor)" is named by "Paul Gross") unless
that leaves a name shared with another document; a title shared by documents, without a
letter, or under 4 characters never links, nor one whose every word is common (``Names``).
A corpus whose documents do not name each other (paper titles, numbered passages) keeps its
first hop.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from index.bm25 import Bm25Index, tokenize
from index.catalog import DocumentInfo
from index.types import Hit

if TYPE_CHECKING:
    from index.collection import Collection

K = 10  # rank damping; recall@5 on hotpotqa-100 is the same for K from 5 to 60
FIRST_HOP_DEPTH = 20  # first-hop passages kept: a named document found there keeps its passage
MAX_TITLE_WORDS = 30
COMMON_SHARE = 0.05  # a title none of whose words is rarer than this is a phrase, not a name
_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")
_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")  # "Toad Hall (ANU)" -> "Toad Hall"

Words = tuple[str, ...]


def _words(text: str) -> Words:
    return tuple(_WORD.findall(text))


def _linkable(title: str) -> bool:
    return len(title.strip()) >= 4 and bool(_LETTER.search(title))


class TitleLinks:
    """Finds the documents a text names by their titles (a dictionary of titles, scanned by
    each word of the text: no pass over every title)."""

    def __init__(self, titles: Mapping[str, str]) -> None:
        """``titles``: document id -> title."""
        exact: dict[Words, set[str]] = {}
        short: dict[Words, set[str]] = {}
        for doc_id, title in titles.items():
            if _linkable(title):
                exact.setdefault(_words(title), set()).add(doc_id)
            bare = _QUALIFIER.sub("", title)
            if bare != title and _linkable(bare):
                short.setdefault(_words(bare), set()).add(doc_id)
        names = {w: d for w, d in exact.items() if len(d) == 1}
        names |= {w: d for w, d in short.items() if len(d) == 1 and w not in exact}
        self._by_first: dict[str, list[tuple[Words, str]]] = {}
        for words, docs in names.items():
            if 0 < len(words) <= MAX_TITLE_WORDS:
                self._by_first.setdefault(words[0], []).append((words, next(iter(docs))))
        for options in self._by_first.values():
            options.sort(key=lambda o: -len(o[0]))  # the longest title at a word wins

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_first.values())

    def named(self, text: str) -> list[str]:
        """Ids of the documents ``text`` names, in order of first mention."""
        words = _words(text)
        out: dict[str, None] = {}
        i = 0
        while i < len(words):
            step = 1
            for title, doc_id in self._by_first.get(words[i], ()):
                if words[i : i + len(title)] == title:
                    out[doc_id] = None
                    step = len(title)  # "Leland, North Carolina" is not also "North Carolina"
                    break
            i += step
        return list(out)


class Names:
    """A collection's titles as names: a title links only if it is distinctive, that is if
    some word of it occurs in at most ``COMMON_SHARE`` of the other documents (or in at most
    two of them: in a small collection every word is in a large share). "METHODS AND
    RESULTS" or "T-cell activation." (SciFact papers' titles) are phrases every abstract
    uses, not names; "Maximum Overdrive" or "Pro Bowl" are names."""

    def __init__(self, titles: Mapping[str, str], bm25: Bm25Index) -> None:
        self.titles = dict(titles)
        self.links = TitleLinks(titles)
        self._bm25 = bm25
        others = len(set(bm25.doc_ids.tolist())) - 1
        self._limit = max(2.0, COMMON_SHARE * others)
        self._distinctive: dict[str, bool] = {}

    def named(self, text: str) -> list[str]:
        """Ids of the documents ``text`` names by a distinctive title."""
        return [d for d in self.links.named(text) if self.distinctive(d)]

    def distinctive(self, doc_id: str) -> bool:
        if doc_id not in self._distinctive:  # checked once per title, when first named
            held = [self._holders(w, doc_id) for w in set(_words(self.titles[doc_id]))]
            counts = [n for n in held if n is not None]
            self._distinctive[doc_id] = bool(counts) and min(counts) <= self._limit
        return self._distinctive[doc_id]

    def _holders(self, word: str, own: str) -> int | None:
        """How many other documents hold ``word``; None for a stop word."""
        if not tokenize(word):
            return None
        return len(set(self._bm25.doc_ids[self._bm25.scores(word) > 0].tolist()) - {own})


_names: weakref.WeakKeyDictionary[Collection, tuple[int, Names]] = weakref.WeakKeyDictionary()


def names(collection: Collection) -> Names:
    """The collection's titles as names, rebuilt when its catalog changes."""
    gen = collection.catalog.generation
    cached = _names.get(collection)
    if cached is None or cached[0] != gen:
        titles = {d.doc_id: d.title for d in collection.catalog.documents()}
        cached = (gen, Names(titles, collection.bm25()))
        _names[collection] = cached
    return cached[1]


@dataclass(frozen=True)
class Bridge:
    """A document the first hop's ``source`` names, and the score that earns it."""

    doc_id: str
    source: str
    score: float


def bridges(first: list[Hit], links: Names | TitleLinks, sources: int) -> dict[str, Bridge]:
    """The documents named by the best passages of the ``sources`` best documents of
    ``first``, each with the score of a place right behind its best source."""
    out: dict[str, Bridge] = {}
    seen: set[str] = set()
    for i, hit in enumerate(first):
        doc_id = hit.chunk.doc_id
        if doc_id in seen:
            continue
        seen.add(doc_id)
        if len(seen) > sources:
            break
        score = 1.0 / (K + i + 1.5)  # between this passage (K + i + 1) and the next
        for named in links.named(hit.chunk.text):
            if named != doc_id and named not in out:
                out[named] = Bridge(named, doc_id, score)
    return out


def merge(first: list[Hit], found: Mapping[str, Bridge], extra: Iterable[Hit], k: int) -> list[Hit]:
    """The ``k`` best of ``first`` and ``extra`` (passages of named documents the first hop
    missed) by 1 / (K + rank), raised to the bridge's score on each named document's best
    passage."""
    scored: list[tuple[float, int, Hit]] = []
    seen: set[str] = set()
    for i, h in enumerate([*first, *extra]):
        score = 1.0 / (K + i + 1) if i < len(first) else 0.0
        doc = h.chunk.doc_id
        if doc in found and doc not in seen:
            score = max(score, found[doc].score)
        seen.add(doc)
        scored.append((score, i, h))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [replace(h, score=s, rank=n) for n, (s, _, h) in enumerate(scored[:k], 1)]


def second_hop(
    collection: Collection,
    query: str,
    first: list[Hit],
    k: int,
    sources: int,
    admits: Callable[[DocumentInfo], bool] | None = None,
) -> list[Hit]:
    """The ``k`` best passages after a second hop from ``first`` (the first hop, deep)."""
    found = bridges(first, names(collection), sources)
    if not found:
        return first[:k]  # nothing named: the first hop, scores and all
    have = {h.chunk.doc_id for h in first}
    missing = [d for d in found if d not in have]
    return merge(first, found, _best_passages(collection, query, missing, admits), k)


def _best_passages(
    collection: Collection,
    query: str,
    doc_ids: list[str],
    admits: Callable[[DocumentInfo], bool] | None,
) -> list[Hit]:
    """Each document's passage that BM25 scores best for ``query`` (its first when none
    matches), for documents the search filter admits."""
    infos = {d: collection.catalog.document_info(d) for d in doc_ids}
    wanted = [
        d for d, info in infos.items() if info is not None and (admits is None or admits(info))
    ]
    if not wanted:
        return []
    index = collection.bm25()
    scores = index.scores(query)
    best: dict[str, int] = {}
    for at in np.flatnonzero(index.of_documents(wanted)):
        doc = index.doc_ids[at]
        if doc not in best or scores[at] > scores[best[doc]]:
            best[doc] = int(at)
    chunks = collection.catalog.chunks_by_id(index.chunk_ids[i] for i in best.values())
    out = []
    for doc, i in best.items():
        chunk, info = chunks.get(index.chunk_ids[i]), infos[doc]
        if chunk is not None and info is not None:
            out.append(Hit(chunk, info, 0.0, 0, bm25_score=float(scores[i])))
    return out
