"""Tests for eval.metrics and eval.datasets: hand-computed cases, no models, no retrieval."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus.errors import UsageError
from eval.datasets import (
    CorpusDoc,
    QAItem,
    Query,
    corpus_hash,
    load_beir,
    load_corpus,
    load_qa,
    load_qrels,
    load_queries,
)
from eval.metrics import (
    answer_contains,
    evaluate_retrieval,
    evidence_recall,
    hit_rate_at_k,
    latency_summary,
    mrr_at_k,
    ndcg_at_k,
    normalize_answer,
    percentile,
    precision_at_k,
    recall_at_k,
    token_f1,
)

SHARED_DATA = Path(__file__).parents[2] / "shared" / "data"
INV_LOG2_3 = 1 / math.log2(3)  # the discount at rank 2

# --- retrieval metrics -------------------------------------------------------------------


def test_ndcg_binary_relevance_by_hand() -> None:
    # DCG = 1/log2(3) (b at rank 2); IDCG = 1 + 1/log2(3) (b and d at ranks 1 and 2).
    expected = INV_LOG2_3 / (1 + INV_LOG2_3)
    assert ndcg_at_k(["a", "b", "c"], {"b": 1, "d": 1}, 3) == pytest.approx(expected)
    assert expected == pytest.approx(0.386853, abs=1e-6)


def test_ndcg_graded_relevance_uses_linear_gains() -> None:
    qrels = {"a": 1, "b": 2, "c": 0, "d": 3}
    # DCG = 1/1 + 2/log2(3) + 0; IDCG = 3/1 + 2/log2(3) + 1/log2(4).
    dcg = 1 + 2 * INV_LOG2_3
    idcg = 3 + 2 * INV_LOG2_3 + 0.5
    assert ndcg_at_k(["a", "b", "c"], qrels, 3) == pytest.approx(dcg / idcg)
    assert dcg / idcg == pytest.approx(0.474995, abs=1e-6)


def test_ndcg_edges() -> None:
    assert ndcg_at_k(["d", "b"], {"b": 1, "d": 2}, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["a", "b"], {"b": 0}, 10) == 0.0  # nothing relevant
    assert ndcg_at_k([], {"b": 1}, 10) == 0.0
    # Cut at k=1: only "a" counts; the ideal top-1 is a single relevant doc.
    assert ndcg_at_k(["a", "b"], {"b": 1}, 1) == 0.0
    with pytest.raises(ValueError):
        ndcg_at_k(["a"], {"a": 1}, 0)


def test_repeated_documents_earn_credit_once() -> None:
    qrels = {"b": 1, "c": 1}
    assert ndcg_at_k(["b", "b", "c"], qrels, 3) == pytest.approx(1.0)
    assert precision_at_k(["b", "b", "b"], qrels, 3) == pytest.approx(1 / 3)


def test_recall_precision_mrr_hit_by_hand() -> None:
    ranked = ["a", "b", "c"]
    qrels = {"b": 1, "c": 2, "d": 1, "e": 0}
    assert recall_at_k(ranked, qrels, 2) == pytest.approx(1 / 3)
    assert recall_at_k(ranked, qrels, 3) == pytest.approx(2 / 3)
    assert precision_at_k(ranked, qrels, 2) == pytest.approx(1 / 2)
    assert precision_at_k(ranked, qrels, 5) == pytest.approx(2 / 5)  # divided by k, not 3
    assert mrr_at_k(ranked, qrels, 10) == pytest.approx(1 / 2)
    assert mrr_at_k(ranked, qrels, 1) == 0.0
    assert mrr_at_k(["x", "y", "d"], qrels, 3) == pytest.approx(1 / 3)
    assert hit_rate_at_k(ranked, qrels, 1) == 0.0
    assert hit_rate_at_k(ranked, qrels, 2) == 1.0
    assert recall_at_k(ranked, {"a": 0}, 3) == 0.0


def test_evaluate_retrieval_averages_and_missing_queries() -> None:
    qrels = {
        "q1": {"d1": 1},
        "q2": {"d2": 1},
        "q3": {"d3": 0},  # no relevant doc: left out of the mean
        "q4": {"d4": 1},  # not in the run: scores zero
    }
    run = {"q1": ["d1", "x"], "q2": ["x", "d2"], "q3": ["d3"], "unjudged": ["d1"]}
    scores = evaluate_retrieval(run, qrels, ks=(1, 10))
    assert set(scores) == {
        f"{m}@{k}" for m in ("ndcg", "recall", "precision", "mrr", "hit") for k in (1, 10)
    }
    assert scores["mrr@10"] == pytest.approx((1 + 1 / 2 + 0) / 3)
    assert scores["ndcg@10"] == pytest.approx((1 + INV_LOG2_3 + 0) / 3)
    assert scores["recall@1"] == pytest.approx(1 / 3)
    assert scores["hit@10"] == pytest.approx(2 / 3)
    assert scores["precision@10"] == pytest.approx((0.1 + 0.1) / 3)


def test_evaluate_retrieval_rejects_empty_inputs() -> None:
    with pytest.raises(ValueError):
        evaluate_retrieval({}, {"q": {"d": 0}})
    with pytest.raises(ValueError):
        evaluate_retrieval({}, {"q": {"d": 1}}, ks=())


# --- answer metrics ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("The  Quick, brown fox!", "quick brown fox"),
        ("An apple a day", "apple day"),
        ("Theater and Anaconda", "theater and anaconda"),  # articles only as whole words
        ("\u201cYes\u201d \u2014 it is.", "yes it is"),  # curly quotes and em dash
        ("1,000", "1000"),
        ("  ", ""),
    ],
)
def test_normalize_answer(raw: str, normalized: str) -> None:
    assert normalize_answer(raw) == normalized


def test_answer_contains_whole_tokens_only() -> None:
    assert answer_contains("It was founded in 1990.", ["1990"])
    assert not answer_contains("Its code is 19901.", ["1990"])
    assert answer_contains("He was born in New York City.", ["NYC", "new york"])
    assert not answer_contains("new jersey and york", ["New York"])
    assert not answer_contains("a yes-man", ["yes"])  # hyphen joins tokens, as in SQuAD
    assert answer_contains("Yes, both are directors.", "yes")  # a bare string is one answer
    assert answer_contains("The Beatles", ["beatles"])


def test_answer_contains_edges() -> None:
    assert not answer_contains("anything", [])
    assert not answer_contains("the answer", ["The"])  # normalises to nothing: skipped
    assert not answer_contains("", ["x"])


def test_token_f1_by_hand() -> None:
    # pred {cat, sat} vs gold {cat, sat, on, mat}: P = 1, R = 1/2, F1 = 2/3.
    assert token_f1("The cat sat", ["cat sat on the mat"]) == pytest.approx(2 / 3)
    assert token_f1("The cat sat", ["dog", "cat sat on the mat", "cat sat"]) == 1.0
    # Counts matter: overlap of [x x y] and [x y y] is 2, so P = R = 2/3.
    assert token_f1("x x y", ["x y y"]) == pytest.approx(2 / 3)
    assert token_f1("nothing shared", ["other words"]) == 0.0
    assert token_f1("anything", []) == 0.0
    assert token_f1("the", ["a"]) == 1.0  # both empty after normalising
    assert token_f1("", ["x"]) == 0.0


def test_evidence_recall() -> None:
    assert evidence_recall(["A", "C", "A"], ["A", "B"]) == pytest.approx(0.5)
    assert evidence_recall([], ["A"]) == 0.0
    assert evidence_recall(iter(["B", "A"]), ("A", "B")) == 1.0
    with pytest.raises(ValueError):
        evidence_recall(["A"], [])


# --- latency -----------------------------------------------------------------------------


def test_percentile_by_hand() -> None:
    values = [4.0, 1.0, 3.0, 2.0]
    assert percentile(values, 50) == pytest.approx(2.5)
    assert percentile(values, 95) == pytest.approx(3.85)  # position 2.85: 3 + 0.85
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 4.0
    assert percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=50),
    st.floats(0, 100),
    st.floats(0, 100),
)
def test_percentile_is_bounded_and_monotone(values: list[float], p: float, q: float) -> None:
    lo, hi = sorted((p, q))
    eps = 1e-6  # interpolation rounds in the last place
    low, high = percentile(values, lo), percentile(values, hi)
    assert min(values) - eps <= low <= high + eps and high <= max(values) + eps


def test_latency_summary() -> None:
    summary = latency_summary([10, 40, 20, 30])
    assert summary == pytest.approx({"p50_ms": 25.0, "p95_ms": 38.5, "mean_ms": 25.0})
    with pytest.raises(ValueError):
        latency_summary([])


# --- loaders -----------------------------------------------------------------------------


def _write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_load_corpus_and_queries(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        '{"_id": "d1", "title": "T", "text": "one"}\n\n{"_id": 2, "text": "two"}\n',
        encoding="utf-8",
    )
    assert load_corpus(corpus) == [CorpusDoc("d1", "T", "one"), CorpusDoc("2", "", "two")]
    queries = _write_jsonl(tmp_path / "q.jsonl", [{"_id": "q1", "text": "why?", "metadata": {}}])
    assert load_queries(queries) == [Query("q1", "why?")]


@pytest.mark.parametrize(
    ("third_line", "message"),
    [
        ('{"_id": "d3", "text": ', "malformed JSON"),
        ('{"_id": "d3"}', "missing field 'text'"),
        ('{"text": "x"}', "missing field '_id'"),
        ('["d3", "x"]', "expected a JSON object"),
        ('{"_id": "d3", "text": 5}', "'text' must be a string"),
        ('{"_id": "d1", "text": "again"}', "duplicate id 'd1'"),
    ],
)
def test_load_corpus_reports_file_and_line(tmp_path: Path, third_line: str, message: str) -> None:
    path = tmp_path / "corpus.jsonl"
    good = '{"_id": "d1", "text": "a"}\n{"_id": "d2", "text": "b"}\n'
    path.write_text(good + third_line + "\n", encoding="utf-8")
    with pytest.raises(UsageError, match=message) as info:
        load_corpus(path)
    assert f"{path}:3:" in str(info.value)


def test_missing_files_are_usage_errors(tmp_path: Path) -> None:
    for loader in (load_corpus, load_queries, load_qrels, load_qa):
        with pytest.raises(UsageError, match="no such file"):
            loader(tmp_path / "absent.jsonl")
    with pytest.raises(UsageError, match="no such BEIR folder"):
        load_beir(tmp_path / "absent", "test")
    with pytest.raises(UsageError, match="no such file"):
        corpus_hash(tmp_path / "absent")


def test_load_qrels_header_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "test.tsv"
    path.write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td 2\t2\nq2\td1\t0\n")
    assert load_qrels(path) == {"q1": {"d1": 1, "d 2": 2}, "q2": {"d1": 0}}
    path.write_text("q1\td1\t1\n")  # no header
    assert load_qrels(path) == {"q1": {"d1": 1}}
    path.write_text("query-id\tcorpus-id\tscore\nq1\td1\thigh\n")
    with pytest.raises(UsageError, match=r"test\.tsv:2: score must be an integer"):
        load_qrels(path)
    path.write_text("query-id\tcorpus-id\tscore\nq1 d1 1\n")
    with pytest.raises(UsageError, match=r"test\.tsv:2: expected 3 tab-separated"):
        load_qrels(path)
    path.write_text("query-id\tcorpus-id\tscore\n")
    with pytest.raises(UsageError, match="no relevance judgements"):
        load_qrels(path)


def test_load_beir_keeps_judged_queries(tmp_path: Path) -> None:
    _write_jsonl(tmp_path / "corpus.jsonl", [{"_id": "d1", "title": "", "text": "a"}])
    _write_jsonl(
        tmp_path / "queries.jsonl", [{"_id": "q1", "text": "x"}, {"_id": "q2", "text": "y"}]
    )
    (tmp_path / "qrels").mkdir()
    (tmp_path / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq2\td1\t1\n")
    beir = load_beir(tmp_path, "test")
    assert beir.queries == [Query("q2", "y")]
    assert beir.qrels == {"q2": {"d1": 1}}
    assert beir.corpus == [CorpusDoc("d1", "", "a")]
    (tmp_path / "qrels" / "dev.tsv").write_text("query-id\tcorpus-id\tscore\nq9\td1\t1\n")
    with pytest.raises(UsageError, match=r"not in queries\.jsonl"):
        load_beir(tmp_path, "dev")


def test_load_qa(tmp_path: Path) -> None:
    path = _write_jsonl(
        tmp_path / "qa.jsonl",
        [
            {"id": "1", "question": "Who?", "answers": ["Ada", "A. Lovelace"], "evidence": ["p1"]},
            {"id": "2", "question": "Why?", "answers": [], "evidence": [], "type": "x"},
            {"id": "3", "question": "When?", "answers": ["1843"]},
        ],
    )
    items = load_qa(path)
    assert items[0] == QAItem("1", "Who?", ("Ada", "A. Lovelace"), ("p1",))
    assert items[0].answerable
    assert not items[1].answerable
    assert items[2].evidence == ()
    _write_jsonl(path, [{"id": "1", "question": "Who?", "answers": "Ada"}])
    with pytest.raises(UsageError, match=r"qa\.jsonl:1: field 'answers' must be a list"):
        load_qa(path)
    _write_jsonl(path, [{"id": "1", "question": "Who?"}])
    with pytest.raises(UsageError, match=r"qa\.jsonl:1: missing field 'answers'"):
        load_qa(path)


def test_corpus_hash(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "corpus.jsonl").write_bytes(b"x" * 5000)
    (a / "queries.jsonl").write_bytes(b"q")
    (b / "corpus.jsonl").write_bytes(b"x" * 5000)
    (b / "queries.jsonl").write_bytes(b"q")
    one = corpus_hash([a / "corpus.jsonl", a / "queries.jsonl"])
    assert len(one) == 64
    assert one == corpus_hash([b / "queries.jsonl", b / "corpus.jsonl"])  # order, location
    assert corpus_hash(a / "corpus.jsonl", chunk_size=7) == corpus_hash(a / "corpus.jsonl")
    assert corpus_hash(a) == corpus_hash(b)
    (b / "queries.jsonl").write_bytes(b"Q")
    assert corpus_hash(a) != corpus_hash(b)
    assert corpus_hash(a / "corpus.jsonl") != corpus_hash(a / "queries.jsonl")


def test_real_eval_sets_load() -> None:
    eval_dir = SHARED_DATA / "eval"
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder not found at {SHARED_DATA}")
    qrels = load_qrels(eval_dir / "scifact" / "qrels" / "train.tsv")
    assert len(qrels) == 809
    assert sum(len(docs) for docs in qrels.values()) == 919
    scifact = load_beir(eval_dir / "scifact", "train")
    assert len(scifact.corpus) == 5183
    assert len(scifact.queries) == 809
    qa = load_qa(eval_dir / "hotpotqa-100" / "qa.jsonl")
    assert len(qa) == 100
    assert all(item.answerable and len(item.evidence) >= 2 for item in qa)
    corpus_ids = {doc.doc_id for doc in load_corpus(eval_dir / "hotpotqa-100" / "corpus.jsonl")}
    assert {e for item in qa for e in item.evidence} <= corpus_ids
