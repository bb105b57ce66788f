"""The Evaluation tab: run ``dossier eval answers`` with the backend picked at the top, save
each run under ``$DOSSIER_HOME/eval-runs/``, compare runs in a sandboxed report."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from corpus.errors import UsageError
from dossier.evaluate import run_answers
from dossier.web import html as H
from dossier.web.engine import Engine
from dossier.web.files import newest_first, stamped
from dossier.web.handlers import CORE, Header, friendly

# hotpotqa-100 prefills the form when ../shared/data is beside the project
SHARED_EVAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "eval"


def runs_dir(engine: Engine) -> Path:
    return engine.home / "eval-runs"


def run_choices(engine: Engine) -> list[str]:
    """Saved runs, newest first (by time saved: a name sort would misorder '-2' runs)."""
    return newest_first(runs_dir(engine), "*.json")


@friendly
def run(engine: Engine, corpus: str, qa: str, limit: float, backend: str,
        progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008  # fmt: skip
    """Outputs: the metrics table, the runs picker (the new run picked)."""
    if not corpus or not qa:
        raise UsageError("Give a corpus and a qa.jsonl file.")
    if (limit or 0) < 0:  # a negative limit would slice questions off the end
        raise UsageError(f"Questions must be 0 (all) or more, not {limit:g}.")
    progress(0, desc="indexing the corpus (cached after the first run)")
    data = run_answers(
        engine.settings(), Path(corpus), Path(qa), backend, int(limit or 0) or None, quiet=True,
        on_item=lambda i, total: progress((i, total), desc="answering"),
    )  # fmt: skip
    folder = runs_dir(engine)
    name = stamped(folder, "", ("json",), f"-{backend}") + ".json"
    (folder / name).write_text(json.dumps(data, indent=2, ensure_ascii=False))
    rows = [[k, v] for k, v in data["metrics"].items()]
    return rows, gr.update(choices=run_choices(engine), value=[name])


@friendly
def compare(engine: Engine, names: list[str] | None) -> str:
    from eval.compare import compare_files
    from eval.report import render_html

    if not names:
        raise UsageError("Pick one or more runs to compare.")
    comparison = compare_files([str(runs_dir(engine) / n) for n in names])
    return H.report_frame(render_html(comparison))  # one self-contained page


def tab(engine: Engine, top: Header) -> None:
    """The Evaluation tab's layout and events."""
    default = SHARED_EVAL / "hotpotqa-100"
    given = default.exists()
    with gr.Tab("Evaluation", elem_id="tab-eval") as evaluation:
        with gr.Row():
            corpus = gr.Textbox(str(default / "corpus.jsonl") if given else "",
                                label="Corpus (corpus.jsonl or a folder)", scale=3,
                                elem_id="eval-corpus")  # fmt: skip
            qa = gr.Textbox(str(default / "qa.jsonl") if given else "",
                            label="Questions (qa.jsonl)", scale=3, elem_id="eval-qa")  # fmt: skip
            limit = gr.Number(20, label="Questions (0 = all)", precision=0, scale=1,
                              elem_id="eval-limit")  # fmt: skip
        run_btn = gr.Button("Run evaluation", variant="primary", elem_id="eval-run")
        metrics = gr.Dataframe(headers=["metric", "value"], label="Metrics", interactive=False,
                               elem_id="eval-metrics")  # fmt: skip
        runs = gr.Dropdown(run_choices(engine), multiselect=True, label="Compare runs "
                           "(the first is the baseline)", elem_id="eval-runs")  # fmt: skip
        compare_btn = gr.Button("Compare", elem_id="eval-compare")
        report = gr.HTML(elem_id="eval-report")
    run_btn.click(partial(run, engine), [corpus, qa, limit, top.backend], [metrics, runs],
                  concurrency_id=CORE, api_visibility="private")  # fmt: skip
    compare_btn.click(partial(compare, engine), runs, report, api_visibility="private")
    # the choices were read when the app started: list the runs saved since then too
    evaluation.select(lambda: gr.update(choices=run_choices(engine)), None, runs,
                      api_visibility="private")  # fmt: skip
