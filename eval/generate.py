"""Known-item questions from a collection's own documents, written without any model.

A question is made from one sentence of one chunk: a key term (a date, a number or a
capitalised name, preferably one that is rare in the collection) is blanked out ("Fill in
the blank: ...") and becomes the accepted answer; a date after "on"/"in" can instead give
a "When ...?" question. The sentence's document is the gold evidence.

Such a set measures whether the system finds and quotes a known passage of the user's
own documents. It does not measure reasoning, questions spanning several passages, or
questions the corpus cannot answer, and a cloze shares most of its words with its
passage, which flatters lexical retrieval (BM25).
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.sentences import split_sentences
from corpus.types import Chunk, Document
from eval.keyterms import Term, document_frequency, key_terms
from index.bm25 import tokenize
from index.catalog import Catalog

BLANK = "____"
# Link syntax, tags or URLs: the sentence is markup, not prose a question can quote.
_MARKUP = re.compile(r"\\|\]\(|<[A-Za-z/!]|https?://|`|\*\*|\{|\}")
# A sentence opening with a pronoun leans on the one before it: out of context it is
# ambiguous, so it makes a poor question.
_CONTEXT_START = re.compile(
    r"^(?:It|Its|They|Their|Them|This|These|That|Those|He|She|His|Her|We|Our|Such)\b"
)
MIN_WORDS, MAX_WORDS = 6, 60


@dataclass(frozen=True)
class GeneratedItem:
    """One question; ``to_dict`` is a ``qa.jsonl`` line (``source``, ``kind`` are extra)."""

    id: str
    question: str
    answers: tuple[str, ...]
    evidence: tuple[str, ...]
    source: str
    kind: str  # "cloze" | "when"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "question": self.question, "answers": list(self.answers),
            "evidence": list(self.evidence), "source": self.source, "kind": self.kind,
        }  # fmt: skip


@dataclass(frozen=True)
class _Candidate:
    doc_id: str
    source: str
    sentence: str
    offset: int  # where the sentence starts in the document
    term: Term


def _is_sentence(text: str) -> bool:
    words = text.split()
    return (
        MIN_WORDS <= len(words) <= MAX_WORDS
        and text.rstrip("\"'”’)]").endswith((".", "!"))
        and not text.startswith(("#", "|", "-", "*", ">"))
        and not re.match(r"\(\w{1,3}\)", text)  # "(a) Within 30 days": a clause of a list
        and not _CONTEXT_START.match(text)
        and not _MARKUP.search(text)
    )


def _heading_starts(doc: Document) -> list[int]:
    return [h.start for h in doc.headings]


def _chunk_candidates(
    chunk: Chunk, doc: Document, spans: Sequence[tuple[int, int]], df: Counter[str], n: int
) -> list[_Candidate]:
    """The chunk's whole sentences (no headings), each with its best term, best first."""
    headings = _heading_starts(doc)
    titles = set(chunk.headings)
    found: list[_Candidate] = []
    for s, e in spans:
        if s < chunk.start or e > chunk.end:
            continue  # cut by the chunk boundary: its whole form is in a neighbour
        text = doc.text[s:e]
        if text in titles or any(s <= h < e for h in headings) or not _is_sentence(text):
            continue
        terms = key_terms(text, df, n)
        if terms:
            best = max(terms, key=lambda t: t.score)
            if best.text in doc.text:  # always, as the sentence is a slice of it; checked anyway
                found.append(_Candidate(doc.doc_id, doc.source, text, s, best))
    return sorted(found, key=lambda c: -c.term.score)


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _when_question(sentence: str, term: Term) -> str | None:
    """ "When ...?" for a sentence whose date follows "on"/"in"; None when that is not simple."""
    if term.kind != "date":
        return None
    before = re.search(r"(?:^|\s)(?:on|in)\s+$", sentence[: term.start], re.IGNORECASE)
    if before is None:
        return None
    rest = _squeeze(sentence[: before.start()] + sentence[term.end :])
    rest = re.sub(r"\s+,", ",", rest).strip(" ,").rstrip(".!").strip(" ,")
    if len(rest.split()) < 5 or not rest[0].isalpha():
        return None
    first = rest.split(" ", 1)[0]
    if rest[0].isupper() and not tokenize(first):  # "The council" -> "the council"
        rest = rest[0].lower() + rest[1:]
    passive = re.fullmatch(r"(?P<subj>[^,]{3,80}?) (?P<aux>was|were) (?P<tail>.+)", rest)
    if passive:
        return f"When {passive['aux']} {passive['subj']} {passive['tail']}?"
    return f"When was it that {rest}?"


def _cloze(sentence: str, term: Term) -> str:
    return "Fill in the blank: " + _squeeze(sentence[: term.start] + BLANK + sentence[term.end :])


def _sample(
    pools: dict[str, list[list[_Candidate]]], n: int, rng: random.Random
) -> list[_Candidate]:
    """Round-robin over documents in a shuffled order. Within a document the chunks are
    shuffled and each gives its most salient sentence, then its second, and so on."""
    order = sorted(pools)
    rng.shuffle(order)
    queues: dict[str, list[_Candidate]] = {}
    for doc_id in order:
        chunks = pools[doc_id]
        rng.shuffle(chunks)
        depth = max(len(c) for c in chunks)
        queues[doc_id] = [c[i] for i in range(depth) for c in chunks if i < len(c)][::-1]
    picked: list[_Candidate] = []
    seen: set[tuple[str, int]] = set()
    while len(picked) < n and any(queues.values()):
        for doc_id in order:
            while queues[doc_id] and len(picked) < n:
                c = queues[doc_id].pop()
                if (c.doc_id, c.offset) not in seen:  # overlapping chunks share sentences
                    seen.add((c.doc_id, c.offset))
                    picked.append(c)
                    break
    return picked


def generate(catalog: Catalog, n: int, seed: int = 0) -> list[GeneratedItem]:
    """Up to ``n`` questions (fewer when the collection holds fewer usable sentences).

    The same collection and seed give the same questions. ``evidence`` names each document
    by its ``source`` path: document ids depend on the collection name, so a path is what
    ``dossier eval answers --corpus FOLDER`` can match in its own throwaway collection.
    """
    if n <= 0:
        return []
    infos = {d.doc_id: d for d in catalog.documents()}
    chunks = sorted(
        (c for c in catalog.iter_chunks() if c.doc_id in infos),
        key=lambda c: (infos[c.doc_id].source, c.index),
    )
    df, total = document_frequency(chunks)
    pools: dict[str, list[list[_Candidate]]] = {}
    current: tuple[Document, list[tuple[int, int]]] | None = None
    for chunk in chunks:  # sorted by document: one document's text in memory at a time
        if current is None or current[0].doc_id != chunk.doc_id:
            doc = catalog.document(chunk.doc_id)
            if doc is None:
                continue
            current = (doc, split_sentences(doc.text))
        found = _chunk_candidates(chunk, *current, df, total)
        if found:
            pools.setdefault(chunk.doc_id, []).append(found)
    rng = random.Random(seed)
    items: list[GeneratedItem] = []
    for c in _sample(pools, n, rng):
        when = _when_question(c.sentence, c.term)
        use_when = when is not None and rng.random() < 0.5
        items.append(
            GeneratedItem(
                id=f"gen-{len(items) + 1:04d}",
                question=when if use_when and when else _cloze(c.sentence, c.term),
                answers=(c.term.text,), evidence=(c.source,), source=c.source,
                kind="when" if use_when else "cloze",
            )
        )  # fmt: skip
    return items


def write_jsonl(items: Iterable[GeneratedItem], path: str | Path) -> None:
    lines = (json.dumps(i.to_dict(), ensure_ascii=False) for i in items)
    Path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
