"""Builds the objects the CLI and the app use from Settings (the one reader of Settings)."""

from __future__ import annotations

import os
from functools import lru_cache

from assistant.answerer import Answerer
from assistant.citations import CitationChecker
from assistant.conversations import ConversationStore
from assistant.extractive import ExtractiveAnswerer
from assistant.generative import GenerativeAnswerer
from assistant.llm import ChatModel, LLMConfig, make_chat_model
from assistant.service import Assistant, RetrievalOptions
from corpus.chunker import ChunkerConfig
from dossier.settings import Settings
from index.collection import Collection
from index.embedder import Embedder, embedder_kind, make_backend
from index.types import SearchFilter


@lru_cache(maxsize=4)
def _embedder(name: str, dtype: str, batch_size: int) -> Embedder:
    # cached: loading the model takes seconds, and the app opens many collections
    return Embedder(make_backend(name, dtype), batch_size)


def embedder(s: Settings) -> Embedder:
    return _embedder(s.embedder, s.embed_dtype, s.embed_batch_size)


def embedder_label(s: Settings) -> str:
    return embedder_kind(s.embedder).label


def fingerprint(s: Settings) -> dict[str, str]:
    """What a collection records, without loading the model."""
    return {"embedder": embedder_kind(s.embedder).fingerprint, "chunker": chunker(s).fingerprint()}


def chunker(s: Settings) -> ChunkerConfig:
    return ChunkerConfig(max_tokens=s.chunk_tokens, overlap_tokens=s.chunk_overlap)


def open_collection(s: Settings, name: str | None = None, *, create: bool = True) -> Collection:
    return Collection(
        s.home, name or s.collection, embedder(s), chunker(s), chroma_url=s.chroma_url,
        create=create,
    )  # fmt: skip


def llm_config(s: Settings, backend: str | None = None) -> LLMConfig:
    return LLMConfig(
        backend=backend or s.llm, openai_base_url=s.openai_base_url,
        openai_api_key=s.openai_api_key or os.environ.get("OPENAI_API_KEY"),
        openai_model=s.openai_model, ollama_base_url=s.ollama_base_url,
        ollama_model=s.ollama_model, timeout_s=s.llm_timeout, retries=s.llm_retries,
        max_new_tokens=s.max_new_tokens,
    )  # fmt: skip


def conversations(s: Settings) -> ConversationStore:
    return ConversationStore(s.home / "conversations.sqlite")


def extractive(s: Settings) -> ExtractiveAnswerer:
    return ExtractiveAnswerer(
        embedder(s), max_sentences=s.answer_sentences, min_score=s.min_evidence
    )


def checker(s: Settings) -> CitationChecker:
    return CitationChecker(embedder(s), s.support_threshold, s.unsupported)


def answerer(
    model: ChatModel | None, check: CitationChecker, fallback: ExtractiveAnswerer
) -> Answerer:
    """The model's answerer, standing on ``fallback``; without a model, ``fallback`` itself."""
    return fallback if model is None else GenerativeAnswerer(model, check, fallback)


def briefing_answerers(
    s: Settings, llm: str | None = None
) -> tuple[ExtractiveAnswerer, Answerer | None]:
    """(the answerer that quotes a briefing's points, the model's that writes its sections
    or None without a model)."""
    quotes = extractive(s)
    model = make_chat_model(llm_config(s, llm))
    return quotes, None if model is None else answerer(model, checker(s), quotes)


def assistant(
    s: Settings,
    collection: Collection | None = None,
    filters: SearchFilter | None = None,
    llm: str | None = None,
) -> Assistant:
    coll = collection or open_collection(s, create=False)
    model = make_chat_model(llm_config(s, llm))
    options = RetrievalOptions(
        k=s.top_k, dense_weight=s.dense_weight, rrf_k=s.rrf_k, candidates=s.candidates,
        filters=filters,
    )  # fmt: skip
    check = checker(s)
    return Assistant(
        coll, answerer(model, check, extractive(s)), options, checker=check,
        conversations=conversations(s), rewriter=model,
    )  # fmt: skip
