"""Retrieval on a QA set with gold evidence (hotpotqa-100): evidence recall@5/@10 and the
share of questions whose accepted answer appears in the top-5 passages. Prints JSON.

Runs the search as configured ("hybrid": the [retrieval] settings) and, on the same cached
collection, the same search with one hop only, the former default (reciprocal rank fusion,
one hop), and dense and BM25 alone (one hop), so every row is measured in the same run.
Latency is per search with the query embedding cached (a warm-up pass embeds every
question first), so the rows differ only in what they do after embedding.

``--answers N`` also answers the first N questions with the settings' answerer, with and
without the second hop, interleaved question by question (which goes first alternates, and
the embedding cache is emptied before each answer) so both see the same machine load; it
reports wall and CPU time per answer and accuracy.

These are the figures LlamaIndex's QueryFusionRetriever reference reports for hotpotqa-100
(0.805 evidence recall@5, 0.90 @10, answer in top-5 passages 0.70).
Usage: python bench/qa_retrieval.py [--data ../shared/data/eval/hotpotqa-100]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dossier.settings import Settings
    from eval.datasets import QAItem
    from index.collection import Collection

ROOT = Path(__file__).resolve().parents[1]
BEFORE = {"fusion": "rrf", "candidates": 100}  # the retrieval defaults before issue 10


def main() -> None:
    from dossier import wiring
    from dossier.settings import load_settings
    from eval.datasets import corpus_hash, load_corpus, load_qa
    from eval.metrics import answer_contains, evidence_recall, latency_summary
    from eval.retrieval import cache_name, index_corpus

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--data", default=str(ROOT.parent / "shared" / "data" / "eval" / "hotpotqa-100")
    )
    ap.add_argument("--answers", type=int, default=0, help="also time N answers (see above)")
    args = ap.parse_args()
    data = Path(args.data)
    s = load_settings()
    corpus = data / "corpus.jsonl"
    coll = wiring.open_collection(s, cache_name(corpus_hash(corpus), wiring.fingerprint(s)))
    t0 = time.perf_counter()
    cached = index_corpus(coll, load_corpus(corpus))
    index_s = time.perf_counter() - t0
    items = [q for q in load_qa(data / "qa.jsonl") if q.evidence]
    one_hop = s.retrieval.model_copy(update={"multihop": False})
    runs = {
        "hybrid": ("hybrid", s.retrieval),
        "hybrid, one hop": ("hybrid", one_hop),
        "hybrid, rrf, one hop (before)": ("hybrid", one_hop.model_copy(update=BEFORE)),
        "dense, one hop": ("dense", one_hop),
        "bm25, one hop": ("bm25", one_hop),
    }
    for q in items:
        coll.search(q.question, 30, retrieval=one_hop)  # embeds each question once
    out: dict[str, dict[str, float]] = {}
    for name, (mode, retrieval) in runs.items():
        r5, r10, ans5, lat = [], [], [], []
        for q in items:
            t = time.perf_counter()
            hits = coll.search(q.question, 30, mode=mode, retrieval=retrieval)
            lat.append((time.perf_counter() - t) * 1000)
            docs = list(dict.fromkeys(h.chunk.doc_id for h in hits))
            r5.append(evidence_recall(docs[:5], q.evidence))
            r10.append(evidence_recall(docs[:10], q.evidence))
            top5 = " ".join(h.chunk.text for h in hits[:5])
            ans5.append(answer_contains(top5, q.answers))
        n = len(items)
        out[name] = {
            "evidence_recall@5": round(sum(r5) / n, 4),
            "evidence_recall@10": round(sum(r10) / n, 4),
            "answer_in_top5_passages": round(sum(ans5) / n, 4),
            **{k: round(v, 1) for k, v in latency_summary(lat).items()},
        }
    answers = answer_latency(s, coll, items[: args.answers]) if args.answers else None
    print(json.dumps({"bench": "qa_retrieval", "dataset": str(data), "questions": len(items),
                      "cached_index": cached, "index_s": round(index_s, 1),
                      "retrieval": s.retrieval.model_dump(), "runs": out,
                      "answers": answers}, indent=2))  # fmt: skip


def answer_latency(s: Settings, coll: Collection, items: list[QAItem]) -> dict[str, Any]:
    from dossier import wiring
    from eval.metrics import answer_contains

    helpers = {}
    for name, hop in (("two hops", True), ("one hop", False)):
        helper = wiring.assistant(s, coll)
        helper.retrieval = s.retrieval.model_copy(update={"multihop": hop})
        helpers[name] = helper
    helpers["one hop"].ask(items[0].question)  # loads the models
    got: dict[str, dict[str, list[float]]] = {n: {"wall": [], "cpu": [], "ok": []} for n in helpers}
    for i, q in enumerate(items):
        for name, helper in list(helpers.items())[:: -1 if i % 2 else 1]:
            wiring.embedder(s)._cache.clear()  # each answer embeds its own passages, both hops
            wall, cpu = time.perf_counter(), time.process_time()
            answer = helper.ask(q.question)
            got[name]["wall"].append(time.perf_counter() - wall)
            got[name]["cpu"].append(time.process_time() - cpu)
            got[name]["ok"].append(float(answer_contains(answer.text, q.answers)))
    return {
        name: {"questions": len(items), "wall_p50_s": round(statistics.median(v["wall"]), 3),
               "cpu_p50_s": round(statistics.median(v["cpu"]), 3),
               "accuracy": round(sum(v["ok"]) / len(items), 3)}
        for name, v in got.items()
    }  # fmt: skip


if __name__ == "__main__":
    main()
