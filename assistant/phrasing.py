"""A small model's answer: one sentence phrased from the extractive answer's cited sentences.

SmolLM2-135M cannot write a cited answer from six whole passages: on the demo questions it
wrote fluent text that cited nothing (or every source at once) and invented facts, so the
checker rejected every answer and the user watched 10 to 30 s of text replaced by the
extractive one. What it can do is restate one short sentence from a few. So the extractive
answer comes first (its quoted sentences and verbatim short answer are the answer); the model
is asked for one sentence from those quoted sentences alone, and that sentence is kept, above
the evidence, only when the checker finds it supported by one of them and it uses no content
word that neither the question nor that sentence holds (the checker alone let "the National
Institute of Artificial Intelligence (NIAM)" through for NIST). It writes no ``[n]``
reliably, so the sentence cites the quoted sentence that supports it best.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace

from assistant import prompts
from assistant.citations import parse_citations
from assistant.events import Delta, Done, Reset
from assistant.extractive import readable
from assistant.generative import ModelAnswerer
from assistant.rewrite_check import content_words
from assistant.types import Answer, SentenceSupport
from index.types import Hit

MAX_SENTENCE_CHARS = 400  # one sentence; longer is a small model running on
# "March 14th", "14 th": a date restated, not a new word
ORDINALS = frozenset({"st", "nd", "rd", "th"})
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")


class PhrasingAnswerer(ModelAnswerer):
    """The extractive answer, led by the model's one sentence when the checker supports it."""

    def _stream(self, question: str, hits: Sequence[Hit]) -> Iterator[Delta | Done | Reset]:
        base = self.extractive.answer(question, hits)
        if not base.answered or not base.citations:  # nothing quoted: nothing to phrase
            yield Delta(base.text)
            yield Done(base)
            return
        quoted = [(c.n, readable(c.text)) for c in base.citations]
        parts: list[str] = []
        for piece in self.model.stream(prompts.phrase_messages(question, quoted)):
            parts.append(piece)  # a BackendError here: the base class falls back
            yield Delta(piece)
            if sum(map(len, parts)) > MAX_SENTENCE_CHARS:
                break
        lead = self.lead(question, " ".join("".join(parts).split()), quoted)
        if isinstance(lead, str):  # why the sentence was not kept
            note = f"{self.name}: {lead}; showing the {self.extractive.name} answer instead"
            yield Reset(note)
            yield Delta(base.text)
            yield Done(replace(base, note=note, fell_back=True, fallback_reason=lead))
            return
        yield Done(with_lead(base, lead, self.name))

    def lead(
        self, question: str, text: str, quoted: Sequence[tuple[int, str]]
    ) -> SentenceSupport | str:
        """The model's sentence, citing the quoted sentence that supports it best, if that
        support passes the checker's threshold; otherwise the reason it does not."""
        parsed = parse_citations(text)
        if not parsed or not parsed[0].text.strip():
            return "the model wrote nothing"
        sentence = parsed[0].text.strip()
        if prompts.NO_ANSWER.split(":")[0].lower() in sentence.lower()[:40]:
            return "the model found no answer in the quoted sentences"
        scores = self.checker.supports([sentence] * len(quoted), [[t] for _, t in quoted])
        best = max(range(len(quoted)), key=lambda i: scores[i])
        shown = f"“{sentence[:160]}”"
        if scores[best] < self.checker.threshold:
            return (
                f"the model's sentence was not supported by the quoted sentences (support "
                f"{scores[best]:.2f} < {self.checker.threshold:.2f}): {shown}"
            )
        # the checker's embedding half is blind to a changed name or number: a small model's
        # sentence may only use words of the question and of the sentence it cites
        allowed = content_words(f"{question} {quoted[best][1]}") | ORDINALS
        invented = {w for w in content_words(sentence) if _ORDINAL.sub(r"\1", w) not in allowed}
        if invented:
            words = ", ".join(sorted(invented)[:5])
            return f"the model's sentence used words its source does not ({words}): {shown}"
        return SentenceSupport(sentence, (quoted[best][0],), True, scores[best])


def with_lead(base: Answer, lead: SentenceSupport, backend: str) -> Answer:
    """``base`` (an extractive answer) led by ``lead``; its quoted sentences and short answer
    stay as they were, the short answer in its own field (as for any model's answer)."""
    lines = [f"{s.text} [{', '.join(map(str, s.citations))}]" for s in (lead, *base.sentences)]
    return replace(base, text="\n".join(lines), sentences=(lead, *base.sentences), backend=backend)
