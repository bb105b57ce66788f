"""Conversations end to end: the terminal chat, a three-turn conversation over the demo
corpus with the real embedder, and the local SmolLM2 backend through the assistant."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.events import Delta, Done, Reset, Rewritten
from dossier import wiring
from dossier.settings import load_settings
from index.ingest import ingest
from tests.conftest import FIXTURE_CORPUS

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpus" / "samples" / "whitehouse-ai" / "statements-releases"


def test_terminal_chat_commands(tmp_path: Path, dossier_home: Path) -> None:
    env = {**os.environ, "DOSSIER_HOME": str(dossier_home), "DOSSIER_EMBEDDING__NAME": "hashing"}
    cli = [sys.executable, "-m", "dossier.cli"]
    subprocess.run([*cli, "ingest", str(FIXTURE_CORPUS)], env=env, check=True, capture_output=True)
    export = tmp_path / "chat.md"
    script = "\n".join([
        "When did the council approve the desalination plant?",
        "how much did it cost?",
        "/sources",
        "/history",
        f"/export {export}",
        "/new",
        "/quit",
    ]) + "\n"  # fmt: skip
    done = subprocess.run([*cli, "chat"], env=env, input=script, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "14 March 2021" in out
    assert "(searching for: How much did the desalination plant cost?)" in out
    assert "Sources:" in out and "desalination-plant.md" in out
    assert "new conversation" in out
    md = export.read_text()
    assert md.count("## ") == 2 and "Searched as" in md
    # the conversation outlived the process, with both turns
    listed = subprocess.run([*cli, "conversations", "--json"], env=env, capture_output=True,
                            text=True, check=True)  # fmt: skip
    assert '"n_turns": 2' in listed.stdout


@pytest.mark.model
def test_three_turn_conversation_over_the_demo_corpus(dossier_home: Path) -> None:
    s = load_settings(collection="demo3")
    coll = wiring.open_collection(s)
    ingest(coll, [DEMO / "2023-10", DEMO / "2024-03"])
    helper = wiring.assistant(s, coll)
    conv = helper.conversations.create("demo3")  # type: ignore[union-attr]
    turns = [
        "What did President Biden's executive order on artificial intelligence require?",
        "and what did OMB require?",
        "when was that?",
    ]
    rewritten: list[str | None] = []
    answers = []
    for q in turns:
        events = list(helper.stream(q, None, conv.conversation_id))
        rewritten.append(next((e.question for e in events if isinstance(e, Rewritten)), None))
        answers.append(next(e.answer for e in events if isinstance(e, Done)))
    assert rewritten[0] is None
    assert rewritten[1] and "OMB" in rewritten[1] and "executive order" in rewritten[1].lower()
    assert rewritten[2] and "OMB" in rewritten[2]
    assert all(a.answered for a in answers)
    assert any("2024-03" in c.source for c in answers[1].citations)
    stored = helper.conversations.turns(conv.conversation_id)  # type: ignore[union-attr]
    assert [t.question for t in stored] == turns
    assert stored[1].rewritten_question == rewritten[1]


@pytest.mark.model
@pytest.mark.slow
def test_local_backend_answers_are_checked(dossier_home: Path) -> None:
    """SmolLM2-135M phrases one sentence from the extractive answer's quoted sentences (it
    cannot write a cited answer from whole passages). Its sentence leads the answer only if
    it is supported and invents no word; otherwise the extractive answer replaces the draft,
    saying which check it failed. Any other fallback (the model failed to load or to
    generate) is a broken path."""
    s = load_settings(collection="local", llm={"max_new_tokens": 48})
    coll = wiring.open_collection(s)
    ingest(coll, [FIXTURE_CORPUS])
    helper = wiring.assistant(s, coll, llm="local")
    question = "When did the council approve the desalination plant?"
    events = list(helper.stream(question, 1))
    answer = next(e.answer for e in events if isinstance(e, Done))
    reset = next((i for i, e in enumerate(events) if isinstance(e, Reset)), len(events))
    written = "".join(e.text for e in events[:reset] if isinstance(e, Delta))
    assert written.strip()  # the model wrote its draft
    assert "14 March 2021" in answer.text  # the quoted evidence, whoever leads it
    if answer.fell_back:
        checks = ("not supported", "words its source does not", "no answer", "wrote nothing")
        assert any(c in answer.fallback_reason for c in checks), answer.fallback_reason
        assert answer.backend == "extractive" and reset < len(events)
    else:
        lead = answer.sentences[0]
        assert answer.backend == "local" and lead.supported and reset == len(events)
        cited = {c.n: c.text for c in answer.citations}[lead.citations[0]]
        assert "14 March 2021" in cited  # it cites the sentence it restates
    for c in answer.citations:
        doc = coll.catalog.document(c.doc_id)
        assert doc is not None and doc.text[c.start : c.end] == c.text
    for sent in answer.sentences:
        assert sent.supported == (sent.support >= s.answer.support_threshold)
