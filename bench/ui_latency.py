"""Chat latency as a user sees it: the real app in headless Chromium over the demo corpus.

Ingests corpus/samples/whitehouse-ai into a temporary DOSSIER_HOME with the real MiniLM
embedder (`dossier demo --no-answer`, a few minutes on a laptop CPU), starts `dossier ui`
on a free loopback port, and asks 20 questions through the chat box: the 12 of
corpus/samples/whitehouse-ai-questions.txt and 8 more about the same corpus. Each question
goes into a NEW conversation by default (no follow-up rewriting; --same-conversation keeps
one). In the page, ``performance.now()`` runs from the Enter keydown to the first streamed
answer text and to the complete, checked answer (the final answer with its source cards).

Prints JSON. Usage: python bench/ui_latency.py [--same-conversation] [--warmup N] [--llm NAME]
Needs Debian's Chromium (/usr/bin/chromium) and Playwright for Python (no `playwright install`).
The server process and the temporary folder are removed on exit, also on errors and Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the browser harness is shared with the tests

from dossier.commands import demo_questions  # noqa: E402
from tests.ui_helpers import CHROMIUM, CLI, app_env, app_page, chromium, serving, timed_ask  # noqa: E402

OWN_QUESTIONS = [
    "How many comments did the American public submit on the White House AI Action Plan?",
    "What is the Presidential AI Challenge launched by First Lady Melania Trump?",
    "What is the AI Cyber Challenge launched in August 2023?",
    "What did the G7 leaders' statement on the Hiroshima AI Process welcome?",
    "What did the UN General Assembly resolution on artificial intelligence in March 2024 do?",
    "How many organizations signed the White House pledge to invest in AI education?",
    "What steps did the administration take in May 2024 to protect workers from AI risks?",
    "What does the executive order on pediatric cancer and artificial intelligence direct?",
]


def questions() -> list[str]:
    return demo_questions() + OWN_QUESTIONS


def summary(values: list[float]) -> dict[str, float]:
    from eval.metrics import percentile

    return {"p50": round(percentile(values, 50), 1), "p95": round(percentile(values, 95), 1),
            "min": round(min(values), 1), "max": round(max(values), 1)}  # fmt: skip


def device() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        import torch

        accel = f"cuda ({torch.cuda.get_device_name(0)})" if torch.cuda.is_available() else "cpu"
        where = f"; torch {torch.__version__} on {accel}, {torch.get_num_threads()} threads"
    except ImportError:
        where = ""
    return f"{model}, {cores} usable cores{where}; {platform.system()} {platform.release()}"


def ask_all(url: str, qs: list[str], same: bool, warmup: int) -> tuple[list[dict[str, Any]], str]:
    rows: list[dict[str, Any]] = []
    with chromium() as browser, app_page(browser, url, timeout_ms=120_000) as page:
        backend = str(page.inner_text("#backend-status")).strip()
        for i, q in enumerate([*qs[:warmup], *qs]):
            if i and not same:
                page.click("#new-conv")
                page.wait_for_function("!document.querySelector('#chat .answer')",
                                       timeout=30_000)  # fmt: skip
            r = timed_ask(page, q, timeout_ms=180_000)
            if i < warmup:
                continue
            answer = page.locator("#chat .answer.final").last.inner_text()
            rows.append({"question": q, "first_text_ms": round(r["first_ms"], 1),
                         "complete_ms": round(r["complete_ms"], 1),
                         "source_cards": r["cards"], "answer": answer[:160]})  # fmt: skip
    return rows, backend


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--same-conversation", action="store_true",
                    help="ask all in one conversation (default: a new one each)")  # fmt: skip
    ap.add_argument("--warmup", type=int, default=0,
                    help="untimed questions first (default 0: all are timed)")  # fmt: skip
    ap.add_argument("--llm", help="answer backend (default: the app's, extractive)")
    ap.add_argument("--rows", action="store_true", help="include every question's timings")
    args = ap.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install -y chromium")

    home = Path(tempfile.mkdtemp(prefix="dossier-ui-latency-"))
    env = app_env(home, GRADIO_TEMP_DIR=str(home / "tmp"))
    if args.llm:
        env["DOSSIER_LLM__BACKEND"] = args.llm
    try:
        t = time.perf_counter()
        subprocess.run([*CLI, "demo", "--no-answer", "--home", str(home)], env=env, check=True,
                       cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
        ingest_s = time.perf_counter() - t
        t = time.perf_counter()
        ui_args = ["--collection", "demo", "--home", str(home)]
        with serving(ui_args, env, home / "ui.log", timeout=300, cwd=ROOT) as url:
            startup_s = time.perf_counter() - t
            rows, backend = ask_all(url, questions(), args.same_conversation, args.warmup)
    except subprocess.CalledProcessError as err:
        sys.exit(f"ingest failed ({err.returncode}): {err.stderr.decode(errors='replace')[-2000:]}")
    finally:
        shutil.rmtree(home, ignore_errors=True)

    first = [r["first_text_ms"] for r in rows]
    complete = [r["complete_ms"] for r in rows]
    out: dict[str, Any] = {
        "questions": len(rows),
        "conversation": "same" if args.same_conversation else "new per question",
        "first_text_ms": summary(first),
        "complete_ms": summary(complete),
        "first_question": {k: rows[0][k] for k in ("first_text_ms", "complete_ms")},
        "with_source_cards": sum(1 for r in rows if r["source_cards"]),
        "backend": backend,
        "embedder": "minilm (all-MiniLM-L6-v2)",
        # `dossier ui` embeds a warm-up string before it opens its port (Engine.warm_up), so
        # the model is loaded before the first question; --warmup N also runs N questions
        "embedder_warm": True,
        "warmup_questions": args.warmup,
        "ingest_s": round(ingest_s, 1),
        "server_start_s": round(startup_s, 1),
        "device": device(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "measured": "performance.now() in the page, from the Enter keydown to the first "
        "answer text and to the final answer with its source cards",
    }
    if args.rows:
        out["rows"] = rows
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
