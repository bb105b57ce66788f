"""``dossier check [--repair]``: catalog, Chroma and BM25 compared, and repaired."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dossier.cli import main
from index.check import check, repair
from index.collection import Collection
from index.ingest import ingest
from tests.conftest import FIXTURE_CORPUS

H = ["--embedder", "hashing"]
WORDS = [
    "reservoir",
    "pump",
    "valve",
    "turbine",
    "aquifer",
    "levee",
    "sluice",
    "culvert",
    "spillway",
    "weir",
    "basin",
    "canal",
    "filter",
    "intake",
    "outfall",
    "siphon",
    "cistern",
]


def write_corpus(folder: Path, prefix: str, files: int, paragraphs: int = 12) -> Path:
    """Files of distinct sentences (each chunk's text is its own best dense match)."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in range(files):
        text = "\n\n".join(
            f"{prefix} record {f}-{p}: the {WORDS[(f + p) % len(WORDS)]} near station "
            f"{prefix}{f * 100 + p} logged {f * 7 + p * 3} litres and "
            f"{WORDS[(f * 3 + p) % len(WORDS)]} inspection {p} of {f}."
            for p in range(paragraphs)
        )
        (folder / f"{prefix}-{f:03}.txt").write_text(text + "\n")
    return folder


def dense_finds_every_chunk(coll: Collection) -> None:
    missed = [
        c.chunk_id
        for c in coll.catalog.iter_chunks()
        if c.chunk_id not in {h.chunk.chunk_id for h in coll.search(c.text, 3, mode="dense")}
    ]
    assert missed == []


def test_a_healthy_collection_agrees(store_collection, corpus_copy: Path) -> None:
    coll = store_collection()
    ingest(coll, [corpus_copy])
    report = check(coll)
    assert report.ok, report.to_dict()
    assert report.chunks == report.vectors > 0 and report.documents == 5


def test_missing_orphan_and_wrong_vectors_are_found_and_repaired(
    store_collection, corpus_copy: Path
) -> None:
    coll = store_collection()
    ingest(coll, [corpus_copy])
    ids = coll.catalog.chunk_ids()
    doc = coll.documents()[0].doc_id
    vec = coll.embedder.embed(["a vector of no chunk"])
    coll.vectors.upsert(["ghost:0:0"], vec, [doc])  # an orphan
    coll.vectors.delete(ids[:2])  # two missing
    other = coll.embedder.embed(["the wrong text entirely"])
    coll.vectors.upsert([ids[3]], other, [doc])  # a vector of the wrong text
    report = check(coll)
    assert not report.ok
    assert report.missing == sorted(ids[:2]) and report.orphans == ["ghost:0:0"]
    assert ids[3] in report.unfindable or ids[3] in report.wrong
    fixed = repair(coll)
    assert fixed.ok, fixed.to_dict()
    assert fixed.repaired["orphans_removed"] == 1 and fixed.repaired["vectors_embedded"] >= 3
    assert coll.vectors.ids() == set(ids)
    dense_finds_every_chunk(coll)


def test_a_stale_bm25_index_is_found_and_rebuilt(make_collection, corpus_copy: Path) -> None:
    coll = make_collection()
    ingest(coll, [corpus_copy])
    coll.search("water", 3)  # saves the BM25 index
    stamp = coll.folder / "bm25" / "ids.json"
    saved = json.loads(stamp.read_text())
    saved["chunk_ids"][-1] = "someone-else:0:0"  # the generation says it is current
    stamp.write_text(json.dumps(saved))
    report = check(coll)
    n = len(coll.catalog.chunk_ids())
    assert report.bm25 == f"covers {n - 1} of {n} chunks, and 1 others" and not report.ok
    assert repair(coll).ok
    assert coll.search("water", 30, mode="bm25")  # and searches use the rebuilt one
    assert "someone-else:0:0" not in json.loads(stamp.read_text())["chunk_ids"]


def test_vectors_that_cannot_be_read_back_are_found_and_rebuilt(
    make_collection, tmp_path: Path
) -> None:
    """What a second writer leaves in an embedded store: its stale view of the vector index
    written over the first one's. Chroma still counts the lost vectors, but reading one
    back fails ("Error finding id" / "Error getting embedding") and dense search never
    finds them; check reads every vector back and the repair rebuilds the collection."""
    coll = make_collection()
    first = ingest(coll, [write_corpus(tmp_path / "a", "alpha", 10, paragraphs=120)])
    assert sum(f.chunks for f in first.files) > 1000  # Chroma writes its index to disk
    segments = [p for p in (coll.home / "chroma").iterdir() if p.is_dir()]
    assert len(segments) == 1
    stale = tmp_path / "stale-index"
    shutil.copytree(segments[0], stale)
    ingest(coll, [write_corpus(tmp_path / "b", "beta", 10, paragraphs=120)])
    shutil.rmtree(segments[0])
    shutil.copytree(stale, segments[0])  # the other writer's older index, saved last
    coll.vectors.refresh()
    report = check(coll)
    assert report.vectors == report.chunks  # the count says all is well
    assert len(report.unreadable) > 500
    assert coll.catalog.knows(report.unreadable)  # chunks of the catalog, not strays
    assert not report.ok and report.missing == []
    fixed = repair(coll)
    assert fixed.ok, fixed.to_dict()
    assert fixed.repaired["collection_rebuilt"] == 1
    assert fixed.repaired["vectors_embedded"] == len(report.unreadable)
    assert check(coll, sample=300, seed=1).ok


def test_the_command_exits_11_until_repaired(
    capsys: pytest.CaptureFixture[str], dossier_home: Path, hashing_embedder
) -> None:
    assert main(["ingest", str(FIXTURE_CORPUS), *H]) == 0
    assert main(["check", *H]) == 0
    from dossier import wiring
    from dossier.settings import load_settings

    coll = wiring.open_collection(load_settings(embedding={"name": "hashing"}))
    coll.vectors.delete(coll.catalog.chunk_ids()[:3])
    capsys.readouterr()
    assert main(["search", "desalination plant", *H, "--json"]) == 0
    out = capsys.readouterr()
    assert "3 of" in out.err and "dossier check --repair" in out.err
    assert any("have no vector" in w for w in json.loads(out.out)["warnings"])
    assert main(["check", *H]) == 11
    assert "3 chunks have no vector" in capsys.readouterr().out
    assert main(["check", "--repair", *H]) == 0
    assert "vectors_embedded 3" in capsys.readouterr().out
    assert main(["search", "desalination plant", *H, "--json"]) == 0
    assert "warning" not in capsys.readouterr().err
