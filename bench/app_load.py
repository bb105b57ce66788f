"""Many users at once: simulated users asking through the /ask API of a real `dossier ui`
on loopback, once quiet and once while folder ingests run through the app.

A temporary DOSSIER_HOME gets the demo corpus (corpus/samples/whitehouse-ai) in the
collection 'load'; `dossier ui` serves it with --allow-folder on a scratch folder. Each user
asks the demo questions in turn (its own order), one after another, through
/gradio_api/call/ask, for --seconds. In the second phase the app's folder box (the same
queue event the page fires) ingests copies of the --data folder (default
../shared/data/whitehouse-ai, 205 files) into the same collection, one copy after the
other under a fresh folder name, so every file is new; only questions asked while an
ingest runs count. Reported per phase: requests, failures, p50/p95 (eval.metrics.percentile)
and the ingests' files and times; the targets are zero failures and a p95 during the
ingests within 3x of the quiet p95.

Usage: python bench/app_load.py [--seconds 120] [--users 20] [--embedder minilm|hashing]
       [--data DIR] [-o bench/reports/app-load.json]
The server and the temporary folder are removed on exit, also on errors and Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from dossier.commands import demo_questions  # noqa: E402
from eval.metrics import percentile  # noqa: E402
from tests.app_client import ask, run_event  # noqa: E402
from tests.ui_helpers import CLI, app_env, serving  # noqa: E402

SAMPLES = ROOT / "corpus" / "samples"
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "whitehouse-ai"
COLLECTION = "load"


def say(text: str) -> None:
    print(f"[app_load] {text}", file=sys.stderr, flush=True)


def questions() -> list[str]:
    asked = demo_questions()
    qa = SAMPLES / "whitehouse-ai-qa.jsonl"
    if qa.exists():
        asked += [json.loads(x)["question"] for x in qa.read_text(encoding="utf-8").splitlines()
                  if x.strip()]  # fmt: skip
    return list(dict.fromkeys(asked))


class Recorder:
    """(start, seconds, ok, error) of every request; ``counting`` says whether a request
    started now counts (in the ingest phase: only while an ingest runs)."""

    def __init__(self) -> None:
        self.rows: list[tuple[float, float, bool, str]] = []
        self.lock = threading.Lock()
        self.counting = threading.Event()
        self.counting.set()

    def add(self, start: float, seconds: float, ok: bool, error: str) -> None:
        with self.lock:
            self.rows.append((start, seconds, ok, error))

    def summary(self, seconds: float) -> dict[str, Any]:
        times = [s * 1000 for _, s, ok, _ in self.rows if ok]
        errors = sorted({e for *_, ok, e in self.rows if not ok})
        return {
            "requests": len(self.rows),
            "failures": sum(1 for *_, ok, _ in self.rows if not ok),
            "p50_ms": round(percentile(times, 50)) if times else None,
            "p95_ms": round(percentile(times, 95)) if times else None,
            "max_ms": round(max(times)) if times else None,
            "per_s": round(len(self.rows) / seconds, 1) if seconds else None,
            "errors": errors[:5],
        }


def user(base: str, asked: list[str], seed: int, until: float, rec: Recorder) -> None:
    order = asked[:]
    random.Random(seed).shuffle(order)
    with httpx.Client(timeout=600) as http:
        i = 0
        while time.monotonic() < until:
            q = order[i % len(order)]
            i += 1
            counted = rec.counting.is_set()
            t0 = time.monotonic()
            try:
                answer = ask(http, base, q, COLLECTION)
                ok, error = bool(answer.get("answer")), "" if answer.get("answer") else "empty"
            except Exception as exc:  # every failure is a result here, not a crash
                ok, error = False, f"{type(exc).__name__}: {exc}"[:200]
            if counted and rec.counting.is_set():
                rec.add(t0, time.monotonic() - t0, ok, error)


def run_users(base: str, n: int, seconds: float, rec: Recorder) -> float:
    asked = questions()
    start = time.monotonic()
    until = start + seconds
    threads = [threading.Thread(target=user, args=(base, asked, i, until, rec), daemon=True)
               for i in range(n)]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - start


def ingests(base: str, data: Path, scratch: Path, stop: threading.Event, rec: Recorder,
            log: list[dict[str, Any]]) -> None:  # fmt: skip
    """Folder ingests through the app, one after the other, until ``stop``; questions
    count only while one runs."""
    n = 0
    with httpx.Client(timeout=3600) as http:
        while not stop.is_set():
            n += 1
            folder = scratch / f"batch-{n}"
            shutil.copytree(data, folder / data.name)  # a fresh path: every file is new
            rec.counting.set()
            t0 = time.monotonic()
            try:
                values = {"folder": str(folder), "collection": COLLECTION}
                done = run_event(http, base, "ingest-folder", values)
            except httpx.HTTPError:
                if stop.is_set():
                    return  # the app stopped at the end of the phase, mid-ingest
                raise
            rec.counting.clear()
            log.append({"seconds": round(time.monotonic() - t0, 1),
                        "success": bool(done.get("success")),
                        "files": sum(1 for p in folder.rglob("*") if p.is_file())})  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=120, help="per phase (default 120)")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--embedder", default="minilm", choices=["minilm", "hashing"])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder ingested meanwhile")
    ap.add_argument("-o", "--output", type=Path, help="also write the JSON here")
    args = ap.parse_args()
    if not args.data.is_dir():
        sys.exit(f"no such folder: {args.data} (give --data DIR)")
    tmp = Path(tempfile.mkdtemp(prefix="dossier-load-"))
    try:
        home, scratch = tmp / "home", tmp / "incoming"
        scratch.mkdir()
        env = app_env(home, DOSSIER_EMBEDDING__NAME=args.embedder)
        t0 = time.monotonic()
        subprocess.run([*CLI, "ingest", str(SAMPLES / "whitehouse-ai"), "-c", COLLECTION],
                       env=env, check=True, capture_output=True)  # fmt: skip
        base_ingest_s = time.monotonic() - t0
        base_docs = count_documents(env)
        say(f"{base_docs} documents ingested in {base_ingest_s:.0f} s; starting the app")
        ui_args = ["--collection", COLLECTION, "--allow-folder", str(scratch)]
        with serving(ui_args, env, tmp / "app.log", timeout=300) as base:
            with httpx.Client(timeout=600) as http:  # warm: the first answer loads caches
                ask(http, base, questions()[0], COLLECTION)
            quiet = Recorder()
            say(f"quiet: {args.users} users for {args.seconds:.0f} s")
            quiet_s = run_users(base, args.users, args.seconds, quiet)
            busy, log, stop = Recorder(), [], threading.Event()
            busy.counting.clear()
            feeder = threading.Thread(target=ingests, args=(base, args.data, scratch, stop,
                                                            busy, log), daemon=True)  # fmt: skip
            feeder.start()
            while not busy.counting.is_set():
                time.sleep(0.05)
            say(f"while ingesting: {args.users} users for {args.seconds:.0f} s")
            busy_s = run_users(base, args.users, args.seconds, busy)
            stop.set()  # an ingest still running ends with the app: it is not waited for
            docs = count_documents(env)
        result = report(args, base_ingest_s, quiet.summary(quiet_s), busy.summary(busy_s), log)
        result["during_ingest"]["documents_before_and_after"] = [base_docs, docs]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    text = json.dumps(result, indent=2)
    print(text)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    return 0


def count_documents(env: dict[str, str]) -> int:
    """Documents in the collection now (read by another process, as the CLI would)."""
    out = subprocess.run([*CLI, "documents", "-c", COLLECTION, "--json"], env=env,
                         capture_output=True, text=True, check=True)  # fmt: skip
    return len(json.loads(out.stdout))


def report(args: argparse.Namespace, base_ingest_s: float, quiet: dict[str, Any],
           busy: dict[str, Any], log: list[dict[str, Any]]) -> dict[str, Any]:  # fmt: skip
    ratio = busy["p95_ms"] / quiet["p95_ms"] if quiet["p95_ms"] and busy["p95_ms"] else None
    return {
        "bench": "app_load",
        "users": args.users,
        "seconds_per_phase": args.seconds,
        "embedder": args.embedder,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "base_corpus": "corpus/samples/whitehouse-ai",
        "base_ingest_s": round(base_ingest_s, 1),
        "quiet": quiet,
        "during_ingest": {**busy, "ingests_finished": log, "ingested_from": str(args.data)},
        "p95_during_ingest_over_quiet": round(ratio, 2) if ratio else None,
        "targets": {
            "zero_failures": quiet["failures"] == 0 and busy["failures"] == 0,
            "p95_within_3x": ratio is not None and ratio <= 3.0,
        },
    }


if __name__ == "__main__":
    sys.exit(main())
