"""One Settings object, composed of the sub-settings each layer owns. Field descriptions are
the documentation (``dossier config``).

Top-level settings (``home``, ``collection``, ``chroma_url``, ``upload_max_mb``) sit at the
top of config.toml; the others are tables, each a model of the layer that uses it and passed
down to it whole:

    [embedding]  index.settings.EmbeddingSettings    [retrieval]  index.settings.RetrievalSettings
    [chunking]   index.settings.ChunkingSettings     [answer]     assistant.settings.AnswerSettings
    [llm]        assistant.llm.ModelSettings        [reading]    corpus.limits.ReadLimits

An environment variable names a table key with a double underscore:
``DOSSIER_RETRIEVAL__TOP_K=9`` sets ``top_k`` in ``[retrieval]``. Precedence, highest first:
command-line flags, ``DOSSIER_*`` environment variables, the config file
(``$DOSSIER_HOME/config.toml`` or ``$DOSSIER_CONFIG``), the defaults.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from assistant.llm import ModelSettings
from assistant.settings import AnswerSettings
from corpus.errors import UsageError
from corpus.limits import ReadLimits
from index.settings import ChunkingSettings, EmbeddingSettings, RetrievalSettings

ENV_PREFIX = "DOSSIER_"
NESTED = "__"
# Read by the command line, not settings: not mistaken for a misspelt setting.
OTHER_VARIABLES = frozenset({"DOSSIER_CONFIG", "DOSSIER_DEBUG", "DOSSIER_AUTH"})


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
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter=NESTED, extra="forbid"
    )

    home: Path = Field(
        default_factory=default_home,
        description="Folder holding all state: collections, vectors, conversations.",
    )
    collection: str = Field(default="default", description="Collection to ingest into and search.")
    chroma_url: str | None = Field(
        default=None,
        description="URL of a Chroma server ('chroma run --path DIR --port N'); unset: "
        "an embedded persistent Chroma under home.",
    )
    upload_max_mb: float = Field(
        default=25.0,
        gt=0,
        le=1024,
        description="Browser app: the largest file accepted for upload (MB).",
    )
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    llm: ModelSettings = Field(default_factory=ModelSettings)
    reading: ReadLimits = Field(default_factory=ReadLimits)

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


def tables() -> dict[str, type[BaseModel]]:
    """The sub-settings: table name -> its model."""
    out = {}
    for name, field in Settings.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            out[name] = kind
    return out


def keys() -> Iterator[tuple[str, str]]:
    """Every setting as (dotted key, description): 'home', 'retrieval.top_k', ..."""
    sub = tables()
    for name, field in Settings.model_fields.items():
        if name in sub:
            for inner, f in sub[name].model_fields.items():
                yield f"{name}.{inner}", f.description or ""
        else:
            yield name, field.description or ""


def env_name(key: str) -> str:
    """The environment variable of a dotted key: 'retrieval.top_k' -> DOSSIER_RETRIEVAL__TOP_K."""
    return ENV_PREFIX + key.upper().replace(".", NESTED)


def value_of(s: Settings, key: str) -> Any:
    value: Any = s
    for part in key.split("."):
        value = getattr(value, part)
    return value


def rows(s: Settings) -> list[dict[str, str]]:
    """What ``dossier config`` prints: every setting, its value, variable and meaning."""
    out = []
    for key, description in keys():
        value = value_of(s, key)
        shown = "(set)" if isinstance(value, SecretStr) else str(value)
        out.append({"name": key, "value": shown, "env": env_name(key), "description": description})
    return out


def _table_of(key: str) -> str | None:
    """The table holding ``key``, for a key given where it no longer lives."""
    return next((t for t, model in tables().items() if key in model.model_fields), None)


def _unknown_variables() -> list[str]:
    known = {env_name(k) for k, _ in keys()} | {env_name(t) for t in tables()} | OTHER_VARIABLES
    found = []
    for var in sorted(os.environ):
        name = var.upper()
        if name.startswith(ENV_PREFIX) and name not in known:
            key = name.removeprefix(ENV_PREFIX).lower()
            table = _table_of(key)
            found.append(f"{var} (did you mean {env_name(f'{table}.{key}')}?)" if table else var)
    return found


def _drop_none(values: Mapping[str, Any]) -> dict[str, Any]:
    """Flags not given are None: they must not hide the other sources."""
    out: dict[str, Any] = {}
    for k, v in values.items():
        if isinstance(v, Mapping):
            v = _drop_none(v)
        if v is not None and v != {}:
            out[k] = v
    return out


def load_settings(**overrides: Any) -> Settings:
    """Settings from all sources; ``overrides`` (CLI flags) win, a table as a dict
    (``retrieval={"top_k": 9}``). None means 'not given'."""
    given = _drop_none(overrides)
    where = config_path(given.get("home"))
    unknown = _unknown_variables()
    if unknown:
        raise UsageError(f"unknown setting variables: {', '.join(unknown)}; "
                         "'dossier config' lists every setting and its variable")  # fmt: skip
    try:
        return Settings(**given)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"config file {where} is not valid TOML: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(_problem(e) for e in exc.errors())
        raise UsageError(f"invalid settings ({problems}); config file: {where}") from exc
    except SettingsError as exc:  # a table's own variable whose value is not JSON
        given_tables = [t for t in tables() if env_name(t) in os.environ]
        hint = "".join(f"; {env_name(t)} sets the whole [{t}] table as JSON: set one key with "
                       f"{env_name(t)}{NESTED}KEY" for t in given_tables)  # fmt: skip
        raise UsageError(f"invalid settings ({exc}{hint}); config file: {where}") from exc


def _problem(error: Any) -> str:
    loc = ".".join(str(p) for p in error["loc"]) or "settings"
    table = _table_of(loc) if error["type"] == "extra_forbidden" else None
    hint = f" (it belongs in [{table}]: {table}.{loc})" if table else ""
    return f"{loc}: {error['msg']}{hint}"
