"""Yes or no, inferred from the cited sentences only where a stated rule settles it.

Words are compared as search compares them (lower case, stemmed, stop words left out); a
sentence is *negated* when it holds "not", "never", "no", "n't", "neither" or "nor". A
sentence speaks *about* a subject when the subject's words are in it or in its document's
title.

1. **One statement** ("Is X a Y?", "Did X do Y?"): **Yes** when one cited sentence holds
   every number, ordinal and name of the question (a name by its last word: "Ford" for
   "Gerald Ford"; a sentence opening with "He", "She", "It" or "They" stands for the name
   the question opens with) and its other content words (all but one when there are five or
   more; light words such as "have", "get", "ever" do not count), with no negation bearing
   on them (a "not", "never" … within three words before one of the question's words);
   **No** when such a sentence is negated,
   (a bracketed aside in the question is not checked; an irregular past form counts as its
   verb, "won" as "win"; the first names of a name need not be written, "Ford" stands for
   "Gerald Ford"),
   or when it holds everything but one name or number and names something else in its
   place ("signed with the Ukraine?" / "signed with the Soviet Union"; "eighth richest?" /
   "ninth richest"). A question that is itself negated ("Did … not …?") is left alone.
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
from assistant.question_type import last_sentence
from assistant.span_scoring import about, sentence_stems, stems

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
    q = last_sentence(q)  # "X has an OBE. Does Y …": the ask
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
    rest = _TRUE_THAT.sub("", re.sub(rf"^{_AUX}\s+", "", q, flags=re.I))
    rest = _ASIDE.sub(" ", rest)  # "Is the leopard (panthera pardus) a …": an aside
    terms = {_IRREGULAR.get(t, t) for t in stems(rest)} - _LIGHT - _given_names(rest)
    named = _named(rest)
    if not terms:
        return None
    subject = _subject(rest)
    for sentence in sentences:
        words = {_IRREGULAR.get(t, t) for t in sentence_stems(sentence)}
        if _PRONOUN_START.match(sentence.text):
            words |= subject  # "He represented …" about the question's subject
        if not _enough(terms - named, words):
            continue
        if named <= words:
            return _verdict(not _negated(sentence.text, terms), sentence)
        if _other_value(rest, named - words, sentence.text):
            return _verdict(False, sentence)
    return None


# a bracketed aside, also as the "-LRB- … -RRB-" escapes of tokenised text
_ASIDE = re.compile(r"\([^()]*\)|-LRB-.*?-RRB-")
# irregular past forms, as search stems them, mapped to their verb's stem: "won" states "win"
_IRREGULAR = {
    "won": "win",
    "becam": "becom",
    "began": "begin",
    "wrote": "write",
    "written": "write",
    "lost": "lose",
    "led": "lead",
    "ran": "run",
    "met": "meet",
    "held": "hold",
    "sent": "send",
    "gave": "give",
    "given": "give",
    "took": "take",
    "taken": "take",
    "grew": "grow",
    "grown": "grow",
    "built": "build",
    "chose": "choos",
    "chosen": "choos",
    "fought": "fight",
    "taught": "teach",
    "sold": "sell",
    "told": "tell",
    "came": "come",
    "went": "go",
    "gone": "go",
    "saw": "see",
    "seen": "see",
    "knew": "know",
    "known": "know",
}


def _given_names(rest: str) -> set[str]:
    """The words of a name before its last ("Gerald" of "Gerald Ford"): a sentence names
    the person by the last word, which ``_named`` requires instead."""
    out: set[str] = set()
    for m in re.finditer(r"[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)+", rest):
        for word in m.group().split()[:-1]:
            out |= stems(word)
    return out


_TRUE_THAT = re.compile(r"^(?:it\s+)?true\s+that\s+", re.I)
_PRONOUN_START = re.compile(r"^(?:He|She|It|They)\b")
# light verbs and adverbs: "Did Wilson have any siblings?" asks about siblings
_LIGHT = frozenset(
    {"have", "has", "had", "get", "got", "do", "ever", "ani", "also", "realli", "still"}
    | {"made", "make", "been", "veri"}
)


def _subject(rest: str) -> set[str]:
    """The stems of the name a yes/no question opens with ("Gerald Ford" in "Was Gerald
    Ford a member …"), of which the last word stands for all ("Ford was …")."""
    m = re.match(r"([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)", rest)
    return stems(m.group(1)) if m else set()


def _enough(terms: set[str], words: set[str]) -> bool:
    """Every plain content word, or all but one when there are five or more."""
    return len(terms - words) <= (1 if len(terms) >= 5 else 0)


_ORDINALS = re.compile(
    r"^(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)$"
)


def _named(text: str) -> set[str]:
    """Stems of the words a yes must not do without: numbers, ordinals and the last word of
    each name ("Ford" of "Gerald Ford": sentences often name a person by it alone)."""
    out = set()
    for m in re.finditer(r"[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*|[\w'-]+", text):
        last = m.group().split()[-1]
        if last[0].isupper() or last[0].isdigit() or _ORDINALS.match(last.lower()):
            out |= stems(last)
    return out


def _negated(text: str, terms: set[str]) -> bool:
    """A negation that bears on the question: within three words before one of its words
    ("did not join the League"), not one elsewhere in the sentence ("… but it cannot trot")."""
    words = spans.content_words(text)
    for m in _NEGATION.finditer(text):
        after = [st for s, _, st in words if s >= m.end()][:3]
        if terms & set(after):
            return True
    return False


def _other_value(question: str, missing: set[str], text: str) -> bool:
    """The sentence names something else where the question names its value: "with the
    Ukraine" asked, "with the Soviet Union" stated; "eighth richest" asked, "ninth richest"
    stated. Only for a single missing name or number."""
    if len(missing) != 1:
        return False
    (stem,) = missing
    for m in re.finditer(r"([\w'-]+)\s+(?:the\s+|a\s+|an\s+)?([\w'-]+)", question):
        if stems(m.group(2)) != {stem}:
            continue
        cue = re.escape(m.group(1))
        said = re.search(
            rf"\b{cue}\s+(?:the\s+|a\s+|an\s+)?([A-Z][\w'-]*|\d[\d,.]*|\w+(?:st|nd|rd|th))\b",
            text,
            re.I,
        )
        if said and _named(" " + said.group(1)) and stem not in stems(said.group(1)):
            return True
    return False


def _both(
    subjects: tuple[str, str], predicate: str, sentences: Sequence[Sentence]
) -> ShortAnswer | None:
    z = stems(predicate)
    if not z:
        return None
    found: list[Sentence] = []
    for subject in subjects:
        about_it = [s for s in sentences if about(s, stems(subject))]
        holds = [s for s in about_it if z <= stems(s.text)]
        for s in about_it:
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
        subject_stems = stems(subject)
        found = next(
            (
                (v, s)
                for s in sentences
                if about(s, subject_stems) and (v := _value(s.text, attr, subject))
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
