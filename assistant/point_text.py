"""How a briefing sentence reads: cleaned of markup, enumerators, labels and datelines, and
judged (a whole sentence, what it reports, whether it names its own subject)."""

from __future__ import annotations

import re

from assistant.extractive import readable

# a list marker or enumerator at the start of a sentence: "- ", "(iv) ", "b) ", "10.1. "
MARKER = re.compile(
    r"^(?:[-*•]\s+|\(?(?:[ivxlc]{1,6}|[a-zA-Z]|\d{1,3})\)\s+|\d{1,3}(?:\.\d{1,3})*\.\s+)"
)
_SECTION = re.compile(r"^(?:Sec(?:tion)?\.?\s*\d+[a-z]?\.\s+)")
_LABEL = re.compile(r"^[A-Z0-9][A-Z0-9 ,&'’/\-]{3,}:\s+(?=\S)")  # "PROMOTING AI ADOPTION: "
# a list item's bold name before its text: "**Exporting American AI:** The Commerce …"
_BOLD_LABEL = re.compile(r"^(\*\*|__)[^*_\n]{2,80}?(?::\1|\1:)\s+(?=\S)")
# a bold line of its own with no full stop is a heading the splitter left on the sentence
# after it ("**<u>Standing up for Workers</u>**  \nThe Executive Order directed …")
_BOLD_HEADING = re.compile(r"^(\*\*|__)[^\n]{2,120}?(?<![.!?])\1[ \t]*\n\s*(?=\S)")
_DATELINE = re.compile(r"^[A-Z][A-Z .,]{2,}\s+[—–-]+\s+(?=[A-Z])")  # "WASHINGTON, DC – "
_TERMINAL = re.compile(r"[.!?][\"'”’)\]]*$")
_ITEM_END = re.compile(r"[;,]\s*(?:and|or)?$|\s(?:and|or)$")
_BOILERPLATE = re.compile(
    r"\b(?:image follows|click(?: here)?|learn more|read more|view the|sign up|subscribe|"
    r"follow us|share this|contact us|all rights reserved|privacy policy|cookies?|"
    r"skip to|back to top|javascript|watch the|download the|print this)\b|###|\bhttps?:|www\.",
    re.I,
)
_STRAY_EMPHASIS = re.compile(r"(?<=\w)[*_]{1,2}(?=[\s,.;:!?]|$)")  # "the AI system*, unless"
# the fillers of a transcript: what someone said on a call is not a finding
_SPOKEN = re.compile(r"\b(?:you know|I think|I mean|kind of|sort of|um|uh|okay)\b|\?$", re.I)
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
# words that open a clause with its own subject: an item starting so stands alone
SUBJECT_START = frozenset(
    {
        *("the", "a", "an", "this", "these", "that", "those", "its", "their", "our", "his"),
        *("her", "each", "every", "all", "some", "many", "most", "it", "they", "we", "he"),
        *("she", "there", "in", "on", "by", "for", "as", "with", "under", "since", "when"),
        *("if", "while", "through", "from", "at", "after", "before", "during"),
    }
)
_FIGURE = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|"
                     r"thousand|million|billion)\b", re.I)  # fmt: skip
_REPORTS = re.compile(
    r"\b(?:requires?|required|directs?|directed|establish(?:es|ed)?|launch(?:es|ed)?|"
    r"sign(?:s|ed)|issu(?:es|ed)|announc(?:es|ed)|creat(?:es|ed)|commit(?:s|ted)?|must|shall|"
    r"will|revok(?:es|ed)|releas(?:es|ed)|award(?:s|ed))\b", re.I,
)  # fmt: skip
# a drafter's hedges: a sentence made of them is procedure, not a finding
_HEDGE = re.compile(
    r"\b(?:as appropriate|where appropriate|to the extent (?:appropriate|feasible|practicable|"
    r"permitted)|consistent with (?:applicable|relevant)|as necessary|as consistent with|"
    r"for the purposes? of this)\b", re.I,
)  # fmt: skip
_PERSONAL = re.compile(r"\b(?:I|I’m|I'm|we|We|we’re|We’re|our|Our|us|you|You|my|My)\b")
# "The Challenge shall", "The Task Force will": a short form of a name, then its verb (not
# "The Secretary of Labor shall"); "This effort", "These commitments", "It", "They"
_BACK = re.compile(
    r"^(?:(?:The|This|That|These|Those|Such)\s+(?:[A-Z][a-z]+\s+){1,2}(?!of\b|for\b|on\b)"
    r"[a-z]|(?:This|That|These|Those|Such)\s+[a-z]|(?:It|They|Its|Their)\b)"
)
MAX_WORDS = 90


def clean(raw: str) -> str:
    """Markup, enumerators, labels and datelines removed; an item's ';' made a full stop."""
    text = readable(_BOLD_LABEL.sub("", _BOLD_HEADING.sub("", MARKER.sub("", raw.lstrip()))))
    for _ in range(3):  # "- (a) …", "Sec. 4. (b) …"
        stripped = _DATELINE.sub("", _LABEL.sub("", _SECTION.sub("", MARKER.sub("", text))))
        if stripped == text:
            break
        text = stripped
    return _quoted(_ITEM_END.sub(".", _STRAY_EMPHASIS.sub("", text).strip()))


def _quoted(text: str) -> str:
    """A sentence of a longer quotation without the quotation's far end: its opening mark
    (first sentence) or its closing mark (last, before "said …") dropped, so it balances."""
    opens, closes = text.count("“"), text.count("”")
    if opens == closes + 1 and text.startswith("“"):
        return text[1:]
    if closes == opens + 1:
        return text.replace("”", "", 1)
    return text


def _balanced(text: str) -> bool:
    return (text.count("(") == text.count(")") and text.count("[") == text.count("]")
            and text.count("“") == text.count("”") and text.count('"') % 2 == 0)  # fmt: skip


def whole_sentence(shown: str, max_words: int = MAX_WORDS) -> bool:
    """Whether ``shown`` reads on its own: capitalised, ended, balanced, prose, no junk."""
    words = shown.split()
    if not 6 <= len(words) <= max_words or not _TERMINAL.search(shown):
        return False
    first = shown.lstrip("“\"'‘")
    if not first[:1].isupper() and not first[:1].isdigit() and first[:1] != "$":
        return False  # a fragment: begins mid-sentence or with a dangling "(…)"
    if not _balanced(shown) or _BOILERPLATE.search(shown) or _SPOKEN.search(shown):
        return False
    # a title capitalises its words; a sentence has lowercase words of its own (its verb)
    lower = [w for w in words if len(w.strip(",.;:()“”\"'")) > 3 and w[:1].islower()]
    return len(lower) >= 2


def informative(shown: str) -> float:
    """A little credit for what a briefing reports (an action or requirement, a name, a
    figure or date) and a little less for what it does not (a speaker's "we", a question, a
    drafter's "as appropriate, to the extent feasible"): between -0.14 and +0.12."""
    words = shown.split()
    named = any(w[:1].isupper() and w.lower() not in SUBJECT_START for w in words[1:])
    figure = bool(_FIGURE.search(shown))
    acts = bool(_REPORTS.search(shown))
    personal = bool(_PERSONAL.search(shown)) or shown.rstrip("”\"'").endswith("?")
    hedged = bool(_HEDGE.search(shown))
    return 0.04 * named + 0.04 * figure + 0.04 * acts - 0.1 * personal - 0.04 * hedged


def refers_back(shown: str) -> bool:
    """Whether a sentence names its subject only by referring back to one named before it
    ("The Challenge shall …", "The Task Force will …", "This effort …", "It …"): read on
    its own it does not say which."""
    return bool(_BACK.match(shown.lstrip("“\"'‘")))


# openers that continue what the sentence before said ("Since then, agencies have …")
_CONTINUES = re.compile(
    r"^(?:Since then|In addition|Additionally|Moreover|Furthermore|At the same time|As a result"
    r"|To that end|To this end|To do this|In doing so|Meanwhile|Instead|Likewise|Similarly"
    r"|Therefore|Thus|However|Still|Also|Then|Through (?:these|this|such|those) \w+)\b"
)


def leans_on_context(shown: str) -> bool:
    """Whether a sentence reads as the continuation of another: it names its subject only
    by referring back (``refers_back``) or opens with a connective that does ("Since then,
    …", "In addition, …"). Such a point is worth stating, but not as a summary's own."""
    return refers_back(shown) or bool(_CONTINUES.match(shown.lstrip("“\"'‘")))


def link_heavy(raw: str) -> bool:
    """A caption whose words are mostly link text ("View the Fact Sheet")."""
    linked = sum(len(m.group(1).split()) for m in _MD_LINK.finditer(raw))
    return linked > 0.6 * max(len(readable(raw).split()), 1)
