"""bench/scale.py: slices are nested and never write through to the archive; one slice is
measured end to end with the hashing embedder; targets are judged from the rows."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import load_bench


def _scale() -> ModuleType:
    return load_bench("scale.py")


def _archive(path: Path, n: int) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for i in range(n):
            text = (f"---\ntitle: Statement number {i} on solar power\n"
                    f"date: '2023-0{1 + i % 9}-01'\n---\n"
                    f"A grant {i} for solar farms in county {i}.\n")  # fmt: skip
            data = text.encode()
            info = tarfile.TarInfo(f"./statements/2023/doc-{i:02d}.md")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_slices_are_nested_and_seeded(tmp_path: Path) -> None:
    scale = _scale()
    src = scale.extract(_archive(tmp_path / "a.tar.gz", 12), tmp_path / "work")
    small = scale.make_slice(src, tmp_path / "work", 4)
    large = scale.make_slice(src, tmp_path / "work", 9)
    names = lambda folder: {p.relative_to(folder) for p in folder.rglob("*.md")}  # noqa: E731
    assert len(names(small)) == 4 and len(names(large)) == 9
    assert names(small) < names(large)
    with pytest.raises(SystemExit, match="holds 12 documents"):
        scale.make_slice(src, tmp_path / "work", 13)


@pytest.mark.slow
def test_one_slice_measured_and_archive_copy_untouched(tmp_path: Path) -> None:
    scale = _scale()
    src = scale.extract(_archive(tmp_path / "a.tar.gz", 6), tmp_path / "work")
    before = {p: p.read_bytes() for p in src.rglob("*.md")}
    row = scale.measure(scale.make_slice(src, tmp_path / "work", 6), "hashing", 3, True)
    assert row["documents"] == 6 and row["chunks"] >= 6
    assert row["first_counts"]["added"] == 6
    assert row["reingest_counts"]["unchanged"] == 6  # the changed document was put back
    assert set(row["search_ms"]) == {f"{m}{f}" for m in scale.MODES for f in ("", "+date")}
    assert row["first_search_after_change_ms"] > 0 and row["peak_rss_mb"] > 0
    # one_change wrote a new file, never through the hard link into the extracted archive
    assert {p: p.read_bytes() for p in src.rglob("*.md")} == before


def test_verdicts_judge_the_targets() -> None:
    scale = _scale()

    def row(docs: int, per_s: float, rss: int, share: float, p95: float) -> dict[str, object]:
        hybrid = {"hybrid": {"p50": 1.0, "p95": p95}}
        return {"documents": docs, "chunks_per_s": per_s, "peak_rss_mb": rss,
                "reingest_share": share, "search_ms": hybrid}  # fmt: skip

    good = scale.verdicts([row(500, 100, 300, 0.04, 20), row(5000, 85, 1200, 0.03, 120)])
    assert good["throughput_within_20pct"] and good["peak_rss_under_4gb"]
    assert good["reingest_under_5pct"] and good["hybrid_p95_under_150ms_at_5000"]
    bad = scale.verdicts([row(500, 100, 300, 0.04, 20), row(5000, 70, 5000, 0.06, 200)])
    assert bad["throughput_largest_over_smallest"] == 0.7
    judged = ("throughput_within_20pct", "peak_rss_under_4gb", "reingest_under_5pct",
              "hybrid_p95_under_150ms_at_5000")  # fmt: skip
    assert not any(bad[k] for k in judged)
