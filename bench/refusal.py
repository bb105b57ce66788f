"""Refusal measured: questions the corpus cannot answer, and how ``answer.min_evidence`` trades
refusing them against wrongly refusing answerable ones.

    .venv/bin/python bench/refusal.py [--home .dossier-home] [--demo-home HOME] [--hotpot 50]
        [--output bench/reports/refusal.json]

The set: hotpotqa-100 questions against the demo corpus (White House AI documents) and the
demo questions (``corpus/samples/whitehouse-ai-qa.jsonl``) against the hotpotqa corpus are
unanswerable; the same questions against their own corpus are answerable. Each question is
retrieved as users get it (hybrid search) and its candidate sentences scored by the extractive
answerer; it refuses exactly when the best sentence scores below ``min_evidence``, so one pass
gives every threshold. Reported per threshold: refusal accuracy (refused / unanswerable) and
wrong refusals (refused / answerable); ``chosen`` is the middle one of the thresholds meeting
both targets (>= 0.90, <= 0.05), else the one with the best refusal accuracy minus wrong
refusals.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = ROOT.parent / "shared" / "data" / "eval" / "hotpotqa-100"
DEMO_QA = ROOT / "corpus" / "samples" / "whitehouse-ai-qa.jsonl"
DEMO_DOCS = ROOT / "corpus" / "samples" / "whitehouse-ai"
TARGET_REFUSAL, TARGET_WRONG = 0.90, 0.05


def best_scores(helper: Any, scorer: Any, questions: list[str]) -> list[float]:
    """Per question: the best candidate sentence's score (-1 when there is no candidate)."""
    from assistant.extractive import candidates

    out = []
    for q in questions:
        cands = scorer.shortlist(q, candidates(helper.search(q)))
        out.append(float(scorer.score(q, cands)[0].max()) if cands else -1.0)
        print(f"\r{len(out)}/{len(questions)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return out


def sweep(answerable: list[float], unanswerable: list[float]) -> list[dict[str, float]]:
    rows = []
    for step in range(20, 81):
        t = step / 100
        rows.append({
            "min_evidence": t,
            "refusal_accuracy": round(sum(s < t for s in unanswerable) / len(unanswerable), 4),
            "wrong_refusals": round(sum(s < t for s in answerable) / len(answerable), 4),
        })  # fmt: skip
    return rows


def choose(rows: list[dict[str, float]]) -> dict[str, float]:
    ok = [r for r in rows if r["refusal_accuracy"] >= TARGET_REFUSAL
          and r["wrong_refusals"] <= TARGET_WRONG]  # fmt: skip
    if ok:
        return ok[len(ok) // 2]  # mid-range: furthest from both kinds of error
    return max(rows, key=lambda r: r["refusal_accuracy"] - r["wrong_refusals"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--home", type=Path, default=ROOT / ".dossier-home")
    ap.add_argument("--demo-home", type=Path, help="home of the 'demo' collection (--home)")
    ap.add_argument("--hotpot", type=int, default=50, help="hotpotqa questions used")
    ap.add_argument("--output", type=Path, default=ROOT / "bench/reports/refusal.json")
    args = ap.parse_args()

    from assistant.extractive import ExtractiveAnswerer
    from dossier import wiring
    from dossier.settings import Settings
    from eval.datasets import corpus_hash, load_corpus, load_qa
    from eval.retrieval import cache_name, index_corpus
    from index.ingest import ingest

    s = Settings(home=args.home)
    corpus = DATA / "corpus.jsonl"
    hotpot = wiring.open_collection(s, cache_name(corpus_hash(corpus), wiring.fingerprint(s)))
    index_corpus(hotpot, load_corpus(corpus))
    sd = Settings(home=args.demo_home or args.home)
    demo = wiring.open_collection(sd, "demo")
    ingest(demo, [DEMO_DOCS])  # unchanged files are skipped
    scorer = ExtractiveAnswerer(wiring.embedder(s), s.answer)
    hq = [i.question for i in load_qa(DATA / "qa.jsonl")[: args.hotpot]]
    dq = [i.question for i in load_qa(DEMO_QA)]
    on_hotpot, on_demo = wiring.assistant(s, hotpot), wiring.assistant(sd, demo)
    answerable = best_scores(on_hotpot, scorer, hq) + best_scores(on_demo, scorer, dq)
    unanswerable = best_scores(on_demo, scorer, hq) + best_scores(on_hotpot, scorer, dq)
    rows = sweep(answerable, unanswerable)
    current = next(r for r in rows if abs(r["min_evidence"] - s.answer.min_evidence) < 1e-9)
    report = {
        "set": {"answerable": len(answerable), "unanswerable": len(unanswerable),
                "hotpot_questions": len(hq), "demo_questions": len(dq)},
        "current": current, "chosen": choose(rows), "sweep": rows,
        "scores": {"answerable": answerable, "unanswerable": unanswerable},
    }  # fmt: skip
    args.output.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({k: report[k] for k in ("set", "current", "chosen")}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
