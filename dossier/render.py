"""Terminal output: progress bars on stderr, human-readable text, JSON shapes."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from assistant.types import EXTRACTIVE, Answer
from corpus.readers import count_files
from corpus.text import clip
from index.catalog import DocumentInfo
from index.check import CheckReport
from index.ingest import FileReport, IngestReport
from index.types import Hit


class Bar:
    """A tqdm bar on stderr, hidden for --json or when stderr is not a terminal."""

    def __init__(self, desc: str, total: int | None, quiet: bool = False) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=total, desc=desc, unit="it", file=sys.stderr,
                         disable=True if quiet else None, leave=False)  # fmt: skip

    def update(self, n: int = 1) -> None:
        self._bar.update(n)

    def __enter__(self) -> Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.close()


class IngestProgress:
    """Files-done bar for an ingest: one tick per file report of the walk (every outcome
    ``iter_folder`` yields, skipped ones too), so the bar ends exactly at its total."""

    def __init__(self, paths: Iterable[Path], quiet: bool = False,
                 follow_links: bool = False) -> None:  # fmt: skip
        self.total, self.done = count_files(paths, follow_links=follow_links), 0
        self._bar = Bar("ingesting", self.total, quiet)

    def file(self, report: FileReport) -> None:
        if report.status != "removed":  # --prune reports gone files after the walk
            self.done += 1
            self._bar.update(1)

    def __enter__(self) -> IngestProgress:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        self._bar.__exit__()


def ingest_json(report: IngestReport) -> dict[str, Any]:
    return {
        "collection": report.collection,
        "summary": report.counts(),
        "files": [
            {"source": f.source, "status": f.status, "reason": f.reason, "chunks": f.chunks,
             "warnings": list(f.warnings), "doc_id": f.doc_id}
            for f in report.files
        ],
    }  # fmt: skip


def ingest_text(report: IngestReport) -> str:
    lines = []
    for f in report.files:
        detail = f" ({f.chunks} chunks)" if f.chunks else ""
        if f.reason:
            detail += f": {f.reason}"
        lines.append(f"{f.status:>9}  {f.source}{detail}")
        lines.extend(f"           warning: {w}" for w in f.warnings)
    lines.append(report.summary())
    return "\n".join(lines)


def _where(h: Hit) -> str:
    page = f", page {h.chunk.page}" if h.chunk.page else ""
    return f"{h.document.title} ({h.document.source}{page})"


def hits_json(query: str, hits: list[Hit], timings: dict[str, float]) -> dict[str, Any]:
    return {
        "query": query,
        "hits": [
            {"rank": h.rank, "score": round(h.score, 6), "dense_rank": h.dense_rank,
             "bm25_rank": h.bm25_rank, "doc_id": h.chunk.doc_id, "chunk_id": h.chunk.chunk_id,
             "title": h.document.title, "source": h.document.source, "page": h.chunk.page,
             "start": h.chunk.start, "end": h.chunk.end, "headings": list(h.chunk.headings),
             "text": h.chunk.text}
            for h in hits
        ],
        "timings_ms": {k: round(v, 1) for k, v in timings.items()},
    }  # fmt: skip


def hits_text(hits: list[Hit]) -> str:
    if not hits:
        return "no passages found"
    out = []
    for h in hits:
        ranks = f"dense #{h.dense_rank or '-'}, bm25 #{h.bm25_rank or '-'}"
        out.append(f"{h.rank:>2}. [{h.score:.4f}; {ranks}] {_where(h)}")
        out.append(textwrap.indent(textwrap.fill(clip(h.chunk.text, 400), 96), "     "))
    return "\n".join(out)


def _lines(text: str) -> str:
    """Each line wrapped on its own: the short answer and each evidence sentence stay apart."""
    return "\n".join(textwrap.fill(line, 100) if line else "" for line in text.splitlines())


def answer_text(answer: Answer, body: bool = True) -> str:
    """The answer (unless ``body`` is False: it was streamed), flags, sources."""
    out = [_lines(answer.text)] if body else []
    short = answer.short_answer
    if short is not None and answer.backend != EXTRACTIVE:
        # a model's text streams as written: its short answer, found after, is named here
        inferred = " (inferred)" if short.inferred else ""
        out.append(f"\nShort answer: {short.text} [{short.n}]{inferred}")
    flagged = [s for s in answer.sentences if not s.supported]
    if flagged and answer.answered:
        out.append(f"\n{len(flagged)} of {len(answer.sentences)} sentences are not supported "
                   "by their citations:")  # fmt: skip
        out.extend(f"  ! {clip(s.text, 160)} (support {s.support:.2f})" for s in flagged)
    if answer.note:
        out.append(f"\nnote: {answer.note}")
    if answer.citations:
        out.append("\nSources:")
        for c in answer.citations:
            page = f", page {c.page}" if c.page else ""
            out.append(f"[{c.n}] {c.title} ({c.source}{page}, chars {c.start}-{c.end})")
            out.append(textwrap.indent(textwrap.fill(f"“{clip(c.text, 300)}”", 96), "    "))
    elif answer.hits:
        out.append("\nNearest passages:")
        out.extend(f"- {_where(h)}: {clip(h.chunk.text, 200)}" for h in answer.hits[:3])
    return "\n".join(out)


def doc_json(d: DocumentInfo) -> dict[str, Any]:
    return {"doc_id": d.doc_id, "source": d.source, "title": d.title, "date": d.date,
            "chunks": d.n_chunks, "root": d.root}  # fmt: skip


def documents_text(docs: list[DocumentInfo]) -> str:
    if not docs:
        return "no documents"
    return "\n".join(f"{d.doc_id}  {d.date or '          '}  {d.n_chunks:>4} chunks  {d.source}"
                     for d in docs)  # fmt: skip


def status_text(data: dict[str, Any]) -> str:
    lines = [f"home: {data['home']}", f"embedder: {data['embedder']}"]
    if not data["collections"]:
        lines.append("no collections yet: run 'dossier ingest PATH' or 'dossier demo'")
    for c in data["collections"]:
        vectors = "?" if c["vectors"] is None else c["vectors"]
        lines.append(f"- {c['collection']}: {c['documents']} documents, {c['chunks']} chunks, "
                     f"{vectors} vectors ({c['path']})")  # fmt: skip
        lines += [f"  warning: {w}" for w in c.get("warnings", ())]
    return "\n".join(lines)


def check_text(report: CheckReport) -> str:
    d = report.to_dict()
    lines = [f"{d['collection']}: {d['documents']} documents, {d['chunks']} chunks, "
             f"{d['vectors']} vectors"]  # fmt: skip
    if d["repaired"]:
        lines.append("repaired: " + ", ".join(f"{k} {v}" for k, v in d["repaired"].items()))
    lines.append(f"catalog: {d['catalog']}")
    for key, meaning in CHECK_FINDINGS.items():
        if d[key]:
            lines.append(f"{d[key]} {meaning}, e.g. {', '.join(d[key + '_ids'][:3])}")
    lines.append(f"bm25: {d['bm25']}")
    lines.append("all agree" if report.ok else "they disagree: run 'dossier check --repair'")
    return "\n".join(lines)


CHECK_FINDINGS = {
    "missing": "chunks have no vector",
    "orphans": "vectors belong to no chunk",
    "unreadable": "vectors cannot be read back",
    "wrong": "vectors have the wrong size, length or document",
    "unfindable": "sampled vectors are not found by a search with themselves",
}


def config_text(data: dict[str, Any]) -> str:
    lines = [f"config file: {data['config_file']}"]
    for r in data["settings"]:
        lines.append(f"{r['name']} = {r['value']}   [{r['env']}]")
        lines.append(textwrap.indent(textwrap.fill(r["description"], 92), "    "))
    return "\n".join(lines)


def eval_text(data: dict[str, Any]) -> str:
    head = (f"{data['dataset']} ({data['split']}): {data['queries']} queries, "
            f"{data['documents']} documents")  # fmt: skip
    keys = [k for k in next(iter(data["modes"].values()))]
    rows = [f"{'mode':<8}" + "".join(f"{k:>12}" for k in keys)]
    for mode, m in data["modes"].items():
        rows.append(f"{mode:<8}" + "".join(f"{m[k]:>12}" for k in keys))
    return head + "\n" + "\n".join(rows)
