"""A model rewrites a briefing's summary and themes from their own evidence, and may name
the themes; every sentence it writes keeps only the citations that map back to the briefing
and passes the same check as chat answers, and a name it proposes is kept only if it could
be one of the theme's own phrases (briefing_themes.checked_name). When the model fails, the
quoted points and the names taken from the evidence stand, and the briefing says why."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from assistant import prompts
from assistant.briefing_parts import Point
from assistant.briefing_themes import checked_name
from assistant.llm import ChatModel
from assistant.types import EXTRACTIVE, Answer, Citation
from corpus.errors import BackendError
from corpus.text import clip
from index.types import Hit

if TYPE_CHECKING:
    from assistant.briefing import Briefing

MAX_NAME_CHARS = 60  # a name is a few words; more is a small model running on
NAME_POINTS = 4  # the theme's weightiest points say what it is about; more only cost time


def written(
    brief: Briefing,
    topic: str,
    hits: Sequence[Hit],
    writer: Callable[..., Answer],
    namer: ChatModel | None = None,
) -> Briefing:
    """The model (``namer``) names the themes from their cited points, then ``writer``
    rewrites the summary and each theme from that section's evidence."""
    by_n = {c.n: c for c in brief.citations}
    notes = list(brief.notes)
    names, named = [t.name for t in brief.themes], 0
    if namer is not None and brief.themes:
        names, named, note = theme_names(brief, topic, namer)
        notes += [note] if note else []
    count = [0]  # sections the model wrote (the rest keep their quoted points)

    def section(instruction: str, points: Sequence[Point]) -> tuple[Point, ...]:
        pairs = [(by_n[n], _as_hit(by_n[n], hits)) for p in points for n in p.citations]
        cited = [c for c, h in pairs if h is not None]
        answer = writer(instruction, [h for _, h in pairs if h is not None])
        if answer.fell_back or not answer.answered:
            if answer.note and answer.note not in notes:
                notes.append(answer.note)
            return tuple(points)  # the quoted points stand
        count[0] += 1
        return _from_answer(answer, cited)

    summary = section(f"Summarise the key points about {topic} in 3 to 5 sentences.", brief.summary)
    themes = tuple(
        replace(t, name=name,
                points=section(f"Explain '{name}' as it relates to {topic}.", t.points))
        for t, name in zip(brief.themes, names, strict=True)
    )  # fmt: skip
    done = [f"{count[0]} of {1 + len(brief.themes)} sections"] if count[0] else []
    done += [f"{named} of {len(brief.themes)} theme names"] if named else []
    backend = f"model ({', '.join(done)})" if done else EXTRACTIVE
    return replace(brief, summary=summary, themes=themes, notes=tuple(notes), backend=backend)


def theme_names(brief: Briefing, topic: str, model: ChatModel) -> tuple[list[str], int, str]:
    """(each theme's name: the model's where it passes the check, else the phrase taken from
    the evidence; how many the model named; a note on the names not kept, or "")."""
    by_n = {c.n: c for c in brief.citations}
    evidence = [
        [text for p in t.points for text in (p.text, *(by_n[n].text for n in p.citations))]
        for t in brief.themes
    ]
    names = [t.name for t in brief.themes]
    kept, refused = 0, []
    for k, theme in enumerate(brief.themes):
        messages = prompts.theme_name_messages(topic, [p.text for p in theme.points[:NAME_POINTS]])
        try:
            proposed = _reply(model, messages)
        except BackendError as err:
            return names, kept, f"the model named no more themes ({err})"
        others = [text for j, e in enumerate(evidence) if j != k for text in e]
        taken = {n.lower() for j, n in enumerate(names) if j != k}
        name = checked_name(proposed, evidence[k], others, topic, taken)
        if isinstance(name, str):
            kept += name != theme.name
            names[k] = name
        else:
            refused.append(f"“{clip(proposed, MAX_NAME_CHARS)}” for “{theme.name}” ({name[1]})")
    note = (
        f"theme names kept from the evidence where the model's was not a name of the theme's "
        f"own words: {'; '.join(refused)}"
    )
    return names, kept, note if refused else ""


def _reply(model: ChatModel, messages: list[dict[str, str]]) -> str:
    """The model's reply up to its first line break: a name is one short line, and what
    follows it is not read (nor, for a local model, generated)."""
    parts: list[str] = []
    for piece in model.stream(messages):
        parts.append(piece)
        text = "".join(parts)
        if len(text) > MAX_NAME_CHARS or "\n" in text.strip():
            break
    return "".join(parts)


def _as_hit(c: Citation, hits: Sequence[Hit]) -> Hit | None:
    """A hit whose chunk is exactly the cited span, so the model's [n] maps back to it."""
    for h in hits:
        if h.chunk.doc_id == c.doc_id and h.chunk.start <= c.start < h.chunk.end:
            chunk = replace(h.chunk, text=c.text, start=c.start, end=c.end)
            return replace(h, chunk=chunk)
    for h in hits:  # a sentence read outside the retrieved passages (a document's opening)
        if h.chunk.doc_id == c.doc_id:
            chunk = replace(h.chunk, text=c.text, start=c.start, end=c.end, page=c.page)
            return replace(h, chunk=chunk)
    return None


def _from_answer(answer: Answer, cited: Sequence[Citation]) -> tuple[Point, ...]:
    """Model sentences, their [k] (local numbering) mapped back to the briefing's numbers."""
    local = {k: c.n for k, c in enumerate(cited, 1)}
    return tuple(
        Point(s.text, tuple(local[k] for k in s.citations if k in local), None, s.supported,
              s.support)
        for s in answer.sentences
        if any(k in local for k in s.citations)
    )  # fmt: skip
