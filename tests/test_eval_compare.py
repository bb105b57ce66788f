"""`dossier eval compare`: comparison data, the HTML report, the terminal table, the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from dossier.cli import main
from eval.answers import QuestionResult, summarize
from eval.compare import compare, compare_files, judge, load_run
from eval.report import render_html, render_text

H = ["--embedder", "hashing"]
EVIL = '<b>x</b> & "quotes"'


def result(qid: str, outcome: str, latency: float = 100.0, answer: str = "") -> QuestionResult:
    correct = outcome == "correct"
    answerable = outcome not in ("refused-ok", "answered-unanswerable")
    answered = outcome not in ("refused-ok", "wrong-refusal")
    return QuestionResult(
        id=qid, question=f"What about {qid}? {EVIL}" if qid == "q2" else f"What about {qid}?",
        answers=("gold",) if answerable else (), answer=answer or f"Answer to {qid}.",
        answered=answered, correct=correct, f1=1.0 if correct else 0.0, sentences=1,
        supported=1, citations=1, precise_citations=1, cited_docs=("d1",),
        retrieved_docs=("d1",) if outcome != "retrieval-miss" else ("d9",), evidence=("d1",),
        answer_in_passages=outcome != "retrieval-miss", latency_ms=latency,
        first_token_ms=latency / 2, outcome=outcome,
    )  # fmt: skip


def write_run(path: Path, results: list[QuestionResult], llm: str = "extractive") -> Path:
    settings = {"llm": llm, "top_k": 6}
    run: dict[str, Any] = {
        "kind": "answers", "corpus": "docs", "qa": "qa.jsonl", "corpus_hash": "abc",
        "settings": settings, "settings_hash": f"{llm}-hash-0001", "metrics": summarize(results),
        "results": [r.to_dict() for r in results],
    }  # fmt: skip
    path.write_text(json.dumps(run))
    return path


@pytest.fixture
def two_runs(tmp_path: Path) -> tuple[Path, Path]:
    long_answer = "word " * 100
    base = [result("q1", "correct"), result("q2", "correct"), result("q3", "retrieval-miss"),
            result("q4", "refused-ok"), result("q5", "retrieval-miss"),
            result("q6", "correct")]  # fmt: skip
    new = [result("q1", "correct", 150), result("q2", "answer-miss", 150, long_answer),
           result("q3", "answer-miss", 150), result("q4", "refused-ok", 150),
           result("q5", "correct", 150), result("q6", "answer-miss", 150)]  # fmt: skip
    return write_run(tmp_path / "base.json", base), write_run(tmp_path / "new.json", new, "local")


def test_comparison_finds_changed_outcomes_and_regressions(two_runs: tuple[Path, Path]) -> None:
    c = compare_files([str(p) for p in two_runs])
    assert [r.label for r in c.runs] == ["extractive@extrac", "local@local-"]
    diff = c.diffs[0]
    assert [(ch.id, ch.before, ch.after, ch.direction) for ch in diff.changes] == [
        ("q2", "correct", "answer-miss", "worse"),
        ("q6", "correct", "answer-miss", "worse"),
        ("q5", "retrieval-miss", "correct", "better"),
        ("q3", "retrieval-miss", "answer-miss", "changed"),
    ]
    q2 = diff.changes[0]
    assert len(q2.after_answer) <= 160 and q2.after_answer.endswith("…")
    assert ("llm", "extractive", "local") in diff.settings_changed
    rows = {r.name: r for _, group in c.groups for r in group}
    assert rows["accuracy"].status == ("baseline", "regression")  # 3/5 -> 2/5
    assert rows["p50_ms"].status == ("baseline", "regression")  # 100 -> 150 ms
    assert rows["refusal_accuracy"].status == ("baseline", "same")
    assert rows["questions"].status == ("baseline", "same")
    assert [t for t, _ in c.groups] == ["answer quality", "grounding", "latency", "other"]
    assert c.regressions >= 2 and c.warnings == ()
    assert json.loads(json.dumps(c.to_dict()))["regressions"] == c.regressions


def test_tolerances() -> None:
    assert judge("accuracy", 0.80, 0.795, 0.01, 0.1) == "same"
    assert judge("accuracy", 0.80, 0.78, 0.01, 0.1) == "regression"
    assert judge("accuracy", 0.80, 0.82, 0.01, 0.1) == "better"
    assert judge("p95_ms", 100.0, 109.0, 0.01, 0.1) == "same"
    assert judge("p95_ms", 100.0, 111.0, 0.01, 0.1) == "regression"  # lower is better
    assert judge("p95_ms", 100.0, 80.0, 0.01, 0.1) == "better"
    assert judge("questions", 10, 5, 0.01, 0.1) == "same"


def test_html_report_is_self_contained_and_escaped(two_runs: tuple[Path, Path]) -> None:
    html = render_html(compare_files([str(p) for p in two_runs]))
    assert html.startswith("<!DOCTYPE html>") and html.count("<html") == 1
    assert "<svg" in html and "<rect" in html
    for name in ("accuracy", "groundedness", "citation_precision", "p50_ms"):
        assert name in html
    assert "<script" not in html.lower()
    for external in ("<link", "src=", "@import", "url("):
        assert external not in html
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt; &amp; &#34;quotes&#34;" in html
    assert 'class="num regression"' in html and 'class="bar regression"' in html
    assert "correct → answer-miss" in html


def test_terminal_table_marks_regressions(two_runs: tuple[Path, Path]) -> None:
    text = render_text(compare_files([str(p) for p in two_runs]))
    accuracy = next(line for line in text.splitlines() if line.startswith("accuracy"))
    assert accuracy.rstrip().endswith("!")
    groundedness = next(line for line in text.splitlines() if line.startswith("groundedness"))
    assert "!" not in groundedness
    assert "4 questions changed outcome (2 worse, 1 better)" in text


def test_labels_and_a_single_run(two_runs: tuple[Path, Path]) -> None:
    runs = [load_run(p) for p in two_runs]
    c = compare(runs, labels=["old", "new"])
    assert [r.label for r in c.runs] == ["old", "new"]
    same = compare([runs[0], runs[0]])  # the same settings twice: told apart
    assert len({r.label for r in same.runs}) == 2
    alone = compare(runs[:1])
    assert alone.diffs == () and "<svg" in render_html(alone)


def test_bad_run_files_name_the_file(tmp_path: Path) -> None:
    from corpus.errors import UsageError

    cases = {
        "broken.json": ("{not json", "not JSON"),
        "list.json": ("[1, 2]", "JSON object"),
        "qa.json": (json.dumps({"id": "1", "question": "q"}), "'kind'"),
        "metrics.json": (json.dumps({"kind": "answers", "metrics": {"a": "high"}}), "metrics"),
        "results.json": (json.dumps({"kind": "answers", "metrics": {}, "results": [{}]}),
                         "results[0]"),
    }  # fmt: skip
    for name, (text, why) in cases.items():
        (tmp_path / name).write_text(text)
        with pytest.raises(UsageError, match=re.escape(why)) as err:
            load_run(tmp_path / name)
        assert name in str(err.value)
    with pytest.raises(UsageError, match="no such file"):
        load_run(tmp_path / "missing.json")


def test_cli_compare(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, two_runs: tuple[Path, Path]
) -> None:
    base, new = (str(p) for p in two_runs)
    report = tmp_path / "report.html"
    assert main(["eval", "compare", base, new, "-o", str(report)]) == 0
    out = capsys.readouterr().out
    assert "!" in out and str(report) in out
    assert "<svg" in report.read_text(encoding="utf-8")
    assert main(["eval", "compare", base, new, "--json", "--labels", "a,b"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["regressions"] >= 2 and [r["label"] for r in data["runs"]] == ["a", "b"]
    assert main(["eval", "compare", base, str(tmp_path / "missing.json")]) == 2
    assert "missing.json" in capsys.readouterr().err
    (tmp_path / "bad.json").write_text("{")
    assert main(["eval", "compare", str(tmp_path / "bad.json")]) == 2
    assert main(["eval", "compare", base, new, "--labels", "only-one"]) == 2


def test_retrieval_runs_can_be_compared(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    beir = tmp_path / "beir"
    (beir / "qrels").mkdir(parents=True)
    docs = {"d1": "Tides are caused by the moon.", "d2": "Volcanoes erupt when magma rises."}
    (beir / "corpus.jsonl").write_text(
        "\n".join(json.dumps({"_id": k, "title": "", "text": v}) for k, v in docs.items())
    )
    (beir / "queries.jsonl").write_text(json.dumps({"_id": "q1", "text": "moon tides"}))
    (beir / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\n")
    run = tmp_path / "retrieval.json"
    assert main(["eval", "retrieval", "--beir", str(beir), "-o", str(run), *H, "--json"]) == 0
    capsys.readouterr()
    data = json.loads(run.read_text())
    assert data["kind"] == "retrieval" and data["metrics"]["ndcg@10"] == 1.0
    c = compare_files([str(run), str(run)])
    names = {r.name for _, group in c.groups for r in group}
    assert {"ndcg@10", "recall@100", "p50_ms", "bm25: ndcg@10"} <= names
    assert "hashing@" in c.runs[0].label and c.runs[0].label != c.runs[1].label
    assert "<svg" in render_html(c)
