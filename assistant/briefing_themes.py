"""Themes: points clustered by meaning, each named by a phrase a person would write.

A theme's name is the most frequent distinctive multi-word phrase of its evidence ("Chief AI
Officers", "use case inventories"): said in several of its sentences, rarer in the other
themes, not just the topic's own words. A cluster drawn from one document is not a theme of
the sources: it joins its nearest neighbour.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

import numpy as np

from index.bm25 import tokenize

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9’'&-]*|\d+")
_STOP = frozenset(
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
        *("since", "until", "unless", "whether", "although", "though"),
    }
)
# after these a word is used as a verb ("to develop", "will establish"); after those, a noun
_BEFORE_VERB = frozenset(
    ["to", "will", "shall", "must", "can", "may", "should", "would", "could", "not", "also"]
)
_BEFORE_NOUN = frozenset(
    ["the", "a", "an", "of", "its", "their", "our", "this", "these", "that", "those"]
)
# words that say nothing about what a theme is: a name of only these is no name
_GENERIC = frozenset(
    tokenize(
        "president administration government federal white house united states america "
        "american americans nation national people order executive fact sheet year years "
        "first ensure support new efforts work"
    )
)
# verbs and modals: a run holding one is a clause ("work could include"), not a name
_VERBAL = frozenset(
    {
        *("could", "would", "should", "shall", "will", "must", "can", "may", "might", "is"),
        *("are", "was", "were", "be", "been", "being", "has", "have", "had", "do", "does"),
        *("did", "include", "includes", "including", "said", "says", "also", "not", "said"),
    }
)
_INNER = frozenset({"of", "for", "on", "in", "to", "and", "the"})  # allowed inside a name
MAX_WORDS = 6
# verbs of the third person a phrase never holds ("track record shows", "it reduces")
_FINITE = re.compile(
    r"(?:show|reduce|enable|help|make|give|take|allow|remain|include|provide|ensure|support|"
    r"require|direct|establish|create|launch|announce|commit|promote|advance|build|offer|"
    r"invest|protect|mean|seek|aim|mark|bring|represent|reflect|continue|apply)(?:s|es)$"
)
SHORTLIST = 8  # the best phrases by frequency, among which meaning decides
COMMON = 0.5  # a word in more than this share of the evidence names nothing in particular


def cluster(
    pool: Sequence[int], vecs: np.ndarray, k: int, largest: int = 10, iters: int = 20
) -> list[list[int]]:
    """Spherical k-means over sentence embeddings, seeded deterministically (farthest-first),
    then any group larger than ``largest`` split in two (bisecting k-means) so that themes
    stay readable; groups in order of their best member (``pool`` is ordered by relevance)."""
    idx = list(pool)
    groups = _kmeans(idx, vecs, max(1, min(k, len(idx) // 3)), iters)
    while True:
        big = max(groups, key=len)
        if len(big) <= largest:
            break
        halves = _kmeans(big, vecs, 2, iters)
        if len(halves) < 2:
            break
        groups.remove(big)
        groups.extend(halves)
    return sorted(groups, key=lambda g: idx.index(g[0]))


def _kmeans(idx: list[int], vecs: np.ndarray, k: int, iters: int) -> list[list[int]]:
    x = vecs[idx]
    centers = [x[0]]
    while len(centers) < k:
        sims = np.max(np.stack([x @ c for c in centers]), axis=0)
        centers.append(x[int(np.argmin(sims))])
    c = np.stack(centers)
    labels = np.zeros(len(idx), dtype=int)
    for _ in range(iters):
        labels = np.argmax(x @ c.T, axis=1)
        new = np.stack([x[labels == j].mean(0) if (labels == j).any() else c[j] for j in range(k)])
        new /= np.maximum(np.linalg.norm(new, axis=1, keepdims=True), 1e-12)
        if np.allclose(new, c):
            break
        c = new
    groups = [[idx[i] for i in range(len(idx)) if labels[i] == j] for j in range(k)]
    return [g for g in groups if g]


def merge_single_source(
    groups: list[list[int]], docs: Mapping[int, frozenset[str]], vecs: np.ndarray
) -> list[list[int]]:
    """Groups whose members all come from one document join the nearest other group
    (``docs[i]``: the documents member ``i`` cites)."""
    groups = [list(g) for g in groups]
    while len(groups) > 1:
        single = next((g for g in groups if len(frozenset().union(*(docs[i] for i in g))) < 2),
                      None)  # fmt: skip
        if single is None:
            break
        rest = [g for g in groups if g is not single]
        centre = vecs[single].mean(0)
        nearest = max(rest, key=lambda g: float(vecs[g].mean(0) @ centre))
        nearest.extend(single)
        groups = rest
    return groups


def verb_like(texts: Sequence[str]) -> set[str]:
    """Lowercase words this evidence uses as verbs more than as nouns: a name holds none."""
    as_verb: Counter[str] = Counter()
    as_noun: Counter[str] = Counter()
    for t in texts:
        words = _WORD.findall(t)
        for prev, word in itertools.pairwise(words):
            if word.islower():
                p = prev.lower()
                as_verb[word] += p in _BEFORE_VERB
                as_noun[word] += p in _BEFORE_NOUN
    return {w for w, n in as_verb.items() if n > as_noun[w]}


def _phrases(text: str, verbs: frozenset[str] = frozenset()) -> set[tuple[str, ...]]:
    """Runs of 2 to 6 words within a clause, starting and ending on a content word, with no
    word of ``verbs`` (lowercase words the evidence uses as verbs)."""
    out: set[tuple[str, ...]] = set()
    for clause in re.split(r"[,.;:!?()\[\]“”\"—–]|\s-\s", text):
        words = _WORD.findall(clause)
        for i in range(len(words)):
            for n in range(2, MAX_WORDS + 1):
                gram = tuple(words[i : i + n])
                if len(gram) < n:
                    break
                if _inside_name(words, i, i + n):
                    continue  # "House's Pledge to …" cut out of "White House's Pledge to …"
                lower = [w.lower() for w in gram]
                if lower[0] in _STOP or lower[-1] in _STOP or _VERBAL & set(lower):
                    continue
                if gram[0].endswith("ing") and gram[0].islower():
                    continue  # "taking office": an action, not a thing
                last = lower[-1]
                if lower[0].endswith("ly") or last.endswith("ly") or last[:-1] in verbs:
                    continue  # "enormously to …", "mechanism enables": not a thing
                if any(w in verbs or w[:-1] in verbs or w[:-2] in verbs or _FINITE.match(w)
                       for w in lower):  # fmt: skip
                    continue  # "companies commit to rolling out", "track record shows": clauses
                if _stem(gram[-1])[0] in _GENERIC:
                    continue  # "entire Biden-Harris Administration": its head names no theme
                if any(w in _STOP and w not in _INNER for w in lower[1:-1]):
                    continue
                if len(set(lower)) < n or not _joins_names(gram):
                    continue  # "AI and modernize federal AI": two clauses, not a name
                if gram[-1].lower().endswith(("ing", "ly", "ed")) and not gram[-1][0].isupper():
                    continue  # "agencies using": a clause, not a thing
                out.add(gram)
    return out


def _inside_name(words: Sequence[str], start: int, end: int) -> bool:
    """Whether words[start:end] begins or ends inside a run of capitalised words."""
    before = start > 0 and words[start - 1][:1].isupper() and words[start - 1].lower() not in _STOP
    after = end < len(words) and words[end][:1].isupper()
    return (before and words[start][:1].isupper()) or (after and words[end - 1][:1].isupper())


def _joins_names(gram: Sequence[str]) -> bool:
    """An inner "and" joins names ("Science and Technology"), not clauses."""
    return all(
        gram[k - 1][:1].isupper() and gram[k + 1][:1].isupper()
        for k in range(1, len(gram) - 1)
        if gram[k] == "and"
    )


@lru_cache(maxsize=8192)
def _stem(word: str) -> tuple[str, ...]:
    return tuple(tokenize(word)) or (word.lower(),)


def _key(gram: Sequence[str]) -> tuple[str, ...]:
    """A phrase as stems, stop words dropped: "Chief AI Officer" == "chief AI officers"."""
    return tuple(s for w in gram if w.lower() not in _STOP for s in _stem(w))


def name_theme(
    texts: Sequence[str],
    others: Sequence[str],
    topic: str,
    taken: set[str],
    closeness: Callable[[list[str]], list[float]] | None = None,
) -> str | None:
    """The theme's name: a frequent phrase of its evidence (in 2+ of its sentences) that is
    rarer in ``others`` (the rest of the briefing's evidence) and says more than the topic
    does; among the best few, the one closest in meaning to the theme (``closeness``). None
    when no phrase recurs: such a group is no theme of its own (it joins another)."""
    topic_words = set(tokenize(topic))
    verbs = frozenset(verb_like([*texts, *others]))
    counts: Counter[tuple[str, ...]] = Counter()
    surface: dict[tuple[str, ...], Counter[str]] = {}
    for t in texts:
        grams = _phrases(t, verbs)
        for gram in grams:
            surface.setdefault(_key(gram), Counter())[" ".join(gram)] += 1
        for key in {_key(g) for g in grams}:
            counts[key] += 1
    background: Counter[tuple[str, ...]] = Counter()
    for t in others:
        for key in {_key(g) for g in _phrases(t, verbs)}:
            background[key] += 1

    def score(key: tuple[str, ...]) -> float:
        share = counts[key] / max(len(texts), 1)
        rarity = (counts[key] + 1) / (background[key] + counts[key] + 1)
        verbal = 0.6 if _display(surface[key]).split()[0].endswith("ing") else 1.0  # a slogan
        return share * rarity * verbal * (1 + 0.25 * (len(key) - 2))

    everywhere = _common(texts) & _common(others)  # the evidence's background words

    lower = {w for t in [*texts, *others] for w in _WORD.findall(t) if w.islower()}

    def meaningful(key: tuple[str, ...]) -> bool:
        content = {w for w in key if w not in _GENERIC and w not in everywhere}
        if not content - topic_words:
            return False
        # capitalised words name a thing ("AI Governance Boards", "Presidential AI
        # Challenge") when one is an acronym or a common word the evidence also writes in
        # lowercase; "Vice President Harris" names a person, not a theme
        words = _display(surface[key]).split()
        if not all(w[:1].isupper() for w in words if w not in _INNER):
            return True
        return any(w.isupper() or (w.lower() in lower and _stem(w)[0] not in _GENERIC)
                   for w in words)  # fmt: skip

    ranked = sorted((k for k in counts if counts[k] >= 2 and meaningful(k)),
                    key=lambda k: (-score(k), k))  # fmt: skip
    names = [
        n for n in dict.fromkeys(_display(surface[k]) for k in ranked) if n.lower() not in taken
    ]
    if not names:
        return None
    best = names[:SHORTLIST]
    if closeness is not None and len(best) > 1:
        weights = {n: score(_key(n.split())) for n in best}
        top = max(weights.values()) or 1.0
        near = dict(zip(best, closeness(best), strict=True))
        best.sort(key=lambda n: -(0.5 * weights[n] / top + 0.5 * near[n]))
    return best[0]


def _common(texts: Sequence[str]) -> set[str]:
    """Stems in more than COMMON of the texts: this evidence's background words."""
    df = Counter(s for t in texts for s in set(tokenize(t)))
    return {s for s, n in df.items() if n > COMMON * len(texts)}


def _display(variants: Counter[str]) -> str:
    """The most common way the phrase is written; capitalised as a heading."""
    name = variants.most_common(1)[0][0]
    return name[0].upper() + name[1:]


def single_word(
    texts: Sequence[str], others: Sequence[str], topic: set[str], taken: set[str]
) -> str:
    counts: Counter[str] = Counter()
    surface: dict[str, str] = {}
    for t in texts:
        for w in {w for w in _WORD.findall(t) if len(w) > 3 and w.lower() not in _STOP}:
            stem = _stem(w)[0]
            if stem not in topic and stem not in _GENERIC:
                counts[stem] += 1
                surface.setdefault(stem, w if w.isupper() else w.lower())
    background = Counter(s for t in others for s in set(tokenize(t)))
    ranked = sorted(counts, key=lambda s: (-counts[s] / (background[s] + 1), s))
    for stem in ranked:
        name = surface[stem][0].upper() + surface[stem][1:]
        if name.lower() not in taken:
            return name
    return "Other points"


_NAME = re.compile(r"\b[A-Z][\w’'&-]*(?:\s+(?:of|on|for|to|and|the)?\s*[A-Z][\w’'&-]*){1,5}")


def recurring_names(texts: Sequence[str], topic: str, n: int) -> list[str]:
    """The ``n`` names of things (2+ capitalised words, one of them a common word the texts
    also write in lowercase: a task force, a challenge, a pledge; not a person) found in
    several of ``texts`` but not in most (the corpus's furniture), and not the topic's."""
    topic_words = set(tokenize(topic))
    lower = {w for t in texts for w in _WORD.findall(t) if w.islower()}
    df: Counter[str] = Counter()
    for t in texts:
        df.update({" ".join(m.group().split()) for m in _NAME.finditer(t)})

    def a_thing(name: str) -> bool:
        return any(w.lower() in lower and _stem(w)[0] not in _GENERIC for w in name.split()
                   if w.lower() not in _STOP)  # fmt: skip

    keep = [
        name for name, k in df.most_common()
        if 2 <= k <= 0.5 * len(texts) and a_thing(name) and set(tokenize(name)) - topic_words
        and name.split()[0].lower() not in _STOP and not name.isupper()
    ]  # fmt: skip
    return keep[:n]
