"""The Chat tab: streamed answers with clickable citations, the source panel, conversations.

A finished turn is kept in the page's session as ``{"question", "answer"}`` (the answer as
``Answer.to_dict()`` plus each citation's score); a citation click looks it up there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.utils import get_upload_folder

from assistant.events import Delta, Done, Reset, Rewritten
from assistant.service import Assistant
from corpus.errors import DossierError, UsageError
from dossier.web import html as H
from dossier.web.engine import Engine, with_scores
from dossier.web.handlers import CORE, Header, friendly, unexpected, warn


@dataclass(frozen=True)
class ChatParts:
    chat: gr.Chatbot
    turns: gr.State  # finished turns of this page
    conv: gr.State  # the conversation id, created with the first question
    panel: gr.HTML
    conv_list: gr.Dropdown

    @property
    def reset(self) -> list[Any]:
        """What a new, opened or deleted conversation replaces (see ``fresh``)."""
        return [self.chat, self.turns, self.conv, self.panel, self.conv_list]


def conversation_choices(engine: Engine, coll: str, value: str | None = None) -> Any:
    return gr.update(choices=engine.conversation_choices(coll), value=value)


def fresh(engine: Engine, coll: str) -> tuple[Any, ...]:
    """An empty chat and panel, no current conversation, the collection's conversations."""
    return [], [], None, H.EMPTY_PANEL, conversation_choices(engine, coll)


def _events(helper: Assistant, question: str, cid: str) -> Iterator[tuple[str, Any]]:
    """("partial answer html", None) while the answer streams, then ("", answer dict)."""
    rewritten, text, note = None, "", ""
    for event in helper.stream(question, None, cid):
        if isinstance(event, Rewritten):
            rewritten = event.question
        elif isinstance(event, Delta):
            text += event.text
        elif isinstance(event, Reset):
            text, note = "", event.note
        elif isinstance(event, Done):
            yield "", with_scores(helper.to_dict(event.answer, cid, rewritten), event.answer)
            return
        yield H.streaming_html(text, rewritten, note), None


def respond(engine: Engine, q: str, done: list[Any], cid: str | None, coll: str,
            backend: str) -> Iterator[tuple[Any, ...]]:  # fmt: skip
    """Outputs: question box, chat, turns, conversation id, conversation list."""
    q = (q or "").strip()
    if not q:
        yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return
    shown = [*H.messages(done), {"role": "user", "content": H.question_html(q)}]
    yield "", [*shown, H.bot(H.streaming_html(""))], done, cid, gr.skip()
    try:
        helper = engine.assistant(coll, backend)
        cid = cid or engine.conversations().create(coll).conversation_id
        for bubble, answer in _events(helper, q, cid):
            if answer is None:
                yield gr.skip(), [*shown, H.bot(bubble)], done, cid, gr.skip()
                continue
            done = [*done, {"question": q, "answer": answer}]
            yield "", H.messages(done), done, cid, conversation_choices(engine, coll, cid)
    except Exception as exc:  # one failed turn must not break the conversation
        message = str(exc) if isinstance(exc, DossierError) else unexpected(exc)
        warn(message)
        yield q, [*shown, H.bot(H.error_html(message))], done, cid, gr.skip()


@friendly
def show_source(engine: Engine, key: str, turns: list[dict[str, Any]], coll: str) -> str:
    """The source panel for a clicked citation key ('turn:n@stamp')."""
    parsed = H.parse_cite_key(key)
    if parsed is None or parsed[0] >= len(turns):
        return H.EMPTY_PANEL
    turn, n = parsed
    answer = turns[turn]["answer"]
    cited = [c for c in answer.get("citations") or [] if int(c["n"]) == n]
    if not cited:
        return H.EMPTY_PANEL
    supported = H.citation_support(answer)[n]
    return H.source_panel_html(cited[0], engine.document(coll, cited[0]["doc_id"]), supported)


@friendly
def open_conversation(engine: Engine, cid: str | None) -> tuple[Any, ...]:
    done = engine.turns(cid) if cid else []
    return H.messages(done), done, cid, H.EMPTY_PANEL


def _needs(cid: str | None, what: str) -> str:
    if not cid:
        raise UsageError(f"Ask a question first: there is no conversation to {what}.")
    return cid


@friendly
def rename(engine: Engine, cid: str | None, title: str, coll: str) -> Any:
    renamed = engine.conversations().rename(_needs(cid, "rename"), title)
    return conversation_choices(engine, coll, renamed.conversation_id)


@friendly
def delete(engine: Engine, cid: str | None, coll: str) -> tuple[Any, ...]:
    engine.conversations().delete(_needs(cid, "delete"))
    return fresh(engine, coll)


@friendly
def export(engine: Engine, cid: str | None) -> str:
    path = engine.export(_needs(cid, "export"), Path(get_upload_folder()) / "exports")
    return str(path)


def tab(engine: Engine, top: Header) -> ChatParts:
    """The Chat tab's layout and events."""
    with gr.Tab("Chat", elem_id="tab-chat"), gr.Row():
        with gr.Column(scale=1, min_width=220):
            conv_list = gr.Dropdown([], value=None, label="Conversations", elem_id="conversations")
            new_btn = gr.Button("New conversation", elem_id="new-conv")
            title_box = gr.Textbox(label="Rename to", elem_id="rename-title")
            with gr.Row():
                rename_btn = gr.Button("Rename", size="sm", elem_id="rename-conv")
                delete_btn = gr.Button("Delete", size="sm", variant="stop")
            export_btn = gr.Button("Export Markdown", size="sm", elem_id="export-conv")
            export_file = gr.File(label="Export", interactive=False, height=70, elem_id="export")
        with gr.Column(scale=3):
            chat = gr.Chatbot(elem_id="chat", height=560, render_markdown=False,
                              sanitize_html=True, latex_delimiters=[], buttons=["copy"],
                              feedback_options=(), show_label=False)  # fmt: skip
            question = gr.Textbox(placeholder="Ask a question and press Enter",
                                  show_label=False, elem_id="question")  # fmt: skip
        with gr.Column(scale=2):
            panel = gr.HTML(H.EMPTY_PANEL, elem_id="source-panel")
    cite_box = gr.Textbox(visible="hidden", elem_id="cite-box")
    parts = ChatParts(chat, gr.State([]), gr.State(None), panel, conv_list)
    turns, conv, coll = parts.turns, parts.conv, top.collection

    private: dict[str, Any] = {"api_visibility": "private"}
    question.submit(partial(respond, engine), [question, turns, conv, coll, top.backend],
                    [question, chat, turns, conv, conv_list], concurrency_id=CORE,
                    **private)  # fmt: skip
    cite_box.change(partial(show_source, engine), [cite_box, turns, coll], panel, **private)
    conv_list.input(partial(open_conversation, engine), conv_list, parts.reset[:4], **private)
    for trigger in (new_btn.click, chat.clear):
        trigger(partial(fresh, engine), coll, parts.reset, **private)
    rename_btn.click(partial(rename, engine), [conv, title_box, coll], conv_list, **private)
    delete_btn.click(partial(delete, engine), [conv, coll], parts.reset, **private)
    export_btn.click(partial(export, engine), conv, export_file, **private)
    return parts
