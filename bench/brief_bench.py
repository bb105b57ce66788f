"""Briefing cost and quality on the demo corpus, extractive and with a model. Prints JSON.

Needs the demo collection: run `dossier demo --no-answer` first (same DOSSIER_HOME).
Usage: python bench/brief_bench.py [--llm extractive,local] [--topics "a;b"]
"""

from __future__ import annotations

import argparse
import json
import time

TOPICS = "federal agency use of AI;AI safety testing;voluntary commitments from AI companies"


def main() -> None:
    from dossier import wiring
    from dossier.brief import make_briefing
    from dossier.settings import load_settings

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--llm", default="extractive,local")
    ap.add_argument("--topics", default=TOPICS)
    ap.add_argument("--collection", default="demo")
    args = ap.parse_args()
    s = load_settings(collection=args.collection)
    wiring.embedder(s).embed(["warm up"])  # model load is not briefing time
    out = []
    for llm in args.llm.split(","):
        for topic in args.topics.split(";"):
            t0 = time.perf_counter()
            brief, _ = make_briefing(s, topic, None, llm, quiet=True)
            secs = time.perf_counter() - t0
            points = brief.points()
            out.append({
                "llm": llm, "topic": topic, "seconds": round(secs, 1),
                "covered": brief.covered, "backend": brief.backend,
                "points": len(points),
                "supported_share": round(sum(p.supported for p in points) / len(points), 3)
                if points else 0.0,
                "documents_cited": len(brief.cited_docs),
                "documents_retrieved": len(brief.retrieved_docs),
                "timeline_events": len(brief.timeline), "gaps": len(brief.gaps),
                "notes": list(brief.notes),
            })  # fmt: skip
    print(json.dumps({"bench": "brief", "collection": args.collection, "runs": out}, indent=2))


if __name__ == "__main__":
    main()
