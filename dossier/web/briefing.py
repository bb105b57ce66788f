"""The Briefing tab: a topic and optional filters in, the briefing rendered in the page (by
the same template as the HTML export) with every [n] clickable, and its downloads.

Briefing citations are ``<button class="cite bcite-<n>">`` markers: the page script writes
the number into the hidden ``#brief-cite-box``, and the panel (sticky beside the briefing, a
drawer on a phone) shows the cited span in its document, as in chat. Progress counts the
briefing's steps in one place; a failure is one note and leaves the last briefing shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.briefing import Briefing
from assistant.briefing_export import FORMATS, document_meta, export, to_html
from assistant.briefing_run import make_briefing, steps
from corpus.errors import UsageError
from dossier.web import html as H
from dossier.web.engine import Engine
from dossier.web.files import stamped
from dossier.web.handlers import QUESTIONS, Header, Step, Tick, guarded, in_background
from dossier.web.panel import EMPTY_PANEL, citation_panel
from index.collection import Collection
from index.types import SearchFilter


def write_downloads(brief: Briefing, collection: Collection, folder: Path) -> list[str]:
    """The briefing in every format, under one fresh name in ``folder``."""
    stem = stamped(folder, "briefing-", FORMATS)
    paths = []
    for fmt in FORMATS:
        path = folder / f"{stem}.{fmt}"
        path.write_bytes(export(brief, collection, fmt))
        paths.append(str(path))
    return paths


def _make(engine: Engine, downloads: Path, topic: str, filters: SearchFilter | None, coll: str,
          backend: str, tick: Tick) -> tuple[Any, ...]:  # fmt: skip
    """The briefing made, its downloads written: (page, paths, citations)."""
    collection = engine.collection(coll)
    extractive, writer = engine.briefing_answerers(coll, backend)
    total, done = steps(writer), [0]
    tick(0, total, "retrieving evidence")

    def step(what: str) -> None:
        done[0] += 1
        tick(done[0], total, what)

    brief = make_briefing(collection, topic, extractive, writer, filters, progress=step)
    paths = write_downloads(brief, collection, downloads)
    page = to_html(brief, document_meta(collection), clickable=True, page=False)
    # the collection travels with the citations: the picker may change afterwards
    cites = [c.to_dict() | {"score": c.score, "collection": coll} for c in brief.citations]
    return page, paths, cites


@guarded(5)
def generate(engine: Engine, downloads: Path, topic: str, source: str, since: str, until: str,
             coll: str, backend: str) -> Iterator[tuple[Any, ...]]:  # fmt: skip
    """Outputs: the briefing, its downloads, its citations (for the panel), the panel, the
    progress, the note. A failure leaves the last briefing in place."""
    if not (topic or "").strip():
        raise UsageError("Enter a topic to brief on.")
    filters = SearchFilter.from_strings(source, since, until)
    skip = [gr.skip()] * 4
    for item in in_background(partial(_make, engine, downloads, topic.strip(), filters, coll,
                                      backend)):  # fmt: skip
        if isinstance(item, Step):
            yield *skip, H.progress_html(item.done, item.total, item.what, "steps"), ""
        else:
            page, paths, cites = item
            yield page, paths, cites, EMPTY_PANEL, "", ""


@guarded(1)
def show_source(engine: Engine, key: str, cites: list[dict[str, Any]],
                coll: str) -> tuple[Any, ...]:  # fmt: skip
    """The source panel for a clicked briefing citation ('n[:full]@stamp'); the note."""
    parsed = H.parse_brief_key(key)
    cited = [c for c in cites if parsed and int(c["n"]) == parsed[0]]
    if parsed is None or not cited:
        return EMPTY_PANEL, ""
    c = cited[0]
    return citation_panel(engine, c.get("collection") or coll, c, True, f"bcite-{parsed[0]}",
                          parsed[1]), ""  # fmt: skip


def tab(engine: Engine, top: Header, downloads: Path) -> None:
    """The Briefing tab's layout and events; downloads are written under ``downloads``."""
    with gr.Tab("Briefing", id="briefing", elem_id="tab-briefing"):
        with gr.Row():
            topic = gr.Textbox(label="Topic", placeholder="e.g. federal agency use of AI",
                               elem_id="brief-topic", scale=3)  # fmt: skip
            source = gr.Textbox(label="Only paths matching", placeholder="fact-sheets/*", scale=1)
            since = gr.Textbox(label="Since (YYYY-MM-DD)", scale=1)
            until = gr.Textbox(label="Until (YYYY-MM-DD)", scale=1)
        go = gr.Button("Generate briefing", variant="primary", elem_id="brief-go")
        progress = gr.HTML(elem_id="brief-progress")
        note = gr.HTML(elem_id="brief-note")
        with gr.Row(elem_id="brief-row"):
            with gr.Column(scale=3):
                body = gr.HTML(elem_id="briefing")
                files = gr.File(label="Download", file_count="multiple", interactive=False,
                                elem_id="brief-files")  # fmt: skip
            with gr.Column(scale=2, elem_id="brief-source-col", elem_classes="source-col"):
                panel = gr.HTML(EMPTY_PANEL, elem_id="brief-source-panel")
        cites = gr.State([])
        box = gr.Textbox(visible="hidden", elem_id="brief-cite-box", label="citation")
    go.click(partial(generate, engine, downloads),
             [topic, source, since, until, top.collection, top.backend],
             [body, files, cites, panel, progress, note], **QUESTIONS, show_progress="hidden",
             api_visibility="private")  # fmt: skip
    box.change(partial(show_source, engine), [box, cites, top.collection], [panel, note],
               api_visibility="private")  # fmt: skip
