"""``dossier eval``: retrieval metrics on BEIR sets, answer metrics on QA sets, comparing
runs, and generating known-item questions from a collection."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from corpus.errors import UsageError
from dossier import render, wiring
from dossier.settings import Settings
from index.collection import Collection


def cmd_eval(args: argparse.Namespace, s: Settings) -> int:
    handler = {"retrieval": _retrieval, "answers": _answers, "compare": _compare,
               "generate": _generate, "brief": _brief}[args.eval_command]  # fmt: skip
    return handler(args, s)


def _retrieval(args: argparse.Namespace, s: Settings) -> int:
    from eval.answer_run import settings_hash
    from eval.datasets import corpus_hash, load_beir
    from eval.retrieval import cache_name, evaluate_beir, index_corpus

    folder = Path(args.beir)
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder (expected corpus.jsonl, queries.jsonl, qrels/)")
    beir = load_beir(folder, args.split)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    digest = corpus_hash(folder / "corpus.jsonl")
    name = cache_name(digest, wiring.fingerprint(s))
    coll = wiring.open_collection(s, name)
    with render.Bar("embedding corpus", None, args.json) as bar:
        cached = index_corpus(coll, list(beir.corpus), on_chunks=bar.update)
    n_queries = min(args.limit or len(beir.queries), len(beir.queries))
    with render.Bar("queries", n_queries * len(modes), args.json) as bar:
        results = evaluate_beir(
            coll, beir, modes=modes, limit=args.limit, retrieval=s.retrieval,
            on_query=lambda: bar.update(1),
        )  # fmt: skip
    main = results.get("hybrid") or results[modes[0]]
    data = {
        "dataset": str(folder), "split": args.split, "queries": n_queries,
        "documents": len(beir.corpus), "cached_index": cached, "collection": name,
        **main, "modes": results,
    }  # fmt: skip
    if getattr(args, "output", None):
        settings = recorded(s)
        run = {
            "kind": "retrieval", "dataset": str(folder), "split": args.split,
            "corpus_hash": digest, "settings": settings,
            "settings_hash": settings_hash(settings), "queries": n_queries,
            "documents": len(beir.corpus), "metrics": main, "modes": results,
        }  # fmt: skip
        Path(args.output).write_text(json.dumps(run, indent=2, ensure_ascii=False))
    print(json.dumps(data, indent=2) if args.json else render.eval_text(data))
    return 0


def recorded(s: Settings, backend: str | None = None) -> dict[str, Any]:
    """The settings a run file records (``backend``: the one the run used), without secrets."""
    data = s.model_dump(mode="json", exclude={"llm": {"openai_api_key"}})
    data["llm"]["backend"] = backend or s.llm.backend
    return data


class _Stages:
    """Terminal bars for an answer run: indexing, then questions (once their total is known)."""

    def __init__(self, quiet: bool, on_item: Callable[[int, int], None] | None,
                 on_chunks: Callable[[int], None] | None = None) -> None:  # fmt: skip
        self.quiet, self.on_item, self.on_chunks = quiet, on_item, on_chunks
        self.bar = render.Bar("indexing corpus", None, quiet)

    def chunks(self, n: int) -> None:
        self.bar.update(n)
        if self.on_chunks:
            self.on_chunks(n)

    def item(self, done: int, total: int) -> None:
        if done == 0:
            self.bar.__exit__()
            self.bar = render.Bar("questions", total, self.quiet)
        else:
            self.bar.update(1)
        if self.on_item:
            self.on_item(done, total)


def run_answers(
    s: Settings,
    corpus: Path,
    qa: Path,
    llm: str | None = None,
    limit: int | None = None,
    quiet: bool = False,
    on_item: Callable[[int, int], None] | None = None,
    on_chunks: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """``eval.answer_run.run_answers`` with objects from Settings (the CLI and the app);
    ``on_chunks(n)`` as the corpus is indexed, ``on_item(done, total)`` per question."""
    from eval.answer_run import run_answers as run
    from eval.retrieval import cache_name

    def collection_for(digest: str) -> Collection:
        return wiring.open_collection(s, cache_name(digest, wiring.fingerprint(s)))

    settings = recorded(s, llm)
    stages = _Stages(quiet, on_item, on_chunks)
    try:
        return run(
            corpus, qa, collection_for=collection_for, settings=settings, limit=limit,
            assistant_for=lambda coll: wiring.assistant(s, coll, llm=llm),
            on_chunks=stages.chunks, on_item=stages.item,
        )  # fmt: skip
    finally:
        stages.bar.__exit__()


def _answers(args: argparse.Namespace, s: Settings) -> int:
    run = run_answers(s, Path(args.corpus), Path(args.qa), args.llm, args.limit, args.json)
    if args.output:
        Path(args.output).write_text(json.dumps(run, indent=2, ensure_ascii=False))
    if args.json:
        print(json.dumps({k: v for k, v in run.items() if k != "results"}, indent=2))
    else:
        print("\n".join(f"{k:>28}  {v}" for k, v in run["metrics"].items()))
        if args.output:
            print(f"per-question results: {args.output}")
    return 0


def _brief(args: argparse.Namespace, s: Settings) -> int:
    from eval.brief import run_brief

    coll = wiring.open_collection(s, create=False)
    extractive, writer = wiring.briefing_answerers(s, args.llm)
    with render.Bar("briefing", 6, args.json) as bar:
        run, _ = run_brief(coll, args.topic, args.facts, extractive, writer,
                           recorded(s, args.llm), progress=lambda _: bar.update(1))  # fmt: skip
    if args.output:
        Path(args.output).write_text(json.dumps(run, indent=2, ensure_ascii=False))
    if args.json:
        print(json.dumps(run, indent=2, ensure_ascii=False))
        return 0
    print("\n".join(f"{k:>28}  {round(v, 4)}" for k, v in run["metrics"].items()))
    missing = [r for r in run["results"] if r["outcome"] == "missing"]
    for r in missing:
        print(f"  not stated: {r['id']}: {r['question']}")
    if args.output:
        print(f"run: {args.output}")
    return 0


def _compare(args: argparse.Namespace, s: Settings) -> int:
    from eval.compare import compare_files
    from eval.report import render_html, render_text

    labels = [x.strip() for x in args.labels.split(",")] if args.labels else None
    comparison = compare_files(args.runs, labels)
    if args.output:
        Path(args.output).write_text(render_html(comparison), encoding="utf-8")
    if args.json:
        print(json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(render_text(comparison))
        if args.output:
            print(f"report: {args.output}")
    return 0


def _generate(args: argparse.Namespace, s: Settings) -> int:
    from eval.generate import generate, write_jsonl

    if args.n <= 0:
        raise UsageError(f"-n must be a positive number of questions, not {args.n}")
    coll = wiring.open_collection(s, create=False)
    if not coll.catalog.counts()[0]:
        raise UsageError(f"collection '{coll.name}' has no documents: ingest some first")
    from assistant.llm import make_chat_model

    model = make_chat_model(wiring.model_settings(s, args.llm)) if args.llm else None
    if model is not None:  # the extractive backend has no model: the sentence questions
        from eval.generate_llm import generate_with_model

        with render.Bar("asking the model", args.n * 3, args.json) as bar:
            items = generate_with_model(coll.catalog, args.n, model, args.seed,
                                        on_attempt=lambda: bar.update(1))  # fmt: skip
    else:
        items = generate(coll.catalog, args.n, seed=args.seed)
    write_jsonl(items, args.output)
    kinds = {k: sum(i.kind == k for i in items) for k in ("cloze", "when", "model")}
    data = {"output": args.output, "collection": coll.name, "questions": len(items),
            "requested": args.n, "kinds": kinds, "seed": args.seed,
            "documents": len({i.source for i in items})}  # fmt: skip
    text = (f"wrote {len(items)} questions ({kinds['cloze']} cloze, {kinds['when']} when, "
            f"{kinds['model']} by the model) from "
            f"{data['documents']} documents of '{coll.name}' to {args.output}")  # fmt: skip
    if len(items) < args.n:
        text += f"\nonly {len(items)} usable sentences found (asked for {args.n})"
    print(json.dumps(data, indent=2) if args.json else text)
    return 0
