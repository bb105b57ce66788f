"""Ingest and query costs on the demo corpus, in a throwaway DOSSIER_HOME. Prints JSON.

Measures: first ingest (read, chunk, embed, store), re-ingest of the unchanged folder,
search and ask latency p50/p95 over the sample questions, and peak memory.
"""

from __future__ import annotations

import json
import os
import resource
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpus" / "samples" / "whitehouse-ai"


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        from dossier import wiring
        from dossier.commands import demo_questions
        from dossier.settings import load_settings
        from eval.metrics import percentile
        from index.ingest import ingest

        s = load_settings(home=home, collection="bench")
        t0 = time.perf_counter()
        coll = wiring.open_collection(s)
        coll.embedder.embed(["warm up"])
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        first = ingest(coll, [DEMO])
        first_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        second = ingest(coll, [DEMO])
        second_s = time.perf_counter() - t0
        docs, chunks = coll.catalog.counts()
        chars = sum(len(c.text) for c in coll.catalog.iter_chunks())
        helper = wiring.assistant(s, coll)
        questions = demo_questions()
        helper.search(questions[0])  # builds and caches BM25
        search_ms, ask_ms, answered = [], [], 0
        for q in questions:
            t = time.perf_counter()
            helper.search(q, 10)
            search_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            answered += helper.ask(q).answered
            ask_ms.append((time.perf_counter() - t) * 1000)
        print(json.dumps({
            "bench": "ingest", "documents": docs, "chunks": chunks, "chunk_chars": chars,
            "model_load_s": round(load_s, 2),
            "first_ingest_s": round(first_s, 2), "chunks_per_s": round(chunks / first_s, 1),
            "reingest_unchanged_s": round(second_s, 2),
            "first_counts": first.counts(), "second_counts": second.counts(),
            "search_p50_ms": round(percentile(search_ms, 50), 1),
            "search_p95_ms": round(percentile(search_ms, 95), 1),
            "ask_p50_ms": round(percentile(ask_ms, 50), 1),
            "ask_p95_ms": round(percentile(ask_ms, 95), 1),
            "questions": len(questions), "answered": answered,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
