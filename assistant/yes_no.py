"""Yes or no, inferred from the cited sentences only where a stated rule settles it.

Words are compared as search compares them (lower case, stemmed, stop words left out); a
sentence is *negated* when it holds "not", "never", "no", "n't", "neither" or "nor". A
sentence speaks *about* a subject when the subject's words are in it or in its document's
title.

1. **One statement** ("Is X a Y?", "Did X do Y?"): **Yes** when one cited sentence holds
   every content word of the question (all but one when the question has six or more) and
   is not negated; **No** when such a sentence is negated. A question that is itself
   negated ("Did … not …?") is left alone.
2. **Two subjects, one predicate** ("Are X and Y both Z?", "Are both X and Y Z?"): **Yes**
   when, for each subject, a cited sentence about it holds every content word of Z and is
   not negated; **No** when a cited sentence about one of them is negated for Z, or names Z's
   noun with a different capitalised qualifier than Z's ("an American director" asked, "a
   Hungarian director" stated).
3. **The same attribute** ("Are X and Y in the same state?", "… members of the same
   band?"): each subject's value is the capitalised name next to the attribute noun in a
   cited sentence about it ("Jiangsu province", "the band Alphaville"), else the last name
   after "in"; **Yes** when the two values are equal, **No** when both are found and differ.

Anything else gets no yes/no: the evidence is shown without one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant import answer_spans as spans

if TYPE_CHECKING:
    from assistant.short_answer import Sentence, ShortAnswer

_NEGATION = re.compile(r"\b(?:not|never|no|neither|nor|none|cannot)\b|n't\b", re.I)
_AUX = r"(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would)"
_BOTH = (
    re.compile(rf"^{_AUX}\s+both\s+(?:\w+,\s+)?(?P<x>.+?)\s+and\s+(?P<y>.+?),?\s+(?P<z>.+)$", re.I),
    re.compile(rf"^{_AUX}\s+(?P<x>.+?)\s+and\s+(?P<y>.+?)\s+both\s+(?P<z>.+)$", re.I),
)
_SAME = re.compile(
    rf"^{_AUX}\s+(?:both\s+)?(?P<x>.+?)\s+and\s+(?P<y>.+?)\s+(?P<rel>.*?)\b(?:the\s+)?same\s+"
    r"(?P<attr>\w+)",
    re.I,
)


def yes_no(question: str, sentences: Sequence[Sentence]) -> ShortAnswer | None:
    q = " ".join(question.strip().rstrip("?").split())
    q = re.split(r"(?<=\w{2}[.;])\s+(?=[A-Z])", q)[-1]  # "X has an OBE. Does Y …": the ask
    if _NEGATION.search(q):
        return None
    same = _SAME.match(q)
    if same:
        return _same(same.group("x"), same.group("y"), same.group("attr"), sentences)
    for form in _BOTH:
        m = form.match(q)
        if m:
            return _both((m.group("x"), m.group("y")), m.group("z"), sentences)
    return _statement(q, sentences)


def _stems(text: str) -> set[str]:
    return {s for _, _, s in spans.content_words(text)}


def _about(sentence: Sentence, subject: set[str]) -> bool:
    words = _stems(sentence.text) | _stems(getattr(sentence, "title", "") or "")
    return bool(subject) and subject <= words


def _verdict(yes: bool, sentence: Sentence) -> ShortAnswer:
    from assistant.short_answer import ShortAnswer

    return ShortAnswer(
        "Yes" if yes else "No",
        sentence.n,
        sentence.start,
        sentence.end,
        "yesno",
        inferred=True,
        score=1.0,
    )


def _statement(q: str, sentences: Sequence[Sentence]) -> ShortAnswer | None:
    terms = _stems(re.sub(rf"^{_AUX}\s+", "", q, flags=re.I))
    if not terms:
        return None
    allowed_missing = 1 if len(terms) >= 6 else 0
    for sentence in sentences:
        words = _stems(sentence.text) | _stems(getattr(sentence, "title", "") or "")
        if len(terms - words) <= allowed_missing:
            return _verdict(not _NEGATION.search(sentence.text), sentence)
    return None


def _both(
    subjects: tuple[str, str], predicate: str, sentences: Sequence[Sentence]
) -> ShortAnswer | None:
    z = _stems(predicate)
    if not z:
        return None
    found: list[Sentence] = []
    for subject in subjects:
        about = [s for s in sentences if _about(s, _stems(subject))]
        holds = [s for s in about if z <= _stems(s.text)]
        for s in about:
            if (s in holds and _NEGATION.search(s.text)) or _other_qualifier(predicate, s.text):
                return _verdict(False, s)
        positive = [s for s in holds if not _NEGATION.search(s.text)]
        if not positive:
            return None
        found.append(positive[0])
    return _verdict(True, found[0])


def _other_qualifier(predicate: str, text: str) -> bool:
    """Z is "Qualifier noun(s)" with a capitalised qualifier; the sentence puts a different
    capitalised word right before the same noun ("American directors" / "Hungarian film
    director")."""
    m = re.match(r"([A-Z][\w-]+)\s+(?:\w+\s+)?(\w+)$", predicate.strip())
    if not m:
        return False
    qualifier, noun = m.group(1), spans.content_words(m.group(2))
    if not noun:
        return False
    for w in re.finditer(r"\b([A-Z][\w-]+)\s+(?:[a-z]+\s+)?(\w+)", text):
        said = spans.content_words(w.group(2))
        if said and said[0][2] == noun[0][2] and w.group(1) != qualifier:
            return w.group(1).lower() not in {"the", "a", "an", "he", "she", "it", "they"}
    return False


def _same(x: str, y: str, attr: str, sentences: Sequence[Sentence]) -> ShortAnswer | None:
    values: list[tuple[str, Sentence]] = []
    for subject in (x, y):
        stems = _stems(subject)
        found = next(
            (
                (v, s)
                for s in sentences
                if _about(s, stems) and (v := _value(s.text, attr, subject))
            ),
            None,
        )
        if found is None:
            return None
        values.append(found)
    (vx, sx), (vy, _) = values
    return _verdict(vx == vy, sx)


def _value(text: str, attr: str, subject: str) -> str:
    """The capitalised name beside the attribute noun ("Jiangsu province", "the band
    Alphaville"), else the last name after "in"; never a word of the subject."""
    noun = re.escape(attr.rstrip("s"))
    name = r"([A-Z][\w'-]+(?:\s[A-Z][\w'-]+)*)"
    skip = {w.lower() for w in subject.split()}
    for pattern in (rf"{name}\s+{noun}s?\b", rf"\b{noun}s?\s+{name}", rf"\bin\s+(?:the\s+)?{name}"):
        found = [v for v in re.findall(pattern, text) if v.split()[0].lower() not in skip]
        if found:
            return str(found[-1])
    return ""
