"""Looking a name up in a registry (embedders, language-model backends): one way to fail.

Registries are plain dicts from a setting's value to what it names; they live with what
they register, in whichever layer that is, and share these two checks from the lowest one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from corpus.errors import UsageError

T = TypeVar("T")


def registered(registry: Mapping[str, object], name: str) -> str:
    """``name`` if the registry has it: a settings validator (pydantic reports the ValueError
    under the setting's name)."""
    if name not in registry:
        raise ValueError(f"choose one of {', '.join(registry)}, not '{name}'")
    return name


def lookup(registry: Mapping[str, T], name: str, what: str) -> T:
    """What ``name`` names, or a UsageError naming ``what`` was asked for and the choices."""
    found = registry.get(name)
    if found is None:
        raise UsageError(f"unknown {what} '{name}': choose {', '.join(registry)}")
    return found
