"""A briefing as Markdown, HTML (a self-contained file, or the app's fragment) or DOCX.

Everything that comes from a document is escaped for its format: HTML from autoescaped
Jinja2 templates (``assistant/templates/``, one for the export and the app), Markdown control
characters neutralised in Markdown, plain runs in DOCX.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from assistant.briefing import Briefing
from assistant.briefing_parts import Point, SourceDocument
from assistant.types import Citation
from corpus.errors import UsageError
from index.collection import Collection

if TYPE_CHECKING:
    import jinja2

FORMATS = ("md", "html", "docx")
Meta = Callable[[str], tuple[str | None, str | None]]  # doc_id -> (date, source_url)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")


def document_meta(collection: Collection) -> Meta:
    """(date, source_url) of each document of ``collection``, for the source list."""
    docs = {d.doc_id: d for d in collection.documents()}

    def meta(doc_id: str) -> tuple[str | None, str | None]:
        d = docs.get(doc_id)
        return (d.date, d.metadata.get("source_url")) if d else (None, None)

    return meta


def export(brief: Briefing, collection: Collection, fmt: str) -> bytes:
    """The briefing in one of ``FORMATS``, its sources dated from ``collection``."""
    meta = document_meta(collection)
    if fmt == "md":
        return to_markdown(brief, meta).encode()
    if fmt == "html":
        return to_html(brief, meta).encode()
    if fmt == "docx":
        return to_docx(brief, meta)
    raise UsageError(f"unknown format '{fmt}': choose {', '.join(FORMATS)}")


def sections(b: Briefing) -> Iterator[tuple[str, list[Point]]]:
    """(heading, points) of the summary and themes, in reading order; shared by every format."""
    yield "Executive summary", list(b.summary)
    for theme in b.themes:
        yield f"Theme: {theme.name}", list(theme.points)


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _flag(p: Point) -> str:
    return "" if p.supported else f" (not supported by its citations: {p.support:.2f})"


def _marks(p: Point) -> str:
    return "".join(f"[{n}]" for n in p.citations)


def documents(b: Briefing, meta: Meta) -> list[dict[str, Any]]:
    """The cited documents, each once (title, date, path, URL), with its cited passages."""
    by_n = {c.n: c for c in b.citations}
    listed = b.sources
    if not listed:  # a briefing made without its source list: group its citations
        first: dict[str, Citation] = {}
        for c in b.citations:
            first.setdefault(c.doc_id, c)
        listed = tuple(
            SourceDocument(c.doc_id, c.title, c.source, *meta(c.doc_id),
                           tuple(x.n for x in b.citations if x.doc_id == c.doc_id))
            for c in first.values()
        )  # fmt: skip
    return [{"title": d.title, "date": d.date, "source": d.source, "url": d.url,
             "passages": [by_n[n] for n in d.passages if n in by_n]} for d in listed]  # fmt: skip


def _where(c: Citation) -> str:
    page = f"page {c.page}, " if c.page else ""
    return f"{page}chars {c.start}-{c.end}"


def _document_line(d: dict[str, Any]) -> str:
    when = f", {d['date']}" if d["date"] else ""
    return f"{d['title']}{when} ({d['url'] or d['source']})"


def coverage(b: Briefing) -> str:
    """How many retrieved documents the briefing cites, naming (up to ten of) the others."""
    used = set(b.cited_docs)
    left = [title for doc_id, title, _ in b.retrieved_docs if doc_id not in used]
    text = (
        f"Coverage: the briefing cites {len(used)} of {len(b.retrieved_docs)} retrieved documents."
    )
    if left:
        text += (
            " Retrieved but not cited: " + "; ".join(left[:10]) + ("…" if len(left) > 10 else "")
        )
    return text


def to_markdown(b: Briefing, meta: Meta) -> str:
    out = [f"# Briefing: {_md(b.topic)}", "", f"*Made:* {b.made} · *Scope:* {_md(b.scope)}", ""]
    if not b.covered:
        out += [n for n in b.notes] + [""]
        return "\n".join(out)
    for note in b.notes:
        out += [f"> {_md(note)}", ""]
    for heading, points in sections(b):
        out += [f"## {_md(heading)}", ""]
        out += [f"- {_md(p.text)} {_marks(p)}{_flag(p)}" for p in points]
        out.append("")
    if b.timeline:
        out += ["## Timeline", ""]
        out += [f"- **{e.label}** — {_md(e.point.text)} {_marks(e.point)}" for e in b.timeline]
        out.append("")
    if b.differences:
        out += ["## Where sources differ", ""]
        for d in b.differences:
            out += [f"- **{_md(d.relation)}**: {_md(d.summary)}",
                    f"  - earlier: {_md(d.earlier.text)} {_marks(d.earlier)}",
                    f"  - later: {_md(d.later.text)} {_marks(d.later)}"]  # fmt: skip
        out.append("")
    if b.gaps:
        out += ["## Gaps", "", "The corpus answers these only weakly or not at all:", ""]
        out += [f"- {_md(g)}" for g in b.gaps] + [""]
    out += ["## Sources", ""]
    for src in documents(b, meta):
        out.append(f"- {_md(_document_line(src))}")
        out += [f"  - [{c.n}] “{_md(c.text)}” ({_where(c)})" for c in src["passages"]]
    out += ["", _md(coverage(b))]
    return "\n".join(out) + "\n"


@lru_cache(maxsize=1)
def _templates() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("assistant", "templates"), autoescape=True,
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
    )  # fmt: skip


def to_html(b: Briefing, meta: Meta, *, clickable: bool = False, page: bool = True) -> str:
    """The export (``page``: a whole self-contained file; [n] are footnote links), or the
    app's fragment (``clickable``: [n] are buttons the page script opens in a panel)."""
    sources = documents(b, meta)
    for d in sources:  # only web links are links
        d["url"] = d["url"] if d["url"] and d["url"].startswith(("http://", "https://")) else None
    context: dict[str, Any] = {"b": b, "sections": list(sections(b)), "sources": sources,
                               "coverage": coverage(b), "clickable": clickable}  # fmt: skip
    name = "briefing.html.j2" if page else "briefing_body.html.j2"
    return _templates().get_template(name).render(context)


def to_docx(b: Briefing, meta: Meta) -> bytes:
    """A Word document: headings, bullet points with [n] markers, a numbered source list."""
    from docx import Document

    doc = Document()
    doc.core_properties.title = f"Briefing: {b.topic}"
    doc.add_heading(f"Briefing: {b.topic}", level=0)
    doc.core_properties.created = datetime.fromisoformat(b.made)
    doc.add_paragraph(f"Made {b.made} · Scope: {b.scope}")
    for note in b.notes:
        doc.add_paragraph(note)
    if b.covered:
        for heading, points in sections(b):
            doc.add_heading(heading, level=1)
            for p in points:
                doc.add_paragraph(f"{p.text} {_marks(p)}{_flag(p)}", style="List Bullet")
        if b.timeline:
            doc.add_heading("Timeline", level=1)
            for ev in b.timeline:
                para = doc.add_paragraph(style="List Bullet")
                para.add_run(ev.label).bold = True
                para.add_run(f" — {ev.point.text} {_marks(ev.point)}")
        if b.differences:
            doc.add_heading("Where sources differ", level=1)
            for d in b.differences:
                para = doc.add_paragraph(style="List Bullet")
                para.add_run(d.relation).bold = True
                para.add_run(f": {d.summary}")
                for when, p in (("earlier", d.earlier), ("later", d.later)):
                    doc.add_paragraph(f"{when}: {p.text} {_marks(p)}", style="List Bullet 2")
        if b.gaps:
            doc.add_heading("Gaps", level=1)
            for g in b.gaps:
                doc.add_paragraph(g, style="List Bullet")
        doc.add_heading("Sources", level=1)
        for src in documents(b, meta):
            doc.add_paragraph(_document_line(src), style="List Bullet")
            for c in src["passages"]:
                doc.add_paragraph(f"[{c.n}] “{c.text}” ({_where(c)})", style="List Bullet 2")
        doc.add_paragraph(coverage(b))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
