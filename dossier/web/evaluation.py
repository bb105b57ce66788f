"""The Evaluation tab: run ``dossier eval answers`` with the backend picked at the top (the
corpus indexed, then each question, counted in one progress bar), save each run under
``$DOSSIER_HOME/eval-runs/``, compare runs in a sandboxed report.

The form starts filled with the demo QA set that ships with Dossier (12 questions on the
demo corpus, package data of ``corpus.samples``); hotpotqa-100 is offered too when
``../shared/data`` is beside the project.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from corpus.errors import UsageError
from dossier.commands import DEMO_CORPUS
from dossier.evaluate import run_answers
from dossier.web import html as H
from dossier.web.engine import Engine
from dossier.web.files import newest_first, stamped
from dossier.web.handlers import WRITES, Header, Step, Tick, guarded, in_background

SHARED_EVAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "eval"
# name -> (corpus, qa.jsonl); the demo set always, hotpotqa-100 where ../shared has it
PRESETS = {"Demo corpus (12 questions, ships with Dossier)":
           (DEMO_CORPUS, DEMO_CORPUS.parent / "whitehouse-ai-qa.jsonl")}  # fmt: skip
HOTPOT = SHARED_EVAL / "hotpotqa-100"
if HOTPOT.exists():
    PRESETS["hotpotqa-100 (../shared/data)"] = (HOTPOT / "corpus.jsonl", HOTPOT / "qa.jsonl")
DEFAULT = next(iter(PRESETS))
COUNTS = frozenset({"questions"})


def runs_dir(engine: Engine) -> Path:
    return engine.home / "eval-runs"


def run_choices(engine: Engine) -> list[str]:
    """Saved runs, newest first (by time saved: a name sort would misorder '-2' runs)."""
    return newest_first(runs_dir(engine), "*.json")


def formatted(metrics: dict[str, float]) -> list[list[str]]:
    """Metric rows for people: times in whole ms, counts whole, rates to two decimals."""
    rows = []
    for name, value in metrics.items():
        if name.endswith("_ms"):
            rows.append([name, f"{value:,.0f} ms"])
        elif name in COUNTS:
            rows.append([name, f"{value:.0f}"])
        else:
            rows.append([name, f"{value:.2f}"])
    return rows


def _run(engine: Engine, corpus: Path, qa: Path, limit: int, backend: str,
         tick: Tick) -> dict[str, Any]:  # fmt: skip
    chunks = [0]

    def indexed(n: int) -> None:
        chunks[0] += n
        tick(0, 0, f"indexing the corpus: {chunks[0]} chunks")

    return run_answers(engine.settings(), corpus, qa, backend, limit or None, quiet=True,
                       on_item=lambda i, total: tick(i, total, "answering"),
                       on_chunks=indexed)  # fmt: skip


@guarded(3)
def run(engine: Engine, corpus: str, qa: str, limit: float | None,
        backend: str) -> Iterator[tuple[Any, ...]]:  # fmt: skip
    """Outputs: the metrics table, the runs picker (the new run picked), progress, note."""
    if not (corpus or "").strip() or not (qa or "").strip():
        raise UsageError("Give a corpus (a folder or corpus.jsonl) and a qa.jsonl file.")
    if (limit or 0) < 0:  # a negative limit would slice questions off the end
        raise UsageError(f"Questions must be 0 (all) or more, not {limit:g}.")
    # like the folder box: only the shipped sets, the uploads and --allow-folder roots
    presets = {p.parent for pair in PRESETS.values() for p in pair}
    paths = engine.server_path(corpus, *presets), engine.server_path(qa, *presets)
    skip = [gr.skip()] * 2
    for item in in_background(partial(_run, engine, *paths, int(limit or 0), backend)):
        if isinstance(item, Step):
            yield *skip, H.progress_html(item.done, item.total, item.what, "questions"), ""
            continue
        folder = runs_dir(engine)
        name = stamped(folder, "", ("json",), f"-{backend}") + ".json"
        (folder / name).write_text(json.dumps(item, indent=2, ensure_ascii=False))
        state = "reused the cached index" if item.get("cached_index") else "built the index"
        yield (formatted(item["metrics"]), gr.update(choices=run_choices(engine), value=[name]),
               "", H.note(f"Saved {name}; this run {state}."))  # fmt: skip


def cache_note(runs: list[dict[str, Any]], names: list[str]) -> str:
    """Says so when the compared runs differ in cache state (a cold run's timings include
    building the index and loading models; a warm run's do not)."""
    states = {n: r.get("cached_index") for n, r in zip(names, runs, strict=True)}
    if len({s for s in states.values() if s is not None}) < 2:
        return ""
    cold = ", ".join(n for n, s in states.items() if s is False)
    warm = ", ".join(n for n, s in states.items() if s)
    return H.note(f"These runs differ in cache state: {cold} built the index (cold), {warm} "
                  "reused it (warm); their timings are not comparable.", "warn")  # fmt: skip


@guarded(1)
def compare(engine: Engine, names: list[str] | None) -> tuple[Any, ...]:
    from eval.compare import compare_files
    from eval.report import render_html

    if not names:
        raise UsageError("Pick one or more runs to compare.")
    paths = [runs_dir(engine) / n for n in names]
    comparison = compare_files([str(p) for p in paths])
    runs = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    note = cache_note(runs, names)
    return note + H.report_frame(render_html(comparison)), ""  # one self-contained page


def pick(preset: str) -> tuple[str, str]:
    corpus, qa = PRESETS.get(preset) or ("", "")
    return str(corpus), str(qa)


def tab(engine: Engine, top: Header) -> None:
    """The Evaluation tab's layout and events."""
    corpus0, qa0 = pick(DEFAULT)
    with gr.Tab("Evaluation", id="evaluation", elem_id="tab-eval") as evaluation:
        preset = gr.Dropdown(list(PRESETS), value=DEFAULT, label="Question set",
                             elem_id="eval-preset")  # fmt: skip
        with gr.Row():
            corpus = gr.Textbox(corpus0, label="Corpus (corpus.jsonl or a folder)", scale=3,
                                info="A folder of documents, or a BEIR corpus.jsonl",
                                elem_id="eval-corpus")  # fmt: skip
            qa = gr.Textbox(
                qa0,
                label="Questions (qa.jsonl)",
                scale=3,
                elem_id="eval-qa",
                info='One JSON object a line: "question", "answers", "evidence"',
            )
            limit = gr.Number(20, label="Questions (0 = all)", precision=0, scale=1,
                              elem_id="eval-limit")  # fmt: skip
        run_btn = gr.Button("Run evaluation", variant="primary", elem_id="eval-run")
        progress = gr.HTML(elem_id="eval-progress")
        note = gr.HTML(elem_id="eval-note")
        metrics = gr.Dataframe(headers=["metric", "value"], label="Metrics", interactive=False,
                               elem_id="eval-metrics")  # fmt: skip
        runs = gr.Dropdown(run_choices(engine), multiselect=True, label="Compare runs "
                           "(the first is the baseline)", elem_id="eval-runs")  # fmt: skip
        compare_btn = gr.Button("Compare", elem_id="eval-compare")
        report = gr.HTML(elem_id="eval-report")
    private: dict[str, Any] = {"api_visibility": "private"}
    preset.input(pick, preset, [corpus, qa], **private)
    run_btn.click(partial(run, engine), [corpus, qa, limit, top.backend],
                  [metrics, runs, progress, note], **WRITES, show_progress="hidden",
                  **private)  # fmt: skip
    compare_btn.click(partial(compare, engine), runs, [report, note], **private)
    # the choices were read when the app started: list the runs saved since then too
    evaluation.select(lambda: gr.update(choices=run_choices(engine)), None, runs, **private)
