"""`dossier eval generate`: known-item questions from a collection's own documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dossier.cli import main
from eval.datasets import load_qa
from eval.generate import BLANK, generate
from index.ingest import ingest
from tests.conftest import FIXTURE_CORPUS

H = ["--embedder", "hashing"]


@pytest.fixture
def collection(make_collection):  # type: ignore[no-untyped-def]
    coll = make_collection("gen")
    ingest(coll, [FIXTURE_CORPUS])
    return coll


def test_questions_come_from_the_documents(collection) -> None:  # type: ignore[no-untyped-def]
    items = generate(collection.catalog, 12, seed=7)
    assert len(items) == 12
    assert len({i.id for i in items}) == 12
    assert len({i.question for i in items}) == 12
    docs = {d.source: collection.catalog.document(d.doc_id) for d in collection.documents()}
    headings = {h.title for d in docs.values() for h in d.headings}
    assert len({i.source for i in items}) == len(docs)  # spread across every document
    for item in items:
        assert item.kind in ("cloze", "when")
        assert item.evidence == (item.source,)
        (answer,) = item.answers
        text = docs[item.source].text
        assert answer in text  # quotable from its evidence
        assert answer not in item.question
        if item.kind == "cloze":
            assert item.question.startswith("Fill in the blank: ") and BLANK in item.question
            sentence = item.question.removeprefix("Fill in the blank: ").replace(BLANK, answer)
            assert sentence not in headings and sentence.endswith((".", "!"))
            assert len(sentence.split()) >= 6
        else:
            assert item.question.startswith("When ") and item.question.endswith("?")
    assert all(not i.question.startswith("Fill in the blank: #") for i in items)


def test_deterministic_with_a_seed(collection) -> None:  # type: ignore[no-untyped-def]
    first = generate(collection.catalog, 8, seed=3)
    assert generate(collection.catalog, 8, seed=3) == first
    others = [generate(collection.catalog, 8, seed=s) for s in range(4, 8)]
    assert any(o != first for o in others)
    assert generate(collection.catalog, 0) == []


def test_rare_terms_are_preferred(collection) -> None:  # type: ignore[no-untyped-def]
    items = generate(collection.catalog, 40, seed=0)
    answers = {i.answers[0] for i in items}
    # "Calder Water Authority" appears in several documents; the names beside it are rarer
    assert "Calder Water Authority" not in answers
    assert {"Amara Quist", "Jonah Whitlock"} <= answers


def test_cli_writes_a_set_that_eval_answers_reads(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["ingest", str(FIXTURE_CORPUS), "-c", "mine", *H, "--json"]) == 0
    capsys.readouterr()
    qa = tmp_path / "qa.jsonl"
    code = main(["eval", "generate", "-c", "mine", "-n", "6", "-o", str(qa), "--seed", "1", *H])
    assert code == 0 and "wrote 6 questions" in capsys.readouterr().out
    items = load_qa(qa)
    assert len(items) == 6 and all(i.answers and i.evidence for i in items)
    lines = [json.loads(line) for line in qa.read_text().splitlines()]
    assert {"id", "question", "answers", "evidence", "source", "kind"} <= set(lines[0])

    run = tmp_path / "run.json"
    argv = ["eval", "answers", "--corpus", str(FIXTURE_CORPUS), "--qa", str(qa), "-o", str(run)]
    assert main([*argv, *H, "--json"]) == 0
    capsys.readouterr()
    data = json.loads(run.read_text())
    # evidence named by path was matched to the throwaway collection's document ids
    assert data["metrics"]["evidence_retrieval_recall"] > 0
    for r in data["results"]:
        assert r["evidence"] and not r["evidence"][0].endswith((".md", ".txt", ".html"))

    assert main(["eval", "generate", "-c", "mine", "-n", "0", "-o", str(qa), *H]) == 2
    assert main(["eval", "generate", "-c", "ghost", "-o", str(qa), *H]) == 5
