"""Builds the objects the CLI and the app use from Settings (the one reader of Settings)."""

from __future__ import annotations

import os
from functools import lru_cache

from assistant.answerer import Answerer
from assistant.citations import CitationChecker
from assistant.conversations import ConversationStore
from assistant.extractive import ExtractiveAnswerer
from assistant.generative import GenerativeAnswerer
from assistant.llm import BACKENDS, ChatModel, ModelSettings, make_chat_model
from assistant.phrasing import PhrasingAnswerer
from assistant.service import Assistant
from dossier.settings import Settings
from index.collection import Collection
from index.embedder import Embedder, embedder_kind, make_backend
from index.settings import EmbeddingSettings
from index.types import SearchFilter


@lru_cache(maxsize=4)
def _embedder(settings: EmbeddingSettings) -> Embedder:
    # cached: loading the model takes seconds, and the app opens many collections
    backend = make_backend(settings.name, settings.dtype, settings.device, settings.threads)
    return Embedder(backend, settings.batch_size)


def embedder(s: Settings) -> Embedder:
    return _embedder(s.embedding)


def embedder_label(s: Settings) -> str:
    return embedder_kind(s.embedding.name).label


def fingerprint(s: Settings) -> dict[str, str]:
    """What a collection records, without loading the model."""
    return {
        "embedder": embedder_kind(s.embedding.name).fingerprint,
        "chunker": s.chunking.config().fingerprint(),
    }


def open_collection(s: Settings, name: str | None = None, *, create: bool = True) -> Collection:
    return Collection(
        s.home, name or s.collection, embedder(s), s.chunking.config(), chroma_url=s.chroma_url,
        create=create,
    )  # fmt: skip


def model_settings(s: Settings, backend: str | None = None) -> ModelSettings:
    """The [llm] settings, for ``backend`` if given (--llm, the app's picker)."""
    update: dict[str, object] = {"backend": backend} if backend else {}
    key = os.environ.get("OPENAI_API_KEY")  # the OpenAI clients' own variable, as a fallback
    if s.llm.openai_api_key is None and key:
        update["openai_api_key"] = key
    return ModelSettings.model_validate(s.llm.model_dump() | update) if update else s.llm


def conversations(s: Settings) -> ConversationStore:
    return ConversationStore(s.home / "conversations.sqlite")


def extractive(s: Settings) -> ExtractiveAnswerer:
    return ExtractiveAnswerer(embedder(s), s.answer)


def checker(s: Settings) -> CitationChecker:
    return CitationChecker(embedder(s), s.answer)


# how a backend's model answers (assistant.llm.Backend.role): a model that can write cited
# answers from passages, or a small one that phrases one sentence from the quoted ones
ANSWERERS: dict[str, type[GenerativeAnswerer] | type[PhrasingAnswerer]] = {
    "write": GenerativeAnswerer,
    "phrase": PhrasingAnswerer,
}


def answerer(
    model: ChatModel | None, check: CitationChecker, fallback: ExtractiveAnswerer
) -> Answerer:
    """The model's answerer, standing on ``fallback``; without a model, ``fallback`` itself."""
    if model is None:
        return fallback
    kind = BACKENDS.get(model.name)  # a model outside the registry (a test's) writes answers
    return ANSWERERS[kind.role if kind else "write"](model, check, fallback)


def briefing_answerers(
    s: Settings, llm: str | None = None
) -> tuple[ExtractiveAnswerer, Answerer | None]:
    """(the answerer that quotes a briefing's points, the model's that writes its sections
    or None without a model)."""
    quotes = extractive(s)
    model = make_chat_model(model_settings(s, llm))
    return quotes, None if model is None else answerer(model, checker(s), quotes)


def assistant(
    s: Settings,
    collection: Collection | None = None,
    filters: SearchFilter | None = None,
    llm: str | None = None,
) -> Assistant:
    coll = collection or open_collection(s, create=False)
    model = make_chat_model(model_settings(s, llm))
    check = checker(s)
    return Assistant(
        coll, answerer(model, check, extractive(s)), s.retrieval, filters=filters,
        checker=check, conversations=conversations(s), rewriter=model,
    )  # fmt: skip
