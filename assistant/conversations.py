"""Conversations and their turns, persisted in one SQLite file.

Every write is its own transaction, committed (and fsynced: ``synchronous=FULL``) before the
method returns, so a process killed between turns loses nothing. WAL mode lets the UI read
while the CLI writes. Each call opens its own short-lived connection: the store can be shared
by threads (Gradio handlers) and processes without any locking of our own.
"""

from __future__ import annotations

import builtins
import json
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from corpus.errors import NotFoundError, UsageError
from corpus.text import clip, markdown_text

ID_HEX_CHARS = 12
MIN_PREFIX = 4
TITLE_CHARS = 60
UNTITLED = "New conversation"
LIST_HINT = "List conversations and their ids with `dossier conversations`."

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    title TEXT,                  -- NULL until set: the first question then becomes the title
    collection TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    seq INTEGER NOT NULL         -- bumped on every change: orders the list without clock ties
);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    rewritten TEXT,
    answer TEXT NOT NULL,        -- Answer.to_dict() as JSON
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns(conversation_id, id);
PRAGMA user_version = 1;
"""

_SELECT = """
SELECT c.id, COALESCE(c.title, ?), c.collection, c.created_at, c.updated_at,
       (SELECT COUNT(*) FROM turns t WHERE t.conversation_id = c.id)
FROM conversations c
"""


@dataclass(frozen=True)
class Turn:
    turn_id: int
    conversation_id: str
    question: str
    rewritten_question: str | None
    answer: dict[str, Any]  # Answer.to_dict()
    created_at: str  # ISO 8601, UTC

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Conversation:
    conversation_id: str
    title: str
    collection: str
    created_at: str  # ISO 8601, UTC
    updated_at: str
    n_turns: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def default_title(question: str, limit: int = TITLE_CHARS) -> str:
    """The first question on one line, cut at a word boundary near ``limit`` characters."""
    return clip(question, limit)


class ConversationStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")  # persistent: stored in the file itself
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # isolation_level=None: we issue BEGIN ourselves, so each write is exactly one
        # transaction; timeout waits out another process's write instead of failing.
        with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as db:
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA synchronous=FULL")
            yield db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")  # take the write lock now: no upgrade deadlocks
            try:
                yield db
            except BaseException:
                if db.in_transaction:  # sqlite may already have rolled back on its own
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def create(self, collection: str, title: str | None = None) -> Conversation:
        title = " ".join(title.split()) if title else None
        now = _now()
        with self._write() as db:
            cid = secrets.token_hex(ID_HEX_CHARS // 2)
            while db.execute("SELECT 1 FROM conversations WHERE id = ?", (cid,)).fetchone():
                cid = secrets.token_hex(ID_HEX_CHARS // 2)  # 48 bits: rare, not impossible
            db.execute(
                "INSERT INTO conversations VALUES (?, ?, ?, ?, ?, ?)",
                (cid, title or None, collection, now, now, _next_seq(db)),
            )
        return self.get(cid)

    def get(self, conversation_id: str) -> Conversation:
        with self._connect() as db:
            cid = self._resolve(db, conversation_id)
            row = db.execute(_SELECT + "WHERE c.id = ?", (UNTITLED, cid)).fetchone()
        return Conversation(*row)

    def list(self, collection: str | None = None) -> list[Conversation]:
        """Most recently changed first."""
        where, args = (
            ("WHERE c.collection = ? ", [collection]) if collection is not None else ("", [])
        )
        with self._connect() as db:
            rows = db.execute(_SELECT + where + "ORDER BY c.seq DESC", [UNTITLED, *args])
            return [Conversation(*row) for row in rows]

    def rename(self, conversation_id: str, title: str) -> Conversation:
        title = " ".join(title.split())
        if not title:
            raise UsageError("A conversation title cannot be empty.")
        with self._write() as db:
            cid = self._resolve(db, conversation_id)
            db.execute(
                "UPDATE conversations SET title = ?, updated_at = ?, seq = ? WHERE id = ?",
                (title, _now(), _next_seq(db), cid),
            )
        return self.get(cid)

    def delete(self, conversation_id: str) -> None:
        with self._write() as db:
            cid = self._resolve(db, conversation_id)
            # explicit, not only ON DELETE CASCADE: correct even if foreign keys were off
            db.execute("DELETE FROM turns WHERE conversation_id = ?", (cid,))
            db.execute("DELETE FROM conversations WHERE id = ?", (cid,))

    def add_turn(
        self,
        conversation_id: str,
        question: str,
        rewritten: str | None,
        answer_dict: dict[str, Any],
    ) -> Turn:
        """Append a turn; it is committed to disk before this returns."""
        answer_json = json.dumps(answer_dict, ensure_ascii=False)  # fail before touching the db
        now = _now()
        with self._write() as db:
            cid = self._resolve(db, conversation_id)
            cur = db.execute(
                "INSERT INTO turns (conversation_id, question, rewritten, answer, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (cid, question, rewritten, answer_json, now),
            )
            db.execute(
                "UPDATE conversations SET title = COALESCE(title, ?), updated_at = ?, seq = ? "
                "WHERE id = ?",
                (default_title(question) or None, now, _next_seq(db), cid),
            )
            turn_id = cur.lastrowid
        if turn_id is None:  # sqlite3 always sets it after an INSERT
            raise RuntimeError("the turn was not stored")
        return Turn(turn_id, cid, question, rewritten, json.loads(answer_json), now)

    def turns(self, conversation_id: str) -> builtins.list[Turn]:  # `list` is a method here
        with self._connect() as db:
            cid = self._resolve(db, conversation_id)
            rows = db.execute(
                "SELECT id, conversation_id, question, rewritten, answer, created_at FROM turns "
                "WHERE conversation_id = ? ORDER BY id",
                (cid,),
            ).fetchall()
        return [Turn(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5]) for r in rows]

    def export_markdown(self, conversation_id: str) -> str:
        conv = self.get(conversation_id)
        lines = [
            f"# {_inline(conv.title)}",
            "",
            f"Collection: {_code(conv.collection)} · started {conv.created_at} · "
            f"{conv.n_turns} turn{'s' * (conv.n_turns != 1)}",
        ]
        for i, turn in enumerate(self.turns(conv.conversation_id), 1):
            lines += ["", *_turn_markdown(i, turn)]
        return "\n".join(lines) + "\n"

    def _resolve(self, db: sqlite3.Connection, ref: str) -> str:
        """The full id for an id or an unambiguous prefix of at least MIN_PREFIX characters."""
        ref = ref.strip().lower()
        if db.execute("SELECT 1 FROM conversations WHERE id = ?", (ref,)).fetchone():
            return ref
        if len(ref) < MIN_PREFIX:
            raise NotFoundError(
                f"No conversation with id {ref!r} (an id prefix needs at least {MIN_PREFIX} "
                f"characters). {LIST_HINT}"
            )
        rows = db.execute(
            "SELECT id FROM conversations WHERE substr(id, 1, ?) = ? ORDER BY id LIMIT 6",
            (len(ref), ref),
        ).fetchall()  # substr, not LIKE: no wildcards to escape in what the user typed
        if not rows:
            raise NotFoundError(f"No conversation with id {ref!r}. {LIST_HINT}")
        if len(rows) > 1:
            shown = ", ".join(r[0] for r in rows[:5]) + (", …" if len(rows) > 5 else "")
            raise UsageError(f"The id prefix {ref!r} is ambiguous ({shown}): type more of it.")
        return str(rows[0][0])


def _next_seq(db: sqlite3.Connection) -> int:
    # inside the write transaction, so concurrent writers cannot hand out the same number
    return int(db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM conversations").fetchone()[0])


# -- Markdown --------------------------------------------------------------------------------

_FENCE_OR_HEADING = re.compile(r"^(\s{0,3})(#|```|~~~|---|===|>)", re.MULTILINE)


def _one_line(text: object) -> str:
    """Headings and list items must stay one line whatever the text holds."""
    return " ".join(str(text).split())


def _inline(text: object) -> str:
    """User or document text on one line, every Markdown character in it literal."""
    return markdown_text(_one_line(text))


def _code(text: object) -> str:
    """An inline code span long enough that backticks in ``text`` cannot close it early."""
    text = _one_line(text)
    runs = re.findall(r"`+", text)
    fence = "`" * (max((len(r) for r in runs), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _block(text: str) -> str:
    """Answer text as paragraphs: its markup literal, and a line that would open a heading,
    fence, rule or quote escaped."""
    literal = markdown_text(text.strip())
    return _FENCE_OR_HEADING.sub(lambda m: m.group(1) + "\\" + m.group(2), literal)


def _quote(text: str) -> list[str]:
    """Cited text as blockquote lines: every line prefixed, so nothing escapes the quote."""
    lines = markdown_text(text.strip()).splitlines()
    return ["> " + line if line.strip() else ">" for line in lines] or [">"]


def _turn_markdown(i: int, turn: Turn) -> list[str]:
    answer = turn.answer
    lines = [f"## {i}. {_inline(turn.question)}", ""]
    if turn.rewritten_question:
        lines += [f"*Searched as:* {_inline(turn.rewritten_question)}", ""]
    lines.append(_block(str(answer.get("answer", ""))) or "*(no answer text)*")
    citations = answer.get("citations") or []
    lines += ["", "**Sources**", ""]
    if not citations:
        lines.append("*No sources cited.*")
    for c in citations:
        where = _code(c.get("source", ""))
        if c.get("page") is not None:
            where += f", page {c['page']}"
        lines.append(
            f"- [{c.get('n', '?')}] {_inline(c.get('title', '')) or '(untitled)'} — {where}"
        )
        lines += ["", *("  " + q for q in _quote(str(c.get("text", "")))), ""]
    while lines and lines[-1] == "":
        lines.pop()
    return lines
