"""The Briefing and Evaluation tabs of the browser app.

Briefing citations are ``<button class="cite bcite-<n>">`` markers: the page script writes
the number into the hidden ``#brief-cite-box``, and the panel shows the cited span in its
document, as in chat. Everything from documents and run files is escaped.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.briefing import Briefing
from assistant.briefing_parts import Point
from corpus.errors import UsageError
from dossier import webui_render as R
from dossier.brief import FORMATS, export, make_briefing
from dossier.commands import filters_from
from dossier.evaluate import run_answers
from dossier.webui_state import Engine

SHARED_EVAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "eval"


def _marks(p: Point) -> str:
    return "".join(f'<button type="button" class="cite bcite-{n}">[{n}]</button>'
                   for n in p.citations)  # fmt: skip


def _point(p: Point) -> str:
    flag = "" if p.supported else f' <span class="flagged">⚠ support {p.support:.2f}</span>'
    return f"{R.esc(p.text)} {_marks(p)}{flag}"


def _li(p: Point) -> str:
    return f"<li>{_point(p)}</li>"


def briefing_html(b: Briefing) -> str:
    """The briefing in the page: every point escaped, every [n] a clickable marker."""
    out = [
        f"<h2>Briefing: {R.esc(b.topic)}</h2>",
        f'<p class="note">Made {R.esc(b.made)} · Scope: {R.esc(b.scope)}</p>',
    ]
    out += [f'<p class="note">{R.esc(n)}</p>' for n in b.notes]
    if not b.covered:
        return "\n".join(out)
    out += ["<h3>Executive summary</h3><ul>", *map(_li, b.summary), "</ul>"]
    for t in b.themes:
        out += [f"<h3>Theme: {R.esc(t.name)}</h3><ul>", *map(_li, t.points), "</ul>"]
    if b.timeline:
        out.append("<h3>Timeline</h3><ul>")
        out += [f"<li><strong>{R.esc(e.label)}</strong> — {_point(e.point)}</li>"
                for e in b.timeline]  # fmt: skip
        out.append("</ul>")
    if b.differences:
        out.append("<h3>Where sources differ</h3><ul>")
        out += [f"<li>{_point(a)}<br>versus: {_point(c)}</li>" for a, c in b.differences]
        out.append("</ul>")
    if b.gaps:
        out += ["<h3>Gaps</h3><ul>", *(f"<li>{R.esc(g)}</li>" for g in b.gaps), "</ul>"]
    out.append("<h3>Sources</h3><ol>")
    out += [f'<li>{R.esc(c.title)} — <code>{R.esc(c.source)}</code> {_marks(Point("", (c.n,)))}'
            "</li>" for c in b.citations]  # fmt: skip
    used = set(b.cited_docs)
    out.append(f'</ol><p class="note">Coverage: cites {len(used)} of {len(b.retrieved_docs)} '
               "retrieved documents.</p>")  # fmt: skip
    return "\n".join(out)


def briefing_tab(engine: Engine, collection: gr.Dropdown, llm: gr.Dropdown,
                 friendly: Callable[..., Any], downloads: Path) -> None:  # fmt: skip
    with gr.Tab("Briefing", elem_id="tab-briefing"):
        with gr.Row():
            topic = gr.Textbox(label="Topic", placeholder="e.g. federal agency use of AI",
                               elem_id="brief-topic", scale=3)  # fmt: skip
            source = gr.Textbox(label="Only paths matching", placeholder="fact-sheets/*", scale=1)
            since = gr.Textbox(label="Since (YYYY-MM-DD)", scale=1)
            until = gr.Textbox(label="Until (YYYY-MM-DD)", scale=1)
        go = gr.Button("Generate briefing", variant="primary", elem_id="brief-go")
        with gr.Row():
            with gr.Column(scale=3):
                body = gr.HTML(elem_id="briefing")
                files = gr.File(label="Download", file_count="multiple", interactive=False,
                                elem_id="brief-files")  # fmt: skip
            panel = gr.HTML(R.EMPTY_PANEL, elem_id="brief-source-panel", elem_classes="panel")
        cites = gr.State([])
        box = gr.Textbox(visible="hidden", elem_id="brief-cite-box")

        @friendly
        def generate(text: str, src: str, lo: str, hi: str, coll: str, backend: str,
                     progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008  # fmt: skip
            if not (text or "").strip():
                raise UsageError("Enter a topic to brief on.")
            args = type("A", (), {"source": src or None, "since": lo or None,
                                  "until": hi or None, "tag": None})()  # fmt: skip
            progress(0, desc="retrieving evidence")
            brief, coll_obj = make_briefing(
                engine.settings(coll), text.strip(), filters_from(args), backend, quiet=True
            )
            downloads.mkdir(parents=True, exist_ok=True)
            stem = _fresh(downloads, f"briefing-{time.strftime('%Y%m%d-%H%M%S')}", FORMATS)
            paths = []
            for fmt in FORMATS:
                path = downloads / f"{stem}.{fmt}"
                path.write_bytes(export(brief, coll_obj, fmt))
                paths.append(str(path))
            # the collection travels with the citations: the picker may change afterwards
            data = [c.to_dict() | {"score": c.score, "collection": coll} for c in brief.citations]
            return briefing_html(brief), paths, data, R.EMPTY_PANEL

        go.click(generate, [topic, source, since, until, collection, llm],
                 [body, files, cites, panel], concurrency_id="core",
                 api_visibility="private")  # fmt: skip

        def show(key: str, data: list[dict[str, Any]], coll: str) -> str:
            n = int(key.split("@")[0]) if key and key.split("@")[0].isdigit() else -1
            cited = [c for c in data if int(c["n"]) == n]
            if not cited:
                return R.EMPTY_PANEL
            doc = engine.collection(cited[0].get("collection") or coll).catalog.document(
                cited[0]["doc_id"]
            )
            return R.source_panel_html(cited[0], doc, True)

        box.change(friendly(show), [box, cites, collection], panel, api_visibility="private")


def _fresh(folder: Path, stem: str, suffixes: tuple[str, ...]) -> str:
    """``stem``, or ``stem-2``, ``stem-3``…: the first that names no file in ``folder`` yet
    (two runs or briefings in the same second must not overwrite each other)."""
    name, n = stem, 1
    while any((folder / f"{name}.{ext}").exists() for ext in suffixes):
        n += 1
        name = f"{stem}-{n}"
    return name


def _runs_dir(engine: Engine) -> Path:
    return engine.home / "eval-runs"


def _run_choices(engine: Engine) -> list[str]:
    folder = _runs_dir(engine)
    if not folder.is_dir():
        return []
    newest = sorted(folder.glob("*.json"), key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
    return [p.name for p in newest]


def evaluation_tab(engine: Engine, llm: gr.Dropdown, friendly: Callable[..., Any]) -> None:
    from eval.compare import compare_files
    from eval.report import render_html

    default = SHARED_EVAL / "hotpotqa-100"
    with gr.Tab("Evaluation", elem_id="tab-eval") as tab:
        with gr.Row():
            corpus = gr.Textbox(str(default / "corpus.jsonl") if default.exists() else "",
                                label="Corpus (corpus.jsonl or a folder)", scale=3,
                                elem_id="eval-corpus")  # fmt: skip
            qa = gr.Textbox(str(default / "qa.jsonl") if default.exists() else "",
                            label="Questions (qa.jsonl)", scale=3, elem_id="eval-qa")  # fmt: skip
            limit = gr.Number(20, label="Questions (0 = all)", precision=0, scale=1,
                              elem_id="eval-limit")  # fmt: skip
        run_btn = gr.Button("Run evaluation", variant="primary", elem_id="eval-run")
        metrics = gr.Dataframe(headers=["metric", "value"], label="Metrics", interactive=False,
                               elem_id="eval-metrics")  # fmt: skip
        runs = gr.Dropdown(_run_choices(engine), multiselect=True, label="Compare runs "
                           "(the first is the baseline)", elem_id="eval-runs")  # fmt: skip
        compare_btn = gr.Button("Compare", elem_id="eval-compare")
        report = gr.HTML(elem_id="eval-report")

        @friendly
        def run(c: str, q: str, n: float, backend: str,
                progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008  # fmt: skip
            if not c or not q:
                raise UsageError("Give a corpus and a qa.jsonl file.")
            if (n or 0) < 0:  # a negative limit would slice questions off the end
                raise UsageError(f"Questions must be 0 (all) or more, not {n:g}.")
            progress(0, desc="indexing the corpus (cached after the first run)")
            data = run_answers(
                engine.settings(), Path(c), Path(q), backend, int(n or 0) or None, quiet=True,
                on_item=lambda i, total: progress((i, total), desc="answering"),
            )  # fmt: skip
            folder = _runs_dir(engine)
            folder.mkdir(parents=True, exist_ok=True)
            name = _fresh(folder, f"{time.strftime('%Y%m%d-%H%M%S')}-{backend}", ("json",))
            name += ".json"
            (folder / name).write_text(json.dumps(data, indent=2, ensure_ascii=False))
            rows = [[k, v] for k, v in data["metrics"].items()]
            choices = _run_choices(engine)
            return rows, gr.update(choices=choices, value=[name])

        run_btn.click(run, [corpus, qa, limit, llm], [metrics, runs], concurrency_id="core",
                      api_visibility="private")  # fmt: skip

        @friendly
        def compare(names: list[str] | None) -> str:
            if not names:
                raise UsageError("Pick one or more runs to compare.")
            comparison = compare_files([str(_runs_dir(engine) / n) for n in names])
            # the report is one self-contained page: shown in a sandboxed frame
            page = R.esc(render_html(comparison))
            return (f'<iframe sandbox="" srcdoc="{page}" style="width:100%;height:720px;'
                    'border:1px solid #ddd"></iframe>')  # fmt: skip

        compare_btn.click(compare, runs, report, api_visibility="private")
        # the choices were read when the app started: list the runs saved since then too
        tab.select(lambda: gr.update(choices=_run_choices(engine)), None, runs,
                   api_visibility="private")  # fmt: skip
