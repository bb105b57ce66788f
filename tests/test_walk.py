"""The walk of an ingest (corpus.walk, corpus.readers.iter_folder) and prune by given root
(index.ingest): links, special files, odd names, and what prune may remove."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from corpus.errors import ReadError
from corpus.readers import FileOutcome, count_files, iter_folder, read_file
from corpus.walk import printable
from index.ingest import ingest


def _outcomes(*paths: Path, follow_links: bool = False) -> dict[str, FileOutcome]:
    found = iter_folder(list(paths), collection="c", follow_links=follow_links)
    return {o.source: o for o in found}


def _result(outcome: FileOutcome) -> tuple[str, str]:
    return outcome.status, outcome.reason


def test_links_inside_the_folder_are_followed_and_outside_ones_only_when_asked(
    tmp_path: Path,
) -> None:
    folder, outside = tmp_path / "folder", tmp_path / "outside"
    (folder / "sub").mkdir(parents=True)
    outside.mkdir()
    (folder / "sub" / "real.txt").write_text("inside text")
    (outside / "far.txt").write_text("outside text")
    (folder / "a-link.txt").symlink_to("sub/real.txt")  # sorts before sub/: read under its name
    (folder / "far.txt").symlink_to(outside / "far.txt")
    (folder / "far-folder").symlink_to(outside, target_is_directory=True)
    found = _outcomes(folder)
    assert found["a-link.txt"].status == "read"
    assert _result(found["sub/real.txt"]) == ("skipped", "same file as a-link.txt, already read")
    hint = "not followed without --follow-links"
    assert _result(found["far.txt"]) == (
        "skipped", f"symbolic link to a file outside the folder ({outside}/far.txt); {hint}"
    )  # fmt: skip
    assert _result(found["far-folder"]) == (
        "skipped", f"symbolic link to a folder outside the folder ({outside}); {hint}"
    )  # fmt: skip
    followed = _outcomes(folder, follow_links=True)
    assert followed["far-folder/far.txt"].status == "read"
    assert _result(followed["far.txt"]) == (
        "skipped",
        "same file as far-folder/far.txt, already read",
    )
    assert count_files([folder]) == len(found)  # the progress bar's total
    assert count_files([folder], follow_links=True) == len(followed)


def test_a_given_file_is_read_wherever_its_link_points(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "note.txt").write_text("named on the command line")
    (tmp_path / "given.txt").symlink_to(tmp_path / "elsewhere" / "note.txt")
    (found,) = iter_folder([tmp_path / "given.txt"], collection="c")
    assert (found.source, found.status, found.root) == ("given.txt", "read", tmp_path)


def test_link_loops_and_broken_links_are_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "a.txt").symlink_to("b.txt")
    (tmp_path / "b.txt").symlink_to("a.txt")
    (tmp_path / "gone.md").symlink_to("missing.md")
    (tmp_path / "ok.txt").write_text("still read")
    found = _outcomes(tmp_path)
    assert _result(found["a.txt"]) == _result(found["b.txt"]) == ("skipped", "symbolic link loop")
    assert _result(found["gone.md"]) == ("skipped", "broken symbolic link")
    assert found["ok.txt"].status == "read"
    (given,) = iter_folder([tmp_path / "a.txt"], collection="c")  # given by name: no UsageError
    assert _result(given) == ("skipped", "symbolic link loop")


def test_special_files_are_reported_without_opening_them(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")
    found = _outcomes(tmp_path, tmp_path / "pipe.md")  # also when named on the command line
    assert _result(found["pipe.md"]) == ("skipped", "not a regular file (a named pipe)")
    # a file swapped for a pipe after the walk: opened without waiting for a writer
    with pytest.raises(ReadError) as caught:
        read_file(tmp_path / "pipe.md", root=tmp_path, collection="c")
    assert caught.value.reason == "not a regular file"


def test_odd_names_become_printable_sources(tmp_path: Path) -> None:
    names = {
        b"bad\xffname.txt": "bad\\xffname.txt",
        b"line\nbreak.txt": "line\\nbreak.txt",
        b"tab\there.txt": "tab\\there.txt",
        "ünïcode 文件.txt".encode(): "ünïcode 文件.txt",
        b"-dash.txt": "-dash.txt",
    }
    for raw in names:
        with open(os.path.join(os.fsencode(tmp_path), raw), "w") as file:
            file.write("text of an odd name")
    found = _outcomes(tmp_path)
    assert set(found) == set(names.values())
    assert all(o.status == "read" for o in found.values())
    bad = found["bad\\xffname.txt"].document
    assert bad is not None and bad.title == "text of an odd name"
    json.dumps([o.source for o in found.values()]).encode("utf-8")  # storable, sendable
    assert printable("caf\udce9") == "caf\\xe9" and printable("ok name") == "ok name"


def test_a_hidden_name_is_never_read_through_a_link(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SECRET=1")
    (tmp_path / "env.txt").symlink_to(".env")
    found = _outcomes(tmp_path)
    assert _result(found[".env"]) == ("skipped", "hidden file")
    assert found["env.txt"].status == "read"  # a link inside the folder: named by the user


# --- prune ---------------------------------------------------------------------------------


@pytest.fixture
def two_folders(tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second):
        (folder / "sub").mkdir(parents=True)
        (folder / "sub" / "doc.txt").write_text(f"text of {folder.name}")
        (folder / f"{folder.name}-only.txt").write_text(f"only in {folder.name}")
    return first, second


def test_prune_empties_a_folder_whose_files_are_all_gone(make_collection, two_folders) -> None:
    first, second = two_folders
    coll = make_collection()
    ingest(coll, [first])
    ingest(coll, [second])
    for file in first.rglob("*.txt"):
        file.unlink()
    report = ingest(coll, [first], prune=True)
    assert sorted(f.source for f in report.files if f.status == "removed") == ["first-only.txt"]
    # "sub/doc.txt" of the first folder was replaced by the second's (one id per source)
    assert {d.source: d.root for d in coll.documents()} == {
        "second-only.txt": str(second), "sub/doc.txt": str(second)
    }  # fmt: skip


def test_prune_of_a_file_or_of_one_folder_keeps_the_others(make_collection, two_folders) -> None:
    first, second = two_folders
    coll = make_collection()
    ingest(coll, [first, second / "second-only.txt"])
    pruned = ingest(coll, [first / "first-only.txt"], prune=True)  # a file: no neighbours pruned
    assert pruned.counts()["removed"] == 0
    (second / "second-only.txt").unlink()
    pruned = ingest(coll, [first], prune=True)  # the second folder's file is not first's
    assert pruned.counts()["removed"] == 0
    assert len(coll.documents()) == 3


def test_prune_never_follows_a_link_to_its_resolved_root(make_collection, tmp_path: Path) -> None:
    # Defect: the root was cut from the resolved path; pruning one folder removed a
    # living document of another.
    real, linked = tmp_path / "real", tmp_path / "linked"
    real.mkdir()
    linked.mkdir()
    (real / "shared.txt").write_text("lives in the real folder")
    (real / "real-only.txt").write_text("only real")
    (linked / "sub").symlink_to(real, target_is_directory=True)  # followed when asked
    (linked / "own.txt").write_text("linked folder's own file")
    coll = make_collection()
    ingest(coll, [real])
    ingest(coll, [linked], follow_links=True)
    roots = {(d.source, d.root) for d in coll.documents()}
    assert ("sub/shared.txt", str(linked)) in roots and ("shared.txt", str(real)) in roots
    (linked / "own.txt").unlink()
    report = ingest(coll, [linked], prune=True, follow_links=True)
    assert [f.source for f in report.files if f.status == "removed"] == ["own.txt"]
    assert {"shared.txt", "real-only.txt", "sub/shared.txt"} <= {d.source for d in coll.documents()}


def test_prune_keeps_what_is_under_a_folder_it_could_not_list(
    make_collection, two_folders, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = two_folders
    coll = make_collection()
    ingest(coll, [first])
    real_scandir = os.scandir

    def denied(path):  # type: ignore[no-untyped-def]
        if str(path).endswith("/sub"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr("corpus.walk.os.scandir", denied)
    report = ingest(coll, [first], prune=True)
    assert {f.source: f.status for f in report.files} == {"first-only.txt": "unchanged",
                                                          "sub": "failed"}  # fmt: skip
    assert len(coll.documents()) == 2


# --- the command line ----------------------------------------------------------------------


def test_cli_follows_outside_links_only_with_the_flag_and_takes_the_size_limit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dossier.cli import main

    folder, outside = tmp_path / "folder", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    (outside / "far.txt").write_text("outside text")
    (folder / "far.txt").symlink_to(outside / "far.txt")
    (folder / "big.txt").write_text("b" * 3000)

    def run(*extra: str) -> tuple[int, dict[str, tuple[str, str]]]:
        code = main(["ingest", str(folder), "--embedder", "hashing", "--json", *extra])
        files = json.loads(capsys.readouterr().out)["files"]
        return code, {f["source"]: (f["status"], f["reason"]) for f in files}

    monkeypatch.setenv("DOSSIER_READING__MAX_FILE_MB", "0.002")  # about 2,000 bytes
    code, files = run()
    assert code == 3 and files["big.txt"] == ("failed", "file too large (0.0 MB; limit 0.002 MB)")
    assert files["far.txt"][0] == "skipped" and "--follow-links" in files["far.txt"][1]
    code, files = run("--follow-links")
    assert files["far.txt"] == ("added", "")
