"""The source panel: a cited span highlighted at its exact offsets in its readable document.

One panel for chat and briefing. It shows the passage (the span with ~600 characters around
it) or, after "Open whole document", the whole document, rendered by ``readable`` (Markdown
as text with its structure, every character escaped); a PDF passage also shows its page as
an image with the passage boxed (``pdf_page``). The page script scrolls the ``mark.hl`` into
view whenever the panel changes, and on a phone shows the panel as a drawer.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from corpus.types import Document
from dossier.web.html import NOTHING, page_note, score_text, support_badge
from dossier.web.pdf_page import page_image
from dossier.web.readable import is_markdown, layout, render

if TYPE_CHECKING:
    from dossier.web.engine import Engine

CONTEXT_CHARS = 600
EMPTY_PANEL = (
    '<div class="source empty"><p class="note">Click a citation [n] to see the passage, '
    "highlighted, in its document.</p></div>"
)


def _window(text: str, start: int, end: int, context: int) -> tuple[int, int]:
    """About ``context`` characters each side of the span, cut at spaces."""
    lo, hi = max(0, start - context), min(len(text), end + context)
    if lo > 0:
        space = text.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    return lo, hi


def _head(c: Mapping[str, Any], supported: bool, cite_class: str, full: bool) -> Markup:
    start, end = int(c["start"]), int(c["end"])
    what, label = ("", "Back to the passage") if full else (" doc-full", "Open whole document")
    toggle = Markup('<button type="button" class="cite {}{} doc-toggle">{}</button>').format(
        cite_class, what, label
    )
    return Markup(
        '<div class="source-head"><h3>[{n}] {title}</h3><p class="source-meta"><code>{source}'
        "</code>{page} · characters {start}–{end} · score {score} · {status}</p>"
        '<div class="source-actions">{toggle}<button type="button" class="panel-close" '
        'aria-label="Close the source panel">Close</button></div></div>'
    ).format(n=c.get("n"), title=c.get("title") or "", source=c.get("source") or "",
             page=page_note(c.get("page")), start=start, end=end,
             score=score_text(c.get("score")), status=support_badge(supported),
             toggle=toggle)  # fmt: skip


def _figure(pdf: Path | None, c: Mapping[str, Any]) -> Markup:
    page = c.get("page")
    if pdf is None or not isinstance(page, int) or not pdf.is_file():
        return NOTHING
    image = page_image(pdf, page, str(c.get("text", "")))
    if image is None:
        return NOTHING
    what = "the cited passage boxed" if image.found else "the passage could not be located"
    return Markup(
        '<figure class="pdf-page"><img src="{uri}" width="{w}" height="{h}" alt="Page {p} of '
        '{title}, {what}"><figcaption>Page {p} of the PDF, {what}</figcaption></figure>'
    ).format(uri=image.data_uri, w=image.width, h=image.height, p=page,
             title=c.get("title") or "the document", what=what)  # fmt: skip


def source_panel_html(
    citation: Mapping[str, Any],
    document: Document | None,
    supported: bool,
    *,
    cite_class: str,
    full: bool = False,
    pdf: Path | None = None,
    context: int = CONTEXT_CHARS,
) -> str:
    """The panel for one citation. ``cite_class`` is the citation's marker class (the toggle
    button reuses it); ``pdf`` is the original file of a PDF document, when on disk."""
    start, end = int(citation["start"]), int(citation["end"])
    head = _head(citation, supported, cite_class, full)
    quoted = str(citation.get("text", ""))
    if document is None or document.text[start:end] != quoted:
        what = "the document was removed" if document is None else "the document changed"
        return str(Markup(
            '<div class="source">{}<p class="note">{} since this answer; the quoted text:</p>'
            '<div class="passage"><mark class="hl">{}</mark></div></div>'
        ).format(head, what, quoted))  # fmt: skip
    md = is_markdown(document.source)
    lo, hi = (0, len(document.text)) if full else _window(document.text, start, end, context)
    body = render(layout(document.text, md), lo, hi, (start, end), md)
    kind = "passage whole" if full else "passage"
    label = "The whole document" if full else "The passage in its document"
    return str(Markup(
        '<div class="source">{head}{figure}<div class="{kind} {fmt}" tabindex="0" role="region" '
        'aria-label="{label}">{body}</div></div>'
    ).format(head=head, figure=_figure(pdf, citation), kind=kind,
             fmt="markdown" if md else "plain", label=label, body=body))  # fmt: skip


def citation_panel(engine: Engine, coll: str, citation: Mapping[str, Any], supported: bool,
                   cite_class: str, full: bool) -> str:  # fmt: skip
    """The panel for a citation of collection ``coll``, read from its catalog (and, for a
    PDF, its file, found where it was ingested from)."""
    catalog = engine.collection(coll).catalog
    doc_id = str(citation["doc_id"])
    document = catalog.document(doc_id)
    pdf = None
    if document is not None and document.source.lower().endswith(".pdf"):
        root = catalog.root(doc_id)
        pdf = Path(root) / document.source if root else None
    return source_panel_html(citation, document, supported, cite_class=cite_class, full=full,
                             pdf=pdf)  # fmt: skip
