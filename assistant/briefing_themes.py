"""Themes: points clustered by meaning, each named by a phrase a person would write.

A theme's name is the most frequent distinctive multi-word phrase of its evidence ("Chief AI
Officers", "use case inventories"): said in several of its sentences, rarer in the other
themes, not just the topic's own words. A cluster drawn from one document is not a theme of
the sources: it joins its nearest neighbour.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from assistant.briefing_phrases import (
    INNER,
    STOP,
    WORD,
    a_name,
    head,
    key,
    phrases,
    stem,
    verb_like,
)
from index.bm25 import tokenize

# words that say nothing about what a theme is: a name of only these is no name
_GENERIC = frozenset(
    tokenize(
        "president administration government federal white house united states america "
        "american americans nation national people order executive fact sheet year years "
        "first ensure support new efforts work"
    )
)
# heads too general for a theme of their own ("AI policy", "OMB’s policy")
_WEAK_HEADS = frozenset(tokenize("policy policies matter matters issue issues thing things"))
MAX_NAME_WORDS = 6
# what a model wraps a name in: a label, quotes, markup, a full stop
_NAME_NOISE = re.compile(
    r"^\s*(?:(?:theme|name)(?: of the theme)?\s*:\s*)?[\"“*#\-\s]*|[\"”*.\s]+$", re.I
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


def name_theme(
    texts: Sequence[str],
    others: Sequence[str],
    topic: str,
    taken: set[str],
    closeness: Callable[[list[str]], list[float]] | None = None,
) -> str | None:
    """The theme's name: a noun phrase said in 2+ of its sentences (``texts``) that is
    rarer in ``others`` (the rest of the briefing's evidence), says more than the topic does
    and is about another thing than the names already ``taken`` (lowercase); among the best
    few, the one closest in meaning to the theme (``closeness``). None when no phrase
    recurs: such a group is no theme of its own (it joins another)."""
    verbs = frozenset(verb_like([*texts, *others]))
    counts, surface = _counted(texts, verbs)
    background, _ = _counted(others, verbs)

    def score(k: tuple[str, ...]) -> float:
        share = counts[k] / max(len(texts), 1)
        rarity = (counts[k] + 1) / (background[k] + counts[k] + 1)
        return share * rarity * (1 + 0.25 * (len(k) - 2))

    fits = _meaningful(texts, others, topic, taken)
    ranked = sorted((k for k in counts if counts[k] >= 2 and fits(_display(surface[k]), k)),
                    key=lambda k: (-score(k), k))  # fmt: skip
    names = [
        n for n in dict.fromkeys(_display(surface[k]) for k in ranked) if n.lower() not in taken
    ]
    if not names:
        return None
    best = names[:SHORTLIST]
    if closeness is not None and len(best) > 1:
        weights = {n: score(key(n.split())) for n in best}
        top = max(weights.values()) or 1.0
        near = dict(zip(best, closeness(best), strict=True))
        best.sort(key=lambda n: -(0.5 * weights[n] / top + 0.5 * near[n]))
    return best[0]


def checked_name(
    proposed: str, evidence: Sequence[str], others: Sequence[str], topic: str, taken: set[str]
) -> str | tuple[None, str]:
    """A model's name for a theme, kept only if it could be one of the theme's own phrases: a
    noun phrase of 2 to 6 words, every word of it in the theme's ``evidence`` (its cited
    sentences), saying more than the topic, and not what another theme (``taken``,
    lowercase) is named for. Else (None, why it was not kept)."""
    name = _NAME_NOISE.sub("", proposed.strip().splitlines()[0] if proposed.strip() else "")
    words = WORD.findall(name)
    if not words:
        return None, "the model wrote no name"
    if re.search(r"[,;:!?]|\.\s", name):
        return None, "a sentence or a list, not a name"
    if not 2 <= len(words) <= MAX_NAME_WORDS:
        return None, f"{len(words)} words"
    have = {s for t in evidence for w in WORD.findall(t) for s in stem(w)}
    invented = [w for w in words if w.lower() not in STOP and not set(stem(w)) <= have]
    if invented:
        return None, f"words its points do not hold ({', '.join(invented[:4])})"
    # read as the evidence writes each word: a title-cased "Companies Commit" is a clause too
    lower = {w for t in evidence for w in WORD.findall(t) if w.islower()}
    as_written = [w.lower() if w.lower() in lower and not w.isupper() else w for w in words]
    verbs = frozenset(verb_like([*evidence, *others]))
    fits = _meaningful(evidence, others, topic, taken)
    if not a_name(as_written, 0, len(as_written), verbs) or not fits(name, key(as_written)):
        return None, "not a noun phrase that names a theme of its own"
    if name.lower() in taken:
        return None, "the name of another theme"
    return name[0].upper() + name[1:]


def _counted(
    texts: Sequence[str], verbs: frozenset[str]
) -> tuple[Counter[tuple[str, ...]], dict[tuple[str, ...], Counter[str]]]:
    """(in how many of ``texts`` each phrase is said, the ways each is written)."""
    counts: Counter[tuple[str, ...]] = Counter()
    surface: dict[tuple[str, ...], Counter[str]] = {}
    for t in texts:
        grams = phrases(t, verbs)
        for gram in grams:
            surface.setdefault(key(gram), Counter())[" ".join(gram)] += 1
        counts.update({key(g) for g in grams})
    return counts, surface


def _meaningful(
    texts: Sequence[str], others: Sequence[str], topic: str, taken: set[str]
) -> Callable[[str, tuple[str, ...]], bool]:
    """Whether a phrase can name a theme: it says more than the topic and the evidence's
    background words, its head is no generic word ("administration") nor that of a name
    already taken (two themes are not both about "youth"), and capitalised words name a
    thing, not a person."""
    topic_stems = {w[:5] for w in tokenize(topic)}  # "America" restates "American"
    taken_heads = {head(t) for t in taken}
    taken_keys = [{w for w in key(t.split()) if w[:5] not in topic_stems} for t in taken]
    everywhere = _common(texts) & _common(others)
    lower = {w for t in [*texts, *others] for w in WORD.findall(t) if w.islower()}

    def fits(name: str, k: tuple[str, ...]) -> bool:
        content = {w for w in k if w not in _GENERIC and w not in everywhere and len(w) > 1}
        own = {w for w in k if w[:5] not in topic_stems}
        if not {w for w in content if w[:5] not in topic_stems}:
            return False
        words = name.split()
        if len(words[-1]) == 1:  # cut at an initial: "President Donald J" of "Donald J. Trump"
            return False
        if stem(words[-1])[0] in _GENERIC | _WEAK_HEADS or head(name) in taken_heads:
            return False
        if any(_alike(own, t) for t in taken_keys):
            return False  # "AI systems’ capabilities" beside "AI systems"
        # capitalised words name a thing ("AI Governance Boards", "Presidential AI
        # Challenge") when one is an acronym or a common word the evidence also writes in
        # lowercase; "Vice President Harris" names a person, not a theme
        if not all(w[:1].isupper() for w in words if w not in INNER):
            return True
        return any((len(w) > 1 and w.isupper()) or (w.lower() in lower and stem(w)[0] not in
                   _GENERIC) for w in words)  # fmt: skip

    return fits


def _alike(a: set[str], b: set[str]) -> bool:
    """Two names about one thing: most of the shorter's own words are the other's."""
    return bool(a and b) and len(a & b) >= 0.66 * min(len(a), len(b))


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
    """The word that names the points best when no phrase recurs: the most frequent noun
    (no verb of the evidence, no adjective), the longer the more specific."""
    counts: Counter[str] = Counter()
    surface: dict[str, str] = {}
    verbs = frozenset(verb_like(texts))
    for t in texts:
        # in order of appearance (not a set's hash order): the first spelling seen is shown
        for w in dict.fromkeys(w for w in WORD.findall(t) if len(w) > 3 and w.lower() not in STOP):
            s = stem(w)[0]
            if s not in topic and s not in _GENERIC and a_name([w], 0, 1, verbs):
                counts[s] += 1
                surface.setdefault(s, w if w.isupper() else w.lower())
    background = Counter(s for t in others for s in set(tokenize(t)))
    ranked = sorted(counts, key=lambda s: (-counts[s] / (background[s] + 1), -len(s), s))
    for best in ranked:
        name = surface[best][0].upper() + surface[best][1:]
        if name.lower() not in taken:
            return name
    return "Other points"


_NAME = re.compile(r"\b[A-Z][\w’'&-]*(?:\s+(?:of|on|for|to|and|the)?\s*[A-Z][\w’'&-]*){1,5}")


def recurring_names(texts: Sequence[str], topic: str, n: int) -> list[str]:
    """The ``n`` names of things (2+ capitalised words, one of them a common word the texts
    also write in lowercase: a task force, a challenge, a pledge; not a person) found in
    several of ``texts`` but not in most (the corpus's furniture), and not the topic's."""
    topic_words = set(tokenize(topic))
    lower = {w for t in texts for w in WORD.findall(t) if w.islower()}
    df: Counter[str] = Counter()
    for t in texts:
        df.update({" ".join(m.group().split()) for m in _NAME.finditer(t)})

    def a_thing(name: str) -> bool:
        return any(w.lower() in lower and stem(w)[0] not in _GENERIC for w in name.split()
                   if w.lower() not in STOP)  # fmt: skip

    keep = [
        name for name, k in sorted(df.items(), key=lambda nk: (-nk[1], nk[0]))  # ties by name
        if 2 <= k <= 0.5 * len(texts) and a_thing(name) and set(tokenize(name)) - topic_words
        and name.split()[0].lower() not in STOP and not name.isupper()
    ]  # fmt: skip
    return keep[:n]
