"""The local model's job: one sentence phrased from the extractive answer's quoted sentences,
kept above them only when the checker supports it and it invents no word; otherwise the
extractive answer replaces the draft, saying why."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from assistant.citations import CitationChecker
from assistant.events import Delta, Done, Reset, final
from assistant.extractive import ExtractiveAnswerer
from assistant.llm import BACKENDS
from assistant.phrasing import PhrasingAnswerer
from assistant.service import Assistant
from corpus.errors import BackendError
from dossier import wiring
from index.ingest import ingest
from index.settings import RetrievalSettings
from tests.conftest import FIXTURE_CORPUS

QUESTION = "When did the council approve the desalination plant?"


class Scripted:
    """A ChatModel that writes ``reply`` in pieces and records what it was asked."""

    name = "local"

    def __init__(self, reply: str, fail: bool = False) -> None:
        self.reply, self.fail = reply, fail
        self.asked: list[Sequence[dict[str, str]]] = []

    def stream(self, messages: Sequence[dict[str, str]]) -> Iterator[str]:
        self.asked.append(messages)
        if self.fail:
            raise BackendError("SmolLM2-135M-Instruct: failed to load (broken); reinstall")
        for word in self.reply.split(" "):
            yield word + " "


@pytest.fixture
def helper(make_collection, hashing_embedder):  # type: ignore[no-untyped-def]
    coll = make_collection()
    ingest(coll, [FIXTURE_CORPUS])

    def make(model: Scripted) -> Assistant:
        checker = CitationChecker(hashing_embedder)
        answerer = wiring.answerer(model, checker, ExtractiveAnswerer(hashing_embedder))  # type: ignore[arg-type]
        assert isinstance(answerer, PhrasingAnswerer)  # the registry's role for 'local'
        return Assistant(coll, answerer, RetrievalSettings(top_k=4), checker=checker)

    return make


def test_local_phrases_rather_than_writes() -> None:
    assert BACKENDS["local"].role == "phrase" and BACKENDS["openai"].role == "write"


def test_a_supported_sentence_leads_the_quoted_evidence(helper) -> None:  # type: ignore[no-untyped-def]
    model = Scripted(
        "The Port Calder City Council approved the desalination plant on 14 March 2021."
    )
    events = list(helper(model).stream(QUESTION))
    assert any(isinstance(e, Delta) for e in events)  # the draft streamed
    assert not any(isinstance(e, Reset) for e in events)
    answer = final(events)
    assert answer.backend == "local" and not answer.fell_back
    lead = answer.sentences[0]
    assert lead.text.startswith("The Port Calder City Council approved") and lead.supported
    cited = {c.n: c.text for c in answer.citations}[lead.citations[0]]
    assert "14 March 2021" in cited  # it cites the quoted sentence it restates
    assert answer.text.startswith(f"{lead.text} [{lead.citations[0]}]\n")
    assert len(answer.sentences) >= 2  # the quoted evidence stays under it
    assert answer.short_answer is not None and "14 March 2021" in answer.short_answer.text
    # the model saw the quoted sentences, not whole passages
    prompt = model.asked[0][-1]["content"]
    assert "<sentences>" in prompt and "14 March 2021" in prompt


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        # a changed name: the embedding calls it support, the word rule does not
        ("The Port Calder City Council approved the Harrow Point desalination plant on "
         "14 March 2021 with Mayor Quentin Vasquez.", "words its source does not"),
        ("The answer is: 2024.", "not supported"),
        ("I don't know.", "no answer"),
        ("", "wrote nothing"),
    ],
)  # fmt: skip
def test_an_unkept_sentence_is_replaced_by_the_extractive_answer_saying_why(
    helper, reply: str, why: str
) -> None:  # type: ignore[no-untyped-def]
    events = list(helper(Scripted(reply)).stream(QUESTION))
    resets = [e for e in events if isinstance(e, Reset)]
    assert len(resets) == 1 and why in resets[0].note  # the draft is retracted, with the reason
    after = events[events.index(resets[0]) + 1 :]
    answer = next(e.answer for e in after if isinstance(e, Done))
    assert answer.fell_back and why in answer.fallback_reason and why in answer.note
    assert answer.backend == "extractive" and "14 March 2021" in answer.text
    assert all(s.supported for s in answer.sentences)


def test_a_model_that_cannot_load_falls_back_with_its_remembered_reason(helper) -> None:  # type: ignore[no-untyped-def]
    answer = helper(Scripted("", fail=True)).ask(QUESTION)
    assert answer.fell_back and "failed to load (broken)" in answer.fallback_reason
    assert "14 March 2021" in answer.text


def test_nothing_quoted_means_nothing_to_phrase(hashing_embedder) -> None:  # type: ignore[no-untyped-def]
    model = Scripted("Anything at all.")
    answerer = PhrasingAnswerer(model, CitationChecker(hashing_embedder),  # type: ignore[arg-type]
                                ExtractiveAnswerer(hashing_embedder))  # fmt: skip
    answer = answerer.answer(QUESTION, [])  # no passages: the extractive answer refuses
    assert not answer.answered and model.asked == [] and not answer.fell_back


def test_the_terminal_labels_a_draft_and_prints_the_checked_answer(helper) -> None:  # type: ignore[no-untyped-def]
    import io

    from dossier.chat import DRAFT, print_stream

    out = io.StringIO()
    model = Scripted("The Port Calder City Council approved the plant on 14 March 2021.")
    answer = print_stream(helper(model).stream(QUESTION), out, draft=True)
    shown = out.getvalue()
    assert shown.index(DRAFT) < shown.index("approved the plant")
    assert "[checked answer]" in shown  # the evidence under the sentence was never streamed
    checked = shown.index("[checked answer]")  # the quoted evidence, printed only under it
    assert "seven to two" not in shown[:checked]
    assert checked < shown.index("seven to two") < shown.index("Sources:")
    assert shown.count("Short answer: 14 March 2021 [1]") == 1

    out = io.StringIO()
    answer = print_stream(helper(Scripted("The answer is: 2024.")).stream(QUESTION), out, True)
    shown = out.getvalue()
    assert answer.fell_back and "not supported" in shown
    # the extractive answer after the note is not a draft: no second draft line
    assert shown.count(DRAFT) == 1 and shown.index("2024") < shown.index("not supported")


def test_a_date_restated_with_an_ordinal_is_not_an_invented_word(helper) -> None:  # type: ignore[no-untyped-def]
    answer = helper(
        Scripted("The Port Calder City Council approved the plant on March 14th 2021.")
    ).ask(QUESTION)
    assert not answer.fell_back and answer.sentences[0].text.endswith("March 14th 2021.")
