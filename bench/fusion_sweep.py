"""Sweep the dense weight of the fusion on a cached BEIR collection. Prints JSON.

Usage: python bench/fusion_sweep.py --beir ../shared/data/eval/scifact --split train
(run `dossier eval retrieval` on the same set first: it builds the cached collection)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    from dossier import wiring
    from dossier.settings import load_settings
    from eval.datasets import corpus_hash, load_beir
    from eval.retrieval import cache_name, evaluate_beir, index_corpus

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--beir", required=True)
    ap.add_argument("--split", default="test")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--weights", default="0.3,0.4,0.5,0.6,0.7")
    args = ap.parse_args()
    s = load_settings()
    folder = Path(args.beir)
    beir = load_beir(folder, args.split)
    coll = wiring.open_collection(
        s, cache_name(corpus_hash(folder / "corpus.jsonl"), wiring.fingerprint(s))
    )
    index_corpus(coll, list(beir.corpus))
    out = {}
    for w in [float(x) for x in args.weights.split(",")]:
        res = evaluate_beir(coll, beir, modes=["hybrid"], limit=args.limit, dense_weight=w)
        out[str(w)] = {k: v for k, v in res["hybrid"].items() if not k.endswith("_ms")}
    print(
        json.dumps(
            {
                "bench": "fusion_sweep",
                "dataset": str(folder),
                "split": args.split,
                "queries": args.limit or len(beir.queries),
                "by_dense_weight": out,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
