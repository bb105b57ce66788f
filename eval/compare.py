"""Comparing evaluation runs: metrics side by side, regressions, and changed outcomes.

Pure functions over run files (``dossier eval answers -o`` / ``dossier eval retrieval -o``).
The first run is the baseline. A metric regresses when it is worse than the baseline by
more than a tolerance: 0.01 absolute for rates and scores, 10% for latencies (``*_ms``,
lower is better). ``questions`` is a count and is never judged.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from corpus.errors import UsageError
from corpus.text import clip

KINDS = ("answers", "retrieval", "brief")
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("answer quality", ("accuracy", "token_f1", "answered_rate", "refusal_accuracy",
                        "answer_in_passages")),
    ("grounding", ("groundedness", "citation_precision", "evidence_citation_recall",
                   "evidence_retrieval_recall")),
    ("retrieval", ("ndcg@10", "recall@10", "recall@100", "mrr@10", "hit@10")),
    ("briefing", ("fact_recall", "fact_recall_sourced", "redundancy", "document_coverage",
                  "points_per_theme")),
    ("latency", ("p50_ms", "p95_ms", "first_token_p50_ms", "first_token_p95_ms", "brief_ms")),
)  # fmt: skip
# counts describe a run; more or fewer is not better or worse
COUNTS = frozenset({"questions", "facts", "points", "summary_points", "themes", "documents_cited",
                    "documents_retrieved", "timeline_events", "differences"})  # fmt: skip
HEADLINE = ("accuracy", "token_f1", "groundedness", "citation_precision",
            "evidence_retrieval_recall", "ndcg@10", "recall@100", "p50_ms", "p95_ms")  # fmt: skip
GOOD_OUTCOMES = frozenset({"correct", "refused-ok", "stated"})
RATE_TOLERANCE = 0.01
LATENCY_TOLERANCE = 0.10


@dataclass(frozen=True)
class Run:
    path: str
    label: str
    kind: str
    metrics: dict[str, float]
    results: tuple[dict[str, Any], ...]  # per-question results (answers runs only)
    info: dict[str, Any]  # everything else in the file: corpus, qa, settings, hashes


@dataclass(frozen=True)
class MetricRow:
    name: str
    values: tuple[float | None, ...]  # one per run; None where a run lacks the metric
    status: tuple[str, ...]  # per run: baseline, same, better, regression, missing
    lower_is_better: bool


@dataclass(frozen=True)
class OutcomeChange:
    id: str
    question: str
    before: str
    after: str
    before_answer: str
    after_answer: str
    direction: str  # worse, better, changed


@dataclass(frozen=True)
class RunDiff:
    label: str
    changes: tuple[OutcomeChange, ...]
    only_in_baseline: int
    only_in_run: int
    settings_changed: tuple[tuple[str, str, str], ...]  # (setting, baseline, this run)

    def count(self, direction: str) -> int:
        return sum(c.direction == direction for c in self.changes)


@dataclass(frozen=True)
class Comparison:
    runs: tuple[Run, ...]
    groups: tuple[tuple[str, tuple[MetricRow, ...]], ...]
    diffs: tuple[RunDiff, ...]  # each run after the first against the baseline
    warnings: tuple[str, ...]

    @property
    def regressions(self) -> int:
        return sum(s == "regression" for _, rows in self.groups for r in rows for s in r.status)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["regressions"] = self.regressions
        return out


def _fail(path: Path, why: str) -> UsageError:
    return UsageError(f"{path}: {why}")


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def load_run(path: str | os.PathLike[str]) -> Run:
    """Read and check one run file; every problem is a UsageError naming the file."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(p, "no such file") from None
    except IsADirectoryError:
        raise _fail(p, "is a directory, expected a run file") from None
    except UnicodeDecodeError as err:
        raise _fail(p, f"not UTF-8 text ({err.reason})") from None
    except OSError as err:
        raise _fail(p, f"cannot read ({err.strerror})") from None
    except json.JSONDecodeError as err:
        raise _fail(p, f"not JSON ({err.msg}, line {err.lineno})") from None
    if not isinstance(data, dict):
        raise _fail(p, "not a run file (expected a JSON object)")
    kind = data.get("kind")
    if kind not in KINDS:
        raise _fail(
            p,
            f"not a run file: 'kind' is {kind!r}, expected 'answers', 'retrieval' or 'brief' "
            "(write one with 'dossier eval answers -o', 'eval retrieval -o' or 'eval brief -o')",
        )
    metrics = data.get("metrics")
    if not isinstance(metrics, dict) or not all(_number(v) for v in metrics.values()):
        raise _fail(p, "'metrics' must be an object of numbers")
    metrics = {str(k): float(v) for k, v in metrics.items()}
    modes = data.get("modes") or {}
    if not isinstance(modes, dict):
        raise _fail(p, "'modes' must be an object")
    for mode, values in modes.items():
        if not isinstance(values, dict) or not all(_number(v) for v in values.values()):
            raise _fail(p, f"'modes.{mode}' must be an object of numbers")
        metrics |= {f"{mode}: {k}": float(v) for k, v in values.items()}
    results = data.get("results", [])
    if not isinstance(results, list):
        raise _fail(p, "'results' must be a list")
    for i, r in enumerate(results):
        if not (isinstance(r, dict) and isinstance(r.get("id"), str)
                and isinstance(r.get("outcome"), str)):  # fmt: skip
            raise _fail(p, f"results[{i}] needs a string 'id' and 'outcome'")
    info = {k: v for k, v in data.items() if k not in ("metrics", "results", "modes")}
    return Run(str(p), "", kind, metrics, tuple(results), info)


def default_label(run: Run) -> str:
    """The answering backend (or embedder) and a short settings hash, else the file stem."""
    settings = flat_settings(run)
    # run files written before the settings had tables name them 'llm' and 'embedder'
    who = (settings.get("llm.backend", settings.get("llm")) if run.kind == "answers"
           else settings.get("embedding.name", settings.get("embedder")))  # fmt: skip
    digest = run.info.get("settings_hash")
    parts = [str(x) for x in (who, str(digest)[:6] if digest else None) if x]
    return "@".join(parts) or Path(run.path).stem


def _labels(runs: Sequence[Run], given: Sequence[str] | None) -> list[str]:
    if given is not None:
        if len(given) != len(runs):
            raise UsageError(f"--labels names {len(given)} runs, but {len(runs)} were given")
        return list(given)
    first = [default_label(r) for r in runs]
    # two runs of the same settings: tell them apart by file name, then by position
    labels = [f"{Path(r.path).stem} ({lab})" if first.count(lab) > 1 else lab
              for r, lab in zip(runs, first, strict=True)]  # fmt: skip
    return [f"{lab} #{i + 1}" if labels.count(lab) > 1 else lab for i, lab in enumerate(labels)]


def lower_is_better(name: str) -> bool:
    return name.endswith("_ms") or name == "redundancy"


def judge(name: str, base: float, value: float, rate_tol: float, latency_tol: float) -> str:
    """'regression', 'better' or 'same' for ``value`` against the baseline's ``base``."""
    if name in COUNTS:
        return "same"
    if name.endswith("_ms"):
        if value > base * (1 + latency_tol):
            return "regression"
        return "better" if value < base * (1 - latency_tol) else "same"
    gain = base - value if lower_is_better(name) else value - base  # a rate or a share
    if gain < -rate_tol:
        return "regression"
    return "better" if gain > rate_tol else "same"


def _row(name: str, runs: Sequence[Run], rate_tol: float, latency_tol: float) -> MetricRow:
    values = tuple(r.metrics.get(name) for r in runs)
    base = values[0]
    status = ["baseline" if base is not None else "missing"]
    for v in values[1:]:
        if v is None:
            status.append("missing")
        elif base is None:
            status.append("same")
        else:
            status.append(judge(name, base, v, rate_tol, latency_tol))
    return MetricRow(name, values, tuple(status), lower_is_better(name))


def _direction(before: str, after: str) -> str:
    if before in GOOD_OUTCOMES and after not in GOOD_OUTCOMES:
        return "worse"
    if after in GOOD_OUTCOMES and before not in GOOD_OUTCOMES:
        return "better"
    return "changed"


def flat_settings(run: Run) -> dict[str, Any]:
    """A run's recorded settings with tables spelt as dotted keys ('retrieval.top_k')."""
    settings = run.info.get("settings")
    return _flatten(settings) if isinstance(settings, dict) else {}


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out |= _flatten(value, f"{prefix}{key}.")
        else:
            out[f"{prefix}{key}"] = value
    return out


def _settings_changed(base: Run, run: Run) -> tuple[tuple[str, str, str], ...]:
    a, b = flat_settings(base), flat_settings(run)
    if not a or not b:
        return ()
    return tuple((k, str(a.get(k, "–")), str(b.get(k, "–")))
                 for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k))  # fmt: skip


def diff_outcomes(base: Run, run: Run) -> RunDiff:
    """Questions (matched by id) whose outcome differs; worse ones first."""
    before = {r["id"]: r for r in base.results}
    after = {r["id"]: r for r in run.results}
    changes = []
    for qid, old in before.items():
        new = after.get(qid)
        if new is None or new["outcome"] == old["outcome"]:
            continue
        changes.append(OutcomeChange(
            id=qid, question=clip(str(old.get("question", "")), 300), before=old["outcome"],
            after=new["outcome"], before_answer=clip(str(old.get("answer", "")), 160),
            after_answer=clip(str(new.get("answer", "")), 160),
            direction=_direction(old["outcome"], new["outcome"]),
        ))  # fmt: skip
    order = {"worse": 0, "better": 1, "changed": 2}
    changes.sort(key=lambda c: order[c.direction])
    return RunDiff(run.label, tuple(changes), len(set(before) - set(after)),
                   len(set(after) - set(before)), _settings_changed(base, run))  # fmt: skip


def _warnings(runs: Sequence[Run]) -> list[str]:
    base, out = runs[0], []
    for run in runs[1:]:
        if run.kind != base.kind:
            out.append(f"{run.label}: a {run.kind} run, the baseline is a {base.kind} run")
        for key in ("corpus_hash", "qa", "dataset", "split", "topic", "facts"):
            if base.info.get(key) != run.info.get(key):
                out.append(f"{run.label}: a different {key} than the baseline "
                           f"({base.info.get(key)} vs {run.info.get(key)})")  # fmt: skip
    return out


def compare(
    runs: Sequence[Run],
    labels: Sequence[str] | None = None,
    rate_tolerance: float = RATE_TOLERANCE,
    latency_tolerance: float = LATENCY_TOLERANCE,
) -> Comparison:
    """Metrics grouped as in GROUPS (unknown ones under 'other'), runs against the first."""
    if not runs:
        raise UsageError("no run files to compare")
    named = [Run(r.path, lab, r.kind, r.metrics, r.results, r.info)
             for r, lab in zip(runs, _labels(runs, labels), strict=True)]  # fmt: skip
    present = list(dict.fromkeys(k for r in named for k in r.metrics))
    groups: list[tuple[str, tuple[MetricRow, ...]]] = []
    known: set[str] = set()
    for title, names in GROUPS:
        known |= set(names)
        rows = tuple(_row(n, named, rate_tolerance, latency_tolerance)
                     for n in names if n in present)  # fmt: skip
        if rows:
            groups.append((title, rows))
    by_mode = [n for n in present if ": " in n]
    other = [n for n in present if n not in known and n not in by_mode]
    for title, extra in (("retrieval by mode", by_mode), ("other", other)):
        if extra:
            groups.append((title, tuple(_row(n, named, rate_tolerance, latency_tolerance)
                                        for n in extra)))  # fmt: skip
    diffs = tuple(diff_outcomes(named[0], r) for r in named[1:])
    return Comparison(tuple(named), tuple(groups), diffs, tuple(_warnings(named)))


def compare_files(paths: Sequence[str], labels: Sequence[str] | None = None) -> Comparison:
    return compare([load_run(p) for p in paths], labels)
