"""``dossier brief``: a cited briefing on a topic, as Markdown, HTML or DOCX.

Making and exporting live in ``assistant/``; this is Settings -> objects and the command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.briefing import Briefing
from assistant.briefing_export import FORMATS, export
from assistant.briefing_run import make_briefing as run_briefing
from assistant.briefing_run import steps
from corpus.errors import UsageError
from dossier import render, wiring
from dossier.settings import Settings
from index.collection import Collection
from index.types import SearchFilter


def make_briefing(
    s: Settings, topic: str, filters: SearchFilter | None, llm: str | None, quiet: bool = False
) -> tuple[Briefing, Collection]:
    collection = wiring.open_collection(s, create=False)
    extractive, writer = wiring.briefing_answerers(s, llm)
    with render.Bar("briefing", steps(writer), quiet) as bar:
        brief = run_briefing(collection, topic, extractive, writer, filters,
                             progress=lambda _: bar.update(1))  # fmt: skip
    return brief, collection


def cmd_brief(args: argparse.Namespace, s: Settings, filters: SearchFilter | None) -> int:
    fmt = args.format or (Path(args.output).suffix.lstrip(".") if args.output else "md")
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}': choose {', '.join(FORMATS)}")
    if fmt == "docx" and not args.output:
        raise UsageError("DOCX is binary: give a file with -o briefing.docx")
    out = Path(args.output) if args.output else None
    if out is not None and not out.parent.is_dir():  # said before minutes of briefing
        raise UsageError(f"{out}: folder {out.parent} does not exist")
    brief, coll = make_briefing(s, args.topic, filters, args.llm)
    data = export(brief, coll, fmt)
    if out is not None:
        try:
            out.write_bytes(data)
        except OSError as exc:
            raise UsageError(f"{out}: cannot write ({exc.strerror})") from exc
        print(f"wrote {args.output}: {len(brief.points())} points citing "
              f"{len(brief.cited_docs)} documents", file=sys.stderr)  # fmt: skip
    else:
        sys.stdout.write(data.decode())
    return 0
