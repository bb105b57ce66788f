"""Settings and the registries they are validated against."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.llm import BACKENDS, LLMConfig, make_chat_model
from corpus.errors import UsageError
from dossier import wiring
from dossier.settings import Settings, load_settings
from index.embedder import EMBEDDERS, Embedder, make_backend


def test_settings_accept_exactly_the_registered_names(dossier_home: Path) -> None:
    for name in BACKENDS:
        assert load_settings(llm=name).llm == name
    for name in EMBEDDERS:
        assert load_settings(embedder=name).embedder == name
    with pytest.raises(UsageError, match=r"llm: .*choose one of extractive, local, openai, ollama"):
        load_settings(llm="gpt")
    with pytest.raises(UsageError, match=r"embedder: .*choose one of minilm, hashing"):
        load_settings(embedder="bert")


def test_descriptions_name_every_registered_choice() -> None:
    fields = Settings.model_fields
    assert all(f"'{name}'" in (fields["llm"].description or "") for name in BACKENDS)
    assert all(f"'{name}'" in (fields["embedder"].description or "") for name in EMBEDDERS)


def test_registered_fingerprints_match_the_embedders(dossier_home: Path) -> None:
    """A collection records the fingerprint; eval caches are named by it without a model."""
    for name, kind in EMBEDDERS.items():
        embedder = Embedder(make_backend(name))  # loads no model until it embeds
        assert kind.fingerprint == embedder.fingerprint()
        assert wiring.fingerprint(load_settings(embedder=name))["embedder"] == kind.fingerprint


def test_every_backend_but_extractive_makes_a_model() -> None:
    assert make_chat_model(LLMConfig(backend="extractive")) is None
    for name in ("openai", "ollama"):  # network clients: made without contacting anyone
        model = make_chat_model(LLMConfig(backend=name))
        assert model is not None and model.name == name
    assert {b.extra for b in BACKENDS.values()} == {None, "local", "openai", "ollama"}
