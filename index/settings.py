"""The index layer's settings: how text is chunked and embedded, and how search fuses.

Each is a frozen pydantic model, the one place its defaults are written. ``dossier.settings``
composes them as tables of config.toml (``[embedding]``, ``[chunking]``, ``[retrieval]``);
the objects are passed down whole, never copied field by field.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from corpus.chunker import ChunkerConfig
from corpus.registry import registered
from index.embedder import EMBEDDERS


class RetrievalSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    top_k: int = Field(default=6, ge=1, le=100, description="Passages retrieved for an answer.")
    fusion: Literal["rrf", "zscore", "minmax"] = Field(
        default="zscore",
        description="How the dense and BM25 rankings are fused: 'rrf' (reciprocal rank fusion), "
        "'zscore' or 'minmax' (weighted sum of scores standardised or min-max normalised per "
        "query); see index/fusion.py.",
    )
    dense_weight: float = Field(
        default=0.5, ge=0.0, le=1.0,
        description="Weight of the dense ranking in the fusion (BM25 gets the rest).",
    )  # fmt: skip
    rrf_k: int = Field(default=60, ge=1, description="The k constant of reciprocal rank fusion.")
    candidates: int = Field(
        default=200, ge=1, description="Candidates taken from each retriever before fusion."
    )
    multihop: bool = Field(
        default=True,
        description="Second hop: documents whose titles the best passages name are ranked "
        "right behind them (questions that need two documents); see index/multihop.py.",
    )
    hop_sources: int = Field(
        default=3, ge=1, le=20,
        description="The best documents whose passages the second hop reads for titles.",
    )  # fmt: skip


class EmbeddingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(
        default="minilm",
        description="Embedding model: "
        + "; ".join(f"'{k.name}' ({k.description})" for k in EMBEDDERS.values())
        + ".",
    )
    device: Literal["auto", "cuda", "cpu"] = Field(
        default="auto",
        description="Where the embedder runs: 'auto' takes a CUDA GPU when torch sees one, else "
        "the CPU; 'cuda' insists on a GPU (an error without one); 'cpu' never uses one.",
    )
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        default="auto",
        description="Precision of the embedder; 'auto' is float16 on a GPU and, on a CPU, "
        "bfloat16 only where the CPU has bfloat16 instructions (AMX or avx512_bf16; without them "
        "bfloat16 measured 2-3x slower than float32).",
    )
    batch_size: int | None = Field(
        default=None,
        ge=1,
        description="Chunks embedded per batch; unset: 16 on a CPU, 128 on a GPU.",
    )
    threads: int | None = Field(
        default=None, ge=1,
        description="CPU threads the embedder uses (torch's thread count for the process); "
        "unset: torch's default, one per core. On a machine other jobs keep busy, 1 is "
        "steadier: two threads wait on each other when one core is taken.",
    )  # fmt: skip

    @field_validator("name")
    @classmethod
    def _registered(cls, name: str) -> str:
        return registered(EMBEDDERS, name)


class ChunkingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tokens: int = Field(
        default=ChunkerConfig.max_tokens, ge=16, le=400,
        description="Maximum chunk size in cl100k tokens (chunks are also kept within the "
        "embedder's 256 word-piece window).",
    )  # fmt: skip
    overlap: int = Field(
        default=ChunkerConfig.overlap_tokens, ge=0, description="Tokens repeated between chunks."
    )

    @model_validator(mode="after")
    def _overlap_below_size(self) -> ChunkingSettings:
        if self.overlap >= self.tokens:
            raise ValueError(f"overlap ({self.overlap}) must be below tokens ({self.tokens})")
        return self

    def config(self) -> ChunkerConfig:
        return ChunkerConfig(max_tokens=self.tokens, overlap_tokens=self.overlap)
