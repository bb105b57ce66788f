"""The Dossier browser app (Gradio): chat with clickable citations, library, settings.

Run it with ``dossier ui``. Handlers stay thin: caching, uploads and the config writer live in
``dossier.webui_state``, all HTML (escaped) in ``dossier.webui_render``.
"""

from __future__ import annotations

import functools
import logging
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import gradio as gr

from assistant.events import Delta, Done, Reset, Rewritten
from assistant.llm import BACKENDS
from corpus.errors import DossierError, NotFoundError, UsageError
from dossier import webui_render as R
from dossier.webui_state import EDITABLE, Engine, count_files, env_overrides, store_uploads
from dossier.webui_state import write_config as save_config
from index.collection import check_name
from index.ingest import IngestReport

log = logging.getLogger("dossier.ui")
P = ParamSpec("P")
T = TypeVar("T")
CORE = "core"  # one concurrency group: chat, ingest, remove and /ask never overlap
REPORT_HEADERS = ["source", "status", "chunks", "reason"]
DOC_HEADERS = ["source", "title", "date", "chunks", "doc_id"]


def friendly(fn: Callable[P, T]) -> Callable[P, T]:
    """DossierErrors become readable messages in the page; never a stack trace."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(*args, **kwargs)
        except DossierError as err:
            raise gr.Error(R.esc(err), print_exception=False) from None
        except gr.Error:
            raise
        except Exception as exc:
            log.exception("unexpected error in %s", fn.__name__)
            raise gr.Error(f"Unexpected error ({type(exc).__name__}); see the server log.",
                           print_exception=False) from None  # fmt: skip

    return wrapper


def build(engine: Engine) -> gr.Blocks:
    s = engine.settings()
    store = engine.conversations
    with gr.Blocks(title="Dossier", fill_width=True) as demo:
        turns = gr.State([])  # finished turns: {"question", "answer": Answer dict + scores}
        conv = gr.State(None)  # conversation id, created with the first question
        with gr.Row(equal_height=True):
            gr.Markdown("## Dossier", elem_id="app-title")
            collection = gr.Dropdown(engine.collections(), value=engine.default_collection,
                                     label="Collection", allow_custom_value=True,
                                     elem_id="collection", scale=2)  # fmt: skip
            llm = gr.Dropdown(list(BACKENDS), value=s.llm, label="Answers by",
                              elem_id="backend", scale=1)  # fmt: skip
            light = gr.HTML(elem_id="backend-status", scale=2)

        with gr.Tab("Chat", elem_id="tab-chat"):
            with gr.Row():
                with gr.Column(scale=1, min_width=220):
                    conv_list = gr.Dropdown([], value=None, label="Conversations",
                                            elem_id="conversations")  # fmt: skip
                    new_btn = gr.Button("New conversation", elem_id="new-conv")
                    title_box = gr.Textbox(label="Rename to", elem_id="rename-title")
                    with gr.Row():
                        rename_btn = gr.Button("Rename", size="sm", elem_id="rename-conv")
                        delete_btn = gr.Button("Delete", size="sm", variant="stop")
                    export_btn = gr.Button("Export Markdown", size="sm", elem_id="export-conv")
                    export_file = gr.File(label="Export", interactive=False, elem_id="export")
                with gr.Column(scale=3):
                    chat = gr.Chatbot(elem_id="chat", height=560, render_markdown=False,
                                      sanitize_html=True, latex_delimiters=[], buttons=["copy"],
                                      feedback_options=(), show_label=False)  # fmt: skip
                    question = gr.Textbox(placeholder="Ask a question and press Enter",
                                          show_label=False, elem_id="question")  # fmt: skip
                with gr.Column(scale=2):
                    panel = gr.HTML(R.EMPTY_PANEL, elem_id="source-panel")
            cite_box = gr.Textbox(visible="hidden", elem_id="cite-box")

        with gr.Tab("Library", elem_id="tab-library"):
            with gr.Row():
                with gr.Column():
                    upload = gr.File(label="Add files (txt, md, html, pdf, docx)",
                                     file_count="multiple", type="filepath",
                                     elem_id="upload")  # fmt: skip
                    folder = gr.Textbox(label="…or ingest a folder on this server",
                                        placeholder="/path/to/papers",
                                        elem_id="folder")  # fmt: skip
                    folder_btn = gr.Button("Ingest folder", elem_id="ingest-folder")
                with gr.Column():
                    stats = gr.HTML(elem_id="stats")
                    doc_pick = gr.Dropdown([], label="Document", elem_id="doc-pick")
                    remove_btn = gr.Button("Remove document", variant="stop", elem_id="remove")
            report = gr.Dataframe(headers=REPORT_HEADERS, label="Ingest report",
                                  interactive=False, elem_id="ingest-report")  # fmt: skip
            docs = gr.Dataframe(headers=DOC_HEADERS, label="Documents", interactive=False,
                                elem_id="documents")  # fmt: skip

        with gr.Tab("Settings", elem_id="tab-settings"):
            top_k = gr.Number(s.top_k, label="Passages per answer (top_k)", precision=0)
            dense_w = gr.Slider(0, 1, s.dense_weight, step=0.05, label="Dense weight in fusion")
            threshold = gr.Slider(0, 1, s.support_threshold, step=0.01,
                                  label="Support threshold (below it: unsupported)")  # fmt: skip
            unsupported = gr.Radio(["flag", "remove"], value=s.unsupported,
                                   label="Unsupported sentences")  # fmt: skip
            with gr.Row():
                oa_url = gr.Textbox(s.openai_base_url, label="OpenAI-compatible base URL")
                oa_model = gr.Textbox(s.openai_model, label="OpenAI model")
            with gr.Row():
                ol_url = gr.Textbox(s.ollama_base_url, label="Ollama URL")
                ol_model = gr.Textbox(s.ollama_model, label="Ollama model")
            save_btn = gr.Button("Save", variant="primary", elem_id="save-settings")
            editable = [top_k, dense_w, threshold, unsupported, oa_url, oa_model, ol_url, ol_model]

        # -- chat ---------------------------------------------------------------------
        def conv_choices(coll: str, value: str | None = None) -> Any:
            items = [(f"{c.title} ({c.n_turns})", c.conversation_id) for c in store().list(coll)]
            return gr.update(choices=items, value=value)

        def respond(q: str, done: list[Any], cid: str | None, coll: str,
                    backend: str) -> Iterator[tuple[Any, ...]]:  # fmt: skip
            q = (q or "").strip()
            if not q:
                yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                return
            history = R.messages(done)
            pending = [{"role": "user", "content": R.question_html(q)}]
            yield "", [*history, *pending, _bot(R.streaming_html(""))], done, cid, gr.skip()
            try:
                helper = engine.assistant(coll, backend)
                cid = cid or store().create(coll).conversation_id
                rewritten, text, note = None, "", ""
                for event in helper.stream(q, None, cid):
                    if isinstance(event, Rewritten):
                        rewritten = event.question
                    elif isinstance(event, Delta):
                        text += event.text
                    elif isinstance(event, Reset):
                        text, note = "", event.note
                    elif isinstance(event, Done):
                        data = helper.to_dict(event.answer, cid, rewritten)
                        for c, cited in zip(data["citations"], event.answer.citations, strict=True):
                            c["score"] = round(cited.score, 5)
                        done = [*done, {"question": q, "answer": data}]
                        yield "", R.messages(done), done, cid, conv_choices(coll, cid)
                        return
                    bubble = _bot(R.streaming_html(text, rewritten, note))
                    yield gr.skip(), [*history, *pending, bubble], done, cid, gr.skip()
            except DossierError as err:
                gr.Warning(R.esc(err))
                yield q, [*history, *pending, _bot(R.error_html(str(err)))], done, cid, gr.skip()

        question.submit(respond, [question, turns, conv, collection, llm],
                        [question, chat, turns, conv, conv_list], concurrency_id=CORE,
                        api_visibility="private")  # fmt: skip

        @friendly
        def show_source(key: str, done: list[Any], coll: str) -> str:
            parsed = R.parse_cite_key(key)
            if parsed is None or parsed[0] >= len(done):
                return R.EMPTY_PANEL
            answer = done[parsed[0]]["answer"]
            cited = [c for c in answer.get("citations", []) if int(c["n"]) == parsed[1]]
            if not cited:
                return R.EMPTY_PANEL
            doc = engine.collection(coll).catalog.document(cited[0]["doc_id"])
            return R.source_panel_html(cited[0], doc, R.citation_support(answer)[parsed[1]])

        cite_box.change(show_source, [cite_box, turns, collection], panel,
                        api_visibility="private")  # fmt: skip

        @friendly
        def open_conv(cid: str | None) -> tuple[Any, ...]:
            if not cid:
                return [], [], None, R.EMPTY_PANEL
            done = [{"question": t.question, "answer": t.answer} for t in store().turns(cid)]
            return R.messages(done), done, cid, R.EMPTY_PANEL

        conv_outputs = [chat, turns, conv, panel]
        conv_list.input(open_conv, conv_list, conv_outputs, api_visibility="private")

        def new_conv(coll: str) -> tuple[Any, ...]:
            return [], [], None, R.EMPTY_PANEL, conv_choices(coll)

        new_btn.click(new_conv, collection, [*conv_outputs, conv_list], api_visibility="private")

        @friendly
        def rename(cid: str | None, title: str, coll: str) -> Any:
            if not cid:
                raise UsageError("Ask a question first: there is no conversation to rename.")
            return conv_choices(coll, store().rename(cid, title).conversation_id)

        rename_btn.click(rename, [conv, title_box, collection], conv_list, api_visibility="private")

        @friendly
        def delete(cid: str | None, coll: str) -> tuple[Any, ...]:
            if cid:
                store().delete(cid)
            return new_conv(coll)

        delete_btn.click(delete, [conv, collection], [*conv_outputs, conv_list],
                         api_visibility="private")  # fmt: skip

        @friendly
        def export(cid: str | None) -> str:
            if not cid:
                raise UsageError("Ask a question first: there is no conversation to export.")
            path = Path(tempfile.mkdtemp(prefix="dossier-export-")) / f"conversation-{cid}.md"
            path.write_text(store().export_markdown(cid), encoding="utf-8")
            return str(path)

        export_btn.click(export, conv, export_file, api_visibility="private")

        # -- library ------------------------------------------------------------------
        def library(coll: str) -> tuple[Any, ...]:
            try:
                c = engine.collection(coll)
            except NotFoundError:
                empty = R.stats_html({"collection": coll, "documents": "none yet (add files)"})
                return [], empty, gr.update(choices=[], value=None)
            infos = c.documents()
            picks = [(f"{d.title} — {d.source}", d.doc_id) for d in infos]
            return (
                R.document_rows(infos),
                R.stats_html(c.stats()),
                gr.update(choices=picks, value=None),
            )

        lib_outputs = [docs, stats, doc_pick]

        def run_ingest(coll: str, paths: list[Path], progress: gr.Progress) -> IngestReport:
            total, seen = max(count_files(paths), 1), [0]

            def tick(f: Any) -> None:
                seen[0] += 1
                progress((seen[0], total), desc=f"ingesting {f.source}")

            progress((0, total), desc="ingesting")
            return engine.ingest(coll, paths, on_file=tick)

        @friendly
        def ingest_uploads(files: list[str] | None, coll: str,
                           progress: gr.Progress = gr.Progress(),  # noqa: B008
                           ) -> tuple[Any, ...]:  # fmt: skip
            check_name(coll)
            pairs = [(Path(f), Path(f).name) for f in files or []]
            accepted, rejected = store_uploads(engine.uploads_dir(coll), pairs,
                                               engine.upload_limit())  # fmt: skip
            report_ = run_ingest(coll, accepted, progress) if accepted else IngestReport(coll)
            rows = R.report_rows([*rejected, *report_.files])
            return rows, None, *library(coll), gr.update(choices=engine.collections())

        upload.upload(ingest_uploads, [upload, collection],
                      [report, upload, *lib_outputs, collection], concurrency_id=CORE,
                      api_visibility="private")  # fmt: skip

        @friendly
        def ingest_folder(path: str, coll: str,
                          progress: gr.Progress = gr.Progress(),  # noqa: B008
                          ) -> tuple[Any, ...]:  # fmt: skip
            folder_path = Path((path or "").strip()).expanduser()
            if not path or not folder_path.exists():
                raise UsageError(f"{path or '(empty)'}: no such file or folder on the server")
            report_ = run_ingest(check_name(coll), [folder_path], progress)
            gr.Info(R.esc(report_.summary()))
            return (
                R.report_rows(report_.files),
                *library(coll),
                gr.update(choices=engine.collections()),
            )

        folder_btn.click(ingest_folder, [folder, collection], [report, *lib_outputs, collection],
                         concurrency_id=CORE, api_visibility="private")  # fmt: skip

        @friendly
        def remove(doc_id: str | None, coll: str) -> tuple[Any, ...]:
            if not doc_id:
                raise UsageError("Pick a document to remove.")
            n = engine.collection(coll).remove(doc_id)
            gr.Info(R.esc(f"Removed {doc_id} ({n} chunks)."))
            return library(coll)

        remove_btn.click(remove, [doc_pick, collection], lib_outputs, concurrency_id=CORE,
                         api_visibility="private")  # fmt: skip

        @friendly
        def switch(coll: str) -> tuple[Any, ...]:
            check_name(coll)
            return *new_conv(coll), *library(coll)

        collection.change(switch, collection, [*conv_outputs, conv_list, *lib_outputs],
                          api_visibility="private")  # fmt: skip

        # -- settings and backend -----------------------------------------------------
        def probe(backend: str) -> str:
            return R.status_light(*engine.backend_status(backend))

        llm.change(probe, llm, light, api_visibility="private")

        @friendly
        def save(*values: Any) -> None:
            updates = dict(zip(EDITABLE, values, strict=True))
            updates["top_k"] = int(updates["top_k"])
            path = save_config(updates)
            shadowed = env_overrides(EDITABLE)
            extra = f" ({', '.join(shadowed)} set in the environment still win)" if shadowed else ""
            gr.Info(R.esc(f"Saved {path}; the next question uses it{extra}."))

        save_btn.click(save, editable, None, api_visibility="private")

        demo.load(lambda coll, backend: (probe(backend), conv_choices(coll), *library(coll)),
                  [collection, llm], [light, conv_list, *lib_outputs],
                  api_visibility="private")  # fmt: skip

        # -- API ----------------------------------------------------------------------
        def ask(question: str, collection: str = "", llm: str = "extractive") -> dict[str, Any]:
            """Answer a question from a collection; returns the answer with its citations."""
            name = collection or engine.default_collection
            helper = engine.assistant(name, llm)
            cid = store().create(name).conversation_id
            rewritten, answer = None, None
            for event in helper.stream(question, None, cid):
                if isinstance(event, Rewritten):
                    rewritten = event.question
                elif isinstance(event, Done):
                    answer = event.answer
            assert answer is not None
            return helper.to_dict(answer, cid, rewritten)

        gr.api(friendly(ask), api_name="ask", concurrency_id=CORE)
    return demo


def _bot(html: str) -> dict[str, str]:
    return {"role": "assistant", "content": html}


def parse_auth(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise UsageError("--auth / DOSSIER_AUTH must look like user:password")
    return user, password


def launch(host: str = "127.0.0.1", port: int = 7860, collection: str = "default",
           auth: tuple[str, str] | None = None, **overrides: Any) -> None:  # fmt: skip
    """Build the app and serve it until interrupted."""
    engine = Engine(collection, **overrides)
    demo = build(engine)
    demo.queue(default_concurrency_limit=1)
    demo.launch(
        server_name=host, server_port=port, auth=auth, head=R.HEAD, css=R.CSS,
        max_file_size=engine.upload_limit(), ssr_mode=False, mcp_server=False,
        footer_links=["api"], quiet=False,
    )  # fmt: skip
