"""The Dossier browser app (Gradio): chat with clickable citations, library, settings,
briefings and evaluation.

Run it with ``dossier ui``. Handlers stay thin: caching, uploads and the config writer live in
``dossier.webui_state``, all HTML (escaped) in ``dossier.webui_render``.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import gradio as gr
from gradio.utils import get_upload_folder

from assistant.events import Delta, Done, Reset, Rewritten
from assistant.llm import BACKENDS
from corpus.errors import DossierError, UsageError
from dossier import webui_render as R
from dossier.webui_state import EDITABLE, Engine, env_overrides, parse_auth, with_scores
from dossier.webui_state import write_config as save_config
from dossier.webui_tabs import briefing_tab, evaluation_tab
from index.collection import check_name

__all__ = ["build", "launch", "parse_auth"]

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
            raise gr.Error(R.esc(_unexpected(exc)), print_exception=False) from None

    return wrapper


def build(engine: Engine) -> gr.Blocks:
    s = engine.settings()
    with gr.Blocks(title="Dossier", fill_width=True, delete_cache=(3600, 86400)) as demo:
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
                    export_file = gr.File(label="Export", interactive=False, height=70,
                                          elem_id="export")  # fmt: skip
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
            top_k = gr.Number(s.top_k, label="Passages per answer (top_k)", precision=0,
                              elem_id="set-top-k")  # fmt: skip
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
                ol_model = gr.Textbox(
                    s.ollama_model, label="Ollama model", elem_id="set-ollama-model"
                )
            save_btn = gr.Button("Save", variant="primary", elem_id="save-settings")
            editable = [top_k, dense_w, threshold, unsupported, oa_url, oa_model, ol_url, ol_model]

        briefing_tab(engine, collection, llm, friendly, Path(get_upload_folder()) / "briefings")
        evaluation_tab(engine, llm, friendly)

        # -- chat ---------------------------------------------------------------------
        def conv_choices(coll: str, value: str | None = None) -> Any:
            return gr.update(choices=engine.conversation_choices(coll), value=value)

        def respond(q: str, done: list[Any], cid: str | None, coll: str,
                    backend: str) -> Iterator[tuple[Any, ...]]:  # fmt: skip
            q = (q or "").strip()
            if not q:
                yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                return
            shown = [*R.messages(done), {"role": "user", "content": R.question_html(q)}]
            yield "", [*shown, _bot(R.streaming_html(""))], done, cid, gr.skip()
            try:
                helper = engine.assistant(coll, backend)
                cid = cid or engine.conversations().create(coll).conversation_id
                rewritten, text, note = None, "", ""
                for event in helper.stream(q, None, cid):
                    if isinstance(event, Rewritten):
                        rewritten = event.question
                    elif isinstance(event, Delta):
                        text += event.text
                    elif isinstance(event, Reset):
                        text, note = "", event.note
                    elif isinstance(event, Done):
                        data = with_scores(
                            helper.to_dict(event.answer, cid, rewritten), event.answer
                        )
                        done = [*done, {"question": q, "answer": data}]
                        yield "", R.messages(done), done, cid, conv_choices(coll, cid)
                        return
                    bubble = _bot(R.streaming_html(text, rewritten, note))
                    yield gr.skip(), [*shown, bubble], done, cid, gr.skip()
            except Exception as exc:  # one failed turn must not break the conversation
                message = str(exc) if isinstance(exc, DossierError) else _unexpected(exc)
                gr.Warning(R.esc(message))
                yield q, [*shown, _bot(R.error_html(message))], done, cid, gr.skip()

        question.submit(respond, [question, turns, conv, collection, llm],
                        [question, chat, turns, conv, conv_list], concurrency_id=CORE,
                        api_visibility="private")  # fmt: skip
        cite_box.change(friendly(engine.source_html), [cite_box, turns, collection], panel,
                        api_visibility="private")  # fmt: skip

        @friendly
        def open_conv(cid: str | None) -> tuple[Any, ...]:
            done = engine.turns(cid) if cid else []
            return R.messages(done), done, cid, R.EMPTY_PANEL

        conv_outputs = [chat, turns, conv, panel]
        conv_list.input(open_conv, conv_list, conv_outputs, api_visibility="private")

        def new_conv(coll: str) -> tuple[Any, ...]:
            return [], [], None, R.EMPTY_PANEL, conv_choices(coll)

        for trigger in (new_btn.click, chat.clear):
            trigger(new_conv, collection, [*conv_outputs, conv_list], api_visibility="private")

        def needs(cid: str | None, what: str) -> str:
            if not cid:
                raise UsageError(f"Ask a question first: there is no conversation to {what}.")
            return cid

        @friendly
        def rename(cid: str | None, title: str, coll: str) -> Any:
            renamed = engine.conversations().rename(needs(cid, "rename"), title)
            return conv_choices(coll, renamed.conversation_id)

        rename_btn.click(rename, [conv, title_box, collection], conv_list, api_visibility="private")

        @friendly
        def delete(cid: str | None, coll: str) -> tuple[Any, ...]:
            engine.conversations().delete(needs(cid, "delete"))
            return new_conv(coll)

        delete_btn.click(delete, [conv, collection], [*conv_outputs, conv_list],
                         api_visibility="private")  # fmt: skip

        @friendly
        def export(cid: str | None) -> str:
            return str(engine.export(needs(cid, "export"), Path(get_upload_folder()) / "exports"))

        export_btn.click(export, conv, export_file, api_visibility="private")

        # -- library ------------------------------------------------------------------
        def library(coll: str) -> tuple[Any, ...]:
            infos, numbers = engine.library(coll)
            picks = [(f"{d.title} — {d.source}", d.doc_id) for d in infos]
            return (R.document_rows(infos), R.stats_html(numbers),
                    gr.update(choices=picks, value=None))  # fmt: skip

        lib_outputs = [docs, stats, doc_pick]

        def ticker(progress: gr.Progress) -> Callable[[int, int, str], None]:
            return lambda done, total, source: progress((done, total), desc=f"ingesting {source}")

        @friendly
        def ingest_uploads(files: list[str] | None, coll: str,
                           progress: gr.Progress = gr.Progress(),  # noqa: B008
                           ) -> tuple[Any, ...]:  # fmt: skip
            reports = engine.add_uploads(check_name(coll), files or [], ticker(progress))
            return (R.report_rows(reports), None, *library(coll),
                    gr.update(choices=engine.collections()))  # fmt: skip

        upload.upload(ingest_uploads, [upload, collection],
                      [report, upload, *lib_outputs, collection], concurrency_id=CORE,
                      api_visibility="private")  # fmt: skip

        @friendly
        def ingest_folder(path: str, coll: str,
                          progress: gr.Progress = gr.Progress(),  # noqa: B008
                          ) -> tuple[Any, ...]:  # fmt: skip
            where = Path((path or "").strip()).expanduser()
            if not (path or "").strip() or not where.exists():
                raise UsageError(f"{path or '(empty)'}: no such file or folder on the server")
            done = engine.ingest_with_progress(check_name(coll), [where], ticker(progress))
            gr.Info(R.esc(done.summary()))
            return (R.report_rows(done.files), *library(coll),
                    gr.update(choices=engine.collections()))  # fmt: skip

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
            return *new_conv(check_name(coll)), *library(coll)

        collection.change(switch, collection, [*conv_outputs, conv_list, *lib_outputs],
                          api_visibility="private")  # fmt: skip

        # -- settings and backend -----------------------------------------------------
        def probe(backend: str) -> str:
            return R.status_light(*engine.backend_status(backend))

        llm.change(probe, llm, light, api_visibility="private")

        @friendly
        def save(*values: Any) -> None:
            updates = dict(zip(EDITABLE, values, strict=True))
            path = save_config(updates | {"top_k": int(updates["top_k"])})
            shadowed = env_overrides(EDITABLE)
            extra = f" ({', '.join(shadowed)} set in the environment still win)" if shadowed else ""
            gr.Info(R.esc(f"Saved {path}; the next question uses it{extra}."))

        save_btn.click(save, editable, None, api_visibility="private")

        def refresh(coll: str, backend: str) -> tuple[Any, ...]:
            """A new page sees today's collections, conversations and saved settings."""
            now = engine.settings()
            return (gr.update(choices=engine.collections()), probe(backend), conv_choices(coll),
                    *library(coll), *(getattr(now, k) for k in EDITABLE))  # fmt: skip

        demo.load(refresh, [collection, llm], [collection, light, conv_list, *lib_outputs,
                                               *editable], api_visibility="private")  # fmt: skip

        # -- API ----------------------------------------------------------------------
        def ask(question: str, collection: str = "", llm: str = "extractive") -> dict[str, Any]:
            """Answer a question from a collection: the answer, its citations, conversation_id."""
            return engine.answer(question, collection or engine.default_collection, llm)

        gr.api(friendly(ask), api_name="ask", concurrency_id=CORE)
    return demo


def _unexpected(exc: BaseException) -> str:
    log.error("unexpected error", exc_info=exc)
    return f"Unexpected error ({type(exc).__name__}); see the server log."


def _bot(html: str) -> dict[str, str]:
    return {"role": "assistant", "content": html}


def launch(host: str = "127.0.0.1", port: int = 7860, collection: str = "default",
           auth: tuple[str, str] | None = None, **overrides: Any) -> None:  # fmt: skip
    """Build the app and serve it until interrupted."""
    engine = Engine(collection, **overrides)
    # Gradio's own copies of uploads (and exports) live under DOSSIER_HOME too
    os.environ.setdefault("GRADIO_TEMP_DIR", str(engine.home / "tmp"))
    engine.warm_up()
    demo = build(engine)
    demo.queue(default_concurrency_limit=1)
    demo.launch(
        server_name=host, server_port=port, auth=auth, head=R.HEAD, css=R.CSS,
        max_file_size=engine.upload_limit(), ssr_mode=False, mcp_server=False,
        footer_links=["api"], quiet=False,
    )  # fmt: skip
