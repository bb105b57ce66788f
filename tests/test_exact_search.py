"""Dense search in a small collection is exact and the same in every process; a larger one
asks Chroma's HNSW with a wider search (index/exact.py, index/vectors.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import index.dense as dense
from corpus.errors import VectorStoreError
from corpus.types import doc_of
from index.ingest import ingest
from index.types import SearchFilter
from index.vectors import EF_SEARCH

QUESTION = "When did the council approve the desalination plant?"
TOPICS = ["desalination plant council vote", "reservoir pipeline", "water budget approval"]


def _brute_force(coll, qvec: np.ndarray, n: int, docs: set[str] | None = None):  # type: ignore[no-untyped-def]
    """The exact top ``n``: every stored vector read back by id and ranked here."""
    ids = [i for i in coll.vectors.ids() if docs is None or doc_of(i) in docs]
    found, bad = coll.vectors.readback(ids)
    assert bad == []
    q = qvec / np.linalg.norm(qvec)
    scored = [(float(s.vector @ q / np.linalg.norm(s.vector)), i) for i, s in found.items()]
    return sorted(scored, key=lambda p: (-p[0], p[1]))[:n]


def test_a_small_collection_is_searched_exactly(
    store_collection, corpus_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The exact ranking, filtered or not, with no HNSW query; read once per generation."""
    coll = store_collection()
    ingest(coll, [corpus_copy])
    docs = {d.doc_id: d for d in coll.documents()}
    total = sum(d.n_chunks for d in docs.values())
    assert 0 < total <= dense.EXACT_ALL
    asked, reads = [], []
    monkeypatch.setattr(coll.vectors, "query", lambda *a, **k: asked.append(a) or [])
    real = coll.vectors.everything
    monkeypatch.setattr(coll.vectors, "everything", lambda: reads.append(1) or real())
    for topic in [QUESTION, *TOPICS]:
        qvec = coll.embedder.embed_one(topic)
        got = coll.dense.query(qvec, 7, None, (total, total))
        want = _brute_force(coll, qvec, 7)
        assert [i for i, _ in got] == [i for _, i in want]
        assert np.allclose([s for _, s in got], [s for s, _ in want], atol=1e-5)
        some = sorted(docs)[:2]
        admitted = sum(docs[d].n_chunks for d in some)
        got = coll.dense.query(qvec, 3, some, (admitted, total))
        assert [i for i, _ in got] == [i for _, i in _brute_force(coll, qvec, 3, set(some))]
    assert asked == [] and reads == [1]  # read once: the catalog did not move
    (corpus_copy / "new.md").write_text("# Turbines\n\nThe turbine hall opened in May 2021.\n")
    ingest(coll, [corpus_copy])
    hits = coll.search("turbine hall opened", 3, mode="dense")
    assert hits[0].document.source == "new.md" and reads == [1, 1]  # read again after it


def test_a_large_collection_asks_hnsw_and_unreadable_vectors_fall_back_to_it(
    make_collection, corpus_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    coll = make_collection()
    ingest(coll, [corpus_copy])
    total = coll.catalog.counts()[1]
    qvec = coll.embedder.embed_one(QUESTION)
    hnsw = coll.vectors.query(qvec, 5)
    assert hnsw and hnsw[0][0] == _brute_force(coll, qvec, 1)[0][1]
    monkeypatch.setattr(dense, "EXACT_ALL", total - 1)
    reads: list[int] = []
    real = coll.vectors.everything
    monkeypatch.setattr(coll.vectors, "everything", lambda: reads.append(1) or real())
    assert coll.dense.query(qvec, 5, None, (total, total)) == hnsw and reads == []
    monkeypatch.setattr(dense, "EXACT_ALL", total)

    def unreadable() -> None:
        reads.append(1)
        raise VectorStoreError("Error getting embedding")

    monkeypatch.setattr(coll.vectors, "everything", unreadable)
    for _ in range(3):  # HNSW answers; the failed read is not tried again each query
        assert coll.dense.query(qvec, 5, None, (total, total)) == hnsw
    assert reads == [1] and coll.dense.problem is None


def test_hnsw_searches_wider_than_chromas_default(make_collection, corpus_copy: Path) -> None:
    """New collections get EF_SEARCH; one made with Chroma's default (100) is widened."""
    coll = make_collection()
    ingest(coll, [corpus_copy])
    assert coll.vectors._col.configuration["hnsw"]["ef_search"] == EF_SEARCH > 100
    col = coll.vectors._col
    col.modify(configuration={"hnsw": {"ef_search": 100}})
    assert col.configuration["hnsw"]["ef_search"] == 100
    coll.vectors._collection = None  # opened again, as the next process does
    assert coll.vectors._col.configuration["hnsw"]["ef_search"] == EF_SEARCH


def test_dense_search_is_the_same_in_every_process(tmp_path: Path) -> None:
    """Chroma replays its unsaved writes into the HNSW graph in another order in each process:
    before exact search, a third of the processes ranked the demo corpus differently."""
    demo = Path(__file__).resolve().parents[1] / "corpus" / "samples" / "whitehouse-ai"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")},
           "DOSSIER_HOME": str(tmp_path), "DOSSIER_EMBEDDING__NAME": "hashing"}  # fmt: skip
    cli = [sys.executable, "-m", "dossier.cli"]
    subprocess.run([*cli, "ingest", str(demo), "-c", "d"], env=env, check=True,
                   capture_output=True)  # fmt: skip
    search = [*cli, "search", "federal agency use and procurement of artificial intelligence",
              "-c", "d", "--mode", "dense", "-k", "60", "--json"]  # fmt: skip
    rankings = set()
    for _ in range(5):
        out = subprocess.run(search, env=env, check=True, capture_output=True, text=True).stdout
        rankings.add(tuple((h["chunk_id"], h["score"]) for h in json.loads(out)["hits"]))
    assert len(rankings) == 1 and len(rankings.pop()) == 60


def test_a_date_filter_finds_the_same_through_search(make_collection, corpus_copy: Path) -> None:
    coll = make_collection()
    ingest(coll, [corpus_copy])
    flt = SearchFilter(since="2022-01-01")
    found = {h.document.doc_id for h in coll.search(QUESTION, 50, filters=flt, mode="dense")}
    assert found == {d.doc_id for d in coll.documents() if flt.admits(d)}


def test_opening_waits_out_a_busy_store_and_widening_never_fails_a_search(
    make_collection, corpus_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'database is locked' (an embedded Chroma's SQLite file busy for a moment) while a
    collection is opened is tried again; a widening that keeps failing is given up."""
    import index.chroma_client as chroma_client

    coll = make_collection()
    ingest(coll, [corpus_copy])
    monkeypatch.setattr(chroma_client.time, "sleep", lambda s: None)
    client = type(coll.vectors.client)
    real = client.get_or_create_collection
    busy = [2]

    def get_or_create(self, *a, **k):  # type: ignore[no-untyped-def]
        if busy[0]:
            busy[0] -= 1
            raise RuntimeError("Database error: (code: 5) database is locked")
        return real(self, *a, **k)

    monkeypatch.setattr(client, "get_or_create_collection", get_or_create)
    coll.vectors._collection = None
    assert coll.vectors._col.configuration["hnsw"]["ef_search"] == EF_SEARCH and busy == [0]
    coll.vectors._col.modify(configuration={"hnsw": {"ef_search": 100}})  # an older collection
    tries: list[int] = []

    def locked(*a: object, **k: object) -> None:
        tries.append(1)
        raise RuntimeError("database is locked")

    monkeypatch.setattr(type(coll.vectors._col), "modify", locked)
    coll.vectors._collection = None
    assert coll.vectors.query(coll.embedder.embed_one(QUESTION), 3)  # the search goes on
    assert len(tries) == 4  # the widening was tried 4 times, then given up
    with pytest.raises(RuntimeError, match="other"):  # any other error passes at once
        chroma_client.when_free(lambda: (_ for _ in ()).throw(RuntimeError("other")))
