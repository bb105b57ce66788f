"""Many users at once (issue 11, item 8): questions run side by side, writes one at a time
beside them, and neither waits for the other; readers see the last committed state, and a
running app sees what another process ingested (issue 13). bench/app_load.py measures it."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from corpus.types import Chunk
from dossier.web.engine import Engine
from index.bm25 import Bm25Index
from index.collection import Collection
from index.ingest import ingest
from index.model_turns import ModelTurns
from tests.app_client import ask, run_event
from tests.conftest import FIXTURE_CORPUS
from tests.ui_helpers import CLI, app_env, serving

QUESTION = "When did the council approve the desalination plant?"


def write_files(folder: Path, n: int, words: str = "alpha") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = " ".join(f"{words}{i} sentence number {j} about topic {i % 7}." for j in range(40))
        (folder / f"note-{i:03}.md").write_text(f"# Note {i}\n\n{body}\n", encoding="utf-8")
    return folder


def handler(fn: Any) -> Callable[..., Any]:
    """The function behind an event (Gradio keeps the partial the tab registered)."""
    inner = fn.func if isinstance(fn, partial) else fn
    return getattr(inner, "__wrapped__", inner)


def test_questions_share_a_wide_group_and_writes_a_narrow_one() -> None:
    """Every handler shared one group of limit 1: one user's ingest or evaluation held up
    every other user's question (59.7 s behind a local question, ~159 s behind an ingest)."""
    from dossier.web import app, chat, evaluation, library

    engine = Engine("test", embedding={"name": "hashing"})
    demo = app.build(engine)
    demo.queue(default_concurrency_limit=6)
    groups: dict[str, set[tuple[str | None, Any]]] = {}
    for fn in demo.fns.values():
        name = handler(fn.fn).__name__ if fn.fn else ""
        groups.setdefault(name, set()).add((fn.concurrency_id, fn.concurrency_limit))
    for name in ("respond", "ask", "generate"):  # chat, the API, briefings
        assert groups[name] == {("questions", "default")}, (name, groups[name])
    for name in ("ingest_uploads", "ingest_folder", "remove", "run"):  # run: evaluation
        assert groups[name] == {("writes", 1)}, (name, groups[name])
    # a citation click waits for neither group
    assert all(cid not in ("questions", "writes") for cid, _ in groups["show_source"])
    assert {handler(f) for f in (chat.respond, library.remove, evaluation.run)} <= set(
        handler(fn.fn) for fn in demo.fns.values() if fn.fn
    )
    limits = {q.concurrency_id: q.concurrency_limit
              for q in demo._queue.event_queue_per_concurrency_id.values()}  # fmt: skip
    if limits:  # filled when the server starts; the rule it applies is checked above
        assert limits.get("questions") == 6 and limits.get("writes") == 1


def test_readers_see_the_last_committed_state_while_a_write_is_open(make_collection) -> None:  # type: ignore[no-untyped-def]
    """One SQLite connection was shared by every thread: a question asked while an ingest
    held its transaction open read the half-written document."""
    coll: Collection = make_collection()
    ingest(coll, [FIXTURE_CORPUS])
    before = {d.doc_id: d.n_chunks for d in coll.documents()}
    victim = coll.catalog.document(next(iter(before)))
    assert victim is not None
    opened, release = threading.Event(), threading.Event()

    def slow_chunks() -> Iterator[Chunk]:
        opened.set()  # the transaction is open and the old chunks are deleted in it
        release.wait(30)
        yield from ()

    writer = threading.Thread(target=coll.catalog.replace_document,
                              args=(victim, "/x", slow_chunks()))  # fmt: skip
    writer.start()
    try:
        assert opened.wait(30)
        t0 = time.monotonic()
        assert {d.doc_id: d.n_chunks for d in coll.documents()} == before
        assert coll.search(victim.title, k=3, mode="bm25")
        assert time.monotonic() - t0 < 5  # not blocked by the writer
    finally:
        release.set()
        writer.join(30)
    assert coll.catalog.document_info(victim.doc_id).n_chunks == 0  # type: ignore[union-attr]


def test_one_bm25_rebuild_while_readers_keep_answering(make_collection, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    coll: Collection = make_collection()
    ingest(coll, [FIXTURE_CORPUS])
    coll.bm25()
    builds: list[int] = []
    real = Bm25Index.updated

    def counted(self: Bm25Index, *args: Any) -> Bm25Index:
        builds.append(1)
        time.sleep(0.5)  # a slow update: others must not wait for it, nor repeat it
        return real(self, *args)

    monkeypatch.setattr(Bm25Index, "updated", counted)
    ingest(coll, [write_files(coll.home / "more", 2)])  # the generation moves
    results: list[int] = []
    errors: list[BaseException] = []

    def search() -> None:
        try:
            results.append(len(coll.search("desalination plant", k=3, mode="bm25")))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=search) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and len(results) == 8 and all(results)
    assert builds == [1]
    assert coll.search("alpha1 sentence", k=1, mode="bm25")[0].document.source == "note-001.md"


def test_dense_search_sees_another_process_ingest(dossier_home: Path, tmp_path: Path) -> None:
    """A document added by `dossier ingest` while the app ran was found by BM25 but not by
    dense search until a restart: an embedded Chroma keeps its vector index in memory."""
    engine = Engine("test", embedding={"name": "hashing"})

    def cli_ingest(folder: Path) -> None:
        subprocess.run([*CLI, "ingest", str(folder), "-c", "test", "--embedder", "hashing"],
                       check=True, capture_output=True)  # fmt: skip

    cli_ingest(FIXTURE_CORPUS)
    coll = engine.collection("test")
    assert coll.search("zebras gallop savannah", k=3, mode="dense")  # the index is loaded
    zebra = tmp_path / "later"
    zebra.mkdir()
    (zebra / "zebras.md").write_text("# Zebras\n\nZebras gallop across the savannah at dusk.\n")
    cli_ingest(zebra)
    for mode in ("dense", "hybrid", "bm25"):
        top = coll.search("zebras gallop savannah", k=1, mode=mode)
        assert top[0].document.source == "zebras.md", mode
    answer = engine.answer("Where do zebras gallop?", "test", "extractive")
    assert any(c["source"] == "zebras.md" for c in answer["citations"])


def test_the_app_says_when_dense_search_is_behind(dossier_home: Path) -> None:
    """Dense search never fails silently: /ask carries `ask --json`'s warnings and the chat
    shows them under the question box."""
    from dossier.web.chat import respond

    engine = Engine("test", embedding={"name": "hashing"})
    ingest(engine.collection("test", create=True), [FIXTURE_CORPUS])
    question = "When was the desalination plant approved?"
    assert engine.answer(question, "test", "extractive")["warnings"] == []
    coll = engine.collection("test")
    coll.vectors.delete(coll.catalog.chunk_ids()[:3])
    warnings = engine.answer(question, "test", "extractive")["warnings"]
    assert any("3 of" in w and "dossier check --repair" in w for w in warnings), warnings
    last = list(respond(engine, question, [], None, "test", "extractive", None))[-1]
    assert last[0] == "" and "note-box warn" in last[-1] and "dossier check --repair" in last[-1]


def test_a_question_goes_before_an_ingest_batch_at_the_model() -> None:
    """The embedder is one model: an ingest's next batch lets a waiting question go first."""
    turns = ModelTurns(patience=5.0)
    order: list[str] = []
    release = threading.Event()

    def call(name: str, background: bool, hold: bool = False) -> None:
        with turns.background() if background else contextlib.nullcontext(), turns.turn():
            order.append(name)
            if hold:
                release.wait(10)

    first = threading.Thread(target=call, args=("batch 1", True, True))
    first.start()
    while order != ["batch 1"]:
        time.sleep(0.01)
    later = [threading.Thread(target=call, args=("batch 2", True)),
             threading.Thread(target=call, args=("question", False))]  # fmt: skip
    for t in later:
        t.start()
        time.sleep(0.1)  # the batch waits first
    release.set()
    for t in [first, *later]:
        t.join(10)
    assert order == ["batch 1", "question", "batch 2"]


def test_an_ingest_batch_waits_at_most_its_patience() -> None:
    """Questions without end must not stop an ingest: past its patience, a batch goes next."""
    turns = ModelTurns(patience=0.2)
    stop = threading.Event()

    def asker() -> None:
        while not stop.is_set():
            with turns.turn():
                time.sleep(0.005)

    askers = [threading.Thread(target=asker) for _ in range(4)]
    for t in askers:
        t.start()
    time.sleep(0.05)
    t0 = time.monotonic()
    with turns.background(), turns.turn():
        waited = time.monotonic() - t0
    stop.set()
    for t in askers:
        t.join(5)
    assert 0.15 < waited < 1.0


@pytest.mark.model
def test_the_shared_minilm_answers_many_threads_at_once(minilm) -> None:  # type: ignore[no-untyped-def]
    """One embedder serves every session: 40 threads embedding and measuring chunk lengths
    at once (questions beside an ingest) get exactly the vectors one thread gets, and no
    error (a shared fast tokenizer can raise 'Already borrowed', tokenizers#537)."""
    texts = [
        f"Question {i} about the executive order on artificial intelligence." for i in range(40)
    ]
    alone = minilm.embed(texts)
    minilm._cache.clear()
    errors: list[BaseException] = []
    got: dict[int, Any] = {}

    def work(i: int) -> None:
        try:
            for _ in range(5):
                minilm.fits(texts[i] * 30)  # a long text: the tokenizer, without truncation
                got[i] = minilm.embed([texts[i], texts[(i + 1) % 40]])[0]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    for i, vec in got.items():
        assert float(vec @ alone[i]) > 0.999


def test_a_question_does_not_wait_for_an_ingest(tmp_path: Path) -> None:
    """Through the real server: a folder ingest runs through the page's queue event while
    /ask questions are answered, each well before the ingest ends."""
    home, incoming = tmp_path / "home", write_files(tmp_path / "incoming", 400)
    env = app_env(home, DOSSIER_EMBEDDING__NAME="hashing")
    subprocess.run([*CLI, "ingest", str(FIXTURE_CORPUS), "-c", "test"], env=env, check=True,
                   capture_output=True)  # fmt: skip
    args = ["--collection", "test", "--allow-folder", str(incoming)]
    with serving(args, env, tmp_path / "app.log") as base, httpx.Client(timeout=120) as http:
        ask(http, base, QUESTION, "test")  # warm
        done: dict[str, Any] = {}

        def feed() -> None:
            with httpx.Client(timeout=600) as h:
                done.update(run_event(h, base, "ingest-folder",
                                      {"folder": str(incoming), "collection": "test"}))  # fmt: skip
                done["at"] = time.monotonic()

        feeder = threading.Thread(target=feed)
        feeder.start()
        asked: list[tuple[float, float]] = []
        deadline = time.monotonic() + 300
        while "at" not in done and time.monotonic() < deadline:
            t0 = time.monotonic()
            answer = ask(http, base, QUESTION, "test")
            assert answer["answer"]
            asked.append((t0, time.monotonic()))
        feeder.join(600)
        assert done.get("success"), done
        during = [(a, b) for a, b in asked if b < done["at"]]
        assert len(during) >= 3, (asked, done)  # several answers while the ingest still ran
        assert max(b - a for a, b in during) < 15
    docs = subprocess.run([*CLI, "documents", "-c", "test", "--json"], env=env,
                             capture_output=True, text=True, check=True)  # fmt: skip
    assert docs.stdout.count("note-") == 400


def test_the_ui_flags(tmp_path: Path) -> None:
    from dossier.cli import build_parser

    args = build_parser().parse_args(["ui", "--allow-folder", str(tmp_path), "--allow-folder",
                                      "/srv/papers", "--allow-host", "dossier.example",
                                      "--concurrency", "3"])  # fmt: skip
    assert args.allow_folder == [tmp_path, Path("/srv/papers")]
    assert (args.allow_host, args.concurrency) == (["dossier.example"], 3)
    bad = subprocess.run([sys.executable, "-m", "dossier.cli", "ui", "--concurrency", "0"],
                         capture_output=True, text=True)  # fmt: skip
    assert bad.returncode == 2 and "--concurrency must be at least 1" in bad.stderr
