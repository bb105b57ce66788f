"""Calibrate the citation checker's support threshold on hotpotqa-100 with the real model.

Positives: the question and its answer templated as one sentence, citing the gold evidence
paragraphs (a paraphrase that shares the key facts), and real sentences from a gold paragraph
citing that paragraph. Negatives: the templated sentence citing a random non-evidence paragraph,
and citing the non-evidence paragraph most similar to it (the hard case retrieval produces).

Prints JSON: the threshold with the best accuracy, its precision/recall/F1, and the score
distribution per kind of pair. Usage: python bench/calibrate_support.py [--questions N]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "eval" / "hotpotqa-100"


def load(folder: Path) -> tuple[dict[str, str], list[dict[str, Any]]]:
    corpus = {}
    for line in (folder / "corpus.jsonl").read_text().splitlines():
        row = json.loads(line)
        corpus[row["_id"]] = row["text"]
    qa = [json.loads(line) for line in (folder / "qa.jsonl").read_text().splitlines()]
    return corpus, qa


def statement(question: str, answer: str) -> str:
    return f"{question.strip().rstrip('?')}: {answer}."


def build_pairs(
    corpus: dict[str, str], qa: list[dict[str, Any]], n: int, rng: random.Random
) -> list[tuple[str, str, list[str], bool]]:
    """(kind, sentence, cited passages, label) pairs."""
    from corpus.sentences import split_sentences
    from index.bm25 import tokenize

    ids = sorted(corpus)
    doc_terms = [set(tokenize(corpus[i])) for i in ids]
    rows = [r for r in qa if r["evidence"] and all(e in corpus for e in r["evidence"])]
    rows = rng.sample(rows, min(n, len(rows)))
    sents = [statement(r["question"], r["answers"][0]) for r in rows]
    pairs = []
    for r, sent in zip(rows, sents, strict=True):
        gold = set(r["evidence"])
        pairs.append(("templated_vs_gold", sent, [corpus[e] for e in r["evidence"]], True))
        para = corpus[rng.choice(r["evidence"])]
        spans = [(s, e) for s, e in split_sentences(para) if len(para[s:e].split()) >= 5]
        if spans:
            s, e = rng.choice(spans)
            pairs.append(("real_sentence_vs_own", para[s:e], [para], True))
        others = [i for i in ids if i not in gold]
        pairs.append(("templated_vs_random", sent, [corpus[rng.choice(others)]], False))
        # the hard case: the non-evidence paragraph sharing most content words, much as
        # BM25 retrieval would rank it (cheaper than embedding the whole corpus)
        terms = set(tokenize(sent))
        hard = max(
            (j for j, i in enumerate(ids) if i not in gold), key=lambda j: len(terms & doc_terms[j])
        )
        pairs.append(("templated_vs_lexical_nearest", sent, [corpus[ids[hard]]], False))
    return pairs


def best_threshold(scores: list[float], labels: list[bool]) -> dict[str, float]:
    best: dict[str, float] = {}
    for t in sorted(set(scores)):
        tp = sum(s >= t and y for s, y in zip(scores, labels, strict=True))
        fp = sum(s >= t and not y for s, y in zip(scores, labels, strict=True))
        fn = sum(s < t and y for s, y in zip(scores, labels, strict=True))
        acc = sum((s >= t) == y for s, y in zip(scores, labels, strict=True)) / len(scores)
        if acc > best.get("accuracy", -1):
            p = tp / (tp + fp) if tp + fp else 0.0
            r = tp / (tp + fn) if tp + fn else 0.0
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            best = {"threshold": t, "accuracy": acc, "precision": p, "recall": r, "f1": f1}
    # the midpoint to the next lower score generalises better than the exact boundary score
    below = [s for s in scores if s < best["threshold"]]
    if below:
        best["threshold"] = (best["threshold"] + max(below)) / 2
    return {k: round(v, 4) for k, v in best.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--questions", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", type=Path, default=DATA)
    args = ap.parse_args()
    if not (args.data / "corpus.jsonl").exists() or not (args.data / "qa.jsonl").exists():
        print(json.dumps({"error": f"data not found: {args.data}"}))
        return 0
    sys.path.insert(0, str(ROOT))
    from assistant.citations import DEFAULT_THRESHOLD, CitationChecker
    from index.embedder import Embedder, SentenceTransformerBackend

    t0 = time.perf_counter()
    embedder = Embedder(SentenceTransformerBackend("float32"))
    corpus, qa = load(args.data)
    rng = random.Random(args.seed)
    pairs = build_pairs(corpus, qa, args.questions, rng)
    checker = CitationChecker(embedder)
    scores = checker.supports([p[1] for p in pairs], [p[2] for p in pairs])
    labels = [label for *_, label in pairs]
    kinds: dict[str, list[float]] = {}
    for (kind, *_), s in zip(pairs, scores, strict=True):
        kinds.setdefault(kind, []).append(s)

    def at(t: float) -> dict[str, float]:
        ok = sum((s >= t) == y for s, y in zip(scores, labels, strict=True))
        tp = sum(s >= t and y for s, y in zip(scores, labels, strict=True))
        passed = sum(s >= t for s in scores)
        return {
            "threshold": t,
            "accuracy": round(ok / len(scores), 4),
            "precision": round(tp / passed, 4) if passed else 0.0,
            "recall": round(tp / sum(labels), 4) if any(labels) else 0.0,
        }

    report = {
        "pairs": len(pairs),
        "positives": sum(labels),
        "best": best_threshold(scores, labels),
        "current_default": at(DEFAULT_THRESHOLD),
        "by_kind": {
            k: {
                "n": len(v),
                "mean": round(sum(v) / len(v), 4),
                "min": round(min(v), 4),
                "max": round(max(v), 4),
                "pass_at_default": round(sum(s >= DEFAULT_THRESHOLD for s in v) / len(v), 4),
            }
            for k, v in kinds.items()
        },
        "seconds": round(time.perf_counter() - t0, 1),
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
