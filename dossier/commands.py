"""The command handlers: Settings in, wiring, plain output or JSON out."""

from __future__ import annotations

import argparse
import json
import os
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

from corpus.errors import NotFoundError, UsageError
from dossier import render, wiring
from dossier.settings import Settings, load_settings
from index.types import SearchFilter

# package data of corpus.samples (pyproject.toml), so an installed dossier ships it too
DEMO_CORPUS = Path(str(files("corpus.samples") / "whitehouse-ai"))
DEMO_QUESTIONS = DEMO_CORPUS.parent / "whitehouse-ai-questions.txt"


def overrides_from(args: argparse.Namespace) -> dict[str, Any]:
    """The settings the common flags give (None: not given)."""
    return {
        "home": getattr(args, "home", None),
        "collection": getattr(args, "collection", None),
        "embedding": {"name": getattr(args, "embedder", None)},
    }


def settings_from(args: argparse.Namespace, **extra: Any) -> Settings:
    given = overrides_from(args) | {k: v for k, v in extra.items() if v is not None}
    return load_settings(**given)


def filters_from(args: argparse.Namespace) -> SearchFilter | None:
    return SearchFilter.from_strings(
        getattr(args, "source", None),
        getattr(args, "since", None),
        getattr(args, "until", None),
        getattr(args, "tag", None),
    )


def passages(k: int | None) -> int | None:
    """-k checked against the bounds of the top_k setting (1 to 100), which it stands in for."""
    from pydantic import ValidationError

    from index.settings import RetrievalSettings

    if k is not None:
        try:
            RetrievalSettings(top_k=k)
        except ValidationError as exc:
            raise UsageError(f"-k {k}: {exc.errors()[0]['msg'].lower()}") from exc
    return k


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else text)


def run(args: argparse.Namespace) -> int:
    handler = {
        "ingest": cmd_ingest, "search": cmd_search, "ask": cmd_ask, "status": cmd_status,
        "documents": cmd_documents, "remove": cmd_remove, "drop": cmd_drop, "demo": cmd_demo,
        "config": cmd_config, "eval": cmd_eval, "brief": cmd_brief, "chat": cmd_chat,
        "conversations": cmd_conversations, "ui": cmd_ui, "check": cmd_check,
    }[args.command]  # fmt: skip
    return handler(args)


def cmd_ingest(args: argparse.Namespace) -> int:
    from index.ingest import ingest

    s = settings_from(args)
    paths = [Path(p).expanduser() for p in args.paths]
    for p in paths:
        if not p.exists():
            raise UsageError(f"{p}: no such file or folder")
    coll = wiring.open_collection(s)
    coll.on_lock_wait = _tell  # another ingest holds the write lock: say why nothing moves
    with render.IngestProgress(paths, quiet=args.json, follow_links=args.follow_links) as progress:
        report = ingest(coll, paths, prune=args.prune, follow_links=args.follow_links,
                        limits=s.reading, on_file=progress.file)  # fmt: skip
    emit(args, render.ingest_json(report), render.ingest_text(report))
    return 3 if report.failed else 0


def cmd_search(args: argparse.Namespace) -> int:
    s, k = settings_from(args), passages(args.k)
    coll = wiring.open_collection(s, create=False)  # searching needs no answerer or model
    timings: dict[str, float] = {}
    hits = coll.search(
        args.query, k, filters=filters_from(args), mode=args.mode, retrieval=s.retrieval,
        timings=timings,
    )  # fmt: skip
    warnings = coll.warnings()  # dense search failed, behind, or missing vectors
    for w in warnings:
        _tell(f"warning: {w}")
    emit(args, render.hits_json(args.query, hits, timings) | {"warnings": warnings},
         render.hits_text(hits))  # fmt: skip
    return 0


def _tell(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_check(args: argparse.Namespace) -> int:
    from index.check import check, repair

    s = settings_from(args)
    coll = wiring.open_collection(s, create=False)
    coll.on_lock_wait = _tell
    report = repair(coll) if args.repair else check(coll)
    emit(args, report.to_dict(), render.check_text(report))
    return 0 if report.ok else 11


def cmd_ask(args: argparse.Namespace) -> int:
    from dossier import chat

    s, k = settings_from(args), passages(args.k)
    helper = wiring.assistant(s, filters=filters_from(args), llm=args.llm)
    return chat.ask(helper, args.question, k, args.conversation, args.json, s.collection)


def cmd_brief(args: argparse.Namespace) -> int:
    from dossier.brief import cmd_brief as run_brief

    return run_brief(args, settings_from(args), filters_from(args))


def cmd_chat(args: argparse.Namespace) -> int:
    from dossier import chat

    return chat.cmd_chat(args, settings_from(args))


def cmd_conversations(args: argparse.Namespace) -> int:
    from dossier import chat

    return chat.cmd_conversations(args, settings_from(args))


def cmd_status(args: argparse.Namespace) -> int:
    from index.collection_admin import list_collections

    s = settings_from(args)
    names = list_collections(s.home)
    stats = [wiring.open_collection(s, n, create=False).stats() for n in names]
    data = {"home": str(s.home), "embedder": wiring.embedder_label(s), "collections": stats}
    emit(args, data, render.status_text(data))
    return 0


def cmd_documents(args: argparse.Namespace) -> int:
    s = settings_from(args)
    docs = wiring.open_collection(s, create=False).documents()
    emit(args, [render.doc_json(d) for d in docs], render.documents_text(docs))
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    s = settings_from(args)
    n = wiring.open_collection(s, create=False).remove(args.doc_id)
    emit(args, {"removed": args.doc_id, "chunks": n}, f"removed {args.doc_id} ({n} chunks)")
    return 0


def cmd_drop(args: argparse.Namespace) -> int:
    s = settings_from(args)
    # --foreign: the Chroma collection may be another (lost) home's, so it is not opened
    coll = None if args.foreign else wiring.open_collection(s, args.name, create=False)
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError(f"dropping '{args.name}' needs --yes when not run interactively")
        whose = ", whoever owns them" if args.foreign else ""
        reply = input(f"Delete collection '{args.name}' and all its vectors{whose}? [y/N] ")
        if reply.strip().lower() not in ("y", "yes"):
            print("kept")
            return 0
    if coll is not None:
        coll.drop()
    else:
        from index.collection_admin import drop_any

        if not drop_any(s.home, args.name, s.chroma_url):
            raise NotFoundError(f"no collection '{args.name}' here or in the vector store")
    emit(args, {"dropped": args.name}, f"dropped collection '{args.name}'")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from index.ingest import ingest

    if not DEMO_CORPUS.is_dir():
        raise NotFoundError(f"the demo corpus is missing: {DEMO_CORPUS}")
    s = settings_from(args, collection=args.collection or "demo")
    coll = wiring.open_collection(s)
    with render.IngestProgress([DEMO_CORPUS], quiet=args.json) as progress:
        report = ingest(coll, [DEMO_CORPUS], on_file=progress.file)
    if not args.json:
        print(report.summary(), file=sys.stderr)
    if args.no_answer:
        if args.json:
            emit(args, render.ingest_json(report), "")
        return 0
    question = args.question or demo_questions()[0]
    answer = wiring.assistant(s, coll, llm=args.llm).ask(question)
    emit(args, answer.to_dict(), f"Q: {question}\n\n" + render.answer_text(answer))
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    from dossier import web

    s = settings_from(args)
    auth = web.parse_auth(args.auth or os.environ.get("DOSSIER_AUTH"))
    overrides = {k: v for k, v in overrides_from(args).items() if k != "collection"}
    if args.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    web.launch(host=args.host, port=args.port, collection=s.collection, auth=auth,
               allow_hosts=args.allow_host, allow_folders=args.allow_folder,
               concurrency=args.concurrency, **overrides)  # fmt: skip
    return 0


def demo_questions() -> list[str]:
    lines = DEMO_QUESTIONS.read_text(encoding="utf-8").splitlines()
    return [q.strip() for q in lines if q.strip() and not q.startswith("#")]


def cmd_config(args: argparse.Namespace) -> int:
    from dossier.settings import config_path, rows

    s = settings_from(args)
    data = {"config_file": str(config_path(s.home)), "settings": rows(s)}
    emit(args, data, render.config_text(data))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from dossier.evaluate import cmd_eval as run_eval

    return run_eval(args, settings_from(args))
