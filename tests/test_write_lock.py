"""One writer at a time per data folder, and readers that see other processes' writes.

Real ``dossier ingest`` processes against the embedded store and a ``chroma run`` server:
two at once leave every chunk findable by dense search with its own text (before the lock,
3.5% to 23% were not, and Chroma could not read back hundreds of vectors); a second writer
waits and says for whom; a long-lived reader finds what another process added without a
restart, and while another process writes it answers with a warning instead of crashing.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from corpus.chunker import ChunkerConfig
from corpus.errors import BusyError
from index.check import check
from index.collection import Collection
from index.dense import COLD_WHILE_WRITING, WRITER_ELSEWHERE
from index.embedder import Embedder, HashingBackend
from index.lock import WriteLock
from tests.conftest import FIXTURE_CORPUS
from tests.crash_worker import Worker
from tests.test_check import write_corpus

ROOT = Path(__file__).resolve().parents[1]
EMBEDDER = Embedder(HashingBackend())


def environment(home: Path, url: str | None) -> dict[str, str]:
    return {"DOSSIER_HOME": str(home), **({"DOSSIER_CHROMA_URL": url} if url else {})}


def ingest_argv(folder: Path, name: str) -> list[str]:
    return ["ingest", str(folder), "-c", name, "--embedder", "hashing"]


def unique(url: str | None) -> str:
    """A collection name of this test alone (the server is shared by every test)."""
    return "notes" if url is None else f"notes-{uuid.uuid4().hex[:8]}"


def open_store(home: Path, name: str, url: str | None) -> Collection:
    return Collection(home, name, EMBEDDER, ChunkerConfig(), chroma_url=url, create=False)


def lock_path(home: Path, name: str, url: str | None) -> Path:
    return home / "chroma.lock" if url is None else home / "collections" / name / "write.lock"


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    w = Worker(tmp_path_factory.mktemp("writers") / "worker.log")
    yield w
    w.close()


@contextmanager
def held_elsewhere(path: Path, what: str) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the write lock at ``path`` for ``what`` until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pathlib import Path\n"
         "from index.lock import WriteLock\n"
         f"with WriteLock(Path({str(path)!r})).write({what!r}):\n"
         "    print('held', flush=True); time.sleep(60)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def generation(home: Path, name: str) -> int:
    path = home / "collections" / name / "catalog.sqlite"
    if not path.exists():
        return 0
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as db:
        try:
            row = db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        except sqlite3.OperationalError:  # made, but its tables not yet
            return 0
    return int(row[0]) if row else 0


def test_concurrent_ingests_take_turns_and_leave_every_chunk_findable(
    worker: Worker, chroma_url: str | None, tmp_path: Path
) -> None:
    """Issue 13: two ingests at once left chunks dense search never found. The second and
    third start while the first is writing (its catalog has moved), wait for it, say so."""
    home, name = tmp_path / "home", unique(chroma_url)
    env = environment(home, chroma_url)
    a = write_corpus(tmp_path / "a", "alpha", 60, paragraphs=10)
    b = write_corpus(tmp_path / "b", "beta", 20, paragraphs=10)
    logs = [tmp_path / f"{k}.err" for k in ("first", "second", "third")]

    def start(folder: Path, log: Path) -> int:
        return worker.start(ingest_argv(folder, name), env, log)

    first = start(a, logs[0])
    deadline = time.monotonic() + 120
    while generation(home, name) < 2:  # its first documents are stored: it is writing
        assert time.monotonic() < deadline, logs[0].read_text()
        time.sleep(0.01)
    others = [start(b, logs[1]), start(a, logs[2])]
    codes = [worker.wait(pid) for pid in (first, *others)]
    said = [log.read_text() if log.exists() else "" for log in logs]
    assert codes == [0, 0, 0], said
    # who waited for whom depends on timing (the first may be done before the others
    # start): test_a_second_writer_waits_and_says_for_whom checks the message itself
    coll = open_store(home, name, chroma_url)
    coll.vectors.refresh()
    assert len(coll.documents()) == 80
    report = check(coll, sample=len(coll.catalog.chunk_ids()))  # every chunk searched for
    assert report.ok, report.to_dict()


def test_a_second_writer_waits_and_says_for_whom(
    worker: Worker, chroma_url: str | None, tmp_path: Path
) -> None:
    home, name = tmp_path / "home", unique(chroma_url)
    env, argv = environment(home, chroma_url), ingest_argv(FIXTURE_CORPUS, name)
    assert worker.ingest(argv[1:], env, None)["code"] == 0
    log = tmp_path / "second.err"
    with WriteLock(lock_path(home, name, chroma_url)).write("hold it for the test"):
        gen = generation(home, name)
        second = worker.start(argv, env, log)
        deadline = time.monotonic() + 60
        while "waiting" not in (log.read_text() if log.exists() else ""):
            assert time.monotonic() < deadline, "no message"
            time.sleep(0.05)
        said = log.read_text()
        assert f"waiting for another writer to finish (pid {os.getpid()}: hold it" in said
        time.sleep(0.5)
        assert generation(home, name) == gen  # it has written nothing
    assert worker.wait(second) == 0, log.read_text()


def test_a_writer_told_not_to_wait_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "write.lock"
    lock = WriteLock(path)
    with held_elsewhere(path, "ingest (notes)") as holder:
        assert lock.busy()
        refused = pytest.raises(BusyError, match=f"pid {holder.pid}: ingest \\(notes\\)")
        with refused, lock.write("remove a document", wait=False):
            pass
    with lock.write("remove a document", wait=False):  # the kernel freed it with the process
        assert lock.held_here and WriteLock(path).busy()


def test_a_long_lived_reader_sees_another_process_write(
    worker: Worker, chroma_url: str | None, tmp_path: Path
) -> None:
    """The app keeps a collection open for hours: what `dossier ingest` adds meanwhile is
    found by dense search without a restart (an embedded engine kept its old index)."""
    home, name = tmp_path / "home", unique(chroma_url)
    env = environment(home, chroma_url)
    folder = write_corpus(tmp_path / "docs", "alpha", 2)
    assert worker.ingest(ingest_argv(folder, name)[1:], env, None)["code"] == 0
    reader = open_store(home, name, chroma_url)
    assert reader.search("alpha record", 3, mode="dense")  # loaded, warm
    more = write_corpus(tmp_path / "more", "gamma", 1)
    assert worker.ingest(ingest_argv(more, name)[1:], env, None)["code"] == 0
    added = [c for c in reader.catalog.iter_chunks() if "gamma" in c.text]
    assert added
    for chunk in added:
        hits = reader.search(chunk.text, 1, mode="dense")
        assert hits and hits[0].chunk.chunk_id == chunk.chunk_id
    assert reader.warnings() == []


def test_a_reader_while_another_process_writes_is_warned_not_crashed(
    worker: Worker, tmp_path: Path
) -> None:
    """An embedded store's files must not be loaded while another process writes them
    (chromadb crashed with SIGSEGV doing so): a cold reader answers from BM25 alone and a
    warm one from the index it has, each with a warning."""
    home = tmp_path / "home"
    env = environment(home, None)
    assert worker.ingest(ingest_argv(FIXTURE_CORPUS, "default")[1:], env, None)["code"] == 0
    warm = open_store(home, "default", None)
    assert warm.search("desalination plant", 3, mode="dense") and warm.warnings() == []
    with held_elsewhere(home / "chroma.lock", "ingest (default)"):
        assert warm.search("desalination plant", 3, mode="dense")
        assert warm.warnings() == [WRITER_ELSEWHERE]
        warm.vectors.refresh()  # as if this process had just started: a cold engine
        hits = warm.search("desalination plant", 3)
        assert hits and all(h.dense_rank is None for h in hits)  # BM25 alone
        assert warm.warnings() == [COLD_WHILE_WRITING]
    assert warm.search("desalination plant", 3, mode="dense") and warm.warnings() == []


def test_the_apps_ingest_waits_for_another_writer_and_says_so(dossier_home: Path) -> None:
    """Issue 13 item 9: an ingest in the app while another process writes the collection
    waits for the lock, and its progress line says for whom."""
    import threading

    from dossier.web.engine import Engine

    engine = Engine("notes", embedding={"name": "hashing"})
    said: list[str] = []
    done: list[object] = []
    with held_elsewhere(dossier_home / "chroma.lock", "ingest (notes)") as holder:
        app = threading.Thread(
            target=lambda: done.append(
                engine.ingest("notes", [FIXTURE_CORPUS], lambda i, n, text: said.append(text))
            )
        )
        app.start()
        deadline = time.monotonic() + 60
        while not any("waiting for another writer" in s for s in said):
            assert time.monotonic() < deadline, said
            time.sleep(0.05)
        assert any(f"pid {holder.pid}: ingest (notes)" in s for s in said)
        assert not done and engine.collection("notes").catalog.counts() == (0, 0)
    app.join(60)
    assert done and engine.collection("notes").catalog.counts()[0] == 5
