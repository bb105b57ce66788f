"""Answers written by a language model, then checked sentence by sentence.

The model sees numbered, fenced passages (assistant/prompts.py). Its text streams to the
caller as it comes; then every sentence's citations are checked against the passages they
name (assistant/citations.py). If the model fails, times out or returns nothing usable, a
BackendError says why and the Answerer base gives the extractive answer instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assistant import prompts
from assistant.answerer import Answerer
from assistant.citations import CitationChecker
from assistant.events import Delta, Done, final
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


class ModelAnswerer(Answerer):
    """A language model's answerer: it streams (``_stream``), its answer is the stream's
    last event, its sentences meet the citation checker, and the extractive answerer stands
    in when the model fails."""

    def __init__(
        self, model: ChatModel, checker: CitationChecker, fallback: ExtractiveAnswerer
    ) -> None:
        super().__init__(fallback)
        self.model = model
        self.checker = checker
        self.extractive = fallback
        self.name = model.name

    def _answer(self, question: str, hits: Sequence[Hit]) -> Answer:
        return final(self._stream(question, hits))


class GenerativeAnswerer(ModelAnswerer):
    """A model writes the answer; the extractive answerer stands in when the model fails."""

    def _stream(self, question: str, hits: Sequence[Hit]) -> Iterator[Delta | Done]:
        if not hits:  # nothing for the model to cite: the extractive answer says so
            answer = self.extractive.answer(question, hits)
            yield Delta(answer.text)
            yield Done(answer)
            return
        sources = sources_of(hits)
        messages = prompts.answer_messages(
            question, [(c.n, c.title, readable(c.text)) for c in sources]
        )
        parts: list[str] = []
        for piece in self.model.stream(messages):  # a BackendError: the base falls back
            parts.append(piece)
            yield Delta(piece)
            if sum(map(len, parts)) > MAX_ANSWER_CHARS:
                break
        text = "".join(parts).strip()
        if prompts.NO_ANSWER.split(":")[0].lower() in text.lower()[:80]:
            yield Done(Answer(question, prompts.NO_ANSWER, False, hits=tuple(hits),
                              backend=self.name))  # fmt: skip
            return
        checked = self.checker.check(text, sources)
        if not text or not checked.citations:
            why = "the model's answer was empty" if not text else "the model cited no source"
            raise BackendError(why)
        # the answer describes its final text: sentences cut in "remove" mode are not in it
        kept = tuple(x for x in checked.sentences if x not in checked.removed)
        note = f"removed {len(checked.removed)} unsupported sentence(s)" if checked.removed else ""
        yield Done(
            Answer(question, checked.text, True, checked.citations, kept, tuple(hits),
                   self.name, note=note)
        )  # fmt: skip
