"""The answerer contract: one method to write, the shared streaming and fallback done here.

As llama-index's ``retrieve``/``_retrieve``: a subclass writes ``_answer`` (a finished,
cited Answer). One whose text can be shown while it is written (a language model) also
overrides ``_stream``. Callers use only ``stream``, ``answer`` and ``fall_back``; a failure
(``BackendError``) becomes the fallback answerer's answer, marked on the Answer itself
(``fell_back``, ``fallback_reason``) and explained in its note.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import replace

from assistant.events import Delta, Done, Event, Reset, final
from assistant.types import Answer
from corpus.errors import BackendError
from index.types import Hit


class Answerer(ABC):
    """Turns a question and retrieved passages into a cited Answer."""

    name: str = "answerer"

    def __init__(self, fallback: Answerer | None = None) -> None:
        # who answers when this one fails; None: a failure is the caller's to handle
        self.fallback = fallback

    @abstractmethod
    def _answer(self, question: str, hits: Sequence[Hit]) -> Answer:
        """The finished answer. Raise BackendError when it cannot be made."""

    def _stream(self, question: str, hits: Sequence[Hit]) -> Iterator[Delta | Done | Reset]:
        """Text as it is written, then the answer; by default the finished answer at once.
        A Reset retracts the text written so far (a draft that did not pass its check)."""
        answer = self._answer(question, hits)
        yield Delta(answer.text)
        yield Done(answer)

    def stream(self, question: str, hits: Sequence[Hit]) -> Iterator[Event]:
        """The answer's events; on a BackendError, the fallback's answer (after a Reset if
        text had been shown)."""
        streamed = False
        try:
            for event in self._stream(question, hits):
                streamed = streamed or isinstance(event, Delta)
                yield event
        except BackendError as err:
            if self.fallback is None:
                raise
            yield from self._fall_back(self.fallback, question, hits, str(err), streamed)

    def answer(self, question: str, hits: Sequence[Hit]) -> Answer:
        return final(self.stream(question, hits))

    def fall_back(self, question: str, hits: Sequence[Hit], why: str) -> Iterator[Event]:
        """The fallback's answer straight away: this one already failed this turn (say, the
        model failed to rewrite the question) and should not be made to fail twice."""
        if self.fallback is None:
            return self.stream(question, hits)  # nothing to fall back to: answer as usual
        return self._fall_back(self.fallback, question, hits, why, streamed=False)

    def _fall_back(
        self, fallback: Answerer, question: str, hits: Sequence[Hit], why: str, streamed: bool
    ) -> Iterator[Event]:
        note = (
            f"{self.name} backend unavailable ({why}); showing the {fallback.name} answer instead"
        )
        if streamed:
            yield Reset(note)
        answer = fallback.answer(question, hits)
        yield Delta(answer.text)
        yield Done(replace(answer, note=note, fell_back=True, fallback_reason=why))
