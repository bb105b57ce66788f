"""The app's one shared object: Settings read fresh per request, and caches keyed by them.

This is, with the Settings tab's field list (``dossier/web/settings.py``), the one place in
the web package that reads Settings fields or the backend list.
"""

from __future__ import annotations

import dataclasses
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from assistant.answerer import Answerer
from assistant.conversations import ConversationStore
from assistant.events import outcome
from assistant.extractive import ExtractiveAnswerer
from assistant.llm import BACKENDS
from assistant.model_state import LoadState
from assistant.service import Assistant
from assistant.types import Answer
from corpus.errors import NotFoundError
from corpus.types import Document
from dossier import wiring
from dossier.render import count_files
from dossier.settings import Settings, config_path, load_settings
from dossier.web.probes import backend_status
from dossier.web.scope import Scope, scoped
from dossier.web.security import check_folder
from dossier.web.uploads import safe_name, store_uploads
from index.catalog import DocumentInfo
from index.collection import Collection
from index.collection_admin import check_name, list_collections
from index.ingest import FileReport, IngestReport, ingest

Progress = Callable[[int, int, str], None]  # (files done, total, source)
MAX_ASSISTANTS = 8


class Engine:
    """One per app: Settings overrides from the command line, and caches keyed by settings.

    Settings are re-read for every question, so a saved config.toml applies to the next one;
    an Assistant is rebuilt only when its (collection, backend, settings) key changes, and the
    embedder is cached by ``wiring`` so the model loads once.
    """

    def __init__(self, default_collection: str, *, folder_roots: Iterable[Path] = (),
                 **overrides: Any) -> None:  # fmt: skip
        self.overrides = {k: v for k, v in overrides.items() if v is not None}
        self.default_collection = default_collection
        self.allowed_folders = tuple(Path(p) for p in folder_roots)  # --allow-folder
        self._lock = threading.Lock()
        self._collections: dict[tuple[Any, ...], Collection] = {}
        self._assistants: dict[tuple[str, str, str], Assistant] = {}

    def settings(self, collection: str | None = None) -> Settings:
        return load_settings(**self.overrides, collection=collection or self.default_collection)

    @property
    def home(self) -> Path:
        return self.settings().home

    def config_file(self) -> Path:
        """The config.toml the Settings tab saves to (under this app's home)."""
        return config_path(self.home)

    def backends(self) -> list[str]:
        return list(BACKENDS)

    def default_backend(self) -> str:
        return self.settings().llm.backend

    def upload_limit(self) -> int:
        return int(self.settings().upload_max_mb * 1024 * 1024)

    def collections(self) -> list[str]:
        names = list_collections(self.home)
        return names if self.default_collection in names else [self.default_collection, *names]

    def collection(self, name: str, *, create: bool = False) -> Collection:
        s = self.settings(check_name(name))
        key = (str(s.home), name, s.embedding, s.chunking, s.chroma_url)
        with self._lock:
            if key not in self._collections:
                self._collections[key] = wiring.open_collection(s, name, create=create)
            return self._collections[key]

    def assistant(self, collection: str, llm: str) -> Assistant:
        s = self.settings(collection)
        key = (collection, llm, s.model_dump_json())
        coll = self.collection(collection)
        with self._lock:
            if key not in self._assistants:
                if len(self._assistants) >= MAX_ASSISTANTS:
                    self._assistants.pop(next(iter(self._assistants)))
                self._assistants[key] = wiring.assistant(s, coll, llm=llm)
            return self._assistants[key]

    def briefing_answerers(
        self, collection: str, llm: str
    ) -> tuple[ExtractiveAnswerer, Answerer | None]:
        return wiring.briefing_answerers(self.settings(collection), llm)

    def backend_status(self, llm: str) -> tuple[bool, str]:
        return backend_status(wiring.model_settings(self.settings(), llm))

    def writes_drafts(self, llm: str) -> bool:
        """Does this backend's streamed text await the citation check (a model's), rather
        than being the answer itself (the extractive one's)?"""
        kind = BACKENDS.get(llm)
        return kind is not None and kind.factory is not None

    def load_state(self, llm: str, *, start: bool = False) -> LoadState | None:
        """How the load of ``llm``'s in-process model stands (None: it has none); ``start``
        loads it in the background if it is not loaded yet (the user picked it)."""
        kind = BACKENDS.get(llm)
        if kind is None or kind.loader is None:
            return None
        loader = kind.loader(wiring.model_settings(self.settings(), llm))
        return loader.start() if start else loader.state()

    def warm_up(self) -> None:
        """Load the embedding model now rather than on the first question, and start loading
        the default backend's model (if it runs in this process) in the background."""
        wiring.embedder(self.settings()).embed_one("warm up")
        self.load_state(self.default_backend(), start=True)

    def conversations(self) -> ConversationStore:
        return wiring.conversations(self.settings())

    def uploads_dir(self, collection: str) -> Path:
        return self.home / "uploads" / check_name(collection)

    def folder_roots(self) -> list[Path]:
        """The server folders the app may read: the uploads, and those given with
        ``dossier ui --allow-folder``."""
        return [self.home / "uploads", *self.allowed_folders]

    def server_path(self, text: str, *also: Path) -> Path:
        """A server file or folder the user typed, if it lies under folder_roots() (or
        ``also``); UsageError otherwise."""
        return check_folder(text, [*self.folder_roots(), *also])

    def ingest(self, collection: str, paths: list[Path], progress: Progress) -> IngestReport:
        """Ingest (creating the collection), calling ``progress`` after each file."""
        total, done = max(count_files(paths), 1), [0]

        def tick(f: FileReport) -> None:
            done[0] += 1
            progress(done[0], total, f.source)

        progress(0, total, "")
        coll = self.collection(collection, create=True)
        # another writer (an ingest by the CLI) holds the lock: the progress line says so
        coll.on_lock_wait = lambda message: progress(0, total, message)
        return ingest(coll, paths, on_file=tick)

    def add_uploads(self, collection: str, files: Iterable[str],
                    progress: Progress) -> list[FileReport]:  # fmt: skip
        """Validate uploaded temp files, copy them under uploads/<collection>/ (never over
        another file), ingest them; a file stored under a new name says so."""
        pairs = [(Path(f), Path(f).name) for f in files]  # Gradio keeps the original name
        stored = store_uploads(self.uploads_dir(collection), pairs, self.upload_limit())
        added = self.ingest(collection, stored.accepted, progress) if stored.accepted else None
        return [
            *stored.rejected,
            *(renamed(f, stored.renamed) for f in (added.files if added else [])),
        ]

    def library(self, collection: str) -> tuple[list[DocumentInfo], dict[str, Any]]:
        """The documents and statistics of a collection (none yet: empty, not an error)."""
        try:
            coll = self.collection(collection)
        except NotFoundError:
            return [], {"collection": collection, "documents": "none yet (add files)"}
        return coll.documents(), coll.stats()

    def documents(self, collection: str) -> list[DocumentInfo]:
        """The documents alone (none yet: empty): no statistics, which ask the vector store."""
        try:
            return self.collection(collection).documents()
        except NotFoundError:
            return []

    def document(self, collection: str, doc_id: str) -> Document | None:
        return self.collection(collection).catalog.document(doc_id)

    def conversation_choices(self, collection: str) -> list[tuple[str, str]]:
        convs = self.conversations().list(collection)
        return [(f"{c.title} ({c.n_turns})", c.conversation_id) for c in convs]

    def turns(self, conversation_id: str) -> list[dict[str, Any]]:
        """A saved conversation as the app's turn list."""
        return [{"question": t.question, "answer": t.answer}
                for t in self.conversations().turns(conversation_id)]  # fmt: skip

    def export(self, conversation_id: str, under: Path) -> Path:
        """The conversation as Markdown, in a fresh folder under ``under``."""
        under.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="export-", dir=under))
        path = folder / f"conversation-{safe_name(conversation_id)}.md"
        path.write_text(self.conversations().export_markdown(conversation_id), encoding="utf-8")
        return path

    def answer(self, question: str, collection: str, llm: str,
               conversation_id: str | None = None,
               scope: Scope | None = None) -> dict[str, Any]:  # fmt: skip
        """One question, run to the end: Answer.to_dict() plus conversation_id (the API);
        ``scope`` narrows the documents it may use."""
        helper = scoped(self.assistant(collection, llm), scope)
        cid = conversation_id or self.conversations().create(collection).conversation_id
        answer, rewritten = outcome(helper.stream(question, None, cid))
        data = with_scores(helper.to_dict(answer, cid, rewritten), answer)
        data["warnings"] = helper.collection.warnings()  # as `ask --json`: dense search failed
        return data


def renamed(report: FileReport, renames: dict[str, str]) -> FileReport:
    """An upload stored under a new name: its report says why."""
    given = renames.get(report.source)
    if given is None:
        return report
    note = f"stored as {report.source}: {given} already holds a different file"
    return dataclasses.replace(report, reason="; ".join(filter(None, [report.reason, note])))


def with_scores(data: dict[str, Any], answer: Answer) -> dict[str, Any]:
    """Answer.to_dict() leaves out each citation's score; the app shows it."""
    for c, cited in zip(data["citations"], answer.citations, strict=True):
        c["score"] = round(cited.score, 5)
    return data
