"""The Library tab: upload files or ingest a server folder (with progress and a per-file
report), the documents table, collection statistics, removing a document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from corpus.errors import UsageError
from dossier.web import html as H
from dossier.web.engine import Engine
from dossier.web.handlers import CORE, Header, friendly, info

REPORT_HEADERS = ["source", "status", "chunks", "reason"]
DOC_HEADERS = ["source", "title", "date", "chunks", "doc_id"]


@dataclass(frozen=True)
class LibraryParts:
    docs: gr.Dataframe
    stats: gr.HTML
    doc_pick: gr.Dropdown

    @property
    def outputs(self) -> list[Any]:
        """What ``view`` fills."""
        return [self.docs, self.stats, self.doc_pick]


def view(engine: Engine, coll: str) -> tuple[Any, ...]:
    """The documents table, the statistics and the removal picker of a collection."""
    infos, numbers = engine.library(coll)
    picks = [(f"{d.title} — {d.source}", d.doc_id) for d in infos]
    return H.document_rows(infos), H.stats_html(numbers), gr.update(choices=picks, value=None)


def _ticker(progress: gr.Progress) -> Callable[[int, int, str], None]:
    return lambda done, total, source: progress((done, total), desc=f"ingesting {source}")


@friendly
def ingest_uploads(engine: Engine, files: list[str] | None, coll: str,
                   progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008  # fmt: skip
    """Outputs: report, upload box (cleared), the library view, the collection choices."""
    reports = engine.add_uploads(coll, files or [], _ticker(progress))
    return (H.report_rows(reports), None, *view(engine, coll),
            gr.update(choices=engine.collections()))  # fmt: skip


@friendly
def ingest_folder(engine: Engine, path: str, coll: str,
                  progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008  # fmt: skip
    """Outputs: report, the library view, the collection choices."""
    where = Path((path or "").strip()).expanduser()
    if not (path or "").strip() or not where.exists():
        raise UsageError(f"{path or '(empty)'}: no such file or folder on the server")
    done = engine.ingest(coll, [where], _ticker(progress))
    info(done.summary())
    return (H.report_rows(done.files), *view(engine, coll),
            gr.update(choices=engine.collections()))  # fmt: skip


@friendly
def remove(engine: Engine, doc_id: str | None, coll: str) -> tuple[Any, ...]:
    if not doc_id:
        raise UsageError("Pick a document to remove.")
    n = engine.collection(coll).remove(doc_id)
    info(f"Removed {doc_id} ({n} chunks).")
    return view(engine, coll)


def tab(engine: Engine, top: Header) -> LibraryParts:
    """The Library tab's layout and events."""
    with gr.Tab("Library", elem_id="tab-library"):
        with gr.Row():
            with gr.Column():
                upload = gr.File(label="Add files (txt, md, html, pdf, docx)",
                                 file_count="multiple", type="filepath",
                                 elem_id="upload")  # fmt: skip
                folder = gr.Textbox(label="…or ingest a folder on this server",
                                    placeholder="/path/to/papers", elem_id="folder")  # fmt: skip
                folder_btn = gr.Button("Ingest folder", elem_id="ingest-folder")
            with gr.Column():
                stats = gr.HTML(elem_id="stats")
                doc_pick = gr.Dropdown([], label="Document", elem_id="doc-pick")
                remove_btn = gr.Button("Remove document", variant="stop", elem_id="remove")
        report = gr.Dataframe(headers=REPORT_HEADERS, label="Ingest report", interactive=False,
                              elem_id="ingest-report")  # fmt: skip
        docs = gr.Dataframe(headers=DOC_HEADERS, label="Documents", interactive=False,
                            elem_id="documents")  # fmt: skip
    parts = LibraryParts(docs, stats, doc_pick)
    coll, lib = top.collection, parts.outputs
    events: dict[str, Any] = {"concurrency_id": CORE, "api_visibility": "private"}
    upload.upload(partial(ingest_uploads, engine), [upload, coll],
                  [report, upload, *lib, coll], **events)  # fmt: skip
    folder_btn.click(partial(ingest_folder, engine), [folder, coll], [report, *lib, coll],
                     **events)  # fmt: skip
    remove_btn.click(partial(remove, engine), [doc_pick, coll], lib, **events)
    return parts
