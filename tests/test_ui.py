"""The browser app without a browser: upload validation, HTML escaping, config writing,
backend probes, the assistant cache and the briefing renderer (tests/test_ui_browser.py and
tests/test_ui_tabs_browser.py drive the real page)."""

from __future__ import annotations

import io
import re
import tomllib
import zipfile
from pathlib import Path

import pytest
from markupsafe import escape

from corpus.errors import UsageError
from corpus.types import Document
from dossier.cli import build_parser
from dossier.settings import config_path, load_settings
from dossier.web import html as R
from dossier.web.config_file import write_config
from dossier.web.engine import Engine
from dossier.web.panel import source_panel_html
from dossier.web.probes import backend_status
from dossier.web.uploads import safe_name, store_uploads, validate_upload
from index.ingest import ingest
from tests.conftest import DATA, FIXTURE_CORPUS
from tests.fake_openai import FakeOpenAI

MB = 1024 * 1024
EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def docx_text(text: str) -> bytes:
    """A Word file holding one paragraph (python-docx, as Word would write it)."""
    import docx

    buf = io.BytesIO()
    document = docx.Document()
    document.add_paragraph(text)
    document.save(buf)
    return buf.getvalue()


def docx_bytes(with_document: bool = True) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        if with_document:
            z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.md", "report.md"),
        ("../../etc/passwd.md", "passwd.md"),
        ("C:\\Users\\x\\..\\notes.TXT", "notes.txt"),
        (".hidden.md", "hidden.md"),
        ("Ünïcode file (1).md", "Ünïcode_file_1.md"),
        ("a b;rm -rf $HOME.html", "a_b_rm_-rf_HOME.html"),
        ("", "upload"),
        ("...", "upload"),
        # names keep their script (they became 'txt' and were refused as unsupported)
        ("文件.txt", "文件.txt"),
        ("отчёт.txt", "отчёт.txt"),
        ("報告書.docx", "報告書.docx"),
        ("हिंदी.md", "हिंदी.md"),  # combining vowel signs are kept
        ("re\u0301sume\u0301.txt", "résumé.txt"),  # decomposed (macOS) and composed agree
        ("résumé.txt", "résumé.txt"),
        ("resume.txt", "resume.txt"),
        ("invoice\u202egnp.md", "invoice_gnp.md"),  # a right-to-left override cannot hide .md
        ("tab\there\x00.md", "tab_here_.md".replace("_.", ".")),
    ],
)
def test_safe_name_keeps_no_path_components(name: str, expected: str) -> None:
    assert safe_name(name) == expected
    assert "/" not in safe_name(name) and "\\" not in safe_name(name)


def test_safe_name_stays_within_a_file_name(tmp_path: Path) -> None:
    for name in ["文" * 300 + ".txt", "x" * 400 + ".md", "é" * 200]:
        clean = safe_name(name)
        assert len(clean.encode()) <= 160 and clean.rsplit(".", 1)[0]
        (tmp_path / clean).write_text("ok", encoding="utf-8")  # the file system takes it


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("sheet.xlsx", b"PK\x03\x04", "unsupported file type"),
        ("fake.pdf", b"<html>not a pdf</html>", "does not start with %PDF"),
        ("fake.docx", b"%PDF-1.4 not a zip", "word/document.xml"),
        ("other.docx", docx_bytes(with_document=False), "word/document.xml"),
        ("binary.txt", b"hello\x00world", "NUL"),
        ("bad.md", b"\x81\x8d\x8f\x90\x9d", "neither UTF-8 nor cp1252"),
        ("empty.txt", b"", "empty file"),
        ("big.txt", b"x" * (MB + 1), "too large"),
    ],
)
def test_validate_upload_rejects(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    with pytest.raises(UsageError, match=re.escape(reason)):
        validate_upload(write(tmp_path, name, data), name, MB)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("paper.pdf", b"%PDF-1.7\n%..."),
        ("memo.docx", docx_bytes()),
        ("notes.md", "# Café notes\n".encode()),
        ("legacy.txt", "na\xefve r\xe9sum\xe9".encode("cp1252")),
        ("page.HTML", b"<html><body>hi</body></html>"),
    ],
)
def test_validate_upload_accepts(tmp_path: Path, name: str, data: bytes) -> None:
    assert validate_upload(write(tmp_path, "tmpfile", data), name, MB) == safe_name(name)


def test_store_uploads_writes_only_under_the_upload_folder(tmp_path: Path) -> None:
    src = tmp_path / "incoming"
    src.mkdir()
    good = write(src, "a.md", b"# A\n\nText.")
    bad = write(src, "b.pdf", b"nope")
    dest = tmp_path / "home" / "uploads" / "test"
    stored = store_uploads(dest, [(good, "../../../escape.md"), (bad, "b.pdf")], MB)
    assert stored.accepted == [dest.resolve() / "escape.md"]
    assert stored.accepted[0].read_bytes() == good.read_bytes()
    assert [(r.source, r.status) for r in stored.rejected] == [("b.pdf", "rejected")]
    assert sorted(p.name for p in (tmp_path / "home").rglob("*") if p.is_file()) == ["escape.md"]


def test_uploads_never_overwrite_each_other(tmp_path: Path) -> None:
    """'résumé.txt' and 'resume.txt' both became resume.txt, and the second replaced the
    first silently. Now: the same name and bytes is the same file; other bytes get -2."""
    src, dest = tmp_path / "in", tmp_path / "uploads"
    src.mkdir()
    files = [(write(src, "1", b"Accented."), "résumé.txt"),
             (write(src, "2", b"Plain."), "resume.txt"),
             (write(src, "3", b"Accented."), "résumé.txt"),  # the same again
             (write(src, "4", b"Edited."), "résumé.txt"),  # other content, same name
             (write(src, "5", b"Edited."), "résumé.txt")]  # fmt: skip
    stored = store_uploads(dest, files, MB)
    names = [p.name for p in stored.accepted]
    assert names == ["résumé.txt", "resume.txt", "résumé.txt", "résumé-2.txt", "résumé-2.txt"]
    assert {p.name: p.read_bytes() for p in dest.iterdir()} == {
        "résumé.txt": b"Accented.",
        "resume.txt": b"Plain.",
        "résumé-2.txt": b"Edited.",
    }
    assert stored.renamed == {"résumé-2.txt": "résumé.txt"}


def test_the_app_ingests_unicode_uploads_under_their_names(dossier_home: Path,
                                                           tmp_path: Path) -> None:  # fmt: skip
    engine = Engine("test", embedding={"name": "hashing"})
    names = ["文件.txt", "отчёт.txt", "報告書.docx", "résumé.txt", "resume.txt"]
    paths = []
    for i, name in enumerate(names):
        folder = tmp_path / str(i)  # Gradio keeps each upload, under its name, in a folder
        folder.mkdir()
        data = docx_text("Quarterly report.") if name.endswith(".docx") else f"Text {i}.".encode()
        paths.append(str(write(folder, name, data)))
    reports = engine.add_uploads("test", paths, lambda *_: None)
    assert sorted((r.source, r.status) for r in reports) == sorted((n, "added") for n in names)
    again = engine.add_uploads("test", [write(tmp_path / "0", "文件.txt", b"New text.").as_posix()],
                               lambda *_: None)  # fmt: skip
    assert [(r.source, r.status) for r in again] == [("文件-2.txt", "added")]
    assert "文件.txt already holds a different file" in again[0].reason
    sources = sorted(d.source for d in engine.library("test")[0])
    assert sources == sorted([*names, "文件-2.txt"])


def answer_dict(text: str = EVIL) -> dict:  # type: ignore[type-arg]
    return {
        "question": text, "answer": f"{text} [1]", "answered": True,
        "rewritten_question": f"Searched {text}", "note": f"note {text}",
        "citations": [{"n": 1, "doc_id": "d1", "title": f"T {text}", "source": f"p/{text}.md",
                       "page": 2, "start": 0, "end": 5, "text": text, "score": 0.5}],
        "sentences": [{"text": text, "citations": [1], "supported": False, "support": 0.1}],
    }  # fmt: skip


def assert_no_markup_from(html: str, text: str = EVIL) -> None:
    assert "<script" not in html and "<img" not in html and "onerror=alert" in html
    assert escape(text) in html


def test_answer_html_escapes_everything_from_documents() -> None:
    html = R.answer_html(3, answer_dict())
    assert_no_markup_from(html)
    assert 'class="cite cite-3-1"' in html  # the marker and the source card
    assert html.count("cite-3-1") == 2
    assert "flagged" in html  # the one sentence is unsupported
    assert "Searched as: Searched &lt;script&gt;" in html


def test_unanswered_and_streaming_html_escape() -> None:
    hit = {"title": EVIL, "source": EVIL, "page": None, "text": EVIL}
    nearest = {"answered": False, "answer": EVIL, "citations": [], "sentences": [],
               "nearest": [hit]}  # fmt: skip
    assert_no_markup_from(R.answer_html(0, nearest))
    assert_no_markup_from(R.streaming_html(EVIL + " [1]", EVIL, EVIL))
    assert_no_markup_from(R.error_html(EVIL))
    assert_no_markup_from(R.question_html(EVIL))
    assert "<button" not in R.streaming_html("text [1]")  # markers are clickable once checked


def test_markers_only_link_known_citations() -> None:
    data = answer_dict("plain")
    data["sentences"] = []
    data["answer"] = "One [1] and an invented [7]."
    html = R.answer_html(0, data)
    assert "cite-0-1" in html and "cite-0-7" not in html and "[7]" in html


def test_source_panel_marks_the_exact_span_in_context() -> None:
    before, span, after = "x " * 350 + "<b>ctx</b> ", "the <i>cited</i> span", " tail <script>"
    text = before + span + after
    doc = Document("d1", "a.txt", "A", text)  # plain text: the tags are its text
    cit = {"n": 1, "title": EVIL, "source": "a.txt", "page": None, "start": len(before),
           "end": len(before) + len(span), "text": span, "score": 0.25}  # fmt: skip
    html = source_panel_html(cit, doc, supported=True, cite_class="cite-0-1")
    assert f'<mark class="hl">{escape(span)}</mark>' in html
    assert escape("<b>ctx</b> ") in html and escape(" tail <script>") in html
    assert "<script" not in html and "<b>" not in html and "<i>" not in html
    assert "…x x" in html and html.count("x ") < 330  # clipped to CONTEXT_CHARS before it
    assert "✓ supported" in html and "0.2500" in html
    assert "cite cite-0-1 doc-full" in html  # "Open whole document" asks for the whole text
    whole = source_panel_html(cit, doc, supported=True, cite_class="cite-0-1", full=True)
    assert "x " * 350 in whole and "Back to the passage" in whole
    changed = source_panel_html(cit, Document("d1", "a.md", "A", "rewritten"), supported=False,
                                cite_class="cite-0-1")  # fmt: skip
    assert "the document changed" in changed and escape(span) in changed
    assert "⚠ flagged" in changed


def test_parse_cite_key() -> None:
    assert R.parse_cite_key("2:3@1700000000") == (2, 3, False)
    assert R.parse_cite_key("0:1") == (0, 1, False)
    assert R.parse_cite_key("0:1:full@5") == (0, 1, True)
    for bad in ("", "x:1", "1", "1:2:3", "<img>", "1:2:fully"):
        assert R.parse_cite_key(bad) is None
    assert R.parse_brief_key("4@9") == (4, False) and R.parse_brief_key("4:full@9") == (4, True)
    assert R.parse_brief_key("x@1") is None


def test_write_config_merges_validates_and_applies(dossier_home: Path) -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text('[chunking]\ntokens = 120\n[llm]\nopenai_model = "old"\n', encoding="utf-8")
    write_config({"retrieval.top_k": 9, "retrieval.dense_weight": 0.25,
                  "answer.unsupported": "remove", "llm.openai_model": 'say "hi"\\n'})  # fmt: skip
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data == {"chunking": {"tokens": 120}, "llm": {"openai_model": 'say "hi"\\n'},
                    "retrieval": {"top_k": 9, "dense_weight": 0.25},
                    "answer": {"unsupported": "remove"}}  # fmt: skip
    s = load_settings()
    assert (s.retrieval.top_k, s.retrieval.dense_weight, s.answer.unsupported,
            s.chunking.tokens) == (9, 0.25, "remove", 120)  # fmt: skip
    before = path.read_text(encoding="utf-8")
    with pytest.raises(UsageError, match="top_k"):
        write_config({"retrieval.top_k": 0})
    assert path.read_text(encoding="utf-8") == before  # a bad value never reaches the file


def test_engine_caches_the_assistant_until_settings_change(dossier_home: Path) -> None:
    engine = Engine("test", embedding={"name": "hashing"})
    ingest(engine.collection("test", create=True), [FIXTURE_CORPUS, DATA / "xss.html"])
    first = engine.assistant("test", "extractive")
    assert engine.assistant("test", "extractive") is first
    write_config({"retrieval.top_k": 3})
    second = engine.assistant("test", "extractive")
    assert second is not first and second.retrieval.top_k == 3
    assert second.collection is first.collection  # one Collection (and embedder) per name
    assert engine.collections() == ["test"]
    assert engine.uploads_dir("test") == dossier_home / "uploads" / "test"
    with pytest.raises(UsageError):
        engine.uploads_dir("../escape")


def test_backend_status(dossier_home: Path) -> None:
    engine = Engine("test")
    assert engine.backend_status("extractive")[0] is True
    cfg = type("Cfg", (), {"backend": "openai", "openai_base_url": "http://127.0.0.1:9/v1"})
    ok, message = backend_status(cfg)
    assert not ok and "unreachable" in message
    with FakeOpenAI() as server:
        cfg.openai_base_url = server.url  # type: ignore[attr-defined]
        ok, message = backend_status(cfg)
        assert ok and "reachable" in message, message
    ok, message = backend_status(type("C", (), {"backend": "ollama", "ollama_base_url": "ftp://x"}))
    assert not ok and "http" in message


def test_backend_status_reads_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from assistant.llm import BACKENDS, ModelSettings

    for name in BACKENDS:  # every registered backend gets a light, none is "unknown"
        assert "unknown" not in backend_status(ModelSettings(backend=name, openai_base_url="x",
                                                             ollama_base_url="x"))[1]  # fmt: skip
    monkeypatch.setitem(sys.modules, "llama_index.llms.ollama", None)  # the extra is missing
    ok, message = backend_status(ModelSettings(backend="ollama"))
    assert not ok and "not installed (llama_index.llms.ollama; extra 'ollama')" in message
    unknown = ModelSettings.model_construct(backend="nope")  # past validation, as a bug might
    assert backend_status(unknown) == (False, "unknown backend 'nope'")


def test_cli_parses_ui_and_demo_flags() -> None:
    import ui

    args = build_parser().parse_args(["ui", "--collection", "demo", "--auth", "me:pw"])
    assert (args.host, args.port, args.collection) == ("127.0.0.1", 7860, "demo")
    assert ui.parse_auth(args.auth) == ("me", "pw")
    assert ui.parse_auth(None) is None
    for bad in ("nopassword", ":pw", "me:"):
        with pytest.raises(UsageError):
            ui.parse_auth(bad)
    assert build_parser().parse_args(["demo", "--no-answer"]).no_answer is True


def test_eval_runs_and_briefings_never_overwrite_each_other(dossier_home: Path) -> None:
    import os

    from dossier.web.evaluation import run_choices
    from dossier.web.files import unique_stem

    folder = dossier_home / "eval-runs"
    folder.mkdir(parents=True)
    assert (
        unique_stem(folder, "20250101-120000-extractive", ("json",)) == "20250101-120000-extractive"
    )
    for i, name in enumerate(["20250101-120000-extractive", "20250101-120000-extractive-2"]):
        (folder / f"{name}.json").write_text("{}")
        os.utime(folder / f"{name}.json", (1000 + i, 1000 + i))
    assert (
        unique_stem(folder, "20250101-120000-extractive", ("json",))
        == "20250101-120000-extractive-3"
    )
    # newest first, by time saved (a name sort would put '-extractive.json' first)
    engine = Engine("test", embedding={"name": "hashing"})
    assert run_choices(engine) == ["20250101-120000-extractive-2.json",
                                    "20250101-120000-extractive.json"]  # fmt: skip
    (folder / "briefing-x.docx").write_text("")
    assert unique_stem(folder, "briefing-x", ("md", "html", "docx")) == "briefing-x-2"


def test_write_config_keeps_comments_and_tables(tmp_path: Path) -> None:
    """Saving from the app used to rewrite the file from scratch: comments were lost, and a
    table (a sub-setting, or a section the user keeps there) made Save fail."""
    path = tmp_path / "config.toml"
    path.write_text(
        "# my notes on these settings\n"
        "collection = 'memos'  # where the memos go\n\n"
        "[retrieval]\n"
        "top_k = 4\n\n"
        "[notes]  # read by my own scripts\n"
        'owner = "me"\n',
        encoding="utf-8",
    )
    write_config({"retrieval.top_k": 9, "llm.openai_model": "m"}, path)
    text = path.read_text(encoding="utf-8")
    assert "# my notes on these settings" in text
    assert "collection = 'memos'  # where the memos go" in text
    assert "[notes]  # read by my own scripts" in text
    assert tomllib.loads(text) == {"collection": "memos", "retrieval": {"top_k": 9},
                                   "llm": {"openai_model": "m"},
                                   "notes": {"owner": "me"}}  # fmt: skip
    write_config({"notes.owner": "you", "notes.extra.depth": 2}, path)  # dotted: into tables
    assert tomllib.loads(path.read_text(encoding="utf-8"))["notes"] == {
        "owner": "you", "extra": {"depth": 2},
    }  # fmt: skip
    with pytest.raises(UsageError, match="not a table"):
        write_config({"retrieval.top_k.x": 1}, path)


def test_write_config_refuses_what_it_cannot_read_back(dossier_home: Path) -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text("top_k = [unclosed\n", encoding="utf-8")
    with pytest.raises(UsageError, match="not valid TOML"):
        write_config({"retrieval.top_k": 3})
    path.unlink()
    write_config({"retrieval.top_k": 3})
    assert path.read_text(encoding="utf-8").startswith("# written by the Dossier app")


def test_concurrency_groups_are_named_once() -> None:
    """Events name a group by its constant (handlers.QUESTIONS or WRITES), never a literal
    of their own: a typo would make a group of one (tests/test_app_load.py checks which
    event is in which group)."""
    web = Path(__file__).resolve().parents[1] / "dossier" / "web"
    sources = {p.name: p.read_text(encoding="utf-8") for p in web.glob("*.py")}
    literals = [n for n, text in sources.items() if n != "handlers.py"
                and re.search(r"concurrency_(id|limit)\W{1,4}['\"\d]", text)]  # fmt: skip
    assert literals == []
    assert re.findall(r'"concurrency_id": "(\w+)"', sources["handlers.py"]) == [
        "questions",
        "writes",
    ]
