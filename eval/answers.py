"""Answer-quality evaluation on a QA set, with no language-model judge.

Each question goes through the same Assistant users get; every figure is computed from the
answer text, its checked sentences and its citations. Per-question results are kept, so a
user can see which questions failed and why: the retriever missed the evidence, or the
answer missed it although it was retrieved.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from assistant.events import Delta, Done
from assistant.service import Assistant
from assistant.types import EXTRACTIVE
from eval.datasets import QAItem
from eval.metrics import answer_contains, evidence_recall, latency_summary, token_f1
from index.bm25 import tokenize


@dataclass(frozen=True)
class QuestionResult:
    id: str
    question: str
    answers: tuple[str, ...]
    answer: str
    answered: bool
    correct: bool
    f1: float  # of the short answer; of the whole answer when there is none
    sentences: int
    supported: int
    citations: int
    precise_citations: int
    cited_docs: tuple[str, ...]
    retrieved_docs: tuple[str, ...]
    evidence: tuple[str, ...]
    answer_in_passages: bool
    latency_ms: float
    first_token_ms: float
    # correct, refused-ok, retrieval-miss, answer-miss, wrong-refusal, answered-unanswerable
    outcome: str
    backend: str = EXTRACTIVE  # who wrote the answer: a model, or the extractive fallback
    fell_back: bool = False  # the configured model failed and the extractive answer stood in
    short_answer: str = ""  # the short answer shown first ("" when none was found)
    answer_f1: float = 0.0  # of the whole answer text: for long reference answers
    content_recall: float = 0.0  # share of the reference's content words in the answer

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _outcome(item: QAItem, correct: bool, answered: bool, evidence_found: bool,
             in_passages: bool) -> str:  # fmt: skip
    if not item.answerable:
        return "refused-ok" if not answered else "answered-unanswerable"
    if correct:
        return "correct"
    if not answered and in_passages:
        return "wrong-refusal"
    if not (evidence_found or in_passages):
        return "retrieval-miss"
    return "answer-miss"


def content_recall(prediction: str, answers: Sequence[str]) -> float:
    """Best share, over the references, of a reference's content words (stemmed, stopwords
    dropped) that the prediction holds: how much of a long answer was found."""
    said = set(tokenize(prediction))
    refs = [set(tokenize(a)) for a in answers]
    return max((len(r & said) / len(r) for r in refs if r), default=0.0)


def run_question(helper: Assistant, item: QAItem) -> QuestionResult:
    t0 = time.perf_counter()
    first: float | None = None
    answer = None
    for event in helper.stream(item.question):
        if isinstance(event, Delta) and first is None:
            first = (time.perf_counter() - t0) * 1000
        if isinstance(event, Done):
            answer = event.answer
    if answer is None:
        raise RuntimeError("the answer stream ended without an answer")
    total = (time.perf_counter() - t0) * 1000
    retrieved = tuple(dict.fromkeys(h.chunk.doc_id for h in answer.hits))
    passages = " ".join(h.chunk.text for h in answer.hits)
    cited = tuple(dict.fromkeys(c.doc_id for c in answer.citations))
    correct = answer.answered and answer_contains(answer.text, item.answers)
    in_passages = bool(item.answers) and answer_contains(passages, item.answers)
    found = bool(set(item.evidence) & set(retrieved))
    precise = sum(len(s.citations) for s in answer.sentences if s.supported)
    short = answer.short_answer.text if answer.answered and answer.short_answer else ""
    text = answer.text if answer.answered else ""
    return QuestionResult(
        id=item.id, question=item.question, answers=item.answers, answer=answer.text,
        answered=answer.answered, correct=correct,
        f1=token_f1(short or text, item.answers) if text else 0.0,
        short_answer=short, answer_f1=token_f1(text, item.answers) if text else 0.0,
        content_recall=content_recall(text, item.answers),
        sentences=len(answer.sentences), supported=sum(s.supported for s in answer.sentences),
        citations=sum(len(s.citations) for s in answer.sentences), precise_citations=precise,
        cited_docs=cited, retrieved_docs=retrieved, evidence=item.evidence,
        answer_in_passages=in_passages, latency_ms=total, first_token_ms=first or total,
        backend=answer.backend, fell_back=answer.fell_back,
        outcome=_outcome(item, correct, answer.answered, found, in_passages),
    )  # fmt: skip


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def summarize(results: Sequence[QuestionResult]) -> dict[str, float]:
    """The metrics, as plain floats; each is documented in the README."""
    answerable = [r for r in results if r.answers]
    unanswerable = [r for r in results if not r.answers]
    with_evidence = [r for r in answerable if r.evidence]
    sentences = sum(r.sentences for r in results)
    cites = sum(r.citations for r in results)
    out = {
        "questions": float(len(results)),
        "accuracy": _mean([r.correct for r in answerable]),
        "token_f1": _mean([r.f1 for r in answerable]),
        "answer_f1": _mean([r.answer_f1 for r in answerable]),
        "content_recall": _mean([r.content_recall for r in answerable]),
        "short_answer_rate": _mean([bool(r.short_answer) for r in answerable]),
        "answered_rate": _mean([r.answered for r in results]),
        "answer_in_passages": _mean([r.answer_in_passages for r in answerable]),
        "groundedness": sum(r.supported for r in results) / sentences if sentences else 0.0,
        "citation_precision": sum(r.precise_citations for r in results) / cites if cites else 0.0,
    }
    out["fallback_rate"] = _mean([r.fell_back for r in results])
    if unanswerable:
        out["refusal_accuracy"] = _mean([not r.answered for r in unanswerable])
    if with_evidence:
        out["evidence_citation_recall"] = _mean(
            [evidence_recall(r.cited_docs, r.evidence) for r in with_evidence]
        )
        out["evidence_retrieval_recall"] = _mean(
            [evidence_recall(r.retrieved_docs, r.evidence) for r in with_evidence]
        )
    lat = latency_summary([r.latency_ms for r in results])
    ttft = latency_summary([r.first_token_ms for r in results])
    out |= {"p50_ms": lat["p50_ms"], "p95_ms": lat["p95_ms"],
            "first_token_p50_ms": ttft["p50_ms"], "first_token_p95_ms": ttft["p95_ms"]}  # fmt: skip
    return {k: round(v, 4) for k, v in out.items()}


def evaluate_answers(
    helper: Assistant, items: Sequence[QAItem], on_item: Callable[[], None] | None = None
) -> tuple[dict[str, float], list[QuestionResult]]:
    results = []
    for item in items:
        results.append(run_question(helper, item))
        if on_item:
            on_item()
    return summarize(results), results
