"""Sweep the fusion of the dense and BM25 rankings on a cached BEIR collection. Prints JSON.

Each query is searched once per retriever (``candidates`` deep, as the hybrid search does;
one hop);
every fusion method of index.fusion.FUSIONS is then applied to the same two lists for each
dense weight (and each k of reciprocal rank fusion), and the documents are ranked by their
best passage, as ``dossier eval retrieval`` ranks them. So a row here is what the hybrid
search gives with those settings, without searching again.

Usage: python bench/fusion_sweep.py --beir ../shared/data/eval/scifact --split train
(run `dossier eval retrieval` on the same set first: it builds the cached collection)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

RANKED = 100  # passages ranked per query, as `dossier eval retrieval` ranks them


def main() -> None:
    from dossier import wiring
    from dossier.settings import load_settings
    from eval.datasets import corpus_hash, load_beir
    from eval.metrics import evaluate_retrieval
    from eval.retrieval import cache_name, index_corpus
    from index.fusion import FUSIONS

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--beir", required=True)
    ap.add_argument("--split", default="test")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--weights", default="0.3,0.4,0.5,0.6,0.7")
    ap.add_argument("--rrf-k", default="10,30,60,100", help="k values of reciprocal rank fusion")
    ap.add_argument("--depth", type=int, help="candidates from each retriever (default: the "
                    "[retrieval] candidates setting)")  # fmt: skip
    args = ap.parse_args()
    s = load_settings()
    folder = Path(args.beir)
    beir = load_beir(folder, args.split)
    coll = wiring.open_collection(
        s, cache_name(corpus_hash(folder / "corpus.jsonl"), wiring.fingerprint(s))
    )
    index_corpus(coll, list(beir.corpus))
    queries = beir.queries[: args.limit] if args.limit else beir.queries
    qrels = {q.query_id: beir.qrels[q.query_id] for q in queries}
    args.depth = args.depth or s.retrieval.candidates
    deep = s.retrieval.model_copy(update={"candidates": args.depth, "multihop": False})
    lists = {}
    for q in queries:
        dense = coll.search(q.text, args.depth, mode="dense", retrieval=deep)
        bm25 = coll.search(q.text, args.depth, mode="bm25", retrieval=deep)
        lists[q.query_id] = (
            [(h.chunk.chunk_id, h.dense_score or 0.0) for h in dense],
            [(h.chunk.chunk_id, h.bm25_score or 0.0) for h in bm25],
            {h.chunk.chunk_id: h.chunk.doc_id for h in [*dense, *bm25]},
        )
    ks = {"rrf": [int(k) for k in args.rrf_k.split(",")], "convex": [0]}
    out: dict[str, dict[str, float]] = {}
    for method, fuse in FUSIONS.items():
        for k in ks.get(method, [0]):
            for w in [float(x) for x in args.weights.split(",")]:
                run = {}
                for qid, (dense_list, bm25_list, doc_of) in lists.items():
                    fused = fuse(dense_list, bm25_list, w, k)[:RANKED]
                    run[qid] = list(dict.fromkeys(doc_of[f.chunk_id] for f in fused))
                m = evaluate_retrieval(run, qrels, ks=(10, 100))
                label = f"{method} w={w}" + (f" k={k}" if method == "rrf" else "")
                out[label] = {n: round(m[n], 4) for n in ("ndcg@10", "recall@10", "recall@100")}
    best = max(out, key=lambda n: out[n]["ndcg@10"])
    print(json.dumps({"bench": "fusion_sweep", "dataset": str(folder), "split": args.split,
                      "queries": len(queries), "depth": args.depth, "best": best,
                      "runs": out}, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
