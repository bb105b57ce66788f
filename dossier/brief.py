"""``dossier brief``: a cited briefing on a topic, as Markdown, HTML or DOCX."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.briefing import Briefing, build_briefing
from assistant.briefing_export import to_docx, to_html, to_markdown
from assistant.extractive import ExtractiveAnswerer
from corpus.errors import UsageError
from dossier import render, wiring
from dossier.settings import Settings
from index.collection import Collection
from index.types import SearchFilter

FORMATS = ("md", "html", "docx")
STEPS = 5  # progress callbacks build_briefing makes; one more when a model writes sections


def make_briefing(
    s: Settings, topic: str, filters: SearchFilter | None, llm: str | None, quiet: bool = False
) -> tuple[Briefing, Collection]:
    helper = wiring.assistant(s, filters=filters, llm=llm)
    writer = None if helper.answerer.name == "extractive" else helper.answerer.answer
    extractive = getattr(helper.answerer, "fallback", helper.answerer)
    assert isinstance(extractive, ExtractiveAnswerer)
    with render.Bar("briefing", STEPS + (writer is not None), quiet) as bar:
        brief = build_briefing(
            helper.collection, topic, filters=filters, answerer=extractive, writer=writer,
            # a briefing gathers more than an answer quotes: a slightly lower bar
            min_relevance=max(0.0, s.min_evidence - 0.07), progress=lambda _: bar.update(1),
        )  # fmt: skip
    return brief, helper.collection


def export(brief: Briefing, collection: Collection, fmt: str) -> bytes:
    docs = {d.doc_id: d for d in collection.documents()}

    def meta(doc_id: str) -> tuple[str | None, str | None]:
        d = docs.get(doc_id)
        return (d.date, d.metadata.get("source_url")) if d else (None, None)

    if fmt == "md":
        return to_markdown(brief, meta).encode()
    if fmt == "html":
        return to_html(brief, meta).encode()
    if fmt == "docx":
        return to_docx(brief, meta)
    raise UsageError(f"unknown format '{fmt}': choose {', '.join(FORMATS)}")


def cmd_brief(args: argparse.Namespace, s: Settings, filters: SearchFilter | None) -> int:
    fmt = args.format or (Path(args.output).suffix.lstrip(".") if args.output else "md")
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}': choose {', '.join(FORMATS)}")
    if fmt == "docx" and not args.output:
        raise UsageError("DOCX is binary: give a file with -o briefing.docx")
    brief, coll = make_briefing(s, args.topic, filters, args.llm)
    data = export(brief, coll, fmt)
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"wrote {args.output}: {len(brief.points())} points citing "
              f"{len(brief.cited_docs)} documents", file=sys.stderr)  # fmt: skip
    else:
        sys.stdout.write(data.decode())
    return 0
