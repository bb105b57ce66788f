"""Answer metrics on hand-made results, with the expected figures worked out by hand."""

from __future__ import annotations

from eval.answers import QuestionResult, _outcome, summarize
from eval.datasets import QAItem


def result(**kw: object) -> QuestionResult:
    base: dict[str, object] = dict(
        id="q", question="?", answers=("gold",), answer="a", answered=True, correct=False,
        f1=0.0, sentences=1, supported=1, citations=1, precise_citations=1, cited_docs=(),
        retrieved_docs=(), evidence=(), answer_in_passages=False, latency_ms=100.0,
        first_token_ms=50.0, outcome="answer-miss",
    )  # fmt: skip
    return QuestionResult(**(base | kw))  # type: ignore[arg-type]


def test_summarize_by_hand() -> None:
    results = [
        # answerable, correct; 2 of 2 sentences supported; cites 1 of its 2 evidence docs
        result(correct=True, f1=1.0, sentences=2, supported=2, citations=3, precise_citations=3,
               cited_docs=("e1",), retrieved_docs=("e1", "e2"), evidence=("e1", "e2"),
               answer_in_passages=True, latency_ms=100.0, first_token_ms=10.0),
        # answerable, wrong; 1 of 2 sentences supported; 1 of 2 citations on a supported one
        result(f1=0.5, sentences=2, supported=1, citations=2, precise_citations=1,
               cited_docs=("x",), retrieved_docs=("e3",), evidence=("e3",),
               latency_ms=300.0, first_token_ms=30.0),
        # unanswerable and declined: no sentences
        result(answers=(), answered=False, sentences=0, supported=0, citations=0,
               precise_citations=0, latency_ms=200.0, first_token_ms=20.0, fell_back=True),
    ]  # fmt: skip
    m = summarize(results)
    assert m["questions"] == 3
    assert m["accuracy"] == 0.5  # 1 of the 2 answerable
    assert m["token_f1"] == 0.75
    assert m["answered_rate"] == round(2 / 3, 4)
    assert m["answer_in_passages"] == 0.5
    assert m["groundedness"] == 0.75  # 3 supported of 4 sentences
    assert m["citation_precision"] == 0.8  # 4 of 5 citations
    assert m["refusal_accuracy"] == 1.0
    assert m["evidence_citation_recall"] == 0.25  # (1/2 + 0/1) / 2
    assert m["evidence_retrieval_recall"] == 1.0  # (2/2 + 1/1) / 2
    assert m["fallback_rate"] == round(1 / 3, 4)
    assert m["p50_ms"] == 200.0 and m["first_token_p50_ms"] == 20.0
    assert m["p95_ms"] == 290.0  # linear interpolation between 200 and 300


def test_outcomes_say_why_a_question_failed() -> None:
    answerable = QAItem("q", "?", ("gold",), ("e",))
    unanswerable = QAItem("u", "?", (), ())
    assert _outcome(answerable, True, True, True, True) == "correct"
    assert _outcome(answerable, False, True, False, False) == "retrieval-miss"
    assert _outcome(answerable, False, True, True, True) == "answer-miss"
    assert _outcome(answerable, False, False, True, True) == "wrong-refusal"
    assert _outcome(unanswerable, False, False, False, False) == "refused-ok"
    assert _outcome(unanswerable, False, True, False, False) == "answered-unanswerable"
