"""bench/ingest_vs_llamaindex.py: a subset never writes through to the folder it is cut from,
and one run ingests a small folder with both systems and reports them side by side."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import BENCH, load_bench

SCRIPT = "ingest_vs_llamaindex.py"


def _bench() -> ModuleType:
    return load_bench(SCRIPT)


def _folder(root: Path, n: int) -> Path:
    for i in range(n):
        sub = root / f"part-{i % 2}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"note-{i:02d}.md").write_text(
            f"# Reservoir note {i}\n\nThe council approved reservoir works number {i} in May "
            f"202{i % 4}. Crews inspected valve {i} twice and reported no leaks.\n"
        )
    return root


def test_a_subset_is_the_first_files_hard_linked(tmp_path: Path) -> None:
    bench = _bench()
    src = _folder(tmp_path / "src", 6)
    assert bench.subset(src, 0, tmp_path / "w0") == src  # 0: the folder itself
    cut = bench.subset(src, 4, tmp_path / "w")
    names = sorted(str(p.relative_to(cut)) for p in cut.rglob("*.md"))
    want = sorted(str(p.relative_to(src)) for p in src.rglob("*.md"))[:4]
    assert names == want
    linked = cut / want[0]
    assert os.stat(linked).st_ino == os.stat(src / want[0]).st_ino  # a link, not a copy


@pytest.mark.model
def test_one_run_ingests_with_both_systems_and_reports_side_by_side(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "src", 4)
    done = subprocess.run([sys.executable, str(BENCH / SCRIPT), "--folder", str(folder)],
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    d, li = report["systems"]["dossier"], report["systems"]["llamaindex"]
    assert report["files"] == 4 and d["counts"]["added"] == 4 and d["counts"]["failed"] == 0
    assert d["chunks"] >= 4 and li["chunks"] >= 4
    for system in (d, li):
        assert system["ingest_s"] > 0 and system["bare_encode_s"] > 0
        assert system["ms_per_chunk"] == pytest.approx(
            1000 * system["ingest_s"] / system["chunks"], rel=0.05, abs=0.2
        )
    assert 0 <= d["counts"]["not_embedding_share"] < 1
    assert report["dossier_ms_per_chunk_over_llamaindex"] == pytest.approx(
        d["ms_per_chunk"] / li["ms_per_chunk"], rel=0.01
    )
    assert set(report["targets"]) == {"dossier_per_chunk_at_most_llamaindex",
                                      "dossier_ingest_cpu_within_1.15x_bare"}  # fmt: skip
