"""Briefing cost and quality on the demo corpus: time, points, redundancy, documents cited
and fact recall against the facts files of eval/briefs/. Prints JSON.

Needs the demo collection: run `dossier demo --no-answer` first (same DOSSIER_HOME).
Each topic is briefed once, in one process: the embedder's cache of sentence vectors is
shared between topics (as in a session of the app), never between runs of one topic.
Times are wall and CPU seconds of this process. On a machine whose cores other jobs keep
busy, torch's default of one thread per core oversubscribes them (measured here: 130
sentences in 17 s with 2 threads, 5.4 s with 1, at a load average of 9); ``--threads 1``
shows the cost without that.
Usage: python bench/brief_bench.py [--llm extractive,local] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

FACTS = Path(__file__).resolve().parents[1] / "eval" / "briefs"
TOPICS = {
    "federal-agency-ai": "federal agency use and procurement of artificial intelligence",
    "voluntary-commitments": "voluntary commitments from AI companies",
    "ai-education": "AI education for American youth",
}


def main() -> None:
    from dossier import wiring
    from dossier.settings import load_settings
    from eval.brief import run_brief

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--llm", default="extractive")
    ap.add_argument("--collection", default="demo")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's choice)")
    args = ap.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    s = load_settings(collection=args.collection)
    coll = wiring.open_collection(s, create=False)
    wiring.embedder(s).embed(["warm up"])  # model load is not briefing time
    out = []
    for llm in args.llm.split(","):
        extractive, writer = wiring.briefing_answerers(s, llm)
        for key, topic in TOPICS.items():
            t0, c0 = time.perf_counter(), time.process_time()
            run, brief = run_brief(coll, topic, FACTS / f"{key}.jsonl", extractive, writer)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            m = run["metrics"]
            out.append({
                "llm": llm, "topic": topic, "facts": f"eval/briefs/{key}.jsonl",
                "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
                "fact_recall": round(m["fact_recall"], 3), "points": int(m["points"]),
                "summary_points": int(m["summary_points"]), "themes": int(m["themes"]),
                "points_per_theme": round(m["points_per_theme"], 1),
                "redundancy": round(m["redundancy"], 3),
                "documents_cited": int(m["documents_cited"]),
                "documents_retrieved": int(m["documents_retrieved"]),
                "timeline_events": int(m["timeline_events"]),
                "differences": int(m["differences"]), "backend": brief.backend,
                "missing": [r["id"] for r in run["results"] if r["outcome"] == "missing"],
                "theme_names": [t.name for t in brief.themes],
            })  # fmt: skip
    load = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps({"bench": "brief", "collection": args.collection, "threads": args.threads
                      or "default", "load_average": load, "runs": out}, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
