"""Model-written questions: parsed, checked against their passage, and served by the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dossier.cli import main
from eval.datasets import load_qa
from eval.generate_llm import generate_with_model, grounded, parse_reply
from index.ingest import ingest
from tests.conftest import FIXTURE_CORPUS
from tests.fake_openai import FakeOpenAI, user_message


def scripted(body: dict[str, Any]) -> str:
    """A model that answers well about the desalination plant and invents elsewhere."""
    passage = user_message(body)
    if "desalination" in passage and "14 March 2021" in passage:
        return (
            "Q: When did the Port Calder council approve the desalination plant?\nA: 14 March 2021"
        )
    return "Q: What colour is the sky over Port Calder?\nA: a vivid tangerine"


def test_parse_reply_and_grounding() -> None:
    assert parse_reply("Q: Who built it?\nA: Ada Lovelace.") == ("Who built it?", "Ada Lovelace")
    assert parse_reply("Q: Not a question\nA: x") is None
    assert parse_reply("just prose") is None
    assert parse_reply("Q: Why?\nA: " + "word " * 12) is None  # answers stay short
    assert grounded("14 March 2021", "approved on 14 March 2021, by seven votes")
    assert not grounded("March 20", "approved on 14 March 2021")


def test_only_grounded_items_survive(make_collection) -> None:  # type: ignore[no-untyped-def]
    from assistant.llm import ModelSettings, make_chat_model

    coll = make_collection()
    ingest(coll, [FIXTURE_CORPUS])
    with FakeOpenAI("echo-cite", reply=scripted) as server:
        settings = ModelSettings(backend="openai", openai_base_url=server.url, retries=0)
        model = make_chat_model(settings)
        assert model is not None
        items = generate_with_model(coll.catalog, 5, model, seed=1)
        asked = len(server.chat_requests())
    assert asked >= 5  # every chunk was tried; only one passage yields a grounded answer
    assert [i.answers for i in items] == [("14 March 2021",)]
    assert items[0].kind == "model" and items[0].evidence == ("desalination-plant.md",)
    doc = next(d for d in coll.documents() if d.source == "desalination-plant.md")
    text = coll.catalog.document(doc.doc_id).text  # type: ignore[union-attr]
    assert "14 March 2021" in text


def test_cli_generate_with_llm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["ingest", str(FIXTURE_CORPUS), "--embedder", "hashing"]) == 0
    capsys.readouterr()
    out = tmp_path / "qa.jsonl"
    with FakeOpenAI("echo-cite", reply=scripted) as server:
        monkeypatch.setenv("DOSSIER_LLM__OPENAI_BASE_URL", server.url)
        code = main(["eval", "generate", "-n", "3", "-o", str(out), "--llm", "openai",
                     "--embedder", "hashing", "--json"])  # fmt: skip
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["questions"] == 1 and data["kinds"]["model"] == 1
    items = load_qa(out)
    assert len(items) == 1 and items[0].answers == ("14 March 2021",)
