"""Deterministic follow-up rewriting: "When was it signed?" → "When was the order on AI signed?".

No language model. A follow-up leans on earlier turns: a pronoun (it, they, its…), a deictic
(that, this, there, then; not "is there", "the memo that…", "this year"), an opener ("and…",
"what about…") or no content word at all ("why?"). It is completed with the salient noun
phrases of earlier turns: 1. a pronoun becomes the main subject ("its X": "the X of <subject>");
2. "that <noun>" becomes an earlier phrase holding the noun; 3. "what about X?" reuses the
previous question with X in place of its phrase most like X; 4. else "… regarding <subjects>".

A noun phrase is a run of content words (not function words or common verbs), joined across
"of/on/for/in", with its leading "the/a/an"; length, capitals, acronyms and quotes make it more
salient. Pass earlier questions as *rewritten*, so each rewrite carries the subject forward.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.rewrite_words import (
    AUX,
    BE,
    CLAUSE_JOIN,
    CLAUSE_START,
    CONNECTORS,
    DEICTIC,
    DETERMINERS,
    PERSONAL,
    POSSESSIVE,
    STOP,
    TIME_WORDS,
    VERBS,
)

_TOKEN = re.compile(r"[A-Za-z0-9][\w'’.&-]*[A-Za-z0-9]|[A-Za-z0-9]|[^\w\s]")
_WHAT_ABOUT = re.compile(r"^(?:what|how)\s+about\s+(.+?)\s*[?.!]*$", re.IGNORECASE)
_OPENER = re.compile(r"^(?:(?:and|also|but|so|plus)\b[\s,]*)+", re.IGNORECASE)
_QUOTED = re.compile(r"[\"“]([^\"”]{3,100})[\"”]")


@dataclass(frozen=True)
class Tok:
    text: str
    low: str
    start: int
    end: int


@dataclass(frozen=True)
class Phrase:
    text: str
    start: int  # character offsets into the question it came from
    end: int
    words: frozenset[str]  # lowercased content words
    score: int
    named: bool  # holds a capitalised word or acronym: a name, a person, an organisation
    plural: bool  # its head noun ends in -s: what "they" and "them" point at


def _tokens(text: str) -> list[Tok]:
    return [Tok(m[0], m[0].lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _is_verb(w: str) -> bool:
    forms = {w, w[:-1], w[:-2], w[:-3], w[:-3] + "e"}  # requires, required, directed, requiring
    return bool(forms & VERBS)


def _is_content(w: str) -> bool:
    return w[:1].isalnum() and w not in STOP and not _is_verb(w)


def _is_deictic(low: list[str], i: int) -> bool:
    w, prev = low[i], low[i - 1] if i else ""
    nxt = low[i + 1] if i + 1 < len(low) else ""
    if w == "there":
        return prev not in BE and nxt not in BE  # "is there a deadline?" is existential
    # "this year" points at the calendar; "the memo that…", "said that…" relate, not point
    relative = w == "that" and prev not in STOP and (_is_content(prev) or _is_verb(prev))
    return nxt not in TIME_WORDS and not relative


def _points_back_inside(question: str, toks: list[Tok], i: int) -> bool:
    """Whether the pronoun at ``i`` needs no earlier turn: it sits in a second question ("…and
    what is its budget?") after a first that names something it can point at."""
    low = [t.low for t in toks]
    cut = next((b for b in range(i - 1, 0, -1)
                if low[b - 1] in CLAUSE_JOIN and low[b] in CLAUSE_START), 0)  # fmt: skip
    if not cut:
        return False  # "What did OMB say about it?": "it" is not OMB
    return bool(phrases(question[: toks[cut - 1].start]))


def is_followup(question: str) -> bool:
    """True when the question leans on earlier turns to be understood."""
    toks = _tokens(question)
    low = [t.low for t in toks]
    if _OPENER.match(question.strip()) or _WHAT_ABOUT.match(question.strip()):
        return True
    for i, w in enumerate(low):
        leans = w in PERSONAL or w in POSSESSIVE or (w in DEICTIC and _is_deictic(low, i))
        if leans and not _points_back_inside(question, toks, i):
            return True
    words = [w for w in low if w[0].isalnum()]
    return 0 < len(words) <= 5 and not any(_is_content(w) for w in words)  # "why?", "what else?"


def _phrase(text: str, toks: list[Tok], bonus: int = 0) -> Phrase:
    lead = len(text) - len(text.lstrip(' "“'))
    words = [t for t in toks if _is_content(t.low)]
    # a capital counts unless it only marks the question's first word ("Which companies…")
    named = any(t.text.isupper() or (t.text[0].isupper() and t.start > lead) for t in words)
    cut = next((k for k, t in enumerate(toks) if t.low in CONNECTORS), len(toks))
    head = next((t.text for t in reversed(toks[:cut]) if _is_content(t.low)), "")  # "order on AI"
    plural = head.endswith("s") and not head.endswith(("ss", "'s", "’s")) and not head.isupper()
    start, end = toks[0].start, toks[-1].end
    return Phrase(
        text[start:end], start, end, frozenset(t.low for t in words),
        len(words) + 2 * named + bonus, named, plural,
    )  # fmt: skip


def _bare_verbs(toks: list[Tok], ok: list[bool]) -> None:
    """Unmark the bare verb after "did"/"must": the last word of the run that follows ("did
    OMB issue to…", "must AI developers meet?", "must appoint a…"), unless a listed verb or a
    connector ends the run ("did the order direct…", "did the order on AI require…").
    """
    for a, t in enumerate(toks[:-1]):
        if t.low in AUX:
            i = j = a + 1 + (toks[a + 1].low in DETERMINERS)
            while j < len(toks) and ok[j]:
                j += 1
            after = toks[j].low if j < len(toks) else ""
            verb_next = j - i >= 2 or (j - i == 1 and after in DETERMINERS)
            if verb_next and after not in CONNECTORS and not _is_verb(after):
                ok[j - 1] = False


def _verbal(toks: list[Tok], ok: list[bool], i: int) -> bool:
    """An -ed/-ing verb ("…on AI signed?", "firms signed pledges"), not "the proposed rule"."""
    t = toks[i]
    last = i + 1 == len(toks) or not ok[i + 1]
    if t.text[0].isupper() or not t.low.endswith(("ed", "ing")) or len(t.low) < 5:
        return False
    return last or (t.low.endswith("ed") and i > 0 and ok[i - 1])


def _joins(toks: list[Tok], ok: list[bool], j: int, tail: bool) -> int:
    """Where the phrase ending at ``j`` goes on (a token index), or 0 when it ends there."""
    k = j + 1
    if k < len(toks) and toks[k].low in CONNECTORS:  # "order on [the] use of AI"
        k += 1 + (k + 1 < len(toks) and toks[k + 1].low in DETERMINERS)
    elif k + 1 < len(toks) and toks[k].low in {",", "and", "or"}:
        # a list inside a connector tail ("on safe, secure and trustworthy AI") or between
        # names ("CHIPS and Science Act"); elsewhere "OMB and NIST" are two phrases
        k += 1 + (toks[k].low == "," and toks[k + 1].low in {"and", "or"})
        named = toks[j].text[0].isupper() and k < len(toks) and toks[k].text[0].isupper()
        if not (tail or named):
            return 0
    return k if k < len(toks) and ok[k] else 0


def phrases(text: str) -> list[Phrase]:
    """The noun phrases of a question, in order of appearance."""
    toks = _tokens(text)
    ok = [_is_content(t.low) for t in toks]
    _bare_verbs(toks, ok)
    ok = [o and not _verbal(toks, ok, i) for i, o in enumerate(ok)]
    out: list[Phrase] = []
    i = 0
    while i < len(toks):
        if not ok[i]:
            i += 1
            continue
        j, tail = i, False
        while k := _joins(toks, ok, j, tail):
            tail = tail or toks[j + 1].low in CONNECTORS
            j = k
        first = i - 1 if i and toks[i - 1].low in DETERMINERS else i
        out.append(_phrase(text, toks[first : j + 1]))
        i = j + 1
    for m in _QUOTED.finditer(text):  # a quoted title is one phrase, whatever its words
        inner = [t for t in toks if m.start() <= t.start and t.end <= m.end()]
        out.append(_phrase(text, inner, bonus=3))
    return out


def _context(history: Sequence[str]) -> list[Phrase]:
    """Distinct phrases of the latest turns back to the last that stood alone, newest first."""
    found: list[Phrase] = []
    for q in reversed(history):
        mine: list[Phrase] = []
        for p in sorted(phrases(q), key=lambda p: -p.score):  # the fullest phrase wins
            if p.words and not any(p.words <= f.words for f in found + mine):
                mine.append(p)
        found += sorted(mine, key=lambda p: p.start)
        if not is_followup(q):
            break
    return found


def _say(p: Phrase) -> str:
    """A phrase fit for mid-sentence: a leading determiner lower-cased ("The order" → "the…")."""
    head, _, rest = p.text.partition(" ")
    return f"{head.lower()} {rest}" if rest and head.lower() in DETERMINERS else p.text


def _substitute_pronoun(q: str, subjects: list[Phrase]) -> str | None:
    toks = _tokens(q)
    for i, t in enumerate(toks):
        nxt = toks[i + 1].low if i + 1 < len(toks) else ""
        possessive = t.low in POSSESSIVE and (t.low in {"its", "their"} or _is_content(nxt))
        if not possessive and t.low not in PERSONAL | {"her"}:
            continue
        if t.low in {"he", "she", "him", "his", "her"}:  # "he" is Biden, not the order
            fit = [p for p in subjects if p.named]
        else:  # "they" are the agencies, "it" is the order
            fit = [p for p in subjects if p.plural == (t.low in {"they", "them", "their"})]
        subject = _say(max(fit or subjects, key=lambda p: p.score))
        j = i + 1
        while possessive and j < len(toks) and _is_content(toks[j].low):
            j += 1  # "its main requirements" → "the main requirements of <subject>"
        if j == i + 1:
            return q[: t.start] + subject + q[t.end :]
        noun = q[toks[i + 1].start : toks[j - 1].end]
        return q[: t.start] + f"the {noun} of {subject}" + q[toks[j - 1].end :]
    return None


def _substitute_deictic_noun(q: str, subjects: list[Phrase]) -> str | None:
    toks = _tokens(q)
    for t, n in itertools.pairwise(toks):
        if t.low in {"this", "that", "these", "those"} and _is_content(n.low):
            for p in subjects:
                if n.low in p.words or n.low.rstrip("s") in p.words:
                    return q[: t.start] + _say(p) + q[n.end :]
    return None


def _what_about(q: str, history: Sequence[str]) -> str | None:
    """After "When was Y signed?", "What about X?" becomes "When was X signed?"."""
    m = _WHAT_ABOUT.match(q)
    # the latest question with a frame worth reusing: not an appended "Why, regarding Y?"
    stems = ((f, re.split(r",? regarding ", f)[0]) for f in map(_strip_opener, reversed(history)))
    frame = next((f for f, s in stems if any(_is_content(t.low) for t in _tokens(s))), "")
    if not m or not (targets := phrases(frame)):
        return None
    n = len(_tokens(m[1]))  # put X in place of the phrase most like it in length
    t = min(targets, key=lambda p: (abs(len(p.words) - n), -p.score))
    return frame[: t.start] + m[1] + frame[t.end :]


def _append(q: str, subjects: list[Phrase]) -> str:
    toks = _tokens(q)
    salient = [p for p in subjects if p.score >= 2][:3] or subjects[:1]  # not a lone "agencies"
    missing = [_say(p) for p in salient if not p.words <= {t.low for t in toks}]
    if not missing:
        return q
    last = ([t.low for t in toks if t.low[0].isalnum()] or [""])[-1]
    glue = ", regarding " if last in STOP else " regarding "  # "When was that, regarding…"
    glue = " about " if last in {"more", "else"} else glue  # "Tell me more about…"
    listed = ", ".join(missing[:-1]) + " and " * (len(missing) > 1) + missing[-1]
    return q.rstrip(" ?.!") + glue + listed + "?"


def _strip_opener(q: str) -> str:
    return _OPENER.sub("", q) or q  # "and what did OMB require?" → "what did OMB require?"


def rewrite_followup(question: str, history: Sequence[str]) -> str | None:
    """A standalone ``question`` given earlier ``history`` (oldest first, best as rewritten);
    None when the question already stands alone or nothing earlier can complete it."""
    q = " ".join(question.split())
    if not q or not history or not is_followup(q):
        return None
    subjects = _context(history)
    if not subjects:
        return None
    body = _strip_opener(q)
    out = (
        _substitute_pronoun(body, subjects)
        or _substitute_deictic_noun(body, subjects)
        or _what_about(body, history)
        or _append(body, subjects)
    )
    out = " ".join(out.split()).rstrip(" ?.!,")
    return out[:1].upper() + out[1:] + (q[-1] if q[-1] in "?.!" else "?")
