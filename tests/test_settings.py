"""Settings: tables owned by the layers, their sources, and the registries behind them."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.llm import BACKENDS, ModelSettings, backend, make_chat_model
from assistant.settings import AnswerSettings
from corpus.errors import UsageError
from dossier import wiring
from dossier.settings import Settings, load_settings, rows
from index.embedder import EMBEDDERS, Embedder, embedder_kind, make_backend
from index.settings import ChunkingSettings, EmbeddingSettings, RetrievalSettings


def test_defaults_are_the_layers_own(dossier_home: Path) -> None:
    assert load_settings().embedding == EmbeddingSettings()
    s = load_settings(embedding={"name": "hashing"})
    assert s.retrieval == RetrievalSettings() and s.answer == AnswerSettings()
    assert s.llm == ModelSettings() and s.chunking.config() == ChunkingSettings().config()
    # passed down whole, not copied field by field
    assert wiring.extractive(s).settings is s.answer
    assert wiring.assistant(s, wiring.open_collection(s)).retrieval is s.retrieval


def test_tables_come_from_the_file_the_environment_and_flags(
    dossier_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dossier_home.mkdir(parents=True)
    (dossier_home / "config.toml").write_text(
        "collection = 'notes'\n[retrieval]\ntop_k = 8\ndense_weight = 0.7\n"
        "[llm]\nbackend = 'ollama'\nollama_model = 'qwen'\n"
    )
    monkeypatch.setenv("DOSSIER_RETRIEVAL__TOP_K", "9")  # the environment beats the file
    s = load_settings(retrieval={"dense_weight": 0.2, "rrf_k": None})  # a flag beats both
    assert s.collection == "notes"
    assert (s.retrieval.top_k, s.retrieval.dense_weight, s.retrieval.rrf_k) == (9, 0.2, 60)
    assert (s.llm.backend, s.llm.ollama_model) == ("ollama", "qwen")


def test_misplaced_and_misspelt_settings_say_where_they_belong(
    dossier_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dossier_home.mkdir(parents=True)
    (dossier_home / "config.toml").write_text("top_k = 9\n")
    with pytest.raises(UsageError, match=r"top_k: .*it belongs in \[retrieval\]"):
        load_settings()
    (dossier_home / "config.toml").write_text("")
    monkeypatch.setenv("DOSSIER_MIN_EVIDENCE", "0.3")
    hint = r"DOSSIER_MIN_EVIDENCE \(did you mean DOSSIER_ANSWER__MIN_EVIDENCE\?\)"
    with pytest.raises(UsageError, match=hint):
        load_settings()
    monkeypatch.delenv("DOSSIER_MIN_EVIDENCE")
    monkeypatch.setenv("DOSSIER_LLM", "openai")  # a table's variable wants JSON
    with pytest.raises(UsageError, match="DOSSIER_LLM__KEY"):
        load_settings()


def test_chunk_overlap_must_stay_below_the_size() -> None:
    with pytest.raises(ValueError, match="overlap"):
        ChunkingSettings(tokens=40, overlap=40)


def test_config_rows_name_every_key_and_hide_the_api_key(dossier_home: Path) -> None:
    s = load_settings(llm={"openai_api_key": "sk-secret"})
    by_name = {r["name"]: r for r in rows(s)}
    assert by_name["llm.openai_api_key"]["value"] == "(set)"
    assert "sk-secret" not in str(rows(s))
    assert wiring.model_settings(s).openai_api_key.get_secret_value() == "sk-secret"  # type: ignore[union-attr]
    tables = {"embedding", "chunking", "retrieval", "answer", "llm", "reading"}
    assert {n.split(".")[0] for n in by_name if "." in n} == tables
    assert all(r["description"] for r in by_name.values())


def test_settings_accept_exactly_the_registered_names(dossier_home: Path) -> None:
    for name in BACKENDS:
        assert load_settings(llm={"backend": name}).llm.backend == name
    for name in EMBEDDERS:
        assert load_settings(embedding={"name": name}).embedding.name == name
    with pytest.raises(UsageError, match=r"llm.backend: .*choose one of extractive, local, openai"):
        load_settings(llm={"backend": "gpt"})
    with pytest.raises(UsageError, match=r"embedding.name: .*choose one of minilm, hashing"):
        load_settings(embedding={"name": "bert"})
    # a name asked for elsewhere (a flag, a caller) is looked up the same way
    assert backend("local") is BACKENDS["local"] and embedder_kind("minilm") is EMBEDDERS["minilm"]
    with pytest.raises(UsageError, match=r"^unknown embedder 'bert': choose minilm, hashing$"):
        embedder_kind("bert")
    with pytest.raises(UsageError, match=r"^unknown language model backend 'gpt': choose extr"):
        backend("gpt")


def test_descriptions_name_every_registered_choice() -> None:
    backend = ModelSettings.model_fields["backend"].description or ""
    embedder = EmbeddingSettings.model_fields["name"].description or ""
    assert all(f"'{name}'" in backend for name in BACKENDS)
    assert all(f"'{name}'" in embedder for name in EMBEDDERS)
    assert set(Settings.model_fields) >= {"embedding", "chunking", "retrieval", "answer", "llm"}


def test_registered_fingerprints_match_the_embedders(dossier_home: Path) -> None:
    """A collection records the fingerprint; eval caches are named by it without a model."""
    for name, kind in EMBEDDERS.items():
        embedder = Embedder(make_backend(name))  # loads no model until it embeds
        assert kind.fingerprint == embedder.fingerprint()
        s = load_settings(embedding={"name": name})
        assert wiring.fingerprint(s)["embedder"] == kind.fingerprint


def test_every_backend_but_extractive_makes_a_model() -> None:
    assert make_chat_model(ModelSettings(backend="extractive")) is None
    for name in ("openai", "ollama"):  # network clients: made without contacting anyone
        model = make_chat_model(ModelSettings(backend=name))
        assert model is not None and model.name == name
    assert {b.extra for b in BACKENDS.values()} == {None, "local", "openai", "ollama"}
