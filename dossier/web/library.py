"""The Library tab: upload files or ingest a server folder (progress per file, in one place,
and a per-file report), the documents table (search, sort, tick to scope the chat, remove
with a confirmation naming the title), a folder and a tag to scope by, statistics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import gradio as gr

from corpus.errors import UsageError
from dossier.web import html as H
from dossier.web.engine import Engine
from dossier.web.handlers import WRITES, Header, Step, Tick, guarded, in_background
from dossier.web.library_html import documents_table, folders, tags
from dossier.web.scope import Scope

REPORT_HEADERS = ["source", "status", "chunks", "reason"]


@dataclass(frozen=True)
class LibraryParts:
    table: gr.HTML
    stats: gr.HTML
    folder: gr.Dropdown
    tag: gr.Dropdown

    @property
    def outputs(self) -> list[Any]:
        """What ``view`` fills."""
        return [self.table, self.stats, self.folder, self.tag]


def view(engine: Engine, coll: str, scope: Scope | None = None) -> tuple[Any, ...]:
    """The documents table (ticks from ``scope``), statistics, folder and tag choices."""
    infos, numbers = engine.library(coll)
    s = scope or Scope()
    return (documents_table(infos, set(s.doc_ids)), H.stats_html(numbers),
            gr.update(choices=["", *folders(infos)], value=s.folder),
            gr.update(choices=["", *tags(infos)], value=s.tag))  # fmt: skip


def _ingesting(engine: Engine, coll: str, scope: Scope, work: Callable[[Tick], Any],
               lead: list[Any]) -> Iterator[tuple[Any, ...]]:  # fmt: skip
    """Run an ingest with progress. Outputs: ``lead`` (report first), the library view, the
    collection choices, the progress, the note."""
    skip = [gr.skip()] * (len(lead) + 5)
    for item in in_background(work):
        if isinstance(item, Step):
            what = f"read {item.what}" if item.what else "starting"
            yield *skip, H.progress_html(item.done, item.total, what, "files"), ""
            continue
        files = item if isinstance(item, list) else item.files
        counts: dict[str, int] = {}
        for f in files:
            counts[f.status] = counts.get(f.status, 0) + 1
        summary = ", ".join(f"{n} {status}" for status, n in counts.items()) or "nothing to do"
        report = H.report_rows(files)
        done = H.note(f"{coll}: {summary}.")
        yield (report, *lead[1:], *view(engine, coll, scope),
               gr.update(choices=engine.collections()), "", done)  # fmt: skip


@guarded(8)
def ingest_uploads(engine: Engine, files: list[str] | None, coll: str,
                   scope: Scope) -> Iterator[tuple[Any, ...]]:  # fmt: skip
    """Outputs: report, upload box (cleared), the library view, collection choices,
    progress, note."""
    if not files:
        return
    work = partial(engine.add_uploads, coll, files)
    yield from _ingesting(engine, coll, scope, work, [None, None])


@guarded(7)
def ingest_folder(engine: Engine, path: str, coll: str,
                  scope: Scope) -> Iterator[tuple[Any, ...]]:  # fmt: skip
    """Outputs: report, the library view, collection choices, progress, note."""
    if not (path or "").strip():
        raise UsageError("Type the path of a folder on the server first.")
    where = engine.server_path(path)  # only under the uploads and --allow-folder folders
    yield from _ingesting(engine, coll, scope, partial(engine.ingest, coll, [where]), [None])


def set_scope(engine: Engine, ticked: str, folder: str, tag: str, coll: str) -> tuple[Any, ...]:
    """Ticks ('id id …@stamp'), folder or tag changed. Outputs: scope, chat chip, library chip."""
    ids = (ticked or "").split("@")[0].split()
    scope = Scope.of(ids, engine.documents(coll), folder or "", tag or "")
    return scope, scope.chip(), scope.chip()


@guarded(3)
def ask_remove(engine: Engine, key: str, coll: str) -> tuple[Any, ...]:
    """A Remove click ('id@stamp'). Outputs: confirmation shown, its text, pending id, note."""
    doc_id = (key or "").split("@")[0]
    info = engine.collection(coll).catalog.document_info(doc_id)
    if info is None:
        raise UsageError("That document is no longer in the collection.")
    n = info.n_chunks
    text = H.confirm_text(f"Remove “{info.title or info.source}” ({info.source}, "
                          f"{n} chunk{'s' * (n != 1)}) from “{coll}”?")  # fmt: skip
    return gr.update(visible=True), text, doc_id, ""


@guarded(8)
def remove(engine: Engine, doc_id: str, coll: str, scope: Scope) -> tuple[Any, ...]:
    """Outputs: the library view, confirmation hidden, scope, two chips, note."""
    if not doc_id:
        raise UsageError("Pick a document to remove first.")
    collection = engine.collection(coll)
    info = collection.catalog.document_info(doc_id)
    title = (info.title or info.source) if info else doc_id
    n = collection.remove(doc_id)
    kept = Scope.of([d for d in scope.doc_ids if d != doc_id], engine.documents(coll),
                    scope.folder, scope.tag)  # fmt: skip
    return (*view(engine, coll, kept), gr.update(visible=False), kept, kept.chip(),
            kept.chip(), H.note(f"Removed “{title}” ({n} chunks)."))  # fmt: skip


def tab(engine: Engine, top: Header, scope: gr.State, chat_chip: gr.HTML) -> LibraryParts:
    """The Library tab's layout and events; ``scope`` and ``chat_chip`` belong to the chat."""
    with gr.Tab("Library", id="library", elem_id="tab-library"):
        with gr.Row():
            with gr.Column():
                upload = gr.File(label="Add files (txt, md, html, pdf, docx)",
                                 file_count="multiple", type="filepath",
                                 elem_id="upload")  # fmt: skip
                folder_box = gr.Textbox(label="…or ingest a folder on this server",
                                        placeholder="/path/to/papers",
                                        elem_id="folder")  # fmt: skip
                folder_btn = gr.Button("Ingest folder", elem_id="ingest-folder")
            stats = gr.HTML(elem_id="stats")
        progress = gr.HTML(elem_id="lib-progress")
        note = gr.HTML(elem_id="lib-note")
        with gr.Accordion("Ingest report", open=True, elem_id="report-acc"):
            report = gr.Dataframe(headers=REPORT_HEADERS, label="Ingest report",
                                  interactive=False, elem_id="ingest-report")  # fmt: skip
        with gr.Row(equal_height=True):
            folder = gr.Dropdown([""], value="", label="Ask only this folder",
                                 elem_id="scope-folder")  # fmt: skip
            tag = gr.Dropdown([""], value="", label="Ask only this tag", elem_id="scope-tag")
            lib_chip = gr.HTML(Scope().chip(), elem_id="lib-scope-chip")
        with gr.Group(visible=False, elem_id="remove-confirm") as confirm:
            confirm_text = gr.HTML()
            with gr.Row():
                yes = gr.Button("Remove", variant="stop", size="sm", elem_id="remove-yes")
                no = gr.Button("Cancel", size="sm", elem_id="remove-no")
        table = gr.HTML(elem_id="documents")
        tick_box = gr.Textbox(visible="hidden", elem_id="tick-box", label="ticked")
        remove_box = gr.Textbox(visible="hidden", elem_id="remove-box", label="remove")
        pending = gr.State("")
    parts = LibraryParts(table, stats, folder, tag)
    coll, lib = top.collection, parts.outputs
    private: dict[str, Any] = {"api_visibility": "private"}
    work: dict[str, Any] = {**WRITES, "show_progress": "hidden", **private}
    tail = [coll, progress, note]
    upload.upload(partial(ingest_uploads, engine), [upload, coll, scope],
                  [report, upload, *lib, *tail], **work)  # fmt: skip
    folder_btn.click(partial(ingest_folder, engine), [folder_box, coll, scope],
                     [report, *lib, *tail], **work)  # fmt: skip
    chips = [scope, chat_chip, lib_chip]
    for trigger in (tick_box.change, folder.input, tag.input):
        trigger(partial(set_scope, engine), [tick_box, folder, tag, coll], chips, **private)
    remove_box.change(partial(ask_remove, engine), [remove_box, coll],
                     [confirm, confirm_text, pending, note], **private)  # fmt: skip
    yes.click(partial(remove, engine), [pending, coll, scope], [*lib, confirm, *chips, note],
              **work)  # fmt: skip
    no.click(lambda: gr.update(visible=False), None, confirm, **private)
    return parts
