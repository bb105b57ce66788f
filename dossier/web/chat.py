"""The Chat tab: streamed answers with clickable citations, the source panel, the start view,
the scope chip and conversations.

A finished turn is kept in the page's session as ``{"question", "answer"}`` (the answer as
``Answer.to_dict()`` plus each citation's score); a citation click looks it up there. On a
phone the chat column comes first, the conversations fold away and the panel is a drawer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.utils import get_upload_folder

from assistant.events import Delta, Done, Reset, Rewritten
from assistant.service import Assistant
from corpus.errors import UsageError
from dossier.web import html as H
from dossier.web.engine import Engine, with_scores
from dossier.web.handlers import QUESTIONS, Header, guarded, message_of
from dossier.web.panel import EMPTY_PANEL, citation_panel
from dossier.web.scope import Scope, scoped

LOAD_POLL_S = 0.5  # how often the chat looks whether the model has loaded


@dataclass(frozen=True)
class ChatParts:
    chat: gr.Chatbot
    turns: gr.State  # finished turns of this page
    conv: gr.State  # the conversation id, created with the first question
    panel: gr.HTML
    conv_list: gr.Dropdown
    start: gr.HTML  # the collection described, suggested questions
    chip: gr.HTML  # the scope above the question box
    scope: gr.State  # a Scope, set in the Library
    note: gr.HTML  # messages under the question box

    @property
    def reset(self) -> list[Any]:
        """What a new, opened or deleted conversation replaces (see ``fresh``)."""
        return [self.chat, self.turns, self.conv, self.panel, self.conv_list, self.start]


def conversation_choices(engine: Engine, coll: str, value: str | None = None) -> Any:
    return gr.update(choices=engine.conversation_choices(coll), value=value)


def fresh(engine: Engine, coll: str) -> tuple[Any, ...]:
    """An empty chat and panel, no current conversation, the collection's conversations, the
    start view shown again."""
    return ([], [], None, EMPTY_PANEL, conversation_choices(engine, coll),
            gr.update(visible=True))  # fmt: skip


def _events(helper: Assistant, question: str, cid: str,
            draft: bool) -> Iterator[tuple[str, Any]]:  # fmt: skip
    """("partial answer html", None) while the answer streams (a model's text labelled as a
    draft: the checked answer replaces it), then ("", answer dict)."""
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
        # after a fallback's Reset the text is the extractive answer: no longer a draft
        yield H.streaming_html(text, rewritten, note, draft=draft and not note), None


def _loaded(engine: Engine, backend: str) -> Iterator[str]:
    """'Loading the model (~30 s)…' bubbles while the backend's in-process model loads (this
    question starts the load if picking it did not); nothing once it is loaded or failed (a
    remembered failure makes the answer fall back at once, saying why)."""
    state = engine.load_state(backend, start=True)
    while state is not None and state.waiting:
        yield H.loading_html(state.message())
        time.sleep(LOAD_POLL_S)
        state = engine.load_state(backend)


def respond(engine: Engine, q: str, done: list[Any], cid: str | None, coll: str, backend: str,
            scope: Scope | None) -> Iterator[tuple[Any, ...]]:  # fmt: skip
    """Outputs: question box, chat, turns, conversation id, conversation list, start view,
    the note under the question box."""
    q = (q or "").strip()
    if not q:
        yield (*[gr.skip()] * 6, H.note("Type a question first.", "error"))
        return
    shown = [*H.messages(done), {"role": "user", "content": H.question_html(q)}]
    hide = gr.update(visible=False)
    yield "", [*shown, H.bot(H.streaming_html(""))], done, cid, gr.skip(), hide, ""
    try:
        for bubble in _loaded(engine, backend):
            yield gr.skip(), [*shown, H.bot(bubble)], done, cid, *[gr.skip()] * 3
        helper = scoped(engine.assistant(coll, backend), scope)
        cid = cid or engine.conversations().create(coll).conversation_id
        for bubble, answer in _events(helper, q, cid, engine.writes_drafts(backend)):
            if answer is None:
                yield gr.skip(), [*shown, H.bot(bubble)], done, cid, *[gr.skip()] * 3
                continue
            done = [*done, {"question": q, "answer": answer}]
            choices = conversation_choices(engine, coll, cid)
            # dense search failed or is behind the catalog: said under the question box
            warned = H.note("; ".join(helper.collection.warnings()), "warn")
            yield "", H.messages(done), done, cid, choices, gr.skip(), warned
    except Exception as exc:  # one failed turn must not break the conversation
        message = message_of(exc)
        yield (q, [*shown, H.bot(H.error_html(message))], done, cid, gr.skip(), gr.skip(),
               H.note(message, "error"))  # fmt: skip


@guarded(1)
def show_source(engine: Engine, key: str, turns: list[dict[str, Any]],
                coll: str) -> tuple[Any, ...]:  # fmt: skip
    """The source panel for a clicked citation key ('turn:n[:full]@stamp'); the note."""
    parsed = H.parse_cite_key(key)
    if parsed is None or parsed[0] >= len(turns):
        return EMPTY_PANEL, ""
    turn, n, full = parsed
    answer = turns[turn]["answer"]
    cited = [c for c in answer.get("citations") or [] if int(c["n"]) == n]
    if not cited:
        return EMPTY_PANEL, ""
    supported = H.citation_support(answer)[n]
    return citation_panel(engine, coll, cited[0], supported, f"cite-{turn}-{n}", full), ""


@guarded(4)
def open_conversation(engine: Engine, cid: str | None) -> tuple[Any, ...]:
    done = engine.turns(cid) if cid else []
    return H.messages(done), done, cid, EMPTY_PANEL, ""


def _needs(cid: str | None, what: str) -> str:
    if not cid:
        raise UsageError(f"Ask a question first: there is no conversation to {what}.")
    return cid


@guarded(1)
def rename(engine: Engine, cid: str | None, title: str, coll: str) -> tuple[Any, ...]:
    renamed = engine.conversations().rename(_needs(cid, "rename"), title)
    return conversation_choices(engine, coll, renamed.conversation_id), H.note("Renamed.")


@guarded(2)
def ask_delete(engine: Engine, cid: str | None) -> tuple[Any, ...]:
    """Outputs: the confirmation (shown), its question naming the conversation, the note."""
    conv = engine.conversations().get(_needs(cid, "delete"))
    n = conv.n_turns
    text = H.confirm_text(f"Delete the conversation “{conv.title}” ({n} turn{'s' * (n != 1)})?")
    return gr.update(visible=True), text, ""


@guarded(7)
def delete(engine: Engine, cid: str | None, coll: str) -> tuple[Any, ...]:
    """Outputs: ``ChatParts.reset``, the confirmation (hidden), the note."""
    title = engine.conversations().get(_needs(cid, "delete")).title
    engine.conversations().delete(cid or "")
    return (*fresh(engine, coll), gr.update(visible=False), H.note(f"Deleted “{title}”."))


@guarded(1)
def export(engine: Engine, cid: str | None) -> tuple[Any, ...]:
    path = engine.export(_needs(cid, "export"), Path(get_upload_folder()) / "exports")
    return str(path), ""


def _conversations(engine: Engine) -> dict[str, Any]:
    """The conversation column (an accordion a phone folds away)."""
    with (
        gr.Column(scale=1, min_width=220, elem_id="conv-col"),
        gr.Accordion("Conversations", open=True, elem_id="conv-acc"),
    ):
        w: dict[str, Any] = {}
        w["list"] = gr.Dropdown([], value=None, label="Open a conversation",
                                elem_id="conversations")  # fmt: skip
        w["new"] = gr.Button("New conversation", elem_id="new-conv")
        w["title"] = gr.Textbox(label="Rename to", elem_id="rename-title")
        with gr.Row():
            w["rename"] = gr.Button("Rename", size="sm", elem_id="rename-conv")
            w["export"] = gr.Button("Export Markdown", size="sm", elem_id="export-conv")
        w["delete"] = gr.Button("Delete…", size="sm", variant="stop", visible=False,
                                elem_id="delete-conv")  # fmt: skip
        with gr.Group(visible=False, elem_id="delete-confirm") as w["confirm"]:
            w["confirm_text"] = gr.HTML()
            with gr.Row():
                w["yes"] = gr.Button("Delete", variant="stop", size="sm", elem_id="delete-yes")
                w["no"] = gr.Button("Cancel", size="sm", elem_id="delete-no")
        w["file"] = gr.File(label="Export", interactive=False, height=70, elem_id="export")
        w["note"] = gr.HTML(elem_id="conv-note")
    return w


def tab(engine: Engine, top: Header) -> ChatParts:
    """The Chat tab's layout and events."""
    with gr.Tab("Chat", id="chat", elem_id="tab-chat"), gr.Row(elem_id="chat-row"):
        c = _conversations(engine)
        with gr.Column(scale=3, elem_id="chat-col"):
            start = gr.HTML(elem_id="start-here")
            chat = gr.Chatbot(elem_id="chat", height=520, render_markdown=False,
                              sanitize_html=True, latex_delimiters=[], buttons=["copy"],
                              feedback_options=(), label="Conversation",
                              show_label=False)  # fmt: skip
            chip = gr.HTML(Scope().chip(), elem_id="scope-chip")
            question = gr.Textbox(placeholder="Ask a question and press Enter",
                                  label="Your question", show_label=False,
                                  elem_id="question")  # fmt: skip
            note = gr.HTML(elem_id="chat-note")
        with gr.Column(scale=2, elem_id="source-col", elem_classes="source-col"):
            panel = gr.HTML(EMPTY_PANEL, elem_id="source-panel")
        cite_box = gr.Textbox(visible="hidden", elem_id="cite-box", label="citation")
        suggest_box = gr.Textbox(visible="hidden", elem_id="suggest-box", label="suggestion")
        # States inside the tab: a component between gr.Tabs' tabs shifts their order
        parts = ChatParts(chat, gr.State([]), gr.State(None), panel, c["list"], start, chip,
                          gr.State(Scope()), note)  # fmt: skip
    _wire(engine, top, parts, c, question, note, cite_box, suggest_box)
    return parts


def _wire(engine: Engine, top: Header, p: ChatParts, c: dict[str, Any], question: gr.Textbox,
          note: gr.HTML, cite_box: gr.Textbox, suggest_box: gr.Textbox) -> None:  # fmt: skip
    private: dict[str, Any] = {"api_visibility": "private"}
    coll = top.collection
    ask_in = [question, p.turns, p.conv, coll, top.backend, p.scope]
    ask_out = [question, p.chat, p.turns, p.conv, p.conv_list, p.start, note]
    question.submit(partial(respond, engine), ask_in, ask_out, **QUESTIONS, **private)
    # a suggested question: the page script writes "question\nstamp" into the hidden box
    suggest_box.change(lambda v: (v or "").rsplit("\n", 1)[0], suggest_box, question,
                      **private).then(partial(respond, engine), ask_in, ask_out,
                                      **QUESTIONS, **private)  # fmt: skip
    cite_box.change(partial(show_source, engine), [cite_box, p.turns, coll], [p.panel, note],
                    **private)  # fmt: skip
    c["list"].input(partial(open_conversation, engine), c["list"],
                    [p.chat, p.turns, p.conv, p.panel, c["note"]], **private)  # fmt: skip
    p.conv.change(lambda cid: gr.update(visible=bool(cid)), p.conv, c["delete"], **private)
    for trigger in (c["new"].click, p.chat.clear):
        trigger(partial(fresh, engine), coll, p.reset, **private)
    c["rename"].click(partial(rename, engine), [p.conv, c["title"], coll],
                      [c["list"], c["note"]], **private)  # fmt: skip
    c["delete"].click(partial(ask_delete, engine), p.conv,
                      [c["confirm"], c["confirm_text"], c["note"]], **private)  # fmt: skip
    c["yes"].click(partial(delete, engine), [p.conv, coll],
                   [*p.reset, c["confirm"], c["note"]], **private)  # fmt: skip
    c["no"].click(lambda: gr.update(visible=False), None, c["confirm"], **private)
    c["export"].click(partial(export, engine), p.conv, [c["file"], c["note"]], **private)
