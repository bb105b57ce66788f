"""Shared fixtures: a temporary DOSSIER_HOME, the hashing embedder, the real model once."""

from __future__ import annotations

import importlib.util
import os
import shutil
import uuid
from pathlib import Path
from types import ModuleType

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

DATA = Path(__file__).parent / "data"
FIXTURE_CORPUS = DATA / "fixture-corpus"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
# a Chroma server started for the whole run (make pytest, .ci/run); not a DOSSIER_ name,
# which dossier would refuse as an unknown setting
CHROMA_URL = os.environ.get("TEST_CHROMA_URL")
BENCH = Path(__file__).resolve().parents[1] / "bench"


def load_bench(script: str) -> ModuleType:
    """A script of bench/ (not a package) imported as a module, to test its parts."""
    spec = importlib.util.spec_from_file_location(Path(script).stem, BENCH / script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def dossier_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own state folder; nothing touches the user's data directory."""
    home = tmp_path / "home"
    monkeypatch.setenv("DOSSIER_HOME", str(home))
    for var in [v for v in os.environ if v.startswith("DOSSIER_") and v != "DOSSIER_HOME"]:
        monkeypatch.delenv(var)
    return home


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture corpus (tests edit and delete files in it)."""
    dest = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, dest)
    return dest


@pytest.fixture
def hashing_embedder():  # type: ignore[no-untyped-def]
    from index.embedder import Embedder, HashingBackend

    return Embedder(HashingBackend())


@pytest.fixture
def make_collection(dossier_home: Path, hashing_embedder):  # type: ignore[no-untyped-def]
    from corpus.chunker import ChunkerConfig
    from index.collection import Collection

    def make(name: str = "test", embedder=None, chunker=None):  # type: ignore[no-untyped-def]
        return Collection(
            dossier_home, name, embedder or hashing_embedder,
            chunker or ChunkerConfig(max_tokens=60, overlap_tokens=10),
        )  # fmt: skip

    return make


@pytest.fixture(scope="session")
def chroma_server_url():  # type: ignore[no-untyped-def]
    """The URL of a real ``chroma run`` server: the one given, else one started here."""
    if CHROMA_URL:
        yield CHROMA_URL.rstrip("/")
        return
    from tests.chroma_server import chroma_server

    with chroma_server() as url:
        yield url


@pytest.fixture(params=["embedded", "server"])
def chroma_url(request):  # type: ignore[no-untyped-def]
    """None (the embedded store under the home) or a server's URL: store tests run on both."""
    return request.getfixturevalue("chroma_server_url") if request.param == "server" else None


@pytest.fixture
def store_collection(dossier_home: Path, hashing_embedder, chroma_url):  # type: ignore[no-untyped-def]
    """Like ``make_collection``, on the embedded store and on a server (``chroma_url``); on
    the server, which every test shares, each test's collection names are its own."""
    from corpus.chunker import ChunkerConfig
    from index.collection import Collection

    suffix = "" if chroma_url is None else "-" + uuid.uuid4().hex[:8]

    def make(name: str = "test", embedder=None, chunker=None):  # type: ignore[no-untyped-def]
        return Collection(
            dossier_home, name + suffix, embedder or hashing_embedder,
            chunker or ChunkerConfig(max_tokens=60, overlap_tokens=10), chroma_url=chroma_url,
        )  # fmt: skip

    return make


@pytest.fixture(scope="session")
def minilm():  # type: ignore[no-untyped-def]
    """The real all-MiniLM-L6-v2 embedder, loaded once per test session."""
    from index.embedder import Embedder, SentenceTransformerBackend

    return Embedder(SentenceTransformerBackend("float32"))


# The browser tests: each module defines its own ``app`` (a URL); these two are shared.
@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from tests.ui_helpers import chromium

    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, app: str):  # type: ignore[no-untyped-def]
    from tests.ui_helpers import app_page

    with app_page(browser, app) as pg:
        yield pg
