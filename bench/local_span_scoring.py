"""Can SmolLM2 pick the short answer? Its log-probability of each candidate span, measured
against the rules that pick it now (``assistant.short_answer``).

    .venv/bin/python bench/local_span_scoring.py [--set hotpotqa-100] [--limit 100] [--top 5]
        [--output bench/reports/local-span-scoring-hotpotqa-100.json]

Reads the cached pipeline outputs of ``bench/short_answer_dev.py`` (``bench/out/``: each
question's scored candidate sentences), so no retrieval runs. For every question with at
least two candidate spans, the ``--top`` spans the rules rank best (distinct texts) are
scored by SmolLM2 as the reply to "Sentence: …  Question: …" (mean log-probability of the
span's tokens, greedy model, one batch per question). Picks compared, by accuracy (an
accepted answer is in the span) and token F1: the rules' first span, the model's best, and
the model's best among the spans within ``--tie`` of the rules' best score (the model only
breaks near-ties). Every span is verbatim and cited whichever picks it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SYSTEM = "Answer the question with a few words copied from the sentence."


def spans_of(row: dict[str, Any], top: int) -> list[Any]:
    """The rules' best ``top`` distinct spans for the question (none for yes/no)."""
    from assistant.question_type import classify
    from assistant.short_answer import _inferred_kind, ranked_spans

    q = row["question"]
    qtype = classify(q)
    if _inferred_kind(q, qtype):
        return []
    cands = [SimpleNamespace(n=i, **c) for i, c in enumerate(row["candidates"])]
    cands = sorted(cands, key=lambda s: -s.score)[:32]
    out, seen = [], set()
    for sa in ranked_spans(q, qtype, cands):
        if sa.text.lower() not in seen:
            seen.add(sa.text.lower())
            out.append((sa, cands_by_n(cands)[sa.n].text))
        if len(out) == top:
            break
    return out


def cands_by_n(cands: list[Any]) -> dict[int, Any]:
    return {c.n: c for c in cands}


def logprobs(tok: Any, model: Any, question: str, pairs: list[tuple[Any, str]]) -> list[float]:
    """Mean log-probability of each span as the reply, given its sentence and the question."""
    import torch

    rows, starts = [], []
    for sa, sentence in pairs:
        user = f"Sentence: {sentence}\nQuestion: {question}"
        turns = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]
        prompt = tok.apply_chat_template(turns, add_generation_prompt=True, tokenize=False)
        p_ids = tok(prompt, add_special_tokens=False)["input_ids"]
        s_ids = tok(sa.text, add_special_tokens=False)["input_ids"]
        rows.append(p_ids + s_ids)
        starts.append(len(p_ids))
    width = max(map(len, rows))
    pad = tok.eos_token_id
    ids = torch.tensor([r + [pad] * (width - len(r)) for r in rows])
    mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
    with torch.inference_mode():
        logits = model(input_ids=ids, attention_mask=mask).logits.log_softmax(-1)
    out = []
    for i, (r, s) in enumerate(zip(rows, starts, strict=True)):
        lp = [float(logits[i, t - 1, r[t]]) for t in range(s, len(r))]
        out.append(sum(lp) / max(len(lp), 1))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", default="hotpotqa-100")
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--tie", type=float, default=0.1)
    ap.add_argument("--output", type=Path)
    args = ap.parse_args()
    out_path = args.output or ROOT / f"bench/reports/local-span-scoring-{args.set}.json"

    from assistant.llm_local import loader
    from eval.metrics import answer_contains, token_f1

    rows = json.loads((ROOT / "bench" / "out" / f"short-answer-{args.set}.json").read_text())
    tok, model = loader().get()
    per, t0 = [], time.perf_counter()
    for row in rows[: args.limit]:
        pairs = spans_of(row, args.top)
        if len(pairs) < 2 or not row["answers"]:
            continue
        lps = logprobs(tok, model, row["question"], pairs)
        rules = pairs[0][0]
        by_model = pairs[max(range(len(pairs)), key=lambda i: lps[i])][0]
        near = [i for i, (sa, _) in enumerate(pairs) if sa.score >= rules.score - args.tie]
        tie_break = pairs[max(near, key=lambda i: lps[i])][0]
        gold = row["answers"]
        per.append({
            "id": row["id"], "question": row["question"], "answers": gold,
            "spans": [{"text": sa.text, "rules": round(sa.score, 4), "model": round(lp, 4)}
                      for (sa, _), lp in zip(pairs, lps, strict=True)],
            **{f"{name}_text": sa.text for name, sa in
               (("rules", rules), ("model", by_model), ("tie", tie_break))},
            **{f"{name}_correct": answer_contains(sa.text, gold) for name, sa in
               (("rules", rules), ("model", by_model), ("tie", tie_break))},
            **{f"{name}_f1": token_f1(sa.text, gold) for name, sa in
               (("rules", rules), ("model", by_model), ("tie", tie_break))},
        })  # fmt: skip
        print(f"\r{len(per)} questions", end="", file=sys.stderr, flush=True)
        write(out_path, args, per, time.perf_counter() - t0)  # a long run leaves what it did
    print(file=sys.stderr)
    print(json.dumps(write(out_path, args, per, time.perf_counter() - t0), indent=2))
    return 0


def write(path: Path, args: argparse.Namespace, per: list[dict[str, Any]],
          seconds: float) -> dict[str, Any]:  # fmt: skip
    """The summary (written with every result to ``path``)."""
    n = len(per) or 1
    summary: dict[str, Any] = {
        "set": args.set, "questions_scored": len(per), "top": args.top, "tie": args.tie,
        "seconds_per_question": round(seconds / n, 2),
    }  # fmt: skip
    for name in ("rules", "model", "tie"):
        summary[f"{name}_accuracy"] = round(sum(p[f"{name}_correct"] for p in per) / n, 4)
        summary[f"{name}_token_f1"] = round(sum(p[f"{name}_f1"] for p in per) / n, 4)
    path.write_text(json.dumps({**summary, "results": per}, indent=2, ensure_ascii=False))
    return summary


if __name__ == "__main__":
    raise SystemExit(main())
