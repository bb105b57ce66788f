"""Language-model backends behind one Protocol: ``ChatModel.stream(messages)``.

``openai`` and ``ollama`` are llama-index LLM classes (OpenAILike, Ollama); ``local`` is
SmolLM2 through our own llama-index CustomLLM. ``LlamaIndexChat`` adapts any of them and turns
their many failure modes (connection refused, timeouts, HTTP errors, broken streams) into one
``BackendError`` with a message that says what to start or install.

``BACKENDS`` is the one registry of who can write answers: the CLI's ``--llm`` choices, the
settings' validation and the app's dropdown are read from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from assistant.model_state import ModelLoader, Phase
from assistant.types import EXTRACTIVE
from corpus.errors import BackendError, MissingExtraError
from corpus.registry import lookup, registered


class ChatModel(Protocol):
    name: str

    def stream(self, messages: Sequence[dict[str, str]]) -> Iterator[str]:
        """Yield the reply's text pieces as the model produces them."""
        ...


class LlamaIndexChat:
    """Streams from a llama-index LLM; every failure becomes a BackendError.

    ``make`` builds the LLM (its HTTP client) afresh for each reply. A reply read only in
    part (a theme name stops at its first line, a runaway answer at its length cap) leaves
    its HTTP stream open, held in a reference cycle (openai's ``Stream``) until Python's
    cyclic garbage collector finalises it. That can happen inside another request's
    connection-pool lock, and httpcore's lock is not reentrant: the process deadlocked
    (encode/httpcore#990, seen here in a briefing that named its themes with a model). A
    client of its own per reply means the late close takes a lock no request holds."""

    def __init__(self, make: Callable[[], Any], name: str, where: str) -> None:
        self.make = make
        self.name = name
        self.where = where  # for messages: "the OpenAI-compatible server at http://…"

    def stream(self, messages: Sequence[dict[str, str]]) -> Iterator[str]:
        from llama_index.core.llms import ChatMessage

        chat = [ChatMessage(role=m["role"], content=m["content"]) for m in messages]
        try:
            for part in self.make().stream_chat(chat):
                if part.delta:
                    yield part.delta
        except BackendError:
            raise
        except Exception as exc:  # each client raises its own types; all mean the same here
            raise BackendError(f"{self.where} failed: {_describe(exc)}") from exc


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    if "RemoteProtocolError" in text or "incomplete chunked read" in text:
        # the server answered, then the connection broke off: it is not "not running"
        return f"the reply was cut off ({text[:200]})"
    if "Connection" in text or "connect" in text.lower():
        return f"cannot connect ({text[:200]}); is the server running?"
    if "Timeout" in text or "timed out" in text.lower():
        return f"timed out ({text[:200]})"
    return text[:300]


def openai_model(cfg: ModelSettings) -> ChatModel:
    try:
        from llama_index.llms.openai_like import OpenAILike
    except ImportError as exc:
        raise MissingExtraError("openai", "The OpenAI-compatible backend") from exc
    key = cfg.openai_api_key.get_secret_value() if cfg.openai_api_key else "not-needed"
    return LlamaIndexChat(
        lambda: OpenAILike(
            model=cfg.openai_model,
            api_base=cfg.openai_base_url,
            api_key=key,
            is_chat_model=True,
            timeout=cfg.timeout,
            max_retries=cfg.retries,
            temperature=cfg.temperature,
            max_tokens=cfg.max_new_tokens,
            context_window=32768,
        ),
        "openai",
        f"the OpenAI-compatible server at {cfg.openai_base_url} ({cfg.openai_model})",
    )


def ollama_model(cfg: ModelSettings) -> ChatModel:
    try:
        from llama_index.llms.ollama import Ollama
    except ImportError as exc:
        raise MissingExtraError("ollama", "The Ollama backend") from exc
    return LlamaIndexChat(
        lambda: Ollama(
            model=cfg.ollama_model, base_url=cfg.ollama_base_url, request_timeout=cfg.timeout,
            temperature=cfg.temperature,
        ), "ollama",
        f"Ollama at {cfg.ollama_base_url} (model {cfg.ollama_model}; start it with 'ollama serve'"
        f" and 'ollama pull {cfg.ollama_model}')",
    )  # fmt: skip


def local_model(cfg: ModelSettings) -> ChatModel:
    from assistant.llm_local import LocalSmolLM, MissingLocalModelError

    state = local_loader(cfg).state()
    if state.phase is Phase.UNAVAILABLE:  # not installed: one line naming the installs (exit 6)
        raise MissingLocalModelError(state.cause)
    llm = LocalSmolLM(max_new_tokens=cfg.max_new_tokens)  # in this process: one for all replies
    return LlamaIndexChat(lambda: llm, "local", "the local SmolLM2 model")


def local_loader(cfg: ModelSettings) -> ModelLoader[Any]:
    from assistant.llm_local import loader  # transformers loads only when the model does

    return loader()


@dataclass(frozen=True)
class Backend:
    """One entry of the answer-backend registry."""

    name: str  # the setting's value: --llm NAME
    description: str
    extra: str | None  # the optional extra it needs (pip install 'dossier[EXTRA]')
    factory: Callable[[ModelSettings], ChatModel] | None  # None: no model, the extractive answerer
    # importable when installed (the app's status light; a ``loader`` checks its own)
    modules: tuple[str, ...] = ()
    probe_url: Callable[[ModelSettings], str] | None = None  # a URL that answers when it is up
    # a model loaded into this process: its load's state (the app's light, "Loading…")
    loader: Callable[[ModelSettings], ModelLoader[Any]] | None = None
    # how its answerer uses it (dossier.wiring.ANSWERERS): "write" a cited answer from the
    # passages, or "phrase" one sentence from the extractive answer's quoted sentences
    role: str = "write"

    def help(self) -> str:
        extra = f", extra '{self.extra}'" if self.extra else ""
        return f"'{self.name}' ({self.description}{extra})"


BACKENDS: dict[str, Backend] = {
    b.name: b
    for b in (
        Backend(EXTRACTIVE, "no model: quoted sentences, each cited", None, None),
        Backend(
            "local", "SmolLM2-135M-Instruct on the CPU", "local", local_model,
            loader=local_loader, role="phrase",  # its loader checks what it needs
        ),
        Backend(
            "openai", "any OpenAI-compatible server", "openai", openai_model,
            ("llama_index.llms.openai_like",),
            lambda cfg: cfg.openai_base_url.rstrip("/") + "/models",
        ),
        Backend(
            "ollama", "an Ollama server", "ollama", ollama_model, ("llama_index.llms.ollama",),
            lambda cfg: cfg.ollama_base_url.rstrip("/") + "/api/tags",
        ),
    )
}  # fmt: skip


class ModelSettings(BaseModel):
    """Who writes answers and how to reach that model: the ``[llm]`` table of config.toml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    backend: str = Field(
        default=EXTRACTIVE,
        description="Who writes answers: " + "; ".join(b.help() for b in BACKENDS.values()) + ".",
    )
    openai_base_url: str = Field(
        default="https://api.openai.com/v1",
        description="Base URL of the OpenAI-compatible server (vLLM, llama.cpp server, "
        "LM Studio, OpenAI), e.g. http://localhost:8000/v1.",
    )
    openai_api_key: SecretStr | None = Field(
        default=None, description="API key for the OpenAI-compatible server (else $OPENAI_API_KEY)."
    )
    openai_model: str = Field(default="gpt-4o-mini", description="Model name on that server.")
    ollama_base_url: str = Field(default="http://localhost:11434", description="Ollama server URL.")
    ollama_model: str = Field(
        default="llama3.2", description="Ollama model name (ollama pull NAME)."
    )
    timeout: float = Field(
        default=60.0, gt=0, description="Seconds to wait for a model reply before falling back."
    )
    retries: int = Field(default=1, ge=0, le=5, description="Retries of a failed model request.")
    max_new_tokens: int = Field(default=384, ge=16, le=4096, description="Longest model answer.")
    temperature: float = Field(
        default=0.0,
        ge=0.0,
        le=2.0,
        description="Sampling temperature of the openai and ollama backends (0: the same "
        "answer every time); local always decodes greedily.",
    )

    @field_validator("backend")
    @classmethod
    def _registered(cls, name: str) -> str:
        return registered(BACKENDS, name)


def backend(name: str) -> Backend:
    return lookup(BACKENDS, name, "language model backend")


def make_chat_model(cfg: ModelSettings) -> ChatModel | None:
    """The configured backend's model, or None for the extractive answerer."""
    factory = backend(cfg.backend).factory
    return None if factory is None else factory(cfg)
