"""The extractive answerer, the assistant service and the llama-index retriever adapter."""

from __future__ import annotations

from pathlib import Path

from assistant.extractive import NOT_ANSWERED, ExtractiveAnswerer
from assistant.service import Assistant
from index.fusion import reciprocal_rank_fusion
from index.ingest import ingest
from index.settings import RetrievalSettings

QUESTION = "When did the council approve the desalination plant?"


def make_assistant(coll, embedder) -> Assistant:  # type: ignore[no-untyped-def]
    return Assistant(coll, ExtractiveAnswerer(embedder), RetrievalSettings(top_k=4))


def test_answer_quotes_and_cites_exact_spans(make_collection, hashing_embedder) -> None:
    from tests.conftest import FIXTURE_CORPUS

    coll = make_collection()
    ingest(coll, [FIXTURE_CORPUS])
    answer = make_assistant(coll, hashing_embedder).ask(QUESTION)
    assert answer.answered
    assert "14 March 2021" in answer.text
    assert answer.citations and answer.citations[0].source == "desalination-plant.md"
    for c in answer.citations:
        doc = coll.catalog.document(c.doc_id)
        assert doc is not None and doc.text[c.start : c.end] == c.text
        assert f"[{c.n}]" in answer.text
    assert {"retrieve_ms", "answer_ms", "total_ms"} <= answer.timings_ms.keys()
    data = answer.to_dict()
    assert data["answered"] is True and data["citations"][0]["text"] == answer.citations[0].text


def test_weak_evidence_is_not_answered(make_collection, hashing_embedder) -> None:
    from tests.conftest import FIXTURE_CORPUS

    coll = make_collection()
    ingest(coll, [FIXTURE_CORPUS])
    answer = make_assistant(coll, hashing_embedder).ask(
        "What is the airspeed velocity of an unladen swallow?"
    )
    assert not answer.answered
    assert answer.text == NOT_ANSWERED and not answer.citations
    assert answer.to_dict()["answered"] is False
    assert "nearest" in answer.to_dict()


def test_redundant_sentences_are_dropped(make_collection, hashing_embedder, tmp_path: Path) -> None:
    folder = tmp_path / "dup"
    folder.mkdir()
    line = "The kelp farm in Harrow Bay opened on 2 May 2023 with forty rafts."
    (folder / "a.txt").write_text(f"Kelp news\n\n{line}\n")
    (folder / "b.txt").write_text(f"More kelp news\n\n{line}\n")
    coll = make_collection()
    ingest(coll, [folder])
    answer = make_assistant(coll, hashing_embedder).ask("When did the kelp farm open?")
    assert answer.answered
    assert answer.text.count("forty rafts") == 1


def test_reciprocal_rank_fusion_by_hand() -> None:
    fused = reciprocal_rank_fusion([("a", 0.9), ("b", 0.8)], [("b", 7.0), ("c", 3.0)], 0.5, 60)
    scores = {f.chunk_id: f.score for f in fused}
    assert abs(scores["b"] - (0.5 / 62 + 0.5 / 61)) < 1e-12
    assert abs(scores["a"] - 0.5 / 61) < 1e-12
    assert abs(scores["c"] - 0.5 / 62) < 1e-12
    assert [f.chunk_id for f in fused] == ["b", "a", "c"]
    dense_only = reciprocal_rank_fusion([("a", 0.9)], [("c", 3.0)], 1.0, 60)
    assert dense_only[0].chunk_id == "a" and dense_only[1].score == 0.0


def test_llama_index_query_engine_uses_dossier_retriever(make_collection) -> None:
    from llama_index.core.llms import MockLLM
    from llama_index.core.query_engine import RetrieverQueryEngine

    from index.llama import DossierRetriever
    from tests.conftest import FIXTURE_CORPUS

    coll = make_collection()
    ingest(coll, [FIXTURE_CORPUS])
    retriever = DossierRetriever(coll, k=3)
    nodes = retriever.retrieve(QUESTION)
    assert nodes[0].node.metadata["source"] == "desalination-plant.md"
    doc = coll.catalog.document(nodes[0].node.metadata["doc_id"])
    assert doc is not None
    start, end = nodes[0].node.start_char_idx, nodes[0].node.end_char_idx
    assert doc.text[start:end] == nodes[0].node.get_content()
    engine = RetrieverQueryEngine.from_args(retriever, llm=MockLLM(max_tokens=8))
    response = engine.query(QUESTION)
    assert response.source_nodes[0].node.node_id == nodes[0].node.node_id


def test_dossier_retriever_fuses_as_its_settings_say(make_collection) -> None:
    """rrf_k and candidates reach the search (they were once dropped on the way)."""
    import pytest

    from index.llama import DossierRetriever
    from tests.conftest import FIXTURE_CORPUS

    coll = make_collection()
    ingest(coll, [FIXTURE_CORPUS])
    settings = RetrievalSettings(top_k=2, fusion="rrf", dense_weight=0.3, rrf_k=7, candidates=2)
    nodes = DossierRetriever(coll, retrieval=settings).retrieve(QUESTION)
    hits = coll.search(QUESTION, retrieval=settings)
    assert [n.node.node_id for n in nodes] == [h.chunk.chunk_id for h in hits]
    assert len(nodes) == 2
    for n in nodes:
        dense, bm25 = n.node.metadata["dense_rank"], n.node.metadata["bm25_rank"]
        assert all(r is None or r <= 2 for r in (dense, bm25))  # 2 candidates per retriever
        expected = (0.3 / (7 + dense) if dense else 0.0) + (0.7 / (7 + bm25) if bm25 else 0.0)
        assert n.score == pytest.approx(expected)


def test_answer_type_bonus_prefers_the_kind_asked_for() -> None:
    from assistant.extractive import answer_type_bonus as bonus

    date_only = "The council approved it on 14 March 2021, by a vote of seven to two."
    amount = "The approved budget for the plant is 48.5 million dollars."
    assert bonus("How much did it cost?", amount) > bonus("How much did it cost?", date_only)
    assert bonus("How many rafts?", "It opened with forty rafts.") > 0
    assert bonus("How many rafts?", "It opened in May 2023.") == 0  # a date is not a count
    assert bonus("When did it open?", "It opened in May 2023.") > 0


def test_cost_question_quotes_the_amount(make_collection, hashing_embedder) -> None:
    from tests.conftest import FIXTURE_CORPUS

    coll = make_collection()
    ingest(coll, [FIXTURE_CORPUS])
    answer = make_assistant(coll, hashing_embedder).ask(
        "How much is the approved budget for the desalination plant?"
    )
    assert answer.answered and "48.5 million" in answer.text
