"""A comparison of evaluation runs as one self-contained HTML file, or as a terminal table.

The HTML has no external CSS, JavaScript or fonts: inline CSS, and bar charts drawn as
inline SVG. Every string that comes from a run file (labels, paths, questions, answers,
settings) is HTML-escaped, because run files hold text from documents and models.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import escape

from eval.compare import (
    COUNTS,
    HEADLINE,
    LATENCY_TOLERANCE,
    RATE_TOLERANCE,
    Comparison,
    MetricRow,
)

REGRESSION_MARK = "▼"
BETTER_MARK = "▲"

_CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 1100px; padding: 0 1em; color: #1d2330; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; } h3 { font-size: 1em; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border: 1px solid #d5d9e0; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f1f3f7; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.regression { background: #fde8e6; color: #9b1c10; font-weight: 600; }
.better { background: #e6f5ea; color: #17652d; }
.note { color: #5b6475; } .warn { color: #9b5b00; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
svg { border: 1px solid #e3e6ec; background: #fff; }
svg .bar { fill: #3b6ea5; } svg .bar.base { fill: #8a93a3; } svg .bar.regression { fill: #c0392b; }
svg text { font: 11px system-ui, sans-serif; fill: #1d2330; }
.answer { max-width: 28em; } code { font-size: 12px; }
"""


def fmt(name: str, value: float | None) -> str:
    if value is None:
        return "–"
    if name in COUNTS:
        return str(int(value))
    return f"{value:.1f}" if name.endswith("_ms") else f"{value:.4f}"


def _cell(name: str, value: float | None, status: str) -> str:
    text = str(escape(fmt(name, value)))
    if status == "regression":
        tip = "worse than the baseline by more than the tolerance"
        return f'<td class="num regression" title="{tip}">{REGRESSION_MARK} {text}</td>'
    if status == "better":
        return f'<td class="num better" title="better than the baseline">{BETTER_MARK} {text}</td>'
    return f'<td class="num">{text}</td>'


def _metric_table(title: str, rows: Sequence[MetricRow], labels: Sequence[str]) -> str:
    head = "".join(f"<th>{escape(lab)}{' (baseline)' if i == 0 else ''}</th>"
                   for i, lab in enumerate(labels))  # fmt: skip
    body = []
    for r in rows:
        hint = " (lower is better)" if r.lower_is_better else ""
        cells = "".join(_cell(r.name, v, s) for v, s in zip(r.values, r.status, strict=True))
        body.append(f"<tr><th>{escape(r.name)}<span class=note>{hint}</span></th>{cells}</tr>")
    return (f"<h2>{escape(title)}</h2>\n<table><tr><th>metric</th>{head}</tr>\n"
            + "\n".join(body) + "</table>")  # fmt: skip


def bar_chart(row: MetricRow, labels: Sequence[str], width: int = 340) -> str:
    """Horizontal bars, one per run; a regressed run's bar is red and marked."""
    label_w, bar_h, gap, top = 120, 18, 6, 26
    height = top + len(labels) * (bar_h + gap) + 6
    known = [v for v in row.values if v is not None]
    scale_max = max(known, default=0.0)
    if not row.name.endswith("_ms") and row.name not in COUNTS:
        scale_max = max(scale_max, 1.0)  # rates and scores sit on 0..1
    span = width - label_w - 70
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(row.name)}">',
             f'<text x="8" y="16" font-weight="600">{escape(row.name)}'
             f'{" (lower is better)" if row.lower_is_better else ""}</text>']  # fmt: skip
    for i, (label, value, status) in enumerate(zip(labels, row.values, row.status, strict=True)):
        y = top + i * (bar_h + gap)
        short = label if len(label) <= 18 else label[:17] + "…"
        parts.append(f'<text x="8" y="{y + 13}">{escape(short)}</text>')
        if value is None:
            parts.append(f'<text x="{label_w}" y="{y + 13}">–</text>')
            continue
        w = 0.0 if scale_max <= 0 else max(value, 0.0) / scale_max * span
        cls = {"baseline": "bar base", "regression": "bar regression"}.get(status, "bar")
        mark = f"{REGRESSION_MARK} " if status == "regression" else ""
        parts.append(f'<rect class="{cls}" x="{label_w}" y="{y}" width="{w:.1f}" '
                     f'height="{bar_h}"><title>{escape(label)}: '
                     f"{escape(fmt(row.name, value))}</title></rect>")  # fmt: skip
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 13}">'
                     f"{mark}{escape(fmt(row.name, value))}</text>")  # fmt: skip
    return "\n".join([*parts, "</svg>"])


def _runs_table(c: Comparison) -> str:
    rows = []
    for i, r in enumerate(c.runs):
        changed = c.diffs[i - 1].settings_changed if i else ()
        shown = [f"{k}: {a} → {b}" for k, a, b in changed[:8]]
        shown += [f"(+{len(changed) - 8} more)"] if len(changed) > 8 else []
        diff = "; ".join(shown) or ("—" if i else "baseline")
        where = r.info.get("qa") or r.info.get("dataset") or ""
        rows.append(
            f"<tr><th>{escape(r.label)}</th><td>{escape(r.kind)}</td>"
            f"<td><code>{escape(r.path)}</code></td>"
            f"<td>{escape(r.info.get('corpus', ''))}</td><td>{escape(where)}</td>"
            f"<td><code>{escape(r.info.get('settings_hash', ''))}</code></td>"
            f"<td>{escape(diff)}</td></tr>"
        )
    return ("<h2>Runs</h2>\n<table><tr><th>run</th><th>kind</th><th>file</th><th>corpus</th>"
            "<th>QA / data set</th><th>settings hash</th><th>settings changed from baseline</th>"
            "</tr>\n" + "\n".join(rows) + "</table>")  # fmt: skip


def _changes(c: Comparison) -> str:
    if not c.diffs or not any(r.results for r in c.runs):
        return ""
    out = ["<h2>Questions whose outcome changed</h2>"]
    base = c.runs[0].label
    for d in c.diffs:
        extra = ""
        if d.only_in_baseline or d.only_in_run:
            extra = (f" ({d.only_in_baseline} questions only in the baseline, "
                     f"{d.only_in_run} only in this run)")  # fmt: skip
        counts = f"{len(d.changes)} changed, {d.count('worse')} worse, {d.count('better')} better"
        out.append(f"<h3>{escape(d.label)} against {escape(base)}: {counts}{escape(extra)}</h3>")
        if not d.changes:
            continue
        out.append("<table><tr><th>id</th><th>question</th><th>outcome</th>"
                   "<th>baseline answer</th><th>new answer</th></tr>")  # fmt: skip
        for ch in d.changes:
            cls = {"worse": ' class="regression"', "better": ' class="better"'}.get(
                ch.direction, ""
            )
            mark = f"{REGRESSION_MARK} " if ch.direction == "worse" else ""
            out.append(
                f"<tr{cls}><td><code>{escape(ch.id)}</code></td><td>{escape(ch.question)}</td>"
                f"<td>{mark}{escape(ch.before)} → {escape(ch.after)}</td>"
                f'<td class="answer">{escape(ch.before_answer)}</td>'
                f'<td class="answer">{escape(ch.after_answer)}</td></tr>'
            )
        out.append("</table>")
    return "\n".join(out)


def render_html(c: Comparison, title: str = "Dossier evaluation comparison") -> str:
    labels = [r.label for r in c.runs]
    rows = {r.name: r for _, group in c.groups for r in group}
    charts = [bar_chart(rows[name], labels) for name in HEADLINE if name in rows]
    warnings = "".join(f"<li>{escape(w)}</li>" for w in c.warnings)
    summary = (f"{c.regressions} regression{'s' if c.regressions != 1 else ''} "
               f"{REGRESSION_MARK} against the baseline <b>{escape(labels[0])}</b>: a metric worse "
               f"by more than {RATE_TOLERANCE:g} (rates and scores) or "
               f"{LATENCY_TOLERANCE:.0%} (latencies).")  # fmt: skip
    body = [
        f"<h1>{escape(title)}</h1>",
        f"<p>{summary}</p>",
        f'<ul class="warn">{warnings}</ul>' if warnings else "",
        _runs_table(c),
        ("<h2>Headline metrics</h2>\n<div class=charts>" + "\n".join(charts) + "</div>")
        if charts else "",
        *(_metric_table(t, group, labels) for t, group in c.groups),
        _changes(c),
    ]  # fmt: skip
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
            f"<title>{escape(title)}</title>\n<style>{_CSS}</style></head>\n<body>\n"
            + "\n".join(b for b in body if b) + "\n</body></html>\n")  # fmt: skip


def render_text(c: Comparison) -> str:
    """Metrics × runs as a plain table; '!' marks a regression against the first run."""
    labels = [r.label for r in c.runs]
    names = [r.name for _, group in c.groups for r in group]
    name_w = max([len(n) for n in names] + [6])
    col_w = [max(len(lab), 10) + 2 for lab in labels]
    head = "".join(lab.rjust(w) + "  " for lab, w in zip(labels, col_w, strict=True))
    lines = ["metric".ljust(name_w) + head]
    for title, group in c.groups:
        lines.append(f"-- {title}")
        for r in group:
            cells = (fmt(r.name, v).rjust(w) + (" !" if s == "regression" else "  ")
                     for v, s, w in zip(r.values, r.status, col_w, strict=True))  # fmt: skip
            lines.append(r.name.ljust(name_w) + "".join(cells))
    for d in c.diffs:
        if c.runs[0].results:
            lines.append(f"{d.label}: {len(d.changes)} questions changed outcome "
                         f"({d.count('worse')} worse, {d.count('better')} better)")  # fmt: skip
    lines += [f"warning: {w}" for w in c.warnings]
    lines.append(f"{c.regressions} regression(s) against {labels[0]} (marked '!')")
    return "\n".join(lines)
