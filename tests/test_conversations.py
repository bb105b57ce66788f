"""ConversationStore: durability across processes (even SIGKILL), order, ids, export."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant.conversations import UNTITLED, ConversationStore, default_title
from corpus.errors import NotFoundError, UsageError

ROOT = Path(__file__).resolve().parents[1]


def answer_dict(text: str = "The plant was approved on 14 March 2021 [1].") -> dict:
    return {
        "question": "q",
        "answer": text,
        "answered": True,
        "citations": [
            {"n": 1, "doc_id": "d1", "title": "Desalination plant", "source": "desal.md",
             "page": 2, "start": 0, "end": 10, "text": "The council approved the plant."},
        ],
        "sentences": [],
        "grounded": 1.0,
        "backend": "extractive",
        "timings_ms": {},
    }  # fmt: skip


def run_child(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip


@pytest.fixture
def store(dossier_home: Path) -> ConversationStore:
    return ConversationStore(dossier_home / "conversations.sqlite")


def test_create_get_and_default_title(store: ConversationStore) -> None:
    conv = store.create("ai")
    assert len(conv.conversation_id) == 12 and int(conv.conversation_id, 16) >= 0
    assert conv.title == UNTITLED and conv.collection == "ai" and conv.n_turns == 0
    question = "What did President Biden's executive order on artificial intelligence require?"
    store.add_turn(conv.conversation_id, question, None, answer_dict())
    store.add_turn(conv.conversation_id, "and what did OMB require?", "What did OMB…", {})
    got = store.get(conv.conversation_id)
    assert got.n_turns == 2
    assert got.title == default_title(question) and len(got.title) <= 61
    assert got.title.startswith("What did President Biden") and got.title.endswith("…")
    assert store.create("ai", title="  My   title ").title == "My title"


def test_turns_round_trip(store: ConversationStore) -> None:
    cid = store.create("ai").conversation_id
    t1 = store.add_turn(cid, "first?", None, answer_dict())
    t2 = store.add_turn(cid, "when was that?", "When was that, regarding X?", answer_dict("B"))
    assert store.turns(cid) == [t1, t2]
    assert t2.rewritten_question == "When was that, regarding X?"
    assert t1.answer["citations"][0]["page"] == 2 and t2.turn_id > t1.turn_id


def test_turn_written_in_another_process_is_read_here(store: ConversationStore) -> None:
    cid = store.create("ai").conversation_id
    done = run_child(f"""
        from assistant.conversations import ConversationStore
        s = ConversationStore({str(store.path)!r})
        s.add_turn({cid!r}, "from the child?", None, {{"answer": "yes [1]", "citations": []}})
        print("ok")
    """)
    assert done.returncode == 0, done.stderr
    [turn] = store.turns(cid)
    assert turn.question == "from the child?" and turn.answer["answer"] == "yes [1]"


def test_turn_survives_sigkill_right_after_add_turn(store: ConversationStore) -> None:
    cid = store.create("ai").conversation_id
    store.add_turn(cid, "before?", None, answer_dict())
    # the child keeps its connection-less store object alive and dies without any cleanup
    done = run_child(f"""
        import os, signal
        from assistant.conversations import ConversationStore
        s = ConversationStore({str(store.path)!r})
        s.add_turn({cid!r}, "killed after this?", "rewritten", {{"answer": "kept"}})
        print("ok", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    assert done.returncode == -signal.SIGKILL and done.stdout.strip() == "ok"
    turns = store.turns(cid)
    assert [t.question for t in turns] == ["before?", "killed after this?"]
    assert turns[1].answer == {"answer": "kept"} and store.get(cid).n_turns == 2


def test_wal_mode(store: ConversationStore) -> None:
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_list_most_recent_first_and_by_collection(store: ConversationStore) -> None:
    a = store.create("ai").conversation_id
    b = store.create("water").conversation_id
    c = store.create("ai").conversation_id
    assert [x.conversation_id for x in store.list()] == [c, b, a]
    store.add_turn(a, "bump a?", None, {})  # a new turn makes a conversation the most recent
    assert [x.conversation_id for x in store.list()] == [a, c, b]
    assert [x.conversation_id for x in store.list("ai")] == [a, c]
    assert store.list("nope") == []


def test_rename_and_delete(store: ConversationStore) -> None:
    cid = store.create("ai").conversation_id
    store.add_turn(cid, "q?", None, answer_dict())
    assert store.rename(cid, "Renamed\nover lines").title == "Renamed over lines"
    store.add_turn(cid, "another?", None, {})  # a later turn never replaces a chosen title
    assert store.get(cid).title == "Renamed over lines"
    with pytest.raises(UsageError):
        store.rename(cid, "   ")
    other = store.create("ai").conversation_id
    store.delete(cid)
    assert [c.conversation_id for c in store.list()] == [other]
    with pytest.raises(NotFoundError, match="dossier conversations"):
        store.get(cid)
    with pytest.raises(NotFoundError):
        store.turns(cid)
    with sqlite3.connect(store.path) as db:  # the turns went with it
        assert db.execute("SELECT COUNT(*) FROM turns").fetchone()[0] == 0


def _insert_id(store: ConversationStore, cid: str) -> None:
    with sqlite3.connect(store.path) as db:
        db.execute("INSERT INTO conversations VALUES (?, NULL, 'ai', 't', 't', 100)", (cid,))


def test_prefix_lookup_and_ambiguity(store: ConversationStore) -> None:
    _insert_id(store, "abcd11111111")
    _insert_id(store, "abcd22222222")
    _insert_id(store, "ffff00000000")
    assert store.get("ffff").conversation_id == "ffff00000000"
    assert store.get("FFFF0000").conversation_id == "ffff00000000"  # case-insensitive
    assert store.get("abcd1").conversation_id == "abcd11111111"
    with pytest.raises(UsageError, match="ambiguous") as err:
        store.get("abcd")
    assert "abcd11111111" in str(err.value) and "abcd22222222" in str(err.value)
    with pytest.raises(NotFoundError, match="at least 4"):
        store.get("fff")  # too short to be taken as a prefix
    with pytest.raises(NotFoundError):
        store.get("0123")
    with pytest.raises(NotFoundError):
        store.get("ab%_")  # no LIKE wildcards
    store.add_turn("abcd2", "by prefix?", None, {})
    assert store.get("abcd22222222").n_turns == 1


def test_export_markdown(store: ConversationStore) -> None:
    cid = store.create("ai").conversation_id
    store.add_turn(cid, "When was the plant approved?", None, answer_dict())
    hostile = {
        "answer": "# Not a heading\n```\nstill the answer [1]",
        "citations": [
            {"n": 1, "title": "Evil\n# doc", "source": "a`b.md", "page": None,
             "text": "line one\n# fake heading\n```\n## Sources\n\nlast line"},
        ],
    }  # fmt: skip
    store.add_turn(cid, "and\nthen?", "When was the plant opened?", hostile)
    md = store.export_markdown(cid)
    lines = md.splitlines()
    assert lines[0] == "# When was the plant approved?"
    assert "## 1. When was the plant approved?" in lines
    assert "The plant was approved on 14 March 2021 [1]." in lines
    assert "- [1] Desalination plant — `desal.md`, page 2" in lines
    assert "  > The council approved the plant." in lines
    assert "## 2. and then?" in lines  # a question can't spill out of its heading
    assert "*Searched as:* When was the plant opened?" in lines
    # hostile document text stays inside its quote; hostile answer text is neutralised
    assert "  > \\# fake heading" in lines and "  > \\`\\`\\`" in lines
    assert "  > \\#\\# Sources" in lines and "  >" in lines and "  > last line" in lines
    assert "\\# Not a heading" in lines and "\\`\\`\\`" in lines
    assert "- [1] Evil \\# doc — ``a`b.md``" in lines
    headings = [x for x in lines if x.startswith("#")]
    assert headings == ["# When was the plant approved?", "## 1. When was the plant approved?",
                        "## 2. and then?"]  # fmt: skip
    assert lines.count("**Sources**") == 2


def test_export_markdown_escapes_user_and_document_markup(store: ConversationStore) -> None:
    """Markup in a question, an answer, a title or a quote is literal in the export (item 11
    of issue 11): rendered by CommonMark (markdown-it), none of it becomes HTML or a link."""
    from markdown_it import MarkdownIt

    evil = "<img src=x onerror=alert(1)> [x](javascript:alert(2)) **bold** &lt;b&gt;"
    cid = store.create("ai").conversation_id
    answer = {
        "answer": f"Said {evil} [1]",
        "citations": [
            {"n": 1, "title": f"T {evil}", "source": "a.md", "page": None, "text": f"Q {evil}"}
        ],
    }
    store.add_turn(cid, f"why {evil}?", f"searched {evil}", answer)
    md = store.export_markdown(cid)
    assert "<img" not in md.replace("\\<img", "")  # every < is escaped
    html = MarkdownIt("commonmark").render(md)
    assert "<img" not in html and "<a " not in html and "<strong>bold" not in html
    assert (
        html.count("&lt;img src=x onerror=alert(1)&gt;") == 6
    )  # title, question, rewrite, answer, source title, quote
    assert "&amp;lt;b&amp;gt;" in html  # an entity in the text stays the text it was
    assert "Said" in html and "[1]" in html  # the citation marker stays readable


def test_export_unanswered_turn_and_errors(store: ConversationStore) -> None:
    cid = store.create("ai", title="T").conversation_id
    store.add_turn(cid, "q?", None, {"answer": "The corpus does not answer this.", "citations": []})
    md = store.export_markdown(cid)
    assert "*No sources cited.*" in md and md.startswith("# T\n")
    with pytest.raises(NotFoundError):
        store.export_markdown("deadbeef0000")
    with pytest.raises(NotFoundError):
        store.add_turn("deadbeef0000", "q?", None, {})
    with pytest.raises(TypeError):  # not JSON: nothing is written
        store.add_turn(cid, "q?", None, {"x": object()})
    assert store.get(cid).n_turns == 1


def test_store_reopens_existing_file(store: ConversationStore) -> None:
    cid = store.create("ai").conversation_id
    again = ConversationStore(store.path)
    assert again.get(cid).conversation_id == cid
    assert os.path.exists(store.path)
