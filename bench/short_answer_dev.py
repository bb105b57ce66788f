"""Short answers measured on the QA dev sets, beside the full extractive answer.

    .venv/bin/python bench/short_answer_dev.py [--sets hotpotqa-100,rag-mini-wikipedia]
        [--home .dossier-home] [--refresh] [--output bench/reports/short-answer-dev.json]

Each corpus is indexed once into the cached evaluation collection (the one `dossier eval
answers` uses, under ``--home``); each question is answered by the same Assistant users get
(hybrid retrieval, extractive answerer, citation check). What the pipeline returned (the
answer, its citations and every scored candidate sentence) is cached under ``bench/out/`` so
the short-answer step can be re-measured in seconds; ``--refresh`` answers again.

Metrics, over answerable questions:
- ``accuracy``: an accepted answer is in the short answer, or in the whole answer when
  there is none (the short answer is judged alone when given);
- ``accuracy_in_text``: an accepted answer is in the short answer or in the evidence (what
  ``dossier eval answers`` will count once the short answer opens the answer text);
- ``token_f1``: of the short answer, or of the whole answer when there is none;
- ``short_rate`` and ``short_precision`` (share of short answers holding an accepted
  answer), the same for yes/no, and ``short_p50_ms`` (the short-answer step alone).
Variant ``reranked``: the short answer chosen from all candidate sentences of the retrieved
passages (see ``assistant.short_answer.from_candidates``), not only the cited ones: what the
extractive answerer does. ``reranked_halves`` splits the questions into even and odd
positions: span rules are tuned on the even half and the odd half is held out. Use
``--embedder minilm`` for the focus check the answerer runs (``none`` is faster).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.short_answer import ShortAnswer, from_candidates, short_answer  # noqa: E402
from eval.metrics import answer_contains, percentile, token_f1  # noqa: E402
from index.embedder import Embedder, make_backend  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "eval"


def pipeline_outputs(name: str, home: Path, refresh: bool) -> list[dict[str, Any]]:
    """Per question: the full answer, its citations and the scored candidate sentences."""
    cache = ROOT / "bench" / "out" / f"short-answer-{name}.json"
    if cache.exists() and not refresh:
        return list(json.loads(cache.read_text()))
    from assistant.extractive import ExtractiveAnswerer, candidates
    from dossier import wiring
    from dossier.settings import Settings
    from eval.datasets import corpus_hash, load_corpus, load_qa
    from eval.retrieval import cache_name, index_corpus

    s = Settings(home=home)
    corpus = DATA / name / "corpus.jsonl"
    coll = wiring.open_collection(s, cache_name(corpus_hash(corpus), wiring.fingerprint(s)))
    index_corpus(coll, load_corpus(corpus))
    helper = wiring.assistant(s, coll)
    scorer = ExtractiveAnswerer(wiring.embedder(s))
    rows = []
    for item in load_qa(DATA / name / "qa.jsonl"):
        answer = helper.ask(item.question)
        cands = scorer.shortlist(item.question, candidates(answer.hits))
        scores = scorer.score(item.question, cands)[0] if cands else []
        rows.append(
            {
                "id": item.id,
                "question": item.question,
                "answers": list(item.answers),
                "answer": answer.text,
                "answered": answer.answered,
                "answer_ms": answer.timings_ms.get("total_ms", 0.0),
                "citations": [c.to_dict() | {"score": c.score} for c in answer.citations],
                "candidates": [
                    {
                        "text": c.text,
                        "start": c.start,
                        "end": c.end,
                        "title": c.hit.document.title,
                        "rank": c.hit.rank,
                        "score": float(sc),
                    }
                    for c, sc in zip(cands, scores, strict=True)
                ],
            }
        )
        print(f"\r{name}: {len(rows)} answered", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(rows))
    return rows


def _cited(row: dict[str, Any]) -> list[SimpleNamespace]:
    return [SimpleNamespace(**c) for c in row["citations"]]


def _reranked(row: dict[str, Any], embedder: Embedder | None) -> ShortAnswer | None:
    cands = [SimpleNamespace(n=0, **c) for c in row["candidates"]]
    return from_candidates(row["question"], cands, embedder)


def measure(
    rows: Sequence[dict[str, Any]], pick: Callable[[dict[str, Any]], ShortAnswer | None]
) -> tuple[dict[str, float], list[dict[str, Any]]]:
    per = []
    for row in rows:
        if not row["answers"]:
            continue
        t0 = time.perf_counter()
        sa = pick(row)
        ms = (time.perf_counter() - t0) * 1000
        whole = row["answer"] if row["answered"] else ""
        shown = sa.text if sa else whole
        per.append(
            {
                "id": row["id"],
                "question": row["question"],
                "answers": row["answers"],
                "short": sa.to_dict() | {"kind": sa.kind, "score": round(sa.score, 4)}
                if sa
                else None,
                "correct": answer_contains(shown, row["answers"]),
                "correct_in_text": answer_contains(
                    f"{sa.text if sa else ''} {whole}", row["answers"]
                ),
                "baseline_correct": answer_contains(whole, row["answers"]),
                "f1": token_f1(shown, row["answers"]) if shown else 0.0,
                "baseline_f1": token_f1(whole, row["answers"]) if whole else 0.0,
                "inferred": bool(sa and sa.inferred),
                "ms": ms,
            }
        )
    return _summary(per), per


def _summary(per: Sequence[dict[str, Any]]) -> dict[str, float]:
    def mean(xs: Sequence[float]) -> float:
        return round(sum(xs) / len(xs), 4) if xs else 0.0

    given = [p for p in per if p["short"]]
    yn = [p for p in given if p["inferred"]]
    return {
        "questions": len(per),
        "accuracy": mean([p["correct"] for p in per]),
        "accuracy_in_text": mean([p["correct_in_text"] for p in per]),
        "token_f1": mean([p["f1"] for p in per]),
        "short_rate": mean([bool(p["short"]) for p in per]),
        "short_precision": mean([p["correct"] for p in given]),
        "yes_no_given": len(yn),
        "yes_no_precision": mean([p["correct"] for p in yn]),
        "short_p50_ms": round(percentile([p["ms"] for p in per], 50), 3),
        "short_p95_ms": round(percentile([p["ms"] for p in per], 95), 3),
        "baseline_accuracy": mean([p["baseline_correct"] for p in per]),
        "baseline_token_f1": mean([p["baseline_f1"] for p in per]),
    }


def _by_kind(per: Sequence[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per kind of question: how many, how many got a short answer, how many of those hold
    an accepted answer, and how many full answers did."""
    from assistant.question_type import classify

    out: dict[str, dict[str, int]] = {}
    for p in per:
        kind = classify(p["question"]).kind.value
        row = out.setdefault(
            kind, {"questions": 0, "short": 0, "short_correct": 0, "baseline_correct": 0}
        )
        row["questions"] += 1
        row["short"] += bool(p["short"])
        row["short_correct"] += bool(p["short"]) and p["correct"]
        row["baseline_correct"] += p["baseline_correct"]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default="hotpotqa-100,rag-mini-wikipedia")
    ap.add_argument("--home", type=Path, default=ROOT / ".dossier-home")
    ap.add_argument("--refresh", action="store_true")
    ap.add_argument("--embedder", default="none", help="focus check: none, hashing or minilm")
    ap.add_argument("--output", type=Path, default=ROOT / "bench/reports/short-answer-dev.json")
    args = ap.parse_args()
    emb = None if args.embedder == "none" else Embedder(make_backend(args.embedder))
    report: dict[str, Any] = {"embedder": args.embedder, "sets": {}}
    for name in args.sets.split(","):
        rows = pipeline_outputs(name, args.home, args.refresh)
        if emb is not None:  # load the model before anything is timed
            emb.embed(["warm up"])
        cited, per = measure(rows, lambda r: short_answer(r["question"], _cited(r), emb))
        reranked, per_rr = measure(rows, lambda r: _reranked(r, emb))
        report["sets"][name] = {
            "cited": cited,
            "reranked": reranked,
            "reranked_halves": {  # rules were tuned on "even" only: "odd" is held out
                half: measure(rows[i::2], lambda r: _reranked(r, emb))[0]
                for i, half in enumerate(("even", "odd"))
            },
            "cited_by_kind": _by_kind(per),
            "reranked_by_kind": _by_kind(per_rr),
        }
        out = ROOT / "bench" / "out" / f"short-answer-{name}-questions.json"
        out.write_text(json.dumps({"cited": per, "reranked": per_rr}, indent=1))
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
