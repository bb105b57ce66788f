"""Two Dossier homes on one real ``chroma run`` server: neither can touch the other's vectors."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import numpy as np
import pytest

from corpus.chunker import ChunkerConfig
from corpus.errors import OwnershipError
from dossier.cli import main
from index.chroma_client import chroma_client
from index.collection import Collection
from index.ingest import ingest
from index.vectors import HOME_KEY, OWNER_KEY
from tests.conftest import FIXTURE_CORPUS
from tests.processes import free_port

H = ["--embedder", "hashing"]
CHUNKER = ChunkerConfig(max_tokens=60, overlap_tokens=10)
QUESTION = "When did the council approve the desalination plant?"


def unique(prefix: str = "shared") -> str:
    """A collection name no other test on the session's server uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def consistent(coll: Collection) -> None:
    ids = coll.catalog.chunk_ids()
    assert ids and len(ids) == len(set(ids)) and coll.vectors.ids() == set(ids)


def dense_finds_its_own_chunks(coll: Collection) -> None:
    for chunk in coll.catalog.iter_chunks():
        hits = coll.search(chunk.text, 3, mode="dense")
        assert chunk.chunk_id in {h.chunk.chunk_id for h in hits}, chunk.chunk_id


def test_a_second_home_ingesting_an_empty_folder_keeps_the_first_homes_vectors(
    chroma_server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], hashing_embedder,
) -> None:  # fmt: skip
    """Issue 13: the second home's reconcile deleted all the first home's vectors."""
    monkeypatch.setenv("DOSSIER_CHROMA_URL", chroma_server_url)
    first, second, empty = tmp_path / "first", tmp_path / "second", tmp_path / "empty"
    empty.mkdir()
    name = unique()
    assert main(["ingest", str(FIXTURE_CORPUS), "--home", str(first), "-c", name, *H]) == 0
    capsys.readouterr()

    code = main(["ingest", str(empty), "--home", str(second), "-c", name, *H])
    err = capsys.readouterr().err
    assert code == 9, err
    assert f"dossier-{name}" in err and str(first) in err and "another collection name" in err
    assert "unexpected" not in err

    mine = Collection(first, name, hashing_embedder, ChunkerConfig(), chroma_url=chroma_server_url)
    consistent(mine)
    assert mine.search(QUESTION, 3, mode="dense")[0].document.source == "desalination-plant.md"
    assert mine.warnings() == []
    assert main(["status", "--home", str(second), *H]) == 0  # says why, for each collection
    shown = capsys.readouterr().out
    assert f"- {name}: 0 documents, 0 chunks, ? vectors" in shown and str(first) in shown


def test_the_owner_is_recorded_and_every_write_of_another_catalog_refused(
    chroma_server_url: str, tmp_path: Path, corpus_copy: Path, hashing_embedder
) -> None:
    name = unique()
    a = Collection(tmp_path / "a", name, hashing_embedder, CHUNKER, chroma_url=chroma_server_url)
    ingest(a, [corpus_copy])
    meta = chroma_client(tmp_path, chroma_server_url).get_collection(f"dossier-{name}").metadata
    assert meta[OWNER_KEY] == a.catalog.catalog_id and str(tmp_path / "a") in meta[HOME_KEY]

    b = Collection(tmp_path / "b", name, hashing_embedder, CHUNKER, chroma_url=chroma_server_url)
    assert b.catalog.catalog_id != a.catalog.catalog_id
    for attempt in (b.reconcile, b.drop, lambda: b.vectors.delete(a.catalog.chunk_ids())):
        with pytest.raises(OwnershipError, match=a.catalog.catalog_id):
            attempt()
    with pytest.raises(OwnershipError):
        ingest(b, [corpus_copy])
    assert b.catalog.counts() == (0, 0)  # refused before anything was stored
    consistent(a)
    dense_finds_its_own_chunks(a)


def test_a_dropped_foreign_collection_is_rebuilt_by_its_owner(
    chroma_server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], hashing_embedder,
) -> None:  # fmt: skip
    """drop --foreign is for a home that is gone; should it not be, its next ingest (its
    reconcile) embeds every chunk again from its catalog."""
    monkeypatch.setenv("DOSSIER_CHROMA_URL", chroma_server_url)
    first, second = tmp_path / "first", tmp_path / "second"
    name = unique()
    assert main(["ingest", str(FIXTURE_CORPUS), "--home", str(first), "-c", name, *H]) == 0
    assert main(["drop", name, "--yes", "--home", str(second), *H]) == 5  # not its own
    assert main(["drop", name, "--yes", "--foreign", "--home", str(second), *H]) == 0
    capsys.readouterr()
    mine = Collection(first, name, hashing_embedder, ChunkerConfig(), chroma_url=chroma_server_url)
    assert mine.vectors.count() == 0
    assert any("no vector" in w for w in mine.warnings())
    assert main(["ingest", str(FIXTURE_CORPUS), "--home", str(first), "-c", name, *H]) == 0
    consistent(mine)


def test_a_collection_from_before_owners_is_adopted_only_by_the_catalog_that_wrote_it(
    chroma_server_url: str, tmp_path: Path, corpus_copy: Path, hashing_embedder
) -> None:
    name = unique("legacy")
    old = Collection(
        tmp_path / "old", name, hashing_embedder, CHUNKER, chroma_url=chroma_server_url
    )
    ingest(old, [corpus_copy])
    ids = sorted(old.vectors.ids())
    stored, _ = old.vectors.readback(ids)
    # the state an older Dossier left: no owner on the Chroma collection or the catalog
    client = chroma_client(tmp_path, chroma_server_url)
    client.delete_collection(f"dossier-{name}")
    legacy = client.create_collection(
        f"dossier-{name}", embedding_function=None, configuration={"hnsw": {"space": "cosine"}},
        metadata=old.fingerprint,
    )  # fmt: skip
    legacy.upsert(ids=ids, embeddings=np.stack([stored[i][0] for i in ids]),
                  metadatas=[{"doc_id": stored[i][1]} for i in ids])  # fmt: skip
    old.catalog._db.execute("DELETE FROM meta WHERE key='catalog_id'")

    stranger = Collection(tmp_path / "new", name, hashing_embedder, CHUNKER,
                          chroma_url=chroma_server_url)  # fmt: skip
    with pytest.raises(OwnershipError, match="before Dossier recorded owners"):
        stranger.reconcile()

    again = Collection(tmp_path / "old", name, hashing_embedder, CHUNKER,
                       chroma_url=chroma_server_url)  # fmt: skip
    assert again.reconcile() == {"orphans_removed": 0, "vectors_restored": 0}  # no re-embedding
    assert client.get_collection(f"dossier-{name}").metadata[OWNER_KEY] == again.catalog.catalog_id
    consistent(again)
    with pytest.raises(OwnershipError, match=again.catalog.catalog_id):
        stranger.reconcile()


def test_an_unowned_empty_collection_is_adopted(
    chroma_server_url: str, tmp_path: Path, corpus_copy: Path, hashing_embedder
) -> None:
    name = unique("empty")
    client = chroma_client(tmp_path, chroma_server_url)
    client.create_collection(f"dossier-{name}", embedding_function=None)
    coll = Collection(tmp_path / "h", name, hashing_embedder, CHUNKER, chroma_url=chroma_server_url)
    ingest(coll, [corpus_copy])
    consistent(coll)
    assert client.get_collection(f"dossier-{name}").metadata[OWNER_KEY] == coll.catalog.catalog_id


def test_a_server_that_went_away_leaves_bm25_and_a_warning(
    chroma_server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """Dense search never fails silently: the search goes on with BM25 and says why."""
    home, name = tmp_path / "home", unique()
    monkeypatch.setenv("DOSSIER_CHROMA_URL", chroma_server_url)
    assert main(["ingest", str(FIXTURE_CORPUS), "--home", str(home), "-c", name, *H]) == 0
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there: the server is gone
    monkeypatch.setenv("DOSSIER_CHROMA_URL", dead)
    capsys.readouterr()
    args = ["search", "desalination plant approval", "--home", str(home), "-c", name, *H]
    assert main([*args, "--json"]) == 0
    out = capsys.readouterr()
    found = json.loads(out.out)
    assert found["hits"] and all(h["dense_rank"] is None for h in found["hits"])
    assert found["hits"][0]["source"] == "desalination-plant.md"
    assert any(dead in w and "BM25 alone" in w for w in found["warnings"]), found["warnings"]
    assert "warning: dense search failed" in out.err
    assert main(["status", "--home", str(home), *H]) == 0
    assert "? vectors" in capsys.readouterr().out


def test_an_embedded_store_belongs_to_its_home(
    dossier_home: Path, corpus_copy: Path, hashing_embedder
) -> None:
    """A catalog made again after its folder was deleted by hand takes over the embedded
    store's collection (nothing but this home writes there), and its reconcile removes the
    old catalog's vectors."""
    import shutil

    old = Collection(dossier_home, "notes", hashing_embedder, CHUNKER)
    ingest(old, [corpus_copy])
    stale = old.vectors.ids()
    shutil.rmtree(old.folder)
    again = Collection(dossier_home, "notes", hashing_embedder, CHUNKER)
    assert again.catalog.catalog_id != old.catalog.catalog_id
    (corpus_copy / "greywater-pilot.md").unlink()
    ingest(again, [corpus_copy])
    consistent(again)
    assert len(again.vectors.ids() & stale) == len(again.catalog.chunk_ids())  # same texts
