"""The answerer contract: one method to write; streaming and fallbacks come from the base."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from assistant.answerer import Answerer
from assistant.events import Delta, Done, Event, Reset, final
from assistant.extractive import ExtractiveAnswerer
from assistant.service import Assistant
from assistant.types import Answer
from corpus.errors import BackendError
from index.ingest import ingest
from index.settings import RetrievalSettings
from index.types import Hit
from tests.conftest import FIXTURE_CORPUS

QUESTION = "When did the council approve the desalination plant?"


class Fixed(Answerer):
    """Writes only ``_answer``: the one required method."""

    name = "fixed"

    def _answer(self, question: str, hits: Sequence[Hit]) -> Answer:
        return Answer(question, "A fixed answer.", True, backend=self.name)


class Failing(Answerer):
    """Streams some text, then fails the way a model server does."""

    name = "flaky"

    def __init__(self, fallback: Answerer | None, streamed: str = "") -> None:
        super().__init__(fallback)
        self.streamed = streamed
        self.calls = 0

    def _answer(self, question: str, hits: Sequence[Hit]) -> Answer:
        return final(self._stream(question, hits))

    def _stream(self, question: str, hits: Sequence[Hit]) -> Iterator[Delta | Done]:
        self.calls += 1
        if self.streamed:
            yield Delta(self.streamed)
        raise BackendError("the server went away")


def test_an_answerer_writes_one_method() -> None:
    with pytest.raises(TypeError):
        Answerer()  # type: ignore[abstract]
    events = list(Fixed().stream("q?", []))
    assert events == [Delta("A fixed answer."), Done(Fixed().answer("q?", []))]
    answer = Fixed().answer("q?", [])
    assert answer.text == "A fixed answer." and not answer.fell_back


def test_a_failure_falls_back_and_says_so_in_fields() -> None:
    answerer = Failing(Fixed())
    events = list(answerer.stream("q?", []))
    assert not any(isinstance(e, Reset) for e in events)  # nothing had been shown
    answer = final(events)
    assert answer.backend == "fixed" and answer.text == "A fixed answer."
    assert answer.fell_back and answer.fallback_reason == "the server went away"
    assert answer.note == (
        "flaky backend unavailable (the server went away); showing the fixed answer instead"
    )
    data = answer.to_dict()
    assert data["fell_back"] is True and data["fallback_reason"] == "the server went away"


def test_streamed_text_is_retracted_before_the_fallback() -> None:
    events: list[Event] = list(Failing(Fixed(), streamed="The Port ").stream("q?", []))
    assert [type(e) for e in events] == [Delta, Reset, Delta, Done]
    reset = events[1]
    assert isinstance(reset, Reset) and "the server went away" in reset.note


def test_without_a_fallback_the_failure_is_the_callers() -> None:
    with pytest.raises(BackendError, match="went away"):
        Failing(None).answer("q?", [])


def test_fall_back_skips_a_model_that_already_failed() -> None:
    failing = Failing(Fixed())
    answer = final(failing.fall_back("q?", [], "the rewrite failed"))
    assert failing.calls == 0  # not asked again
    assert answer.fell_back and answer.fallback_reason == "the rewrite failed"
    # an answerer with nothing to fall back to just answers
    plain = final(Fixed().fall_back("q?", [], "irrelevant"))
    assert plain.text == "A fixed answer." and not plain.fell_back


class FailingRewriter:
    name = "flaky"

    def stream(self, messages: Sequence[dict[str, str]]) -> Iterator[str]:
        raise BackendError("the server went away")
        yield ""  # a generator, as a real model's stream is


def test_assistant_falls_back_at_once_when_the_rewrite_failed(
    make_collection, hashing_embedder
) -> None:  # type: ignore[no-untyped-def]
    from assistant.conversations import ConversationStore

    coll = make_collection()
    ingest(coll, [FIXTURE_CORPUS])
    model = Failing(ExtractiveAnswerer(hashing_embedder))
    store = ConversationStore(coll.home / "conversations.sqlite")
    helper = Assistant(coll, model, RetrievalSettings(top_k=4), conversations=store,
                       rewriter=FailingRewriter())  # fmt: skip
    conv = store.create("test")
    first = helper.ask(QUESTION, conversation=conv.conversation_id)
    assert model.calls == 1 and first.fell_back  # no earlier turn: nothing to rewrite
    second = helper.ask("how much did it cost?", conversation=conv.conversation_id)
    assert model.calls == 1  # the model had just failed the rewrite: not asked to answer
    assert second.fell_back and second.fallback_reason == "the server went away"
    saved = store.turns(conv.conversation_id)[1].answer
    assert saved["fell_back"] is True
