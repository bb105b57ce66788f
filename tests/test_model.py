"""Integration with the real all-MiniLM-L6-v2 (loaded once per session)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.extractive import ExtractiveAnswerer
from assistant.service import Assistant
from corpus.chunker import ChunkerConfig
from index.collection import Collection
from index.embedder import WINDOW
from index.ingest import ingest
from index.settings import RetrievalSettings
from tests.conftest import FIXTURE_CORPUS

pytestmark = pytest.mark.model
DEMO = Path(__file__).resolve().parents[1] / "corpus" / "samples" / "whitehouse-ai"


def test_embeddings_are_unit_vectors_and_semantic(minilm) -> None:  # type: ignore[no-untyped-def]
    vecs = minilm.embed(
        ["The cat sat on the mat.", "A kitten rested on a rug.", "Stock prices fell."]
    )
    assert vecs.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.2


def test_chunks_fit_the_model_window(minilm, dossier_home: Path) -> None:  # type: ignore[no-untyped-def]
    coll = Collection(dossier_home, "window", minilm, ChunkerConfig())
    folder = DEMO / "fact-sheets"
    ingest(coll, [folder])
    counts = [minilm.backend.count_window_tokens(c.text) for c in coll.catalog.iter_chunks()]
    assert counts and max(counts) <= WINDOW


def test_answers_fixture_question_with_real_model(minilm, dossier_home: Path) -> None:  # type: ignore[no-untyped-def]
    coll = Collection(dossier_home, "fixture", minilm, ChunkerConfig())
    ingest(coll, [FIXTURE_CORPUS])
    helper = Assistant(coll, ExtractiveAnswerer(minilm), RetrievalSettings(top_k=4))
    answer = helper.ask("When did the council approve the desalination plant?")
    assert answer.answered and "14 March 2021" in answer.text
    assert answer.citations[0].source == "desalination-plant.md"
    off_topic = helper.ask("What is the boiling point of liquid nitrogen on Mars?")
    assert not off_topic.answered


def test_demo_corpus_answers_a_sample_question(minilm, dossier_home: Path) -> None:  # type: ignore[no-untyped-def]
    coll = Collection(dossier_home, "demo", minilm, ChunkerConfig())
    ingest(
        coll, [DEMO / "statements-releases" / "2023-07", DEMO / "statements-releases" / "2023-09"]
    )
    helper = Assistant(coll, ExtractiveAnswerer(minilm), RetrievalSettings(top_k=6))
    answer = helper.ask(
        "Which companies made voluntary AI commitments at the White House in July 2023?"
    )
    assert answer.answered
    text = " ".join(c.text for c in answer.citations)
    assert sum(name in text for name in ("Amazon", "Anthropic", "Google", "OpenAI")) >= 3
    for c in answer.citations:
        doc = coll.catalog.document(c.doc_id)
        assert doc is not None and doc.text[c.start : c.end] == c.text
