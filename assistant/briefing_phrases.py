"""Noun phrases of a text without a part-of-speech tagger: the candidate names of a theme.

A name is a thing ("Chief AI Officers", "use case inventories", "Heads of Federal Permitting
Agencies"), not a clause ("America leads the way", "users know when content"), an action
("release draft policy guidance", "stand up for consumers") or a fragment ("fundamental to
the future of AI"). Without a tagger, each occurrence is read in its context: a word after
"to", "will" or "must" (past an adverb: "will soon release") is a verb there, as is a word
followed by "the", "its" or "when"; the evidence as a whole says which words it uses as
verbs; a word before "of", "for" or "to" inside a name is its head and so a noun.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from index.bm25 import tokenize

WORD = re.compile(r"[A-Za-z][A-Za-z0-9’'&-]*|\d+")
STOP = frozenset(
    {
        *("a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "by", "with", "at"),
        *("from", "as", "into", "its", "their", "our", "his", "her", "this", "that", "these"),
        *("those", "is", "are", "was", "were", "be", "been", "will", "shall", "must", "can"),
        *("may", "should", "would", "has", "have", "had", "it", "they", "we", "which", "who"),
        *("such", "other", "all", "any", "each", "more", "most", "also", "new", "not", "than"),
        *("including", "include", "includes", "today", "said", "about", "over", "under"),
        *("i", "you", "he", "she", "us", "them", "your", "my", "me", "what", "how", "why"),
        *("but", "so", "yet", "because", "then", "thus", "however", "further", "very"),
        *("before", "after", "around", "across", "within", "without", "between", "through"),
        *("during", "against", "toward", "towards", "upon", "via", "among", "while", "where"),
        *("since", "until", "unless", "whether", "although", "though", "when", "if", "there"),
        *("here", "now", "only", "just", "both", "some", "many", "much", "few", "every", "no"),
        *("do", "does", "did", "being", "could", "might", "whose", "whom", "up", "out", "off"),
        *("either", "neither", "nor", "even", "again", "already", "ever", "too", "well"),
    }
)
# after these a word is used as a verb ("to develop", "will establish"); after those, a noun
BEFORE_VERB = frozenset(
    ["to", "will", "shall", "must", "can", "may", "should", "would", "could", "not", "also"]
)
_MODAL = BEFORE_VERB - {"to", "also", "not"}
_DETERMINER = frozenset(
    ["the", "a", "an", "its", "their", "our", "this", "these", "those", "his", "her", "your"]
)
BEFORE_NOUN = _DETERMINER | {"of"}
# a word followed by one of these takes an object or a clause: a verb ("leads the way");
# not "this" or "these" ("guidance this summer")
_AFTER_VERB = frozenset(
    ["the", "a", "an", "its", "their", "our", "his", "your", "when", "whether", "how", "if"]
)
# verbs and modals: a run holding one is a clause ("work could include"), not a name
_VERBAL = frozenset(
    {
        *("could", "would", "should", "shall", "will", "must", "can", "may", "might", "is"),
        *("are", "was", "were", "be", "been", "being", "has", "have", "had", "do", "does"),
        *("did", "include", "includes", "including", "said", "says", "also", "not"),
    }
)
INNER = frozenset({"of", "for", "on", "in", "to", "and", "the"})  # allowed inside a name
_PREPOSITION = frozenset({"of", "for", "on", "in", "to"})
# words that judge rather than name: "significant sources of AI risks", "available information"
_EVALUATIVE = frozenset(
    {
        *("significant", "important", "critical", "key", "major", "various", "certain"),
        *("several", "additional", "broader", "greater", "crucial", "essential", "unique"),
        *("fundamental", "unprecedented", "historic", "landmark", "bold", "decisive", "strong"),
        *("meaningful", "appropriate", "relevant", "specific", "particular", "potential"),
        *("existing", "current", "available", "own", "same", "entire", "whole", "different"),
        *("best", "first", "last", "next", "recent", "numerous", "possible", "necessary"),
        *("greatest", "important", "vital", "clear", "real", "true", "full", "great", "good"),
    }
)
# the endings of adjectives: such a word before "of"/"to" is no head ("fundamental to …"),
# unless it is one of the nouns that end so
_ADJECTIVE = re.compile(r".{3,}(?:al|ive|ous|ful|ic|able|ible|ary|less)$")
_NOT_ADJECTIVE = frozenset(
    {
        *("proposal", "approval", "removal", "renewal", "withdrawal", "arrival", "disposal"),
        *("referral", "trial", "denial", "material", "official", "individual", "potential"),
        *("principal", "capital", "signal", "portal", "journal", "hospital", "professional"),
        *("initiative", "incentive", "directive", "objective", "alternative", "perspective"),
        *("representative", "executive", "narrative", "collective", "native", "topic"),
        *("public", "music", "logic", "clinic", "traffic", "republic", "graphic", "critic"),
        *("metric", "epidemic", "pandemic", "secretary", "summary", "library", "boundary"),
        *("anniversary", "beneficiary", "salary", "adversary", "commentary", "military"),
        *("variable", "deliverable", "timetable", "handful"),
    }
)
# verbs of the third person a phrase never holds ("track record shows", "it reduces")
_FINITE = re.compile(
    r"(?:show|reduce|enable|help|make|give|take|allow|remain|include|provide|ensure|support|"
    r"require|direct|establish|create|launch|announce|commit|promote|advance|build|offer|"
    r"invest|protect|mean|seek|aim|mark|bring|represent|reflect|continue|apply|lead|know|"
    r"need|want|become|keep|set|put|stand|hold|grow|call|deliver|expand|drive|contain|"
    r"serve|work|seem|tend|play|pose|face)(?:s|es)$"
)
# words ending in "ly" that are no adverb: a name may hold them
_NOT_ADVERB = frozenset(
    {
        *("quarterly", "monthly", "weekly", "daily", "yearly", "hourly", "early", "family"),
        *("supply", "assembly", "ally", "italy", "july", "rally", "reply", "elderly"),
        *("friendly", "costly", "timely", "deadly", "orderly", "anomaly", "monopoly"),
    }
)
_ADVERB = frozenset({"soon", "now", "then", "also", "not", "never", "further", "still"})
MAX_WORDS = 6


def verb_like(texts: Sequence[str]) -> set[str]:
    """Lowercase words this evidence uses as verbs more than as nouns: a name holds none.
    A word after "to" or a modal is a verb, also past an adverb ("will soon release")."""
    as_verb: Counter[str] = Counter()
    as_noun: Counter[str] = Counter()
    for t in texts:
        words = WORD.findall(t)
        for k, word in enumerate(words[1:], 1):
            if word.islower():
                as_verb[word] += _after_verb_marker(words, k)
                as_noun[word] += words[k - 1].lower() in BEFORE_NOUN
    return {w for w, n in as_verb.items() if n > as_noun[w]}


def _after_verb_marker(words: Sequence[str], k: int) -> bool:
    """Whether words[k] follows "to" or a modal, directly or past an adverb."""
    prev = words[k - 1].lower()
    if prev in BEFORE_VERB:
        return True
    adverb = prev in _ADVERB or (_adverb(prev) and words[k - 1].islower())
    return adverb and k >= 2 and words[k - 2].lower() in BEFORE_VERB


def _used_as_verb(words: Sequence[str], k: int, verbs: frozenset[str]) -> bool:
    """Whether words[k] is a verb here: after a modal ("will establish"), or after "to"
    when the evidence uses it as a verb ("to release", not "to federal agencies")."""
    if words[k - 1].lower() == "to":
        return words[k].lower() in verbs
    return _after_verb_marker(words, k)


@lru_cache(maxsize=4096)  # each theme's name reads the whole evidence again
def phrases(text: str, verbs: frozenset[str] = frozenset()) -> frozenset[tuple[str, ...]]:
    """Noun phrases of 2 to 6 words within a clause, each starting and ending on a content
    word, read in the context of each occurrence (``verbs``: lowercase words the evidence
    uses as verbs)."""
    out: set[tuple[str, ...]] = set()
    for clause in re.split(r"[,.;:!?()\[\]“”\"—–]|\s-\s", text):
        words = WORD.findall(clause)
        for i in range(len(words)):
            for n in range(2, MAX_WORDS + 1):
                if i + n > len(words):
                    break
                if a_name(words, i, i + n, verbs):
                    out.add(tuple(words[i : i + n]))
    return frozenset(out)


def a_name(words: Sequence[str], start: int, end: int, verbs: frozenset[str]) -> bool:
    """Whether words[start:end] is a noun phrase there (``verbs``: as in ``phrases``)."""
    gram = words[start:end]
    lower = [w.lower() for w in gram]
    n = len(gram)
    if lower[0] in STOP or lower[-1] in STOP or _VERBAL & set(lower):
        return False
    if _inside_name(words, start, end) or len(set(lower)) < n or not _joins_names(gram):
        return False  # "House's Pledge to …" cut out of "White House's Pledge to …"
    if any(w in STOP and w not in INNER for w in lower[1:-1]):
        return False
    if gram[0].islower() and start > 0 and _used_as_verb(words, start, verbs):
        return False  # "(will soon) release draft policy guidance": an action
    if lower[0] in _EVALUATIVE or (lower[0].endswith(("’s", "'s")) and n == 2):
        return False  # "significant sources of …", "OMB’s policy": a judgement, a fragment
    if gram[0].islower() and gram[0].endswith("ing"):
        return False  # "taking office": an action, not a thing
    last = lower[-1]
    if _adverb(lower[0]) or _adverb(last) or last[:-1] in verbs:
        return False  # "enormously to …", "mechanism enables": not a thing
    if gram[-1].islower() and last.endswith(("ing", "ed")):
        return False  # "agencies using": a clause, not a thing
    if _cut_compound(words, end, verbs):
        return False  # "discretionary grant" cut out of "discretionary grant programs"
    if _PREPOSITION & set(lower) and end + 1 < len(words) and words[end] in ("and", "or"):
        return False  # "facilitation of the collection" [or use of information]
    for k, w in enumerate(lower):
        if w in INNER:
            continue
        nxt = words[start + k + 1].lower() if start + k + 1 < len(words) else ""
        verb = w in verbs or w[:-1] in verbs or w[:-2] in verbs or _FINITE.match(w)
        if gram[k].islower() and (verb or nxt in _AFTER_VERB or _adverb(nxt)):
            return False  # "companies commit to …", "America leads the way": clauses
        adjective = _ADJECTIVE.match(w) and w not in _NOT_ADJECTIVE
        if adjective and nxt in _PREPOSITION and gram[k].islower() and k < n - 1:
            return False  # "fundamental to the future of AI": no head before "to"
    return True


def _adverb(word: str) -> bool:
    return word.endswith("ly") and word not in _NOT_ADVERB


def _cut_compound(words: Sequence[str], end: int, verbs: frozenset[str]) -> bool:
    """Whether the run ends on a singular modifier of the word after it ("draft policy"
    before "guidance"): a lowercase noun follows that is no verb of the evidence."""
    last = words[end - 1]  # a lowercase word or an acronym ("leading AI" [companies])
    if end >= len(words) or not (words[end].islower() and (last.islower() or last.isupper())):
        return False
    nxt = words[end]
    return (
        nxt not in STOP and nxt not in verbs and nxt[:-1] not in verbs
        and not _FINITE.match(nxt) and not words[end - 1].endswith("s")
    )  # fmt: skip


def _inside_name(words: Sequence[str], start: int, end: int) -> bool:
    """Whether words[start:end] begins or ends inside a run of capitalised words."""
    before = start > 0 and words[start - 1][:1].isupper() and words[start - 1].lower() not in STOP
    after = end < len(words) and words[end][:1].isupper()
    # "Office of Management" or "Management and Budget" cut out of "Office of Management
    # and Budget"
    joined = end + 1 < len(words) and words[end] in INNER and words[end + 1][:1].isupper()
    after = after or (joined and words[end - 1][:1].isupper())
    joined = start > 1 and words[start - 1] in INNER and words[start - 2][:1].isupper()
    before = before or joined
    return (before and words[start][:1].isupper()) or (after and words[end - 1][:1].isupper())


def _joins_names(gram: Sequence[str]) -> bool:
    """An inner "and" joins names ("Science and Technology"), not clauses."""
    return all(
        gram[k - 1][:1].isupper() and gram[k + 1][:1].isupper()
        for k in range(1, len(gram) - 1)
        if gram[k] == "and"
    )


@lru_cache(maxsize=8192)
def stem(word: str) -> tuple[str, ...]:
    return tuple(tokenize(word)) or (word.lower(),)


def key(gram: Sequence[str]) -> tuple[str, ...]:
    """A phrase as stems, stop words dropped: "Chief AI Officer" == "chief AI officers"."""
    return tuple(s for w in gram if w.lower() not in STOP for s in stem(w))


def head(name: str) -> str:
    """The stem a name is about: the word before its first preposition ("Heads of …"),
    else its last word ("Chief AI Officers")."""
    words = [w for w in WORD.findall(name)]
    cut = next((k for k, w in enumerate(words) if w.lower() in _PREPOSITION and k), len(words))
    return stem(words[cut - 1])[0] if words else ""
