"""Answers written by a language model, then checked sentence by sentence.

The model sees numbered, fenced passages (assistant/prompts.py). Its text streams to the
caller as it comes; then every sentence's citations are checked against the passages they
name (assistant/citations.py). If the model fails, times out or returns nothing usable, the
extractive answer is given instead, with a note saying why.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from assistant import prompts
from assistant.citations import CitationChecker
from assistant.events import Delta, Done, Event, Reset
from assistant.extractive import ExtractiveAnswerer, readable
from assistant.llm import ChatModel
from assistant.types import Answer, Citation
from corpus.errors import BackendError
from index.types import Hit

MAX_ANSWER_CHARS = 4000  # a reply this long from a small model is runaway repetition


def sources_of(hits: Sequence[Hit]) -> list[Citation]:
    """One numbered source per passage: the whole chunk, with its exact span."""
    return [
        Citation(n, h.chunk.doc_id, h.document.title, h.document.source, h.chunk.page,
                 h.chunk.start, h.chunk.end, h.chunk.text, h.score)
        for n, h in enumerate(hits, 1)
    ]  # fmt: skip


class GenerativeAnswerer:
    def __init__(
        self, model: ChatModel, checker: CitationChecker, fallback: ExtractiveAnswerer
    ) -> None:
        self.model = model
        self.checker = checker
        self.fallback = fallback
        self.name = model.name

    def stream(self, question: str, hits: Sequence[Hit]) -> Iterator[Event]:
        if not hits:
            yield from stream_answer(self.fallback.answer(question, hits))
            return
        sources = sources_of(hits)
        messages = prompts.answer_messages(
            question, [(c.n, c.title, readable(c.text)) for c in sources]
        )
        parts: list[str] = []
        try:
            for piece in self.model.stream(messages):
                parts.append(piece)
                yield Delta(piece)
                if sum(map(len, parts)) > MAX_ANSWER_CHARS:
                    break
        except BackendError as err:
            yield from self._fall_back(question, hits, str(err), streamed=bool(parts))
            return
        text = "".join(parts).strip()
        if prompts.NO_ANSWER.split(":")[0].lower() in text.lower()[:80]:
            yield Done(Answer(question, prompts.NO_ANSWER, False, hits=tuple(hits),
                              backend=self.name))  # fmt: skip
            return
        checked = self.checker.check(text, sources)
        if not text or not checked.citations:
            why = "the model's answer was empty" if not text else "the model cited no source"
            yield from self._fall_back(question, hits, why, streamed=bool(parts))
            return
        # the answer describes its final text: sentences cut in "remove" mode are not in it
        kept = tuple(x for x in checked.sentences if x not in checked.removed)
        note = f"removed {len(checked.removed)} unsupported sentence(s)" if checked.removed else ""
        yield Done(
            Answer(question, checked.text, True, checked.citations, kept, tuple(hits),
                   self.name, note=note)
        )  # fmt: skip

    def answer(self, question: str, hits: Sequence[Hit]) -> Answer:
        from assistant.events import final

        return final(self.stream(question, hits))

    def fall_back(self, question: str, hits: Sequence[Hit], why: str) -> Iterator[Event]:
        """The extractive answer with a note (the model already failed this turn)."""
        return self._fall_back(question, hits, why, streamed=False)

    def _fall_back(
        self, question: str, hits: Sequence[Hit], why: str, streamed: bool
    ) -> Iterator[Event]:
        note = f"{self.name} backend unavailable ({why}); showing the extractive answer instead"
        if streamed:
            yield Reset(note)
        answer = self.fallback.answer(question, hits)
        yield Delta(answer.text)
        yield Done(replace(answer, note=note))


def stream_answer(answer: Answer) -> Iterator[Event]:
    """An already-made answer as a stream (the extractive answerer has nothing to stream)."""
    yield Delta(answer.text)
    yield Done(answer)
