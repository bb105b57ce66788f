"""A briefing as Markdown, one self-contained HTML file, or DOCX.

Everything that comes from a document is escaped for its format: HTML-escaped in HTML,
Markdown control characters neutralised in Markdown, plain runs in DOCX.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterator
from datetime import datetime

from assistant.briefing import Briefing
from assistant.briefing_parts import Point
from assistant.types import Citation

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _flag(p: Point) -> str:
    return "" if p.supported else f" (not supported by its citations: {p.support:.2f})"


def sections(b: Briefing) -> Iterator[tuple[str, list[Point] | list[str]]]:
    """(heading, items) in reading order; shared by every format."""
    yield "Executive summary", list(b.summary)
    for theme in b.themes:
        yield f"Theme: {theme.name}", list(theme.points)


def _source_line(c: Citation, date: str | None, url: str | None) -> str:
    page = f", page {c.page}" if c.page else ""
    when = f", {date}" if date else ""
    return f"{c.title}{when} ({url or c.source}{page}, chars {c.start}-{c.end})"


def to_markdown(b: Briefing, meta: Callable[[str], tuple[str | None, str | None]]) -> str:
    """``meta(doc_id)`` gives (date, source_url) for the source list."""
    out = [f"# Briefing: {_md(b.topic)}", "", f"*Made:* {b.made} · *Scope:* {_md(b.scope)}", ""]
    if not b.covered:
        out += [n for n in b.notes] + [""]
        return "\n".join(out)
    for note in b.notes:
        out += [f"> {_md(note)}", ""]
    for heading, points in sections(b):
        out += [f"## {_md(heading)}", ""]
        out += [f"- {_md(p.text)} {_marks(p)}{_flag(p)}" for p in points if isinstance(p, Point)]
        out.append("")
    if b.timeline:
        out += ["## Timeline", ""]
        out += [f"- **{e.label}** — {_md(e.point.text)} {_marks(e.point)}" for e in b.timeline]
        out.append("")
    if b.differences:
        out += ["## Where sources differ", ""]
        for first, second in b.differences:
            out += [f"- {_md(first.text)} {_marks(first)}",
                    f"  - versus: {_md(second.text)} {_marks(second)}"]  # fmt: skip
        out.append("")
    if b.gaps:
        out += ["## Gaps", "", "The corpus answers these only weakly or not at all:", ""]
        out += [f"- {_md(g)}" for g in b.gaps] + [""]
    out += ["## Sources", ""]
    for c in b.citations:
        date, url = meta(c.doc_id)
        out.append(f"{c.n}. {_md(_source_line(c, date, url))}: “{_md(c.text)}”")
    out += ["", _coverage(b)]
    return "\n".join(out) + "\n"


def _marks(p: Point) -> str:
    return "".join(f"[{n}]" for n in p.citations)


def _coverage(b: Briefing) -> str:
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


_CSS = """body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:1.6rem}sup a{text-decoration:none}
.flag{color:#a40}.scope,.coverage{color:#555}ol.sources li{margin:.4rem 0}
blockquote{margin:.2rem 0 .2rem 1rem;color:#333;border-left:3px solid #ccc;padding-left:.6rem}
.vs{margin-left:1.5rem}:target{background:#fff3b0}"""


def to_html(b: Briefing, meta: Callable[[str], tuple[str | None, str | None]]) -> str:
    """One self-contained file: inline CSS, no scripts, footnote links to the source list."""
    e = html.escape
    out = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
           f"<title>Briefing: {e(b.topic)}</title><style>{_CSS}</style></head><body>",
           f"<h1>Briefing: {e(b.topic)}</h1>",
           f"<p class='scope'>Made {e(b.made)} · Scope: {e(b.scope)}</p>"]  # fmt: skip
    out += [f"<p class='note'>{e(n)}</p>" for n in b.notes]
    if b.covered:
        for heading, points in sections(b):
            out.append(f"<h2>{e(heading)}</h2><ul>")
            out += [f"<li>{_html_point(p)}</li>" for p in points if isinstance(p, Point)]
            out.append("</ul>")
        if b.timeline:
            out.append("<h2>Timeline</h2><ul>")
            out += [f"<li><strong>{e(ev.label)}</strong> — {_html_point(ev.point)}</li>"
                    for ev in b.timeline]  # fmt: skip
            out.append("</ul>")
        if b.differences:
            out.append("<h2>Where sources differ</h2><ul>")
            out += [f"<li>{_html_point(x)}<div class='vs'>versus: {_html_point(y)}</div></li>"
                    for x, y in b.differences]  # fmt: skip
            out.append("</ul>")
        if b.gaps:
            out.append(
                "<h2>Gaps</h2><p>The corpus answers these only weakly or not at all:</p><ul>"
            )
            out += [f"<li>{e(g)}</li>" for g in b.gaps] + ["</ul>"]
        out.append("<h2>Sources</h2><ol class='sources'>")
        for c in b.citations:
            date, url = meta(c.doc_id)
            link = (f" <a href='{e(url)}' rel='noopener noreferrer'>link</a>"
                    if url and url.startswith(("http://", "https://")) else "")  # fmt: skip
            out.append(f"<li id='src-{c.n}'>{e(_source_line(c, date, None))}{link}"
                       f"<blockquote>{e(c.text)}</blockquote></li>")  # fmt: skip
        out += ["</ol>", f"<p class='coverage'>{e(_coverage(b))}</p>"]
    out.append("</body></html>")
    return "\n".join(out)


def _html_point(p: Point) -> str:
    marks = "".join(f"<sup><a href='#src-{n}'>[{n}]</a></sup>" for n in p.citations)
    flag = f" <span class='flag'>{html.escape(_flag(p))}</span>" if not p.supported else ""
    return f"{html.escape(p.text)} {marks}{flag}"


def to_docx(b: Briefing, meta: Callable[[str], tuple[str | None, str | None]]) -> bytes:
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
                if isinstance(p, Point):
                    doc.add_paragraph(f"{p.text} {_marks(p)}{_flag(p)}", style="List Bullet")
        if b.timeline:
            doc.add_heading("Timeline", level=1)
            for ev in b.timeline:
                para = doc.add_paragraph(style="List Bullet")
                para.add_run(ev.label).bold = True
                para.add_run(f" — {ev.point.text} {_marks(ev.point)}")
        if b.differences:
            doc.add_heading("Where sources differ", level=1)
            for first, second in b.differences:
                doc.add_paragraph(f"{first.text} {_marks(first)}", style="List Bullet")
                doc.add_paragraph(f"versus: {second.text} {_marks(second)}", style="List Bullet 2")
        if b.gaps:
            doc.add_heading("Gaps", level=1)
            for g in b.gaps:
                doc.add_paragraph(g, style="List Bullet")
        doc.add_heading("Sources", level=1)
        for c in b.citations:
            date, url = meta(c.doc_id)
            doc.add_paragraph(f"[{c.n}] {_source_line(c, date, url)}: “{c.text}”")
        doc.add_paragraph(_coverage(b))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
