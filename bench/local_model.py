"""What SmolLM2 (``--llm local``) adds to an answer, measured: how often its text passes the
checks, and whether what passes is right.

    .venv/bin/python bench/local_model.py --home HOME -c demo [--limit 12] [--modes write,phrase]
        [--output bench/reports/local-model-demo.json]

The questions are the demo QA set (``corpus/samples/whitehouse-ai-qa.jsonl``, accepted answers
given) over a collection of the demo corpus (``dossier demo`` or ``dossier ingest
corpus/samples/whitehouse-ai -c demo``). Each question is retrieved once; then

- ``write``: the model writes a cited answer from the six passages (GenerativeAnswerer, what
  ``local`` did before): kept when the citation checker accepts it, else the extractive
  answer replaces it;
- ``phrase``: the model phrases one sentence from the extractive answer's quoted sentences
  (PhrasingAnswerer, what ``local`` does now): kept when supported and inventing no word.

Reported per mode: kept (the model's text shown as the answer), kept and containing an
accepted answer, the reasons for the rest, and seconds per question. The model loads once,
before the first question, and that load is timed on its own.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.metrics import answer_contains, percentile  # noqa: E402

DEMO_QA = ROOT / "corpus" / "samples" / "whitehouse-ai-qa.jsonl"


def run_mode(
    answerer: Any, mode: str, items: list[dict[str, Any]], hits: list[Any]
) -> dict[str, Any]:
    rows = []
    for item, found in zip(items, hits, strict=True):
        t0 = time.perf_counter()
        answer = answerer.answer(item["question"], found)
        kept = not answer.fell_back and answer.backend == answerer.name
        model_text = answer.sentences[0].text if kept and mode == "phrase" else answer.text
        rows.append({
            "id": item["id"], "question": item["question"], "answers": item["answers"],
            "kept": kept, "model_text": model_text if kept else "",
            "right": kept and answer_contains(model_text, item["answers"]),
            "reason": answer.fallback_reason, "seconds": round(time.perf_counter() - t0, 1),
        })  # fmt: skip
        print(json.dumps(rows[-1], ensure_ascii=False), file=sys.stderr, flush=True)
    why = collections.Counter(r["reason"].split(" (")[0].split(":")[0] for r in rows
                              if not r["kept"])  # fmt: skip
    n = len(rows)
    return {
        "questions": n,
        "kept": sum(r["kept"] for r in rows),
        "kept_and_right": sum(r["right"] for r in rows),
        "not_kept_because": dict(why),
        "seconds_p50": round(percentile((r["seconds"] for r in rows), 50), 1) if rows else 0.0,
        "results": rows,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("-c", "--collection", default="demo")
    ap.add_argument("--limit", type=int, default=12)
    ap.add_argument("--modes", default="write,phrase")
    ap.add_argument("--output", type=Path, default=ROOT / "bench/reports/local-model-demo.json")
    args = ap.parse_args()

    from assistant.llm import ModelSettings, local_model
    from assistant.llm_local import loader
    from dossier import wiring
    from dossier.settings import load_settings

    s = load_settings(home=args.home, collection=args.collection)
    coll = wiring.open_collection(s, args.collection, create=False)
    items = [json.loads(line) for line in DEMO_QA.read_text().splitlines() if line.strip()]
    items = items[: args.limit]
    hits = [coll.search(item["question"]) for item in items]
    t0 = time.perf_counter()
    loader().get()
    load_s = round(time.perf_counter() - t0, 1)
    model = local_model(ModelSettings(backend="local"))
    check, quotes = wiring.checker(s), wiring.extractive(s)
    report: dict[str, Any] = {"model": "SmolLM2-135M-Instruct", "qa": str(DEMO_QA.name),
                              "load_seconds": load_s, "modes": {}}  # fmt: skip
    for mode in args.modes.split(","):
        answerer = wiring.ANSWERERS[mode](model, check, quotes)  # the backends' registry
        report["modes"][mode] = run_mode(answerer, mode, items, hits)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    summary = {m: {k: v for k, v in r.items() if k != "results"}
               for m, r in report["modes"].items()}  # fmt: skip
    print(json.dumps({"load_seconds": load_s, **summary}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
