"""Making a briefing with an Assistant: its collection, its extractive answerer to score
evidence, and its model (if any) to write sections. The one path of the CLI and the app."""

from __future__ import annotations

from collections.abc import Callable

from assistant.answerer import Answerer
from assistant.briefing import Briefing, build_briefing
from assistant.extractive import ExtractiveAnswerer
from assistant.service import Assistant
from assistant.types import Answer
from corpus.errors import UsageError
from index.types import SearchFilter

STEPS = 5  # progress callbacks build_briefing makes; one more when a model writes sections
# a briefing gathers more than an answer quotes: its evidence bar sits this much lower
RELEVANCE_SLACK = 0.07


def _extractive(answerer: Answerer) -> ExtractiveAnswerer:
    """The extractive answerer itself, or the one a model answerer falls back to."""
    found = getattr(answerer, "fallback", None) or answerer
    if not isinstance(found, ExtractiveAnswerer):
        raise UsageError(f"briefings need an extractive answerer; '{answerer.name}' has none")
    return found


def _writer(answerer: Answerer) -> Callable[..., Answer] | None:
    return None if answerer.name == "extractive" else answerer.answer


def steps(helper: Assistant) -> int:
    """How many times ``make_briefing`` calls ``progress``: the total for a progress bar."""
    return STEPS + (_writer(helper.answerer) is not None)


def make_briefing(
    helper: Assistant,
    topic: str,
    filters: SearchFilter | None = None,
    progress: Callable[[str], None] | None = None,
) -> Briefing:
    """A cited briefing on ``topic`` from ``helper``'s collection (``filters`` narrow it)."""
    extractive = _extractive(helper.answerer)
    return build_briefing(
        helper.collection, topic, filters=filters, answerer=extractive,
        writer=_writer(helper.answerer),
        min_relevance=max(0.0, extractive.min_score - RELEVANCE_SLACK), progress=progress,
    )  # fmt: skip
