"""Scale: ingest growing slices of the White House archive and measure what grows with them.

Each slice (nested: the first 500 of a seeded shuffle are in the 2,000, ...) is ingested into
a fresh DOSSIER_HOME by its own subprocess, so its peak RSS is its own. Per slice: first
ingest throughput (chunks/s), peak RSS, disk per chunk, search p50/p95 (dense, BM25, hybrid;
without and with a date filter), re-ingest of the unchanged folder, and the first search
after one document changed (BM25 is updated for that document alone). Writes JSON and a PNG
chart.

Usage: python bench/scale.py [--slices 500,2000,5000] [--embedder hashing|minilm]
       [--queries 40] [--skip-search] [--add-rows EARLIER.jsonl] [--out REPORT.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
ARCHIVE = ROOT.parent / "shared" / "data" / "whitehouse-all.tar.gz"
MODES = ("dense", "bm25", "hybrid")
DATES = {"since": "2023-01-01", "until": "2023-12-31"}  # about a fifth of the archive
TARGETS = {"throughput_ratio_min": 0.8, "hybrid_p95_ms_max": 150, "peak_rss_mb_max": 4096,
           "reingest_share_max": 0.05}  # fmt: skip


def extract(archive: Path, work: Path) -> Path:
    """The archive's files under work/all, extracted once."""
    dest = work / "all"
    if not (dest / ".done").exists():
        dest.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tar:
            tar.extractall(dest, filter="data")
        (dest / ".done").touch()
    return dest


def make_slice(src: Path, work: Path, n: int) -> Path:
    """A folder of n documents, hard links into the extracted archive (nested by seed)."""
    files = sorted(p.relative_to(src) for p in src.rglob("*.md"))
    random.Random(13).shuffle(files)
    if n > len(files):
        raise SystemExit(f"the archive holds {len(files)} documents, not {n}")
    dest = work / f"slice-{n}"
    if not dest.exists():
        tmp = work / f"slice-{n}.tmp"
        for rel in files[:n]:
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            os.link(src / rel, tmp / rel)
        tmp.rename(dest)
    return dest


def disk_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def measure(folder: Path, embedder: str, queries: int, search: bool) -> dict[str, Any]:
    """One slice, in this process: ingest, search, re-ingest, change one document."""
    from dossier import wiring
    from dossier.settings import load_settings
    from eval.metrics import percentile
    from index.ingest import ingest
    from index.types import SearchFilter

    with tempfile.TemporaryDirectory() as home:
        s = load_settings(home=home, collection="scale", embedding={"name": embedder})
        coll = wiring.open_collection(s)
        coll.embedder.embed(["warm up"])
        t0 = time.perf_counter()
        first = ingest(coll, [folder])
        first_s = time.perf_counter() - t0
        docs, chunks = coll.catalog.counts()
        out: dict[str, Any] = {
            "documents": docs, "chunks": chunks, "first_counts": first.counts(),
            "first_ingest_s": round(first_s, 2), "chunks_per_s": round(chunks / first_s, 1),
        }  # fmt: skip
        if search:
            t0 = time.perf_counter()
            coll.bm25()
            out["bm25_build_s"] = round(time.perf_counter() - t0, 2)
            out["search_ms"] = search_latencies(coll, queries, SearchFilter(**DATES), percentile)
        out["disk_bytes_per_chunk"] = round(disk_bytes(Path(home)) / max(chunks, 1))
        t0 = time.perf_counter()
        again = ingest(coll, [folder])
        out["reingest_unchanged_s"] = round(time.perf_counter() - t0, 2)
        out["reingest_counts"] = again.counts()
        out["reingest_share"] = round(out["reingest_unchanged_s"] / first_s, 4)
        t0 = time.perf_counter()
        coll.reconcile(always=False)  # an ingest's first step: reads no vector id when settled
        out["reconcile_s"] = round(time.perf_counter() - t0, 3)
        t0 = time.perf_counter()
        coll.reconcile()  # after a write that did not end cleanly: reads every vector id
        out["reconcile_full_s"] = round(time.perf_counter() - t0, 2)
        if search:
            out.update(one_change(coll, folder))
        out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        return out


def search_latencies(coll: Any, queries: int, dated: Any, percentile: Any) -> dict[str, Any]:
    """p50/p95 per mode, without and with the date filter; queries are document titles."""
    titles = sorted(d.title for d in coll.documents())
    random.Random(7).shuffle(titles)
    asked = titles[:queries]
    coll.search(asked[0], 10)  # the first dense query loads Chroma's index
    result: dict[str, dict[str, float]] = {}
    for mode in MODES:
        for label, filters in (("", None), ("+date", dated)):
            ms = []
            for q in asked:
                t = time.perf_counter()
                coll.search(q, 10, mode=mode, filters=filters)
                ms.append((time.perf_counter() - t) * 1000)
            result[mode + label] = {"p50": round(percentile(ms, 50), 1),
                                    "p95": round(percentile(ms, 95), 1)}  # fmt: skip
    return result


def one_change(coll: Any, folder: Path) -> dict[str, float]:
    """Append a line to one document, re-ingest, and time the first hybrid search after."""
    from index.ingest import ingest

    target = next(iter(sorted(folder.rglob("*.md"))))
    text = target.read_text(encoding="utf-8")
    target.unlink()  # a hard link: write a new file, never through to the archive copy
    target.write_text(text + "\nOne changed line for the scale bench.\n", encoding="utf-8")
    t0 = time.perf_counter()
    ingest(coll, [folder])
    ingest_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    coll.bm25()  # what the first search does first: BM25 brought up to date
    bm25_s = time.perf_counter() - t0
    coll.search("changed line scale bench", 10)
    search_s = time.perf_counter() - t0
    target.unlink()
    target.write_text(text, encoding="utf-8")
    return {"one_change_ingest_s": round(ingest_s, 2),
            "bm25_update_after_change_ms": round(bm25_s * 1000, 1),
            "first_search_after_change_ms": round(search_s * 1000, 1)}  # fmt: skip


def chart(rows: list[dict[str, Any]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    docs = [r["documents"] for r in rows]
    panels = [("chunks/s (first ingest)", lambda r: r["chunks_per_s"]),
              ("peak RSS (MB)", lambda r: r["peak_rss_mb"]),
              ("disk per chunk (bytes)", lambda r: r["disk_bytes_per_chunk"]),
              ("re-ingest unchanged (% of first)",
               lambda r: 100 * r["reingest_share"])]  # fmt: skip
    searched = all("search_ms" in r for r in rows)
    fig, axes = plt.subplots(1, 5 if searched else 4, figsize=(22 if searched else 17, 4))
    for ax, (label, get) in zip(axes, panels, strict=False):
        ax.plot(docs, [get(r) for r in rows], marker="o")
        ax.set_title(label)
        ax.set_xlabel("documents")
        ax.set_ylim(bottom=0)
    if searched:
        ax = axes[-1]
        for key in rows[0]["search_ms"]:
            ax.plot(docs, [r["search_ms"][key]["p95"] for r in rows], marker="o", label=key)
        ax.set_title("search p95 (ms, log scale)")
        ax.set_xlabel("documents")
        ax.set_yscale("log")
        ax.legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def verdicts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ratio = rows[-1]["chunks_per_s"] / rows[0]["chunks_per_s"]
    rss = max(r["peak_rss_mb"] for r in rows)
    share = max(r["reingest_share"] for r in rows)
    out: dict[str, Any] = {
        "throughput_largest_over_smallest": round(ratio, 3),
        "throughput_within_20pct": ratio >= TARGETS["throughput_ratio_min"],
        "peak_rss_mb_max": rss, "peak_rss_under_4gb": rss < TARGETS["peak_rss_mb_max"],
        "reingest_share_max": share, "reingest_under_5pct": share < TARGETS["reingest_share_max"],
    }  # fmt: skip
    at5k = [r for r in rows if r["documents"] == 5000 and "search_ms" in r]
    if at5k:
        p95 = at5k[0]["search_ms"]["hybrid"]["p95"]
        out["hybrid_p95_at_5000_ms"] = p95
        out["hybrid_p95_under_150ms_at_5000"] = p95 < TARGETS["hybrid_p95_ms_max"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--archive", type=Path, default=ARCHIVE)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "dossier-scale")
    ap.add_argument("--slices", default="500,2000,5000")
    ap.add_argument("--embedder", default="hashing", choices=("hashing", "minilm"))
    ap.add_argument("--queries", type=int, default=40)
    ap.add_argument("--skip-search", action="store_true", help="ingest costs only")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--add-rows", type=Path, action="append", default=[],
                    help="rows of earlier runs (the JSON lines this prints on stderr)")  # fmt: skip
    ap.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # child: one slice folder
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.embedder, args.queries, not args.skip_search)))
        return
    start_load = [round(x, 1) for x in os.getloadavg()]
    src = extract(args.archive, args.work)
    rows = [json.loads(line) for f in args.add_rows for line in f.read_text().splitlines()]
    for n in (int(x) for x in args.slices.split(",") if x):
        folder = make_slice(src, args.work, n)
        cmd = [sys.executable, __file__, "--one", str(folder), "--embedder", args.embedder,
               "--queries", str(args.queries)]  # fmt: skip
        cmd += ["--skip-search"] if args.skip_search else []
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        measured = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append({"slice": n, "queries": args.queries, **measured})
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    rows.sort(key=lambda r: r["documents"])
    load = os.getloadavg()
    report = {
        "bench": "scale", "embedder": args.embedder, "cpus": os.cpu_count(),
        "load_average_at_start": start_load,
        "load_average_at_end": [round(x, 1) for x in load], "date_filter": DATES,
        "queries": args.queries, "targets": TARGETS, "rows": rows,
        "verdicts": verdicts(rows) if len(rows) > 1 else {},
    }  # fmt: skip
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
        chart(rows, args.out.with_suffix(".png"),
              f"Dossier scale, {args.embedder} embedder, {os.cpu_count()} CPUs "
              f"(load {load[0]:.0f})")  # fmt: skip


if __name__ == "__main__":
    main()
