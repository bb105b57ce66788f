"""The Briefing tab: a topic and optional filters in, the briefing rendered in the page (by
the same template as the HTML export) with every [n] clickable, and its downloads.

Briefing citations are ``<button class="cite bcite-<n>">`` markers: the page script writes
the number into the hidden ``#brief-cite-box``, and the panel shows the cited span in its
document, as in chat.
"""

from __future__ import annotations

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
from dossier.web.handlers import CORE, Header, friendly
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


@friendly
def generate(engine: Engine, downloads: Path, topic: str, source: str, since: str, until: str,
             coll: str, backend: str,
             progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008  # fmt: skip
    """Outputs: the briefing, its downloads, its citations (for the panel), the panel."""
    if not (topic or "").strip():
        raise UsageError("Enter a topic to brief on.")
    filters = SearchFilter.from_strings(source, since, until)
    progress(0, desc="retrieving evidence")
    collection = engine.collection(coll)
    extractive, writer = engine.briefing_answerers(coll, backend)
    total, done = steps(writer), [0]

    def step(what: str) -> None:
        progress((done[0], total), desc=what)
        done[0] += 1

    brief = make_briefing(collection, topic.strip(), extractive, writer, filters, progress=step)
    paths = write_downloads(brief, collection, downloads)
    page = to_html(brief, document_meta(collection), clickable=True, page=False)
    # the collection travels with the citations: the picker may change afterwards
    cites = [c.to_dict() | {"score": c.score, "collection": coll} for c in brief.citations]
    return page, paths, cites, H.EMPTY_PANEL


@friendly
def show_source(engine: Engine, key: str, cites: list[dict[str, Any]], coll: str) -> str:
    """The source panel for a clicked briefing citation ('n@stamp')."""
    head = (key or "").split("@")[0]
    n = int(head) if head.isdigit() else -1
    cited = [c for c in cites if int(c["n"]) == n]
    if not cited:
        return H.EMPTY_PANEL
    doc = engine.document(cited[0].get("collection") or coll, cited[0]["doc_id"])
    return H.source_panel_html(cited[0], doc, True)


def tab(engine: Engine, top: Header, downloads: Path) -> None:
    """The Briefing tab's layout and events; downloads are written under ``downloads``."""
    with gr.Tab("Briefing", elem_id="tab-briefing"):
        with gr.Row():
            topic = gr.Textbox(label="Topic", placeholder="e.g. federal agency use of AI",
                               elem_id="brief-topic", scale=3)  # fmt: skip
            source = gr.Textbox(label="Only paths matching", placeholder="fact-sheets/*", scale=1)
            since = gr.Textbox(label="Since (YYYY-MM-DD)", scale=1)
            until = gr.Textbox(label="Until (YYYY-MM-DD)", scale=1)
        go = gr.Button("Generate briefing", variant="primary", elem_id="brief-go")
        with gr.Row():
            with gr.Column(scale=3):
                body = gr.HTML(elem_id="briefing")
                files = gr.File(label="Download", file_count="multiple", interactive=False,
                                elem_id="brief-files")  # fmt: skip
            panel = gr.HTML(H.EMPTY_PANEL, elem_id="brief-source-panel", elem_classes="panel")
        cites = gr.State([])
        box = gr.Textbox(visible="hidden", elem_id="brief-cite-box")
    go.click(partial(generate, engine, downloads),
             [topic, source, since, until, top.collection, top.backend],
             [body, files, cites, panel], concurrency_id=CORE,
             api_visibility="private")  # fmt: skip
    box.change(partial(show_source, engine), [box, cites, top.collection], panel,
               api_visibility="private")  # fmt: skip
