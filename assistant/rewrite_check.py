"""Whether a model's rewrite of a follow-up may be searched: the model may only resolve what
the question leaves to earlier turns, never change, answer or add to it.

A rewrite is kept when it (1) keeps every content word of the question, (2) adds no content
word that the earlier turns (their questions and answers) do not contain, and (3) is still
the same kind of question: its question word ("who", "when"…) and its question mark stay.
"Searched as: The Chief AI Officer of the Federal Government is the President of the United
States" fails all three. Words are compared lower-cased, without a possessive "'s" or a
plural "s" ("agencies'" and "agency" differ, "orders" and "order" do not).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.rewrite_words import STOP

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
QUESTION_WORDS = frozenset({"who", "whom", "whose", "what", "when", "where", "which", "why", "how"})


def _key(word: str) -> str:
    w = re.sub(r"['’]\w*$", "", word.lower())  # "Biden's" -> "biden"
    return w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w


def content_words(text: str) -> set[str]:
    """The words that carry meaning: not function words, compared by ``_key``."""
    return {_key(w) for w in _WORD.findall(text) if w.lower() not in STOP}


def _question_word(text: str) -> str | None:
    return next((w for w in (w.lower() for w in _WORD.findall(text)) if w in QUESTION_WORDS),
                None)  # fmt: skip


def faithful(question: str, rewrite: str, earlier: Iterable[str]) -> bool:
    """Whether ``rewrite`` says ``question`` with only what ``earlier`` turns supply."""
    asked = content_words(question)
    said = content_words(rewrite)
    if not asked <= said:
        return False  # a word of the user's own question was dropped or changed
    known = asked | set().union(*(content_words(t) for t in earlier))
    if not said <= known:
        return False  # an invented word: a claim, a guess, an answer
    wh = _question_word(question)
    if wh is not None and wh not in {w.lower() for w in _WORD.findall(rewrite)}:
        return False
    return not question.rstrip().endswith("?") or rewrite.rstrip().endswith("?")
