"""Builds the objects the CLI and the app use from Settings (the one reader of Settings)."""

from __future__ import annotations

import os
from functools import lru_cache

from assistant.citations import CitationChecker
from assistant.conversations import ConversationStore
from assistant.extractive import ExtractiveAnswerer
from assistant.generative import GenerativeAnswerer
from assistant.llm import LLMConfig, make_chat_model
from assistant.service import Answerer, Assistant, RetrievalOptions
from corpus.chunker import ChunkerConfig
from dossier.settings import Settings
from index.collection import Collection
from index.embedder import Embedder, make_backend
from index.types import SearchFilter


@lru_cache(maxsize=4)
def _embedder(name: str, dtype: str, batch_size: int) -> Embedder:
    # cached: loading the model takes seconds, and the app opens many collections
    return Embedder(make_backend(name, dtype), batch_size)


def embedder(s: Settings) -> Embedder:
    return _embedder(s.embedder, s.embed_dtype, s.embed_batch_size)


def embedder_label(s: Settings) -> str:
    return "all-MiniLM-L6-v2" if s.embedder == "minilm" else s.embedder


def fingerprint(s: Settings) -> dict[str, str]:
    """What a collection records, without loading the model."""
    names = {
        "minilm": "sentence-transformers/all-MiniLM-L6-v2/dim384",
        "hashing": "hashing-bow/dim256",
    }
    return {"embedder": f"{names[s.embedder]}/normalized", "chunker": chunker(s).fingerprint()}


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


def assistant(
    s: Settings,
    collection: Collection | None = None,
    filters: SearchFilter | None = None,
    llm: str | None = None,
) -> Assistant:
    coll = collection or open_collection(s, create=False)
    emb = embedder(s)
    extractive = ExtractiveAnswerer(emb, max_sentences=s.answer_sentences, min_score=s.min_evidence)
    checker = CitationChecker(emb, s.support_threshold, s.unsupported)
    model = make_chat_model(llm_config(s, llm))
    answerer: Answerer = (
        extractive if model is None else GenerativeAnswerer(model, checker, extractive)
    )
    options = RetrievalOptions(
        k=s.top_k, dense_weight=s.dense_weight, rrf_k=s.rrf_k, candidates=s.candidates,
        filters=filters,
    )  # fmt: skip
    return Assistant(
        coll, answerer, options, checker=checker, conversations=conversations(s), rewriter=model
    )
