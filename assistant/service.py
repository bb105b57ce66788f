"""The assistant: rewrite follow-ups, retrieve passages, stream a checked, cited answer.

``stream`` is the one path every interface uses (CLI, chat, app); ``ask`` runs it to the end.
A conversation turn is committed to SQLite before the final event is handed out, so nothing
is lost if the process dies between turns.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import replace

from assistant import prompts
from assistant.answerer import Answerer
from assistant.citations import CitationChecker
from assistant.conversations import ConversationStore, Turn
from assistant.events import Delta, Done, Event, Rewritten, final
from assistant.extractive import ExtractiveAnswerer
from assistant.llm import ChatModel
from assistant.rewrite import is_followup, rewrite_followup
from assistant.rewrite_check import faithful
from assistant.short_answer import cited_sentences, short_answer
from assistant.types import Answer
from corpus.errors import BackendError
from index.collection import Collection
from index.settings import RetrievalSettings
from index.types import Hit, SearchFilter


class Assistant:
    def __init__(
        self,
        collection: Collection,
        answerer: Answerer,
        retrieval: RetrievalSettings | None = None,
        *,
        filters: SearchFilter | None = None,
        checker: CitationChecker | None = None,
        conversations: ConversationStore | None = None,
        rewriter: ChatModel | None = None,
    ) -> None:
        self.collection = collection
        self.answerer = answerer
        self.retrieval = retrieval or RetrievalSettings()
        self.filters = filters
        self.checker = checker
        self.conversations = conversations
        self.rewriter = rewriter

    def search(
        self, query: str, k: int | None = None, mode: str = "hybrid",
        timings: dict[str, float] | None = None,
    ) -> list[Hit]:  # fmt: skip
        return self.collection.search(
            query, k, filters=self.filters, mode=mode, retrieval=self.retrieval, timings=timings
        )

    def ask(self, question: str, k: int | None = None, conversation: str | None = None) -> Answer:
        return final(self.stream(question, k, conversation))

    def stream(
        self, question: str, k: int | None = None, conversation: str | None = None
    ) -> Iterator[Event]:
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        store = self.conversations if conversation else None
        turns = store.turns(conversation) if store is not None and conversation else []
        rewritten, failure = self._rewrite(question, turns)
        if rewritten:
            timings["rewrite_ms"] = (time.perf_counter() - t0) * 1000
            yield Rewritten(rewritten)
        t1 = time.perf_counter()
        hits = self.search(rewritten or question, k, timings=timings)
        timings["retrieve_ms"] = (time.perf_counter() - t1) * 1000
        t2 = time.perf_counter()
        first_token: float | None = None
        answer: Answer | None = None
        for event in self._answer_events(rewritten or question, hits, failure):
            if isinstance(event, Delta) and first_token is None:
                first_token = (time.perf_counter() - t0) * 1000
            if isinstance(event, Done):
                answer = event.answer
                break
            yield event
        if answer is None:
            raise RuntimeError(f"the {self.answerer.name} answerer ended without an answer")
        timings["answer_ms"] = (time.perf_counter() - t2) * 1000
        timings["first_token_ms"] = first_token or (time.perf_counter() - t0) * 1000
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        answer = self._checked(self._fix_pages(answer))
        answer = replace(answer, question=question, timings_ms={**answer.timings_ms, **timings})
        if store is not None and conversation:
            store.add_turn(
                conversation, question, rewritten, self.to_dict(answer, conversation, rewritten)
            )
        yield Done(answer)

    def to_dict(self, answer: Answer, conversation: str | None, rewritten: str | None) -> dict:  # type: ignore[type-arg]
        data = answer.to_dict()
        if conversation:
            data["conversation_id"] = conversation
        if rewritten:
            data["rewritten_question"] = rewritten
        return data

    def _answer_events(self, question: str, hits: list[Hit], failure: str) -> Iterator[Event]:
        if failure:  # the model just failed the rewrite: don't make the user wait for it twice
            return self.answerer.fall_back(question, hits, failure)
        return self.answerer.stream(question, hits)

    def _rewrite(self, question: str, turns: Sequence[Turn]) -> tuple[str | None, str]:
        """(a standalone question for a follow-up, or None when it already stands alone;
        why the model failed, or "")."""
        if not turns or not is_followup(question):
            return None, ""  # a question that stands on its own is searched as asked
        failure = ""
        if self.rewriter is not None:
            history = [(t.rewritten_question or t.question, str(t.answer.get("answer", "")))
                       for t in turns]  # fmt: skip
            earlier = [t.question for t in turns] + [text for turn in history for text in turn]
            try:
                text = "".join(self.rewriter.stream(prompts.rewrite_messages(question, history)))
                line = text.strip().splitlines()[0].strip().strip('"') if text.strip() else ""
                # kept only if it adds nothing but words of earlier turns (rewrite_check)
                fits = 3 <= len(line.split()) <= 60 and line.lower() != question.strip().lower()
                if fits and faithful(question, line, earlier):
                    return line, ""
            except BackendError as err:
                # the deterministic rewrite below still carries the subject over
                failure = str(err)
        asked = [t.rewritten_question or t.question for t in turns]
        return rewrite_followup(question, asked), failure

    def _checked(self, answer: Answer) -> Answer:
        """Extractive answers pass through the same checker as generated ones, sentence by
        sentence: each evidence sentence against its own source (re-splitting the joined text
        could glue two sources' sentences into one). Other answers get their short answer
        here, from the sentences they cite."""
        if not answer.answered:
            return answer
        if answer.backend != ExtractiveAnswerer.name:
            if answer.short_answer is not None or not answer.citations:
                return answer
            found = short_answer(answer.question, cited_sentences(answer.citations))
            return replace(answer, short_answer=found)
        if self.checker is None:
            return answer
        by_n = {c.n: c.text for c in answer.citations}
        texts = [s.text for s in answer.sentences]
        scores = self.checker.supports(
            texts, [[by_n[n] for n in s.citations] for s in answer.sentences]
        )
        checked = tuple(
            replace(s, supported=score >= self.checker.threshold, support=score)
            for s, score in zip(answer.sentences, scores, strict=True)
        )
        return replace(answer, sentences=checked)

    def _fix_pages(self, answer: Answer) -> Answer:
        """A sentence can sit on a later page than its chunk's start: use its own page."""
        catalog = self.collection.catalog
        docs = {d: catalog.document(d) for d in {c.doc_id for c in answer.citations}}
        fixed = []
        for c in answer.citations:
            doc = docs[c.doc_id]  # read once per document, not once per citation
            fixed.append(replace(c, page=doc.page_at(c.start) if doc is not None else c.page))
        return replace(answer, citations=tuple(fixed))
