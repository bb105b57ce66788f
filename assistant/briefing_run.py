"""Making a briefing: a collection, the extractive answerer that scores the evidence, and
the model's answerer (if any) that writes sections. The one path of the CLI and the app."""

from __future__ import annotations

from collections.abc import Callable

from assistant.answerer import Answerer
from assistant.briefing import Briefing, build_briefing
from assistant.extractive import ExtractiveAnswerer
from assistant.generative import GenerativeAnswerer
from assistant.llm import ChatModel
from index.collection import Collection
from index.types import SearchFilter

STEPS = 5  # progress callbacks build_briefing makes; one more when a model writes sections
# a briefing gathers more than an answer quotes: its evidence bar sits this much lower
RELEVANCE_SLACK = 0.07


def steps(writer: Answerer | None) -> int:
    """How many times ``make_briefing`` calls ``progress``: the total for a progress bar."""
    return STEPS + (writer is not None)


def make_briefing(
    collection: Collection,
    topic: str,
    extractive: ExtractiveAnswerer,
    writer: Answerer | None = None,
    filters: SearchFilter | None = None,
    progress: Callable[[str], None] | None = None,
) -> Briefing:
    """A cited briefing on ``topic`` from ``collection`` (``filters`` narrow it): every point
    quoted by ``extractive``; with a ``writer``, its model names the themes and rewrites
    each section."""
    return build_briefing(
        collection, topic, filters=filters, answerer=extractive,
        writer=None if writer is None else writer.answer, namer=_model(writer),
        min_relevance=max(0.0, extractive.min_score - RELEVANCE_SLACK), progress=progress,
    )  # fmt: skip


def _model(writer: Answerer | None) -> ChatModel | None:
    """The model that names the themes: one that writes answers. SmolLM2 behind the local
    backend's phrasing answerer is not asked: in two demo briefings it named none of 13
    themes, nor in 19 requests with other prompts (sentences, invented companies: "The
    company I'm referring to is called EliteX"), at about 11 s a name, 90 s a briefing."""
    return writer.model if isinstance(writer, GenerativeAnswerer) else None
