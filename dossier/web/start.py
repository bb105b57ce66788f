"""Start here: the first view of the chat describes the collection (documents, date range,
main topics) and offers a few questions that Dossier can answer from it.

Topics are the word pairs and triples (no stop words) that most documents share in their
titles and openings, without those in nearly every document. Each topic becomes a candidate
question, "What do the documents say about <topic>?", and a candidate is offered only when
the extractive answerer answers it from the collection with a supported citation. The result
is cached per collection and catalog generation: a page load after an ingest sees new ones.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from assistant.service import Assistant
from assistant.types import EXTRACTIVE
from index.catalog import DocumentInfo
from index.collection import Collection

if TYPE_CHECKING:
    from dossier.web.engine import Engine

log = logging.getLogger("dossier.ui")

MAX_TOPICS, MAX_SUGGESTIONS, CANDIDATES = 6, 5, 10
OPENING_CHARS = 1500
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’.-]*[A-Za-z0-9]|[A-Za-z]")
_BREAK = re.compile(r"(?<![A-Z])[.,;:!?()\[\]{}\"“”‘’|/\n—–]+")
_STOP_WORDS = """\
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is
it its itself just me more most my myself no nor not now of off on once only or other our
ours out over own same she should so some such than that the their theirs them then there
these they this those through to too under until up very was we were what when where which
while who whom why will with would you your new today said says also one two three first
last year years many much may must per via us mr ms dr remarks statement fact sheet press
release
"""
_STOP = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True)
class Start:
    documents: int
    chunks: int
    first_date: str | None
    last_date: str | None
    topics: tuple[str, ...]
    questions: tuple[str, ...]


def topics(texts: Sequence[str], limit: int = MAX_TOPICS) -> list[str]:
    """The phrases most documents share (by document count), in their commonest spelling."""
    df: Counter[str] = Counter()
    spelled: dict[str, Counter[str]] = {}
    for text in texts:
        seen = set()
        for gram in _grams(text):
            low = [w.lower() for w in gram]
            if low[0] in _STOP or low[-1] in _STOP or sum(w in _STOP for w in low) > 1:
                continue
            key = " ".join(low)
            spelled.setdefault(key, Counter())[" ".join(gram)] += 1
            seen.add(key)
        df.update(seen)
    ceiling = max(2, len(texts) // 2)  # in most documents: says nothing about any
    ranked = sorted((k for k, c in df.items() if 2 <= c <= ceiling),
                    key=lambda k: (-_weight(df[k], len(texts), k), k))  # fmt: skip
    chosen: list[str] = []
    for key in ranked:
        if any(set(key.split()) & set(c.split()) for c in chosen):
            continue  # "action plan" after "ai action plan": one phrase per subject
        chosen.append(key)
        if len(chosen) == limit:
            break
    return [spelled[k].most_common(1)[0][0] for k in chosen]


def _weight(df: int, n: int, key: str) -> float:
    """Shared by many documents but not by most (df·log(n/df)); a triple a little more."""
    return df * math.log(n / df) * (1 + 0.3 * key.count(" "))


def _grams(text: str) -> list[list[str]]:
    """Word pairs and triples that no punctuation or line break separates."""
    out = []
    for part in _BREAK.split(text):
        words = _WORD.findall(part)
        out += [words[i : i + n] for n in (2, 3) for i in range(len(words) - n + 1)]
    return out


def answerable(helper: Assistant, question: str) -> bool:
    """Does the extractive answerer answer it with at least one supported sentence?"""
    answer = helper.ask(question)
    return answer.answered and any(s.supported and s.citations for s in answer.sentences)


class StartCache:
    """One ``Start`` per collection, made once per catalog generation, shared by pages (an
    older generation's is replaced, not kept)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._made: dict[str, tuple[int, Start]] = {}

    def get(self, name: str, coll: Collection, helper: Assistant) -> Start:
        generation = coll.catalog.generation
        with self._lock:
            made = self._made.get(name)
            if made is None or made[0] != generation:
                made = self._made[name] = (generation, make_start(coll, helper))
            return made[1]


def make_start(coll: Collection, helper: Assistant) -> Start:
    docs = coll.documents()
    texts = []
    for d in docs:
        full = coll.catalog.document(d.doc_id)
        texts.append(f"{d.title}\n{full.text[:OPENING_CHARS] if full else ''}")
    found = topics(texts, MAX_TOPICS * 2)
    questions = []
    for topic in found[:CANDIDATES]:
        q = f"What do the documents say about {topic}?"
        if answerable(helper, q):
            questions.append(q)
        if len(questions) == MAX_SUGGESTIONS:
            break
    return _counted(docs, tuple(found[:MAX_TOPICS]), tuple(questions))


def _counted(docs: Sequence[DocumentInfo], found: tuple[str, ...] = (),
             questions: tuple[str, ...] = ()) -> Start:  # fmt: skip
    """A Start with the documents counted and dated."""
    dates = sorted(d.date for d in docs if d.date)
    return Start(len(docs), sum(d.n_chunks for d in docs), dates[0] if dates else None,
                 dates[-1] if dates else None, found, questions)  # fmt: skip


def describe_html(name: str, docs: Sequence[DocumentInfo]) -> str:
    """The description before the suggestions are checked (fast: from the document list)."""
    if not docs:
        return str(Markup('<div class="start"><h2>{}</h2><p>No documents yet: add files in '
                          "the Library tab.</p></div>").format(name))  # fmt: skip
    return start_html(name, _counted(docs), checking=True)


def start_html(name: str, s: Start, checking: bool = False) -> str:
    span = (Markup(", dated {} to {}").format(s.first_date, s.last_date)
            if s.first_date else Markup(""))  # fmt: skip
    about = (Markup("<p><strong>Main topics:</strong> {}.</p>").format(", ".join(s.topics))
             if s.topics else Markup(""))  # fmt: skip
    if checking:
        offer = Markup('<p class="note">Finding questions this collection answers…</p>')
    elif s.questions:
        buttons = Markup("").join(
            Markup('<li><button type="button" class="suggest">{}</button></li>').format(q)
            for q in s.questions
        )
        offer = Markup('<p>Try one of these (each checked against the documents):</p>'
                       '<ul class="suggestions">{}</ul>').format(buttons)  # fmt: skip
    else:
        offer = Markup('<p class="note">Ask anything about these documents.</p>')
    return str(
        Markup(
            '<div class="start"><h2>Collection “{name}”</h2><p>{n} documents ({c} passages){span}.'
            "</p>{about}{offer}</div>"
        ).format(name=name, n=s.documents, c=s.chunks, span=span, about=about, offer=offer)
    )


def first_view(engine: Engine, coll: str) -> str:
    """The start view at once (the suggestions follow: see ``suggested``)."""
    return describe_html(coll, engine.documents(coll))


def suggested(engine: Engine, cache: StartCache, coll: str) -> str:
    """The start view with its checked questions (cached per catalog generation)."""
    docs = engine.documents(coll)
    if not docs:
        return describe_html(coll, docs)
    try:
        made = cache.get(coll, engine.collection(coll), engine.assistant(coll, EXTRACTIVE))
    except Exception as exc:  # the view stays usable: the description without suggestions
        log.warning("no suggested questions for %s: %s", coll, exc)
        made = _counted(docs)
    return start_html(coll, made)
