"""The answer's shape: a verbatim, cited short answer first, then one source sentence per
citation, never a fragment, never two sources glued into one sentence."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from assistant.answerer import Answerer
from assistant.citations import CitationChecker
from assistant.extractive import ExtractiveAnswerer, _blank_links, readable, usable
from assistant.service import Assistant
from assistant.short_answer import ShortAnswer
from assistant.types import Answer, Citation, SentenceSupport
from dossier import render
from dossier.web.html import answer_html
from eval.answers import content_recall, run_question
from eval.datasets import QAItem
from index.ingest import ingest
from index.settings import RetrievalSettings
from index.types import Hit
from tests.conftest import FIXTURE_CORPUS


@pytest.fixture
def helper(make_collection, hashing_embedder):  # type: ignore[no-untyped-def]
    coll = make_collection()
    ingest(coll, [FIXTURE_CORPUS])
    return Assistant(
        coll, ExtractiveAnswerer(hashing_embedder), RetrievalSettings(top_k=4),
        checker=CitationChecker(hashing_embedder),
    )  # fmt: skip


def _doc_text(helper: Assistant, doc_id: str) -> str:
    doc = helper.collection.catalog.document(doc_id)
    assert doc is not None
    return doc.text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("When did the council approve the desalination plant?", "14 March 2021"),
        ("Who runs the greywater pilot?", "Jonah Whitlock"),
        ("How many households joined the greywater pilot?", "1,200"),
    ],
)
def test_the_short_answer_is_verbatim_cited_and_first(helper, question, expected) -> None:  # type: ignore[no-untyped-def]
    answer = helper.ask(question)
    short = answer.short_answer
    assert short is not None and expected in short.text and len(short.text.split()) <= 12
    cited = {c.n: c for c in answer.citations}[short.n]
    # verbatim: the document's own characters, inside the sentence it cites
    assert _doc_text(helper, cited.doc_id)[short.start : short.end] == short.text
    assert cited.start <= short.start and short.end <= cited.end
    assert answer.text.splitlines()[0] == f"{short.text} [{short.n}]"
    data = json.loads(json.dumps(answer.to_dict()))
    assert data["short_answer"] == {
        "text": short.text, "n": short.n, "start": short.start, "end": short.end,
        "inferred": False,
    }  # fmt: skip


def test_no_short_answer_is_null_in_json(helper) -> None:  # type: ignore[no-untyped-def]
    answer = helper.ask("Why did the council approve the desalination plant?")
    assert answer.short_answer is None
    assert answer.to_dict()["short_answer"] is None


def test_each_evidence_sentence_is_one_source_sentence(helper) -> None:  # type: ignore[no-untyped-def]
    answer = helper.ask("Who runs the greywater pilot?")
    assert answer.answered and len(answer.sentences) == len(answer.citations) >= 2
    for sentence, citation in zip(answer.sentences, answer.citations, strict=True):
        assert sentence.citations == (citation.n,)  # its own [n], no other source's
        assert sentence.text == readable(citation.text)
        assert _doc_text(helper, citation.doc_id)[citation.start : citation.end] == citation.text
    evidence = [line for line in answer.text.splitlines()[2:] if line]
    assert evidence == [f"{s.text} [{s.citations[0]}]" for s in answer.sentences]


class Quoting(Answerer):
    """Quotes two source lines that have no full stop, as the extractive answerer does."""

    name = ExtractiveAnswerer.name

    def _answer(self, question: str, hits: Sequence[Hit]) -> Answer:
        lines = [
            "The Harbour pump station moves forty megalitres of water a day for the north",
            "The Ridge pump station moves twelve megalitres of water a day for the south",
        ]
        cites = tuple(Citation(n, f"d{n}", "Pumps", "p.md", None, 0, len(t), t)
                      for n, t in enumerate(lines, 1))  # fmt: skip
        sentences = tuple(SentenceSupport(t, (n,), True, 1.0) for n, t in enumerate(lines, 1))
        text = "\n".join(f"{t} [{n}]" for n, t in enumerate(lines, 1))
        return Answer(question, text, True, cites, sentences, tuple(hits), self.name)


def test_sources_without_full_stops_are_not_glued(make_collection, hashing_embedder) -> None:  # type: ignore[no-untyped-def]
    # joined and re-split, the two lines became one sentence citing [1][2]
    coll = make_collection()
    ingest(coll, [FIXTURE_CORPUS])
    helper = Assistant(coll, Quoting(), checker=CitationChecker(hashing_embedder))
    answer = helper.ask("How much water do the pump stations move?")
    assert [s.citations for s in answer.sentences] == [(1,), (2,)]
    assert all(s.supported and s.support > 0.9 for s in answer.sentences)


@pytest.mark.parametrize(
    "fragment",
    [
        "(OMB) is delivering on the promise of the order by issuing guidance to agencies.",
        "(i) the requirement that agencies publish an inventory of their uses of AI.",
        "Release expanded [annual inventories of the AI use cases held by each agency.",
        "It also said the agencies that use AI in ways that affect rights must stop.".lower(),
    ],
)
def test_a_quote_never_starts_mid_clause_or_inside_a_link(fragment: str) -> None:
    assert not usable(fragment)
    assert usable("The Office of Management and Budget (OMB) is delivering on the order.")


def test_display_text_is_clean() -> None:
    raw = "*Builds on [commitments](https://x.gov/a) from **seven** AI\\-companies in July*"
    assert readable(raw) == "Builds on commitments from seven AI-companies in July"


def test_link_targets_are_blanked_with_offsets_kept() -> None:
    text = "See [the order](https://example.gov/2023/10/30/eo) signed on 30 October 2023."
    blanked = _blank_links(text)
    assert len(blanked) == len(text) and "2023/10" not in blanked
    assert blanked.index("signed") == text.index("signed")


def test_a_link_url_never_gives_the_short_answer(make_collection, hashing_embedder,
                                                 tmp_path: Path) -> None:  # fmt: skip
    folder = tmp_path / "links"
    folder.mkdir()
    (folder / "order.md").write_text(
        "# The order\n\nThe President signed the [order on water safety]"
        "(https://example.gov/briefing/1987/05/02/order) at the harbour ceremony.\n"
    )
    coll = make_collection("links")
    ingest(coll, [folder])
    helper = Assistant(coll, ExtractiveAnswerer(hashing_embedder), RetrievalSettings(top_k=4))
    answer = helper.ask("When did the President sign the order on water safety?")
    assert answer.answered
    assert answer.short_answer is None or "1987" not in answer.short_answer.text


def _model_answer(short: ShortAnswer | None) -> Answer:
    cite = Citation(
        1, "d1", "Minutes <b>", "m.md", None, 0, 40, "The plant cost 48.5 million dollars."
    )
    return Answer("How much did it cost?", "It cost 48.5 million dollars [1].", True, (cite,),
                  backend="local", short_answer=short)  # fmt: skip


def test_the_app_and_cli_show_the_short_answer_first() -> None:
    short = ShortAnswer("48.5 million <dollars>", 1, 15, 35, "amount")
    page = answer_html(0, _model_answer(short).to_dict())
    assert "<strong>48.5 million &lt;dollars&gt;</strong>" in page  # bold, escaped
    assert page.index("short-answer") < page.index('class="answer final"')
    assert "Short answer: 48.5 million <dollars> [1]" in render.answer_text(_model_answer(short))
    assert "short-answer" not in answer_html(0, _model_answer(None).to_dict())


def test_an_inferred_yes_is_marked_in_the_answer_text(helper) -> None:  # type: ignore[no-untyped-def]
    answer = helper.ask("Did the council approve the desalination plant?")
    short = answer.short_answer
    assert short is not None and short.inferred and short.text == "Yes"
    assert answer.text.splitlines()[0] == f"Yes [{short.n}] (inferred)"


def test_eval_scores_the_short_answer_and_the_whole(helper) -> None:  # type: ignore[no-untyped-def]
    item = QAItem("q1", "When did the council approve the desalination plant?",
                  ("14 March 2021",), ())  # fmt: skip
    result = run_question(helper, item)
    assert result.short_answer == "14 March 2021" and result.f1 == 1.0
    assert result.correct and 0 < result.answer_f1 < 1.0
    assert content_recall("approved in March", ["The council approved it in March 2021"]) == 0.5
