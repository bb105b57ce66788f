"""One Settings object. Field descriptions are the documentation (``dossier config``).

Precedence, highest first: command-line flags, ``DOSSIER_*`` environment variables, the
config file (``$DOSSIER_HOME/config.toml`` or ``$DOSSIER_CONFIG``), the defaults below.
Only the wiring module reads Settings; lower layers take plain arguments.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from assistant.citations import DEFAULT_THRESHOLD
from assistant.llm import BACKENDS
from corpus.errors import UsageError
from index.embedder import EMBEDDERS


def default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("dossier", appauthor=False))


def config_path(home: Path | str | None = None) -> Path:
    """$DOSSIER_CONFIG, else config.toml under ``home`` (given, else $DOSSIER_HOME, else the
    default): the file lives under the state folder it configures."""
    if os.environ.get("DOSSIER_CONFIG"):
        return Path(os.environ["DOSSIER_CONFIG"])
    home = home or os.environ.get("DOSSIER_HOME")
    return (Path(home) if home else default_home()) / "config.toml"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DOSSIER_", extra="forbid")

    home: Path = Field(
        default_factory=default_home,
        description="Folder holding all state: collections, vectors, conversations.",
    )
    collection: str = Field("default", description="Collection to ingest into and search.")
    embedder: str = Field(
        "minilm",
        description="Embedding model: "
        + "; ".join(f"'{k.name}' ({k.description})" for k in EMBEDDERS.values())
        + ".",
    )
    embed_dtype: Literal["auto", "float32", "bfloat16"] = Field(
        "auto",
        description="Precision of the embedder on CPU; 'auto' uses bfloat16 only where the CPU "
        "has AMX (elsewhere bfloat16 measured slower than float32).",
    )
    embed_batch_size: int = Field(16, ge=1, description="Chunks embedded per batch.")
    chunk_tokens: int = Field(
        200, ge=16, le=400,
        description="Maximum chunk size in cl100k tokens (chunks are also kept within the "
        "embedder's 256 word-piece window).",
    )  # fmt: skip
    chunk_overlap: int = Field(40, ge=0, description="Tokens repeated between chunks.")
    top_k: int = Field(6, ge=1, le=100, description="Passages retrieved for an answer.")
    dense_weight: float = Field(
        0.5, ge=0.0, le=1.0,
        description="Weight of the dense ranking in reciprocal rank fusion (BM25 gets the rest).",
    )  # fmt: skip
    rrf_k: int = Field(60, ge=1, description="The k constant of reciprocal rank fusion.")
    candidates: int = Field(
        100, ge=1, description="Candidates taken from each retriever before fusion."
    )
    min_evidence: float = Field(
        0.42, ge=0.0, le=1.0,
        description="Extractive answerer: the best sentence must score at least this "
        "(0.6 x cosine + 0.4 x term overlap), or the corpus is said not to answer.",
    )  # fmt: skip
    answer_sentences: int = Field(3, ge=1, le=10, description="Sentences in an extractive answer.")
    llm: str = Field(
        "extractive",
        description="Who writes answers: " + "; ".join(b.help() for b in BACKENDS.values()) + ".",
    )
    openai_base_url: str = Field(
        "https://api.openai.com/v1",
        description="Base URL of the OpenAI-compatible server (vLLM, llama.cpp server, "
        "LM Studio, OpenAI), e.g. http://localhost:8000/v1.",
    )
    openai_api_key: str | None = Field(
        None, description="API key for the OpenAI-compatible server (else $OPENAI_API_KEY)."
    )
    openai_model: str = Field("gpt-4o-mini", description="Model name on that server.")
    ollama_base_url: str = Field("http://localhost:11434", description="Ollama server URL.")
    ollama_model: str = Field("llama3.2", description="Ollama model name (ollama pull NAME).")
    llm_timeout: float = Field(
        60.0, gt=0, description="Seconds to wait for a model reply before falling back."
    )
    llm_retries: int = Field(1, ge=0, le=5, description="Retries of a failed model request.")
    max_new_tokens: int = Field(384, ge=16, le=4096, description="Longest model answer.")
    support_threshold: float = Field(
        DEFAULT_THRESHOLD, ge=0.0, le=1.0,
        description="A sentence counts as supported when its support score (0.5 x best "
        "sentence cosine + 0.5 x content-word overlap with the cited passages) reaches this.",
    )  # fmt: skip
    unsupported: Literal["flag", "remove"] = Field(
        "flag",
        description="What to do with answer sentences that are not supported by their "
        "citations: 'flag' keeps them marked, 'remove' drops them.",
    )
    upload_max_mb: float = Field(
        25.0, gt=0, le=1024, description="Browser app: the largest file accepted for upload (MB)."
    )
    chroma_url: str | None = Field(
        None,
        description="URL of a Chroma server ('chroma run --path DIR --port N'); unset: "
        "an embedded persistent Chroma under home.",
    )

    @field_validator("embedder")
    @classmethod
    def _known_embedder(cls, name: str) -> str:
        return _one_of(name, EMBEDDERS)

    @field_validator("llm")
    @classmethod
    def _known_backend(cls, name: str) -> str:
        return _one_of(name, BACKENDS)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # --home given as a flag: the config file under that home
        given = init_settings.init_kwargs if isinstance(init_settings, InitSettingsSource) else {}
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_path(given.get("home")))
        return init_settings, env_settings, toml


def _one_of(name: str, registry: Mapping[str, object]) -> str:
    if name not in registry:
        raise ValueError(f"choose one of {', '.join(registry)}, not '{name}'")
    return name


def load_settings(**overrides: Any) -> Settings:
    """Settings from all sources; ``overrides`` (CLI flags) win. None means 'not given'."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        where = config_path(given.get("home"))
        raise UsageError(f"invalid settings ({problems}); config file: {where}") from exc
