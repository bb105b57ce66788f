"""The command line, run in-process with the hashing embedder (no model load)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dossier.cli import build_parser, main
from tests.conftest import FIXTURE_CORPUS
from tests.processes import free_port

H = ["--embedder", "hashing"]


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, object]:
    code = main([*argv, *H, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_ingest_ask_search_status(capsys: pytest.CaptureFixture[str], dossier_home: Path) -> None:
    code, report = run_json(capsys, "ingest", str(FIXTURE_CORPUS))
    assert code == 0
    assert report["summary"]["added"] == 5  # type: ignore[index]
    code, again = run_json(capsys, "ingest", str(FIXTURE_CORPUS))
    assert again["summary"]["unchanged"] == 5  # type: ignore[index]

    code, ans = run_json(capsys, "ask", "When did the council approve the desalination plant?")
    assert code == 0 and isinstance(ans, dict)
    assert set(ans) >= {"question", "answer", "citations", "timings_ms", "answered"}
    assert ans["answered"] is True and "14 March 2021" in ans["answer"]
    short = ans["short_answer"]
    assert short == {"text": "14 March 2021", "n": 1, "start": short["start"],
                     "end": short["end"], "inferred": False}  # fmt: skip
    cit = ans["citations"][0]
    assert set(cit) >= {"n", "doc_id", "title", "source", "page", "start", "end", "text"}
    from corpus.readers import read_file

    doc, _ = read_file(FIXTURE_CORPUS / cit["source"], root=FIXTURE_CORPUS, collection="default")
    assert doc.text[cit["start"] : cit["end"]] == cit["text"]
    assert doc.text[short["start"] : short["end"]] == short["text"]  # verbatim, inside [1]

    code, found = run_json(capsys, "search", "greywater households", "-k", "2")
    assert code == 0 and found["hits"][0]["source"] == "greywater-pilot.md"  # type: ignore[index]
    assert len(found["hits"]) == 2  # type: ignore[index]

    code, status = run_json(capsys, "status")
    assert status["home"] == str(dossier_home)  # type: ignore[index]
    assert status["collections"][0]["documents"] == 5  # type: ignore[index]
    assert status["collections"][0]["vectors"] == status["collections"][0]["chunks"]  # type: ignore[index]


def test_unanswerable_question_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    main(["ingest", str(FIXTURE_CORPUS), *H, "--json"])
    capsys.readouterr()
    code, ans = run_json(capsys, "ask", "Who won the 1966 football world cup final?")
    assert code == 0 and ans["answered"] is False and ans["citations"] == []  # type: ignore[index]
    assert ans["nearest"]  # type: ignore[index]


def test_exit_codes_and_messages(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["ingest", str(tmp_path / "missing"), *H]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert main(["ask", "anything", "-c", "ghost", *H]) == 5
    assert "does not exist" in capsys.readouterr().err
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "good.txt").write_text("A fine document about tides and moons.\n")
    (bad / "empty.md").write_text("   \n")
    assert main(["ingest", str(bad), *H]) == 3
    out = capsys.readouterr().out
    assert "failed  empty.md" in out and "added  good.txt" in out
    assert main(["ask", "tides", "--since", "yesterday", *H]) == 2
    assert "--since" in capsys.readouterr().err
    # a collection built with one embedder refuses another
    assert main(["ask", "tides", "--embedder", "minilm"]) == 4
    assert "embedder" in capsys.readouterr().err


def test_help_explains_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    with pytest.raises(SystemExit) as exc:
        parser.parse_args(["ingest", "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert "--prune" in text and "--collection" in text and "Exit codes" in text
    for cmd in ("search", "ask", "status", "demo", "config"):
        with pytest.raises(SystemExit):
            parser.parse_args([cmd, "--help"])
        assert "--json" in capsys.readouterr().out


def test_config_lists_settings_and_reads_env(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, dossier_home: Path
) -> None:
    monkeypatch.setenv("DOSSIER_RETRIEVAL__TOP_K", "9")
    dossier_home.mkdir(parents=True, exist_ok=True)
    (dossier_home / "config.toml").write_text("[retrieval]\ndense_weight = 0.7\n")
    _, data = run_json(capsys, "config")
    rows = {r["name"]: r for r in data["settings"]}  # type: ignore[index]
    assert rows["retrieval.top_k"]["value"] == "9"
    assert rows["retrieval.dense_weight"]["value"] == "0.7"
    assert rows["retrieval.top_k"]["env"] == "DOSSIER_RETRIEVAL__TOP_K"
    assert rows["embedding.name"]["value"] == "hashing"  # the --embedder flag
    assert rows["home"]["description"] and rows["llm.backend"]["description"]
    (dossier_home / "config.toml").write_text("[retrieval]\ntop_k = 'many'\n")
    monkeypatch.delenv("DOSSIER_RETRIEVAL__TOP_K")
    assert main(["config", *H]) == 2
    assert "retrieval.top_k" in capsys.readouterr().err


def test_eval_retrieval_on_a_tiny_beir_set(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    beir = tmp_path / "beir"
    (beir / "qrels").mkdir(parents=True)
    docs = {
        "d1": "Tides are caused by the gravitational pull of the moon.",
        "d2": "Volcanoes erupt when magma rises through the crust.",
        "d3": "Photosynthesis turns sunlight into chemical energy in plants.",
    }
    (beir / "corpus.jsonl").write_text(
        "\n".join(json.dumps({"_id": k, "title": "", "text": v}) for k, v in docs.items())
    )
    queries = {"q1": "what causes tides moon", "q2": "magma volcano eruption"}
    (beir / "queries.jsonl").write_text(
        "\n".join(json.dumps({"_id": k, "text": v}) for k, v in queries.items())
    )
    (beir / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n")
    code, data = run_json(capsys, "eval", "retrieval", "--beir", str(beir), "--split", "test")
    assert code == 0
    assert data["ndcg@10"] == 1.0 and data["cached_index"] is False  # type: ignore[index]
    assert set(data["modes"]) == {"hybrid", "dense", "bm25"}  # type: ignore[index]
    assert {"ndcg@10", "recall@100", "mrr@10", "p50_ms", "p95_ms"} <= set(data["modes"]["bm25"])  # type: ignore[index]
    code, again = run_json(capsys, "eval", "retrieval", "--beir", str(beir), "--split", "test")
    assert again["cached_index"] is True  # type: ignore[index]


def test_unexpected_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dossier import commands

    def boom(args: object) -> int:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(commands, "run", boom)
    assert main(["status"]) == 1
    err = capsys.readouterr().err
    assert "unexpected error: ZeroDivisionError" in err and "Traceback" not in err
    monkeypatch.setenv("DOSSIER_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        main(["status"])


def test_search_needs_no_answer_backend(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, dossier_home: Path
) -> None:
    """A configured model whose extra is missing concerns answers, not search."""
    import sys

    assert main(["ingest", str(FIXTURE_CORPUS), *H, "--json"]) == 0
    capsys.readouterr()
    dossier_home.joinpath("config.toml").write_text('[llm]\nbackend = "openai"\n')
    monkeypatch.setitem(sys.modules, "llama_index.llms.openai_like", None)  # not installed
    code, found = run_json(capsys, "search", "greywater households", "-k", "2")
    assert code == 0 and found["hits"][0]["source"] == "greywater-pilot.md"  # type: ignore[index]
    assert main(["ask", "greywater households", *H]) == 6  # answering does need it
    assert "pip install 'dossier[openai]'" in capsys.readouterr().err


def test_an_unreachable_chroma_server_has_its_own_exit_code(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()  # bound then released: nothing listens on it
    monkeypatch.setenv("DOSSIER_CHROMA_URL", f"http://127.0.0.1:{port}")
    assert main(["ingest", str(FIXTURE_CORPUS), *H]) == 8
    err = capsys.readouterr().err
    assert f"cannot reach the Chroma server at http://127.0.0.1:{port}" in err
    assert "unexpected" not in err


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    import tomllib
    from importlib.metadata import version

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"dossier {version('dossier')}"
    assert version("dossier") == pyproject["project"]["version"]


def test_choices_come_from_the_registries(capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.llm import BACKENDS
    from index.embedder import EMBEDDERS

    parser = build_parser()
    for name in BACKENDS:
        assert parser.parse_args(["ask", "q", "--llm", name]).llm == name
    for name in EMBEDDERS:
        assert parser.parse_args(["ask", "q", "--embedder", name]).embedder == name
    with pytest.raises(SystemExit):
        parser.parse_args(["ask", "q", "--llm", "gpt"])
    assert f"choose from {', '.join(map(repr, BACKENDS))}" in capsys.readouterr().err


def test_home_flag_reads_its_own_config_and_leaves_the_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import os

    other = tmp_path / "other-home"
    other.mkdir()
    (other / "config.toml").write_text("[retrieval]\ntop_k = 11\n")
    before = dict(os.environ)
    code, data = run_json(capsys, "config", "--home", str(other))
    rows = {r["name"]: r["value"] for r in data["settings"]}  # type: ignore[index]
    assert code == 0 and rows["retrieval.top_k"] == "11" and rows["home"] == str(other)
    assert data["config_file"] == str(other / "config.toml")  # type: ignore[index]
    assert os.environ.get("DOSSIER_HOME") == before.get("DOSSIER_HOME")


def test_passage_counts_out_of_range_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    main(["ingest", str(FIXTURE_CORPUS), *H, "--json"])
    capsys.readouterr()
    for k in ("0", "-1", "100000"):
        for command in ("search", "ask"):
            assert main([command, "greywater households", "-k", k, *H]) == 2, (command, k)
            assert f"-k {k}: input should be" in capsys.readouterr().err
    # the bound is the top_k setting's: 100 is still a valid count
    assert main(["search", "greywater households", "-k", "100", *H]) == 0
    capsys.readouterr()
    code, convs = run_json(capsys, "conversations")
    assert code == 0 and convs == []  # the refused asks started no conversation


def test_a_failed_ask_leaves_no_empty_conversation(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.service import Assistant
    from corpus.errors import VectorStoreError

    main(["ingest", str(FIXTURE_CORPUS), *H, "--json"])
    capsys.readouterr()
    _, first = run_json(capsys, "ask", "When was the desalination plant approved?")
    kept = first["conversation_id"]  # type: ignore[index]

    def fail(*args: object, **kwargs: object) -> None:
        raise VectorStoreError("Chroma server went away")

    monkeypatch.setattr(Assistant, "stream", fail)
    assert main(["ask", "Who runs the greywater pilot?", *H]) == 8
    assert main(["ask", "And when?", "--conversation", kept, *H]) == 8
    capsys.readouterr()
    _, convs = run_json(capsys, "conversations")
    assert [(c["conversation_id"], c["n_turns"]) for c in convs] == [(kept, 1)]  # type: ignore[union-attr, index]


def test_unwritable_output_and_bad_config_are_usage_errors(
    capsys: pytest.CaptureFixture[str], dossier_home: Path, tmp_path: Path
) -> None:
    main(["ingest", str(FIXTURE_CORPUS), *H, "--json"])
    capsys.readouterr()
    missing = tmp_path / "nowhere" / "x.md"
    assert main(["brief", "desalination", "-o", str(missing), *H]) == 2
    assert "nowhere does not exist" in capsys.readouterr().err and not missing.parent.exists()
    (dossier_home / "config.toml").write_text("collection = [\n")
    assert main(["status"]) == 2
    err = capsys.readouterr().err
    assert "config.toml is not valid TOML" in err and "unexpected" not in err


def test_a_locked_database_is_another_writer_not_a_bug(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from dossier import commands

    def locked(args: object) -> int:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(commands, "run", locked)
    assert main(["status"]) == 10
    err = capsys.readouterr().err
    assert "another process holds a database locked" in err and "unexpected" not in err

    def other(args: object) -> int:
        raise sqlite3.OperationalError("no such table: chunks")

    monkeypatch.setattr(commands, "run", other)
    assert main(["status"]) == 1  # any other SQLite failure is still a bug
    assert "unexpected error: OperationalError" in capsys.readouterr().err


def test_a_reader_that_leaves_the_pipe_is_no_error(tmp_path: Path) -> None:
    """`dossier search … | head`: when the reader closes the pipe, Dossier stops quietly with
    the shell's SIGPIPE status, not 'unexpected error: BrokenPipeError'."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DOSSIER_HOME": str(tmp_path), "DOSSIER_EMBEDDING__NAME": "hashing"}
    cli = [sys.executable, "-m", "dossier.cli"]
    subprocess.run([*cli, "ingest", str(FIXTURE_CORPUS)], env=env, check=True, capture_output=True)
    proc = subprocess.Popen([*cli, "search", "council water budget", "-k", "5", "--json"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader leaves before Dossier writes a byte
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert "BrokenPipe" not in err and "unexpected error" not in err and "Exception" not in err
