"""``dossier eval``: retrieval metrics on BEIR sets, answer metrics on QA sets."""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

from corpus.errors import UsageError
from dossier import render, wiring
from dossier.settings import Settings


def cmd_eval(args: argparse.Namespace, s: Settings) -> int:
    if args.eval_command == "retrieval":
        return _retrieval(args, s)
    return _answers(args, s)


def _retrieval(args: argparse.Namespace, s: Settings) -> int:
    from eval.datasets import corpus_hash, load_beir
    from eval.retrieval import cache_name, evaluate_beir, index_corpus

    folder = Path(args.beir)
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder (expected corpus.jsonl, queries.jsonl, qrels/)")
    beir = load_beir(folder, args.split)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    name = cache_name(corpus_hash(folder / "corpus.jsonl"), wiring.fingerprint(s))
    coll = wiring.open_collection(s, name)
    with render.Bar("embedding corpus", None, args.json) as bar:
        cached = index_corpus(coll, list(beir.corpus), on_chunks=bar.update)
    n_queries = min(args.limit or len(beir.queries), len(beir.queries))
    with render.Bar("queries", n_queries * len(modes), args.json) as bar:
        results = evaluate_beir(
            coll, beir, modes=modes, limit=args.limit, dense_weight=s.dense_weight,
            rrf_k=s.rrf_k, on_query=lambda: bar.update(1),
        )  # fmt: skip
    main = results.get("hybrid") or results[modes[0]]
    data = {
        "dataset": str(folder), "split": args.split, "queries": n_queries,
        "documents": len(beir.corpus), "cached_index": cached, "collection": name,
        **main, "modes": results,
    }  # fmt: skip
    print(json.dumps(data, indent=2) if args.json else render.eval_text(data))
    return 0


def _answers(args: argparse.Namespace, s: Settings) -> int:
    from eval.answers import evaluate_answers
    from eval.datasets import corpus_hash, load_corpus, load_qa
    from eval.retrieval import cache_name, index_corpus
    from index.ingest import ingest

    corpus, qa = Path(args.corpus), Path(args.qa)
    if not corpus.exists():
        raise UsageError(f"{corpus}: no such corpus file or folder")
    items = load_qa(qa)[: args.limit] if args.limit else load_qa(qa)
    digest = corpus_hash(corpus)
    name = cache_name(digest, wiring.fingerprint(s))
    coll = wiring.open_collection(s, name)
    with render.Bar("indexing corpus", None, args.json) as bar:
        if corpus.is_file():
            index_corpus(coll, load_corpus(corpus), on_chunks=bar.update)
        else:
            ingest(coll, [corpus], on_chunks=bar.update)
    helper = wiring.assistant(s, coll, llm=args.llm)
    with render.Bar("questions", len(items), args.json) as bar:
        metrics, results = evaluate_answers(helper, items, on_item=lambda: bar.update(1))
    settings = s.model_dump(mode="json", exclude={"openai_api_key"}) | {"llm": args.llm or s.llm}
    run: dict[str, Any] = {
        "kind": "answers", "corpus": str(corpus), "qa": str(qa), "corpus_hash": digest,
        "settings": settings, "settings_hash": _hash(settings), "metrics": metrics,
        "results": [r.to_dict() for r in results],
    }  # fmt: skip
    if args.output:
        Path(args.output).write_text(json.dumps(run, indent=2, ensure_ascii=False))
    if args.json:
        print(json.dumps({k: v for k, v in run.items() if k != "results"}, indent=2))
    else:
        print("\n".join(f"{k:>28}  {v}" for k, v in metrics.items()))
        if args.output:
            print(f"per-question results: {args.output}")
    return 0


def _hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
