"""Crash safety: ``dossier ingest`` killed with SIGKILL at random moments, then run again.

After every rerun the collection must equal what a clean run stores: the same chunk ids,
one readable vector per chunk (the very vector its text embeds to), no duplicates, and the
new text of a changed file, never the old. Kills land during first ingests, during
updates of changed files (half the corpus changes between versions) and during pruning:
in each round one inside a randomly chosen store write and one at a random moment of the
rerun. The test counts how many caught the store half written, so it cannot pass by
killing only idle processes. On the embedded store and on a real Chroma server (hashing
embedder).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from corpus.chunker import ChunkerConfig, chunk_document
from corpus.readers import iter_folder
from index.collection import Collection
from index.embedder import Embedder, HashingBackend
from tests.crash_worker import Worker

FILES, CHANGED = 12, 6  # files in the corpus; how many change between the two versions
KILLS, UPDATE_KILLS = 12, 5  # per store: at least this many kills, this many in updates
EMBEDDER = Embedder(HashingBackend())


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    w = Worker(tmp_path_factory.mktemp("crash") / "worker.log")
    yield w
    w.close()


def paragraph(f: int, p: int, version: int) -> str:
    edition = "second" if version == 2 and f < CHANGED else "first"
    return (
        f"Ledger {f}, {edition} edition, entry {p}: station {f * 31 + p} pumped "
        f"{(f + 3) * (p + 7)} cubic metres while crew {p % 4} checked valve {f}-{p}."
    )


def write_version(folder: Path, version: int) -> None:
    """Version 1 or 2 of the corpus: the first CHANGED files differ, version 2 has one more."""
    folder.mkdir(exist_ok=True)
    for f in range(FILES):
        text = "\n\n".join(paragraph(f, p, version) for p in range(14))
        (folder / f"ledger-{f:02}.txt").write_text(text + "\n")
    extra = folder / "appendix.txt"
    if version == 2:
        extra.write_text("Appendix, second edition: the reservoir overflowed in May.\n")
    elif extra.exists():
        extra.unlink()  # pruned by the next ingest


def clean_run(folder: Path, name: str) -> dict[str, tuple[str, str]]:
    """What a clean ingest stores: chunk id -> (source, text), by the ingest's own readers."""
    out = {}
    for outcome in iter_folder([folder], collection=name):
        assert outcome.document is not None
        for c in chunk_document(outcome.document, ChunkerConfig(), fits=EMBEDDER.fits):
            out[c.chunk_id] = (outcome.document.source, c.text)
    return out


def stored(home: Path, name: str, url: str | None) -> tuple[set[str], set[str]]:
    """(catalog chunk ids, vector ids) as a killed ingest left them."""
    if not (home / "collections" / name / "catalog.sqlite").exists():
        return set(), set()
    coll = Collection(home, name, EMBEDDER, ChunkerConfig(), chroma_url=url, create=False)
    try:
        coll.vectors.refresh()
        return set(coll.catalog.chunk_ids()), coll.vectors.ids()
    finally:
        coll.catalog.close()


def assert_clean(home: Path, name: str, url: str | None, want: dict[str, tuple[str, str]],
                 version: int) -> None:  # fmt: skip
    coll = Collection(home, name, EMBEDDER, ChunkerConfig(), chroma_url=url, create=False)
    coll.vectors.refresh()  # another process wrote the embedded store
    ids = coll.catalog.chunk_ids()
    assert len(ids) == len(set(ids)) and set(ids) == set(want)
    assert coll.vectors.ids() == set(ids) and coll.vectors.count() == len(ids)
    stored, unreadable = coll.vectors.readback(sorted(ids))
    assert unreadable == []
    chunks = coll.catalog.chunks_by_id(ids)
    expected = EMBEDDER.embed([want[i][1] for i in ids])
    for i, vector in zip(ids, expected, strict=True):
        assert chunks[i].text == want[i][1]
        assert np.allclose(stored[i][0], vector, atol=1e-5), f"{i}: not its text's vector"
    # a changed file's chunks hold its new text only, in the catalog and in dense search
    old = "first edition" if version == 2 else "second edition"
    source = {d.doc_id: d.source for d in coll.documents()}
    changed = {f"ledger-{f:02}.txt" for f in range(CHANGED)}
    assert not [i for i, c in chunks.items() if source[c.doc_id] in changed and old in c.text]
    for i, c in chunks.items():
        if source[c.doc_id] in changed:  # found first by its own text, as a clean run's is
            assert coll.search(c.text, 1, mode="dense")[0].chunk.chunk_id == i
    coll.catalog.close()


def test_sigkill_at_random_moments_then_rerun_equals_a_clean_run(
    worker: Worker, chroma_url: str | None, tmp_path: Path
) -> None:
    rng = random.Random(1300 if chroma_url is None else 1301)
    home, folder = tmp_path / "home", tmp_path / "corpus"
    name = f"crash-{uuid.uuid4().hex[:8]}"
    env = {"DOSSIER_CHROMA_URL": chroma_url} if chroma_url else {}
    argv = [str(folder), "--prune", "--home", str(home), "-c", name,
            "--embedder", "hashing", "--json"]  # fmt: skip
    wants = {}
    for version in (1, 2):
        write_version(folder, version)
        wants[version] = clean_run(folder, name)
    assert len(wants[1]) > FILES and not set(wants[1]) & set(wants[2]) - set(wants[1])

    # how long a whole first ingest takes here, in a scratch home: the kills fall within it
    probe = worker.ingest([str(folder), "--home", str(tmp_path / "probe"), "-c", f"{name}-p",
                           "--embedder", "hashing"], env, None)  # fmt: skip
    assert probe["code"] == 0
    full = float(probe["elapsed"])

    kills = update_kills = half_written = 0
    version, phase = 2, 0
    while kills < KILLS or update_kills < UPDATE_KILLS:
        phase += 1
        assert phase <= 30, f"only {kills} kills in 30 phases"
        version = 1 if version == 2 else 2
        write_version(folder, version)
        start = stored(home, name, chroma_url)
        before = start[0]  # the catalog's chunks when this round began: empty on a first ingest
        for attempt in range(2):
            # first a kill inside one of the run's ~20 store writes (a timed kill can miss
            # them all when they are a small part of the run), then one at a random moment
            # of the rerun that recovers from it; the first quarter is mostly start-up
            at_write = (rng.randint(1, 20), rng.uniform(0, 0.003)) if attempt == 0 else None
            after = None if at_write else rng.uniform(0.25, 1.0) * full
            done = worker.ingest(argv, env, kill_after=after, kill_at_write=at_write)
            if not done["killed"]:
                break  # it finished first: nothing left to interrupt in this phase
            kills += 1
            update_kills += bool(before)
            now = stored(home, name, chroma_url)
            # caught mid-write: this run changed the store and left it unlike a clean run's
            # (part of the documents swapped, or vectors beside the catalog)
            half_written += now != start and now != (set(wants[version]),) * 2
            start = now
        finished = worker.ingest(argv, env, kill_after=None)
        assert finished["code"] == 0, finished
        assert_clean(home, name, chroma_url, wants[version], version)
    assert half_written >= KILLS // 4, f"only {half_written} of {kills} kills caught a write"
