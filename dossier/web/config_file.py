"""Writing settings into config.toml for the Settings tab, with tomlkit.

tomlkit edits the document in place: comments, key order, formatting and tables the user
wrote are kept; only the keys saved change. A dotted key ("retrieval.top_k") names a key in
a table. The merged file is validated as Settings before anything is written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Table
from tomlkit.toml_document import TOMLDocument

from corpus.errors import UsageError
from dossier.settings import Settings, config_path, env_name, load_settings

HEADER = "written by the Dossier app; comments and other keys are kept"


def write_config(updates: Mapping[str, Any], path: Path | None = None) -> Path:
    """Merge ``updates`` into config.toml (validated first; everything else is kept)."""
    path = path or config_path()
    doc = _read(path)
    for key, value in updates.items():
        _assign(doc, key.split("."), value)
    merged = doc.unwrap()
    load_settings(**{k: v for k, v in merged.items() if k in Settings.model_fields})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(doc.as_string(), encoding="utf-8")
    os.replace(tmp, path)  # atomic: a crash never leaves half a config
    return path


def _read(path: Path) -> TOMLDocument:
    if not path.exists():
        doc = tomlkit.document()
        doc.add(tomlkit.comment(HEADER))
        return doc
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except (TOMLKitError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not valid TOML ({exc}); fix or delete it") from exc


def _assign(doc: TOMLDocument, parts: list[str], value: Any) -> None:
    table: TOMLDocument | Table = doc
    for part in parts[:-1]:
        if part not in table:
            table[part] = tomlkit.table()
        inner = table[part]
        if not isinstance(inner, Table):
            raise UsageError(f"config.toml: '{part}' is a value, not a table")
        table = inner
    try:
        table[parts[-1]] = value
    except (TOMLKitError, TypeError, ValueError) as exc:
        raise UsageError(f"cannot write {'.'.join(parts)} = {value!r} to config.toml") from exc


def env_overrides(keys: Iterable[str]) -> list[str]:
    """DOSSIER_* variables that win over the config file for these keys."""
    return [env_name(k) for k in keys if os.environ.get(env_name(k))]
