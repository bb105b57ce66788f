"""What a streamed answer yields: text as it is written, a reset on fallback, the result."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from assistant.types import Answer


@dataclass(frozen=True)
class Rewritten:
    """The standalone question a follow-up was rewritten into (shown to the user)."""

    question: str


@dataclass(frozen=True)
class Delta:
    """A piece of the answer text, as the model produced it."""

    text: str


@dataclass(frozen=True)
class Reset:
    """Discard the text streamed so far: a fallback answer follows, for this reason."""

    note: str


@dataclass(frozen=True)
class Done:
    """The final, checked answer (its text may differ from the streamed text)."""

    answer: Answer


Event = Rewritten | Delta | Reset | Done


def final(events: Iterable[Event]) -> Answer:
    """Run a stream to the end and return its answer."""
    return outcome(events)[0]


def outcome(events: Iterable[Event]) -> tuple[Answer, str | None]:
    """Run a stream to the end: (its answer, the rewritten question if there was one)."""
    rewritten = None
    for event in events:
        if isinstance(event, Rewritten):
            rewritten = event.question
        elif isinstance(event, Done):
            return event.answer, rewritten
    raise RuntimeError("the answer stream ended without an answer")
