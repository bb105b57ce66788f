"""Scores for retrieval runs and generated answers: plain functions returning floats.

Retrieval metrics follow trec_eval / pytrec_eval (what BEIR reports), so numbers are
comparable with published ones: linear gains, a log2(rank + 1) discount, the ideal
ranking built from every judged document, and precision divided by k. A document counts
as relevant when its qrels score is above zero.

Answer metrics follow the SQuAD evaluation script (normalisation, token F1), with a
containment check because a chat answer wraps the short gold span in a sentence.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

# --- retrieval ---------------------------------------------------------------------------


def _top_k(ranked_ids: Sequence[str], k: int) -> list[str]:
    """The first k distinct ids: a repeated document must not earn credit twice."""
    if k <= 0:
        raise ValueError(f"k must be positive, got {k}")
    seen: set[str] = set()
    top: list[str] = []
    for doc_id in ranked_ids:
        if doc_id not in seen:
            seen.add(doc_id)
            top.append(doc_id)
            if len(top) == k:
                break
    return top


def _relevant(qrels_for_query: Mapping[str, int]) -> set[str]:
    return {doc_id for doc_id, score in qrels_for_query.items() if score > 0}


def ndcg_at_k(ranked_ids: Sequence[str], qrels_for_query: Mapping[str, int], k: int) -> float:
    """Normalised DCG at k with graded relevance; 0.0 when nothing is relevant."""
    dcg = sum(
        max(qrels_for_query.get(doc_id, 0), 0) / math.log2(rank + 2)
        for rank, doc_id in enumerate(_top_k(ranked_ids, k))
    )
    ideal_gains = sorted((s for s in qrels_for_query.values() if s > 0), reverse=True)[:k]
    idcg = sum(gain / math.log2(rank + 2) for rank, gain in enumerate(ideal_gains))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at_k(ranked_ids: Sequence[str], qrels_for_query: Mapping[str, int], k: int) -> float:
    """Share of the relevant documents found in the top k; 0.0 when nothing is relevant."""
    relevant = _relevant(qrels_for_query)
    if not relevant:
        return 0.0
    return len(relevant.intersection(_top_k(ranked_ids, k))) / len(relevant)


def precision_at_k(ranked_ids: Sequence[str], qrels_for_query: Mapping[str, int], k: int) -> float:
    """Relevant documents in the top k, divided by k even when fewer were returned."""
    relevant = _relevant(qrels_for_query)
    return sum(doc_id in relevant for doc_id in _top_k(ranked_ids, k)) / k


def mrr_at_k(ranked_ids: Sequence[str], qrels_for_query: Mapping[str, int], k: int) -> float:
    """Reciprocal rank of the first relevant document within the top k, else 0.0."""
    relevant = _relevant(qrels_for_query)
    for rank, doc_id in enumerate(_top_k(ranked_ids, k), start=1):
        if doc_id in relevant:
            return 1.0 / rank
    return 0.0


def hit_rate_at_k(ranked_ids: Sequence[str], qrels_for_query: Mapping[str, int], k: int) -> float:
    """1.0 when any relevant document is in the top k, else 0.0."""
    return 1.0 if mrr_at_k(ranked_ids, qrels_for_query, k) > 0 else 0.0


_RETRIEVAL_METRICS = {
    "ndcg": ndcg_at_k,
    "recall": recall_at_k,
    "precision": precision_at_k,
    "mrr": mrr_at_k,
    "hit": hit_rate_at_k,
}


def evaluate_retrieval(
    run: Mapping[str, Sequence[str]],
    qrels: Mapping[str, Mapping[str, int]],
    ks: Iterable[int] = (10, 100),
) -> dict[str, float]:
    """Mean of every metric at every k, e.g. ``{"ndcg@10": ..., "recall@100": ...}``.

    Averaged over the judged queries that have at least one relevant document (no system
    can score on the others). A judged query missing from ``run`` scores zero, as with
    ``trec_eval -c``; pytrec_eval's default would leave it out and flatter a run that
    skipped hard queries. Run entries for unjudged queries are ignored.
    """
    ks = sorted(set(ks))
    if not ks:
        raise ValueError("ks must name at least one cutoff")
    judged = [qid for qid, judged_docs in qrels.items() if _relevant(judged_docs)]
    if not judged:
        raise ValueError("qrels hold no query with a relevant document")
    totals = {f"{name}@{k}": 0.0 for name in _RETRIEVAL_METRICS for k in ks}
    for qid in judged:
        ranked = run.get(qid, ())
        for name, metric in _RETRIEVAL_METRICS.items():
            for k in ks:
                totals[f"{name}@{k}"] += metric(ranked, qrels[qid], k)
    return {key: total / len(judged) for key, total in totals.items()}


# --- answers -----------------------------------------------------------------------------

_ARTICLES = re.compile(r"\b(a|an|the)\b")


def _is_punctuation(ch: str) -> bool:
    # ASCII punctuation as in SQuAD, plus Unicode punctuation (curly quotes, dashes) that
    # generated answers use and gold answers usually do not.
    return ch in string.punctuation or unicodedata.category(ch).startswith("P")


def normalize_answer(s: str) -> str:
    """SQuAD normalisation: lower case, drop punctuation, drop a/an/the, squeeze spaces."""
    s = "".join(ch for ch in s.lower() if not _is_punctuation(ch))
    s = _ARTICLES.sub(" ", s)
    return " ".join(s.split())


def _answer_list(answers: str | Iterable[str]) -> list[str]:
    # A bare string would otherwise be iterated as single characters.
    return [answers] if isinstance(answers, str) else list(answers)


def answer_contains(prediction: str, answers: str | Iterable[str]) -> bool:
    """Whether some accepted answer appears in the prediction as whole tokens, after
    normalisation ("1990" is found in "in 1990 ." but not in "19901").

    Answers that normalise to nothing (e.g. "The") are skipped: they would match anything.
    """
    pred_tokens = normalize_answer(prediction).split()
    for answer in _answer_list(answers):
        gold = normalize_answer(answer).split()
        if not gold:
            continue
        width = len(gold)
        if any(pred_tokens[i : i + width] == gold for i in range(len(pred_tokens) - width + 1)):
            return True
    return False


def _f1(pred_tokens: list[str], gold_tokens: list[str]) -> float:
    if not pred_tokens or not gold_tokens:
        # SQuAD 2.0 convention: two empty strings agree; one empty side scores zero.
        return float(pred_tokens == gold_tokens)
    overlap = sum((Counter(pred_tokens) & Counter(gold_tokens)).values())
    if overlap == 0:
        return 0.0
    precision = overlap / len(pred_tokens)
    recall = overlap / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str, answers: str | Iterable[str]) -> float:
    """Best SQuAD token F1 of the prediction against any accepted answer (0.0 if none)."""
    pred_tokens = normalize_answer(prediction).split()
    return max(
        (_f1(pred_tokens, normalize_answer(a).split()) for a in _answer_list(answers)),
        default=0.0,
    )


def evidence_recall(cited_ids: Iterable[str], evidence_ids: Iterable[str]) -> float:
    """Share of the distinct gold evidence ids that were cited.

    Raises ValueError when there is no gold evidence: the score is undefined there, and
    averaging in a 0 or a 1 would skew the mean, so callers skip such items.
    """
    gold = set(evidence_ids)
    if not gold:
        raise ValueError("no gold evidence: evidence recall is undefined for this item")
    return len(gold.intersection(cited_ids)) / len(gold)


# --- latency -----------------------------------------------------------------------------


def percentile(values: Iterable[float], p: float) -> float:
    """The p-th percentile (0-100): numpy's default, linear interpolation between ranks.

    The one percentile of the project: evaluation, benchmarks and tests all report theirs.
    """
    array = np.asarray(list(values), dtype=float)
    if array.size == 0:
        raise ValueError("percentile of no values")
    if not 0 <= p <= 100:
        raise ValueError(f"p must be within [0, 100], got {p}")
    return float(np.percentile(array, p))


def latency_summary(ms_values: Iterable[float]) -> dict[str, float]:
    """Median, 95th percentile and mean of latencies in milliseconds."""
    values = [float(v) for v in ms_values]
    if not values:
        raise ValueError("latency summary of no values")
    return {
        "p50_ms": percentile(values, 50),
        "p95_ms": percentile(values, 95),
        "mean_ms": sum(values) / len(values),
    }
