"""``dossier eval brief``: fact recall without a model judge, on hand-worked briefings, and
the command end to end (a run file that ``eval compare`` reads)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.briefing import Briefing
from assistant.briefing_parts import Point, Theme
from assistant.types import Citation
from corpus.errors import UsageError
from dossier.cli import main
from eval.brief import Fact, load_facts, redundancy, score_briefing, states
from tests.conftest import FIXTURE_CORPUS

CHIEF = Fact("caio", "Agencies designate Chief AI Officers.",
             (("Chief AI Officer", "Chief Artificial Intelligence Officer"), ("designate",)),
             ("memos/m-24-10.md",))  # fmt: skip


def test_a_fact_is_stated_when_all_its_terms_are_in_one_point() -> None:
    assert states("Each agency must designate Chief AI Officers.", CHIEF)  # plural, case
    assert states("Agencies designated a Chief Artificial Intelligence Officer.", CHIEF)
    assert states("Agencies “designate” chief AI officers’ roles.", CHIEF)  # quotes folded
    assert not states("Each agency has a Chief AI Officer.", CHIEF)  # a term is missing
    assert not states("Chief officers of AI are designated.", CHIEF)  # words, not the term


def test_scores_a_briefing() -> None:
    c = [Citation(1, "d1", "Memo", "memos/m-24-10.md", None, 0, 10, "x"),
         Citation(2, "d2", "Fact sheet", "fact-sheets/a.md", None, 0, 10, "y")]  # fmt: skip
    said = Point("OMB requires agencies to designate Chief AI Officers.", (2,))
    again = Point("OMB requires agencies to designate Chief AI Officers by May.", (1,))
    flagged = Point("Agencies must publish inventories of AI use cases.", (1,), None, False, 0.2)
    b = Briefing("AI use", "collection 'c'", True, summary=(said,),
                 themes=(Theme("Chief AI Officers", (again, flagged)),), citations=tuple(c),
                 retrieved_docs=(("d1", "Memo", 1.0), ("d2", "Fact sheet", 0.9),
                                 ("d3", "Other", 0.5)))  # fmt: skip
    inventories = Fact("inv", "Inventories.", (("inventories", "inventory"),))
    metrics, results = score_briefing(b, [CHIEF, inventories])
    assert [r.stated for r in results] == [True, False]  # an unsupported point states nothing
    assert results[0].sourced  # one of the points that state it cites memos/m-24-10.md
    assert results[0].point == said.text  # the first that states it
    assert metrics["fact_recall"] == 0.5 and metrics["fact_recall_sourced"] == 1.0
    assert metrics["points"] == 2 and metrics["redundancy"] == 0.5
    assert metrics["document_coverage"] == pytest.approx(2 / 3)
    assert metrics["themes"] == 1 and metrics["points_per_theme"] == 2
    assert redundancy([said, flagged]) == 0.0


def test_facts_files_are_checked(tmp_path: Path) -> None:
    good = tmp_path / "facts.jsonl"
    good.write_text(json.dumps({"id": "a", "fact": "A.", "terms": ["x", ["y", "z"]]}) + "\n")
    assert load_facts(good)[0].terms == (("x",), ("y", "z"))
    for bad, why in [('{"id": "a", "terms": []}', "non-empty"), ("not json", "not JSON"),
                     ('{"id": "a", "terms": [["", "."]]}', "words"),
                     ('{"terms": ["x"]}', "'id'")]:  # fmt: skip
        path = tmp_path / "bad.jsonl"
        path.write_text(bad + "\n")
        with pytest.raises(UsageError, match=why):
            load_facts(path)


def test_the_demo_facts_files_load() -> None:
    folder = Path(__file__).resolve().parents[1] / "eval" / "briefs"
    files = sorted(folder.glob("*.jsonl"))
    assert len(files) >= 3
    for path in files:
        facts = load_facts(path)
        assert len(facts) >= 8 and all(f.sources for f in facts)


def test_eval_brief_command_writes_a_run_that_compare_reads(  # type: ignore[no-untyped-def]
    tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("DOSSIER_ANSWER__MIN_EVIDENCE", "0.25")  # the hashing embedder scores lower
    assert main(["ingest", str(FIXTURE_CORPUS), "--embedder", "hashing"]) == 0
    facts = tmp_path / "facts.jsonl"
    facts.write_text(
        json.dumps({"id": "vote", "fact": "The council approved the plant.",
                    "terms": ["council", ["approved", "approval"]]}) + "\n"
        + json.dumps({"id": "moon", "fact": "A moon base.", "terms": ["moon base"]}) + "\n"
    )  # fmt: skip
    run = tmp_path / "run.json"
    capsys.readouterr()
    assert main(["eval", "brief", "--topic", "desalination plant decision", "--facts",
                 str(facts), "-o", str(run), "--embedder", "hashing"]) == 0  # fmt: skip
    data = json.loads(run.read_text())
    assert data["kind"] == "brief" and data["topic"] == "desalination plant decision"
    outcomes = {r["id"]: r["outcome"] for r in data["results"]}
    assert outcomes == {"vote": "stated", "moon": "missing"}
    assert data["metrics"]["fact_recall"] == 0.5 and data["metrics"]["brief_ms"] > 0
    assert "not stated: moon" in capsys.readouterr().out
    assert main(["eval", "compare", str(run), str(run)]) == 0
    assert "fact_recall" in capsys.readouterr().out
