"""The Library's documents table: title, date, type, chunks and status first, then the
path; a tick box per document (the chat's scope) and a Remove button naming the title.

The table is plain HTML (every value escaped); the page script (``assets``) searches it,
sorts it by a column and reports ticks and Remove clicks through hidden text boxes. Gradio
strips no classes, so a row's document id travels in its tick box's ``value`` and in the
Remove button's ``rm-<id>`` class (ids are hex digests).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from pathlib import PurePosixPath

from markupsafe import Markup

from index.catalog import DocumentInfo

COLUMNS = (("title", "Title"), ("date", "Date"), ("type", "Type"), ("chunks", "Chunks"),
           ("status", "Status"), ("source", "Path"))  # fmt: skip


def doc_type(source: str) -> str:
    return (PurePosixPath(source).suffix.lstrip(".") or "file").upper()


def status(d: DocumentInfo) -> str:
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(d.ingested_at)) if d.ingested_at else ""
    return f"indexed {when}".strip()


def folders(docs: Sequence[DocumentInfo]) -> list[str]:
    """Every folder that holds a document (each level: 'a', 'a/b')."""
    found: set[str] = set()
    for d in docs:
        parts = PurePosixPath(d.source).parts[:-1]
        found.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return sorted(found)


def tags(docs: Sequence[DocumentInfo]) -> list[str]:
    return sorted({str(t) for d in docs for t in d.metadata.get("tags") or []})


def _row(d: DocumentInfo, ticked: bool) -> Markup:
    title = d.title or d.source
    return Markup(
        '<tr><td><input type="checkbox" class="doc-tick" value="{id}"{checked} '
        'aria-label="Ask only ticked documents: {title}"></td><td class="title">{title}</td>'
        '<td>{date}</td><td>{kind}</td><td class="num">{chunks}</td>'
        "<td>{status}</td><td><code>{source}</code></td><td><button type=\"button\" "
        'class="doc-remove rm-{id}" aria-label="Remove {title}">Remove…</button></td></tr>'
    ).format(id=d.doc_id, checked=Markup(" checked") if ticked else Markup(""), title=title,
             date=d.date or "", kind=doc_type(d.source), chunks=d.n_chunks, status=status(d),
             source=d.source)  # fmt: skip


def documents_table(docs: Sequence[DocumentInfo], ticked: Collection[str]) -> str:
    if not docs:
        return str(Markup('<p class="note">No documents yet: add files or a folder above.</p>'))
    heads = Markup("").join(
        Markup(
            '<th scope="col" aria-sort="none"><button type="button" class="sort">{}</button></th>'
        ).format(label)
        for _, label in COLUMNS
    )
    rows = Markup("").join(_row(d, d.doc_id in ticked) for d in docs)
    return str(Markup(
        '<div class="doc-tools"><label for="doc-search">Search documents</label> '
        '<input id="doc-search" type="search" placeholder="title, date, type or path">'
        ' <span class="doc-count" aria-live="polite">{n} documents</span></div>'
        '<div class="doc-scroll"><table class="docs"><caption class="sr-only">Documents of '
        'the collection; tick documents to ask only them</caption><thead><tr><th scope="col">'
        '<span class="sr-only">Ask only</span>✓</th>{heads}<th scope="col"><span '
        'class="sr-only">Remove</span></th></tr></thead><tbody>{rows}</tbody></table></div>'
    ).format(n=len(docs), heads=heads, rows=rows))  # fmt: skip
