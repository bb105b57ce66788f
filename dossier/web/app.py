"""The app: the header (collection, backend, status light), the five tabs, what ties them
together (switching collection, a fresh page load), the /ask API, and serving it."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr
from gradio.utils import get_upload_folder

from assistant.types import EXTRACTIVE
from corpus.errors import UsageError
from dossier.web import CONCURRENCY, briefing, chat, evaluation, library, settings, start
from dossier.web import html as H
from dossier.web.assets import CSS, HEAD, SKIP_LINK
from dossier.web.chat import LOAD_POLL_S
from dossier.web.engine import Engine
from dossier.web.handlers import QUESTIONS, Header, friendly, guarded
from dossier.web.scope import Scope
from dossier.web.security import Guard, HostPolicy, LoginThrottle
from index.collection_admin import check_name

if TYPE_CHECKING:
    from fastapi import FastAPI


class Api:
    """The one public endpoint, /ask (its signature and hints are the API's schema)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def ask(self, question: str, collection: str = "", llm: str = EXTRACTIVE,
            documents: list[str] | None = None, folder: str = "",
            tag: str = "") -> dict[str, Any]:  # fmt: skip
        """Answer a question from a collection: the answer, its citations, conversation_id.
        ``documents`` (ids or paths), ``folder`` and ``tag`` narrow the sources it may use."""
        name = collection or self.engine.default_collection
        scope = Scope.named(documents or [], self.engine.documents(name), folder, tag)
        return self.engine.answer(question, name, llm, scope=scope)


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """'user:password' (from --auth or DOSSIER_AUTH) as Gradio's auth tuple."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise UsageError("--auth / DOSSIER_AUTH must look like user:password")
    return user, password


def header(engine: Engine) -> Header:
    with gr.Row(equal_height=True):
        gr.Markdown("## Dossier", elem_id="app-title")
        collection = gr.Dropdown(engine.collections(), value=engine.default_collection,
                                 label="Collection", allow_custom_value=True,
                                 elem_id="collection", scale=2)  # fmt: skip
        backend = gr.Dropdown(engine.backends(), value=engine.default_backend(),
                              label="Answers by", elem_id="backend", scale=1)  # fmt: skip
        light = gr.HTML(elem_id="backend-status", scale=2)
    return Header(collection, backend, light)


def probe(engine: Engine, backend: str) -> str:
    state = engine.load_state(backend)
    return H.status_light(*engine.backend_status(backend), pending=bool(state and state.waiting))


def pick(engine: Engine, backend: str) -> Iterator[str]:
    """A backend picked: its light; a model that runs in this process starts loading now, its
    light amber with 'Loading the model (~30 s)…' until it is green (or red, saying why)."""
    state = engine.load_state(backend, start=True)
    while state is not None and state.waiting:
        yield probe(engine, backend)
        time.sleep(LOAD_POLL_S)
        state = engine.load_state(backend)
    yield probe(engine, backend)


@guarded(12)
def switch(engine: Engine, coll: str) -> tuple[Any, ...]:
    """Another collection: a fresh chat and start view, its conversations, its library, the
    whole collection in scope; the chat's note."""
    chat_view = chat.fresh(engine, check_name(coll))[:-1]
    return (*chat_view, start.first_view(engine, coll), *library.view(engine, coll), Scope(),
            Scope().chip(), "")  # fmt: skip


def refresh(engine: Engine, coll: str, backend: str) -> tuple[Any, ...]:
    """A new page sees today's collections, conversations, library, start view and saved
    settings."""
    return (gr.update(choices=engine.collections()), probe(engine, backend),
            chat.conversation_choices(engine, coll), start.first_view(engine, coll),
            *library.view(engine, coll), *settings.refresh(engine))  # fmt: skip


def build(engine: Engine) -> gr.Blocks:
    private: dict[str, Any] = {"api_visibility": "private"}
    starts = start.StartCache()
    with gr.Blocks(title="Dossier", fill_width=True, delete_cache=(3600, 86400)) as demo:
        gr.HTML(SKIP_LINK, elem_id="skip")  # the first Tab stop: straight to the question
        top = header(engine)
        with gr.Tabs(overflow_behavior="wrap", elem_id="tabs"):  # every tab in reach
            talk = chat.tab(engine, top)
            lib = library.tab(engine, top, talk.scope, talk.chip)
            briefing.tab(engine, top, Path(get_upload_folder()) / "briefings")
            evaluation.tab(engine, top)
            fields = settings.tab(engine)
        suggest = partial(start.suggested, engine, starts)

        top.backend.change(partial(pick, engine), top.backend, top.light, **private)
        top.collection.change(partial(switch, engine), top.collection,
                              [*talk.reset[:-1], talk.start, *lib.outputs, talk.scope, talk.chip,
                               talk.note], **private).then(
            suggest, top.collection, talk.start, **private)  # fmt: skip
        demo.load(partial(refresh, engine), [top.collection, top.backend],
                  [top.collection, top.light, talk.conv_list, talk.start, *lib.outputs,
                   *fields], **private).then(
            suggest, top.collection, talk.start, **private)  # fmt: skip
        gr.api(friendly(Api(engine).ask), api_name="ask", **QUESTIONS)
    return demo


def launch(host: str = "127.0.0.1", port: int = 7860, collection: str = "default",
           auth: tuple[str, str] | None = None, *, allow_hosts: Sequence[str] = (),
           allow_folders: Sequence[Path] = (), concurrency: int = CONCURRENCY,
           **overrides: Any) -> None:  # fmt: skip
    """Build the app and serve it until interrupted. Gradio keeps its copies of uploads, and
    the app its downloads, under $GRADIO_TEMP_DIR (``dossier ui`` sets it to home/tmp)."""
    import uvicorn

    engine = Engine(collection, folder_roots=allow_folders, **overrides)
    engine.warm_up()
    demo = build(engine)
    demo.queue(default_concurrency_limit=concurrency)
    app = server(demo, engine, HostPolicy.for_bind(host, allow_hosts), auth, (host, port))
    shown = f"[{host}]" if ":" in host else host
    print(f"Dossier: http://{shown}:{port}/ (Ctrl+C stops it)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)


def server(demo: gr.Blocks, engine: Engine, policy: HostPolicy,
           auth: tuple[str, str] | None, bind: tuple[str, int]) -> FastAPI:  # fmt: skip
    """The ASGI app: Gradio behind the Guard (Host, Origin, login back-off), in a parent
    app whose CORS policy allows no other origin (which also keeps Gradio's own CORS
    handler, which echoes any origin when the Host is not a loopback name, out of it)."""
    from fastapi import FastAPI
    from starlette.middleware.cors import CORSMiddleware

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(CORSMiddleware, allow_origins=[])
    app.add_middleware(Guard, policy=policy, throttle=LoginThrottle() if auth else None)
    return gr.mount_gradio_app(
        app, demo, path="/", server_name=bind[0], server_port=bind[1], auth=auth, head=HEAD,
        css=CSS, max_file_size=engine.upload_limit(), ssr_mode=False, mcp_server=False,
        footer_links=["api"],
    )  # fmt: skip
