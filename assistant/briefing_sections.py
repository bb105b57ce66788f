"""Arranging scored points into a briefing's sections: a summary of distinct main points
drawn across themes and documents, named themes that do not repeat it, and a timeline of
dated actions, one line per action.

Indices refer to the briefing's evidence sentences (``sents``, ``scores``, ``vecs``); a
group is a point and the sentences that state it (its leader first).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from assistant.briefing_points import Sentence
from assistant.briefing_themes import cluster, merge_single_source, name_theme, single_word
from assistant.briefing_timeline import ActionDate, action_dates, different_actions
from assistant.point_text import leans_on_context, refers_back

SUMMARY = (3, 5)  # fewest and most summary points
POINTS = 45  # points in the summary and themes together
SAME_SOURCE = 0.01  # what each point already taken from a document counts against the next
MAX_THEME_POINTS = 12  # a theme states at most this many points
LIKENESS = 0.5  # how much a point's likeness to those already chosen counts against it
RELATED = 0.65  # cosine below which two points of one topic count as unlike each other
MAIN = 0.85  # a summary point beyond the third weighs at least this share of the first
SAME_EVENT = 0.6  # cosine above which two statements dated the same day report one action


def arrange(
    groups: Sequence[Sequence[int]],
    sents: Sequence[Sentence],
    scores: np.ndarray,
    vecs: np.ndarray,
    topic: str,
    n_themes: int,
    embed: Callable[[list[str]], np.ndarray] | None = None,
) -> tuple[list[list[int]], list[tuple[str, list[list[int]]]]]:
    """(summary groups, [(theme name, its groups)]). The points are the weightiest that
    differ from those already chosen (maximal marginal relevance): a briefing covers what the
    sources say, not one thing many times. The summary takes the weightiest of them, one per
    document; the rest are grouped into named themes."""
    by_leader = {g[0]: list(g) for g in groups}
    leaders = list(by_leader)
    docs = {i: frozenset(sents[j].doc.doc_id for j in g) for i, g in by_leader.items()}
    centre = vecs[leaders].mean(0)
    centre /= max(float(np.linalg.norm(centre)), 1e-12)
    # a main point is relevant, central to the evidence and stated by several documents
    weight = {i: float(scores[i]) + 0.15 * float(vecs[i] @ centre) + 0.03 * (len(docs[i]) - 1)
              - _hearsay(sents[i].shown) for i in leaders}  # fmt: skip
    picked = _diverse(leaders, weight, vecs, POINTS, docs)
    alone = {i: not leans_on_context(sents[i].shown) for i in leaders}
    summary = _summary(picked, weight, docs, vecs, alone)
    if len(picked) - len(summary) < 2:  # too few left for a theme: a point passed over is lost
        summary = _summary(picked, weight, docs, vecs, dict.fromkeys(leaders, True))
    rest = [i for i in picked if i not in summary]
    themes: list[tuple[str, list[int]]] = []
    if len(rest) >= 2:
        clusters = merge_single_source(cluster(rest, vecs, n_themes), docs, vecs)
        # a theme is named from all the evidence nearest it, not only the points it states
        centres = np.stack([vecs[c].mean(0) for c in clusters])
        home = np.argmax(vecs[leaders] @ centres.T, axis=1)
        taken: set[str] = set()
        unnamed: list[list[int]] = []
        for k, members in enumerate(clusters):
            near = [i for i, h in zip(leaders, home, strict=True) if h == k]
            texts = [sents[j].shown for i in near for j in by_leader[i]]
            others = [sents[j].shown for i in leaders if i not in near for j in by_leader[i]]
            name = name_theme(texts, others, topic, taken, _closeness(embed, centres[k]))
            if name is None:
                unnamed.append(members)
                continue
            taken.add(name.lower())
            themes.append((name, sorted(members, key=lambda i: -weight[i])))
        if not themes:  # not one phrase recurs anywhere: one theme, named by its word
            texts = [sents[j].shown for i in rest for j in by_leader[i]]
            themes, unnamed = [(single_word(texts, [], set(), set()), [])], unnamed
        for members in unnamed:  # a group no phrase names joins the nearest named theme
            _nearest(themes, members, vecs).extend(sorted(members, key=lambda i: -weight[i]))
    themes = _merged(themes, docs, vecs)
    return [by_leader[i] for i in summary], [
        (name, [by_leader[i] for i in members]) for name, members in themes
    ]


def named_first(groups: Sequence[Sequence[int]], sents: Sequence[Sentence]) -> list[list[int]]:
    """Each group of sentences stating one point led by the best that names what it is about:
    "The Challenge shall encourage …" gives way to "The task force will … implement a
    Presidential AI Challenge, which will encourage …" (otherwise the order is kept)."""
    return [sorted(g, key=lambda i: refers_back(sents[i].shown)) for g in groups]


def _diverse(
    pool: Sequence[int],
    weight: Mapping[int, float],
    vecs: np.ndarray,
    n: int,
    docs: Mapping[int, frozenset[str]],
) -> list[int]:
    """Up to ``n`` points, each the weightiest less its likeness to those already chosen
    and less a little for each point already taken from its document."""
    chosen: list[int] = []
    taken: Counter[str] = Counter()
    left = sorted(pool, key=lambda i: -weight[i])
    most = dict.fromkeys(left, 0.0)  # each candidate's cosine to its closest chosen point
    while left and len(chosen) < n:
        best = max(left, key=lambda i: weight[i] - LIKENESS * _likeness(most[i])
                   - SAME_SOURCE * min(taken[d] for d in docs[i]))  # fmt: skip
        chosen.append(best)
        taken.update(docs[best])
        left.remove(best)
        for i, cos in zip(left, vecs[left] @ vecs[best], strict=True):
            most[i] = max(most[i], float(cos))
    return chosen


def _likeness(most: float) -> float:
    """How far a point says again what a chosen point says, from its cosine to the closest
    (``most``): 0 up to RELATED (sentences on one topic are all somewhat alike, and that
    must not favour the ones off the topic), rising to 1 at the same meaning."""
    return max(0.0, most - RELATED) / (1 - RELATED)


def _summary(
    picked: Sequence[int],
    weight: Mapping[int, float],
    docs: Mapping[int, frozenset[str]],
    vecs: np.ndarray,
    alone: Mapping[int, bool],
) -> list[int]:
    """The weightiest points, each from a document not yet in the summary and distinct from
    those chosen, as long as they weigh nearly as much as the first; at least three. A point
    that leans on the sentence before it (``alone`` false: "Since then, …") is taken only to
    reach three."""
    out: list[int] = []
    used: set[str] = set()
    ranked = sorted(picked, key=lambda i: -weight[i])
    top = weight[ranked[0]] if ranked else 0.0
    for strict in (True, False):
        for i in ranked:
            if len(out) == SUMMARY[1] or (
                len(out) >= SUMMARY[0] and (not strict or weight[i] < MAIN * top)
            ):
                break
            distinct = all(float(vecs[i] @ vecs[j]) <= 0.75 for j in out)
            if i not in out and distinct and not (strict and (docs[i] & used or not alone[i])):
                out.append(i)
                used |= docs[i]
    return out


def _nearest(
    themes: list[tuple[str, list[int]]], members: Sequence[int], vecs: np.ndarray
) -> list[int]:
    centre = vecs[list(members)].mean(0)
    return max(themes, key=lambda t: float(vecs[t[1]].mean(0) @ centre) if t[1] else -1.0)[1]


def _merged(
    themes: list[tuple[str, list[int]]], docs: Mapping[int, frozenset[str]], vecs: np.ndarray
) -> list[tuple[str, list[int]]]:
    """A theme whose points all come from one document joins the nearest other theme."""
    while len(themes) > 1:
        single = next((t for t in themes if len(frozenset().union(*(docs[i] for i in t[1]))) < 2),
                      None)  # fmt: skip
        if single is None:
            break
        rest = [t for t in themes if t is not single]
        centre = vecs[single[1]].mean(0)
        name, points = max(rest, key=lambda t: float(vecs[t[1]].mean(0) @ centre))
        at = rest.index((name, points))
        rest[at] = (name, points + single[1])
        themes = rest
    return [(name, points[:MAX_THEME_POINTS]) for name, points in themes]


def timeline(
    pool: Sequence[int],
    sents: Sequence[Sentence],
    scores: np.ndarray,
    vecs: np.ndarray,
    limit: int = 12,
) -> list[tuple[str, str, list[int], bool]]:
    """(ISO date, label, the statements of one action, dated by its document) in date order:
    the most relevant dated actions, statements of the same action on the same day merged."""
    found = [(d, i) for i in pool for d in action_dates(sents[i].shown, sents[i].doc.date)]
    events: list[tuple[str, str, list[int], bool]] = []
    # a sentence that opens with its date ("Today, OMB issued …") is about that action
    for d, i in sorted(found, key=lambda x: (_where(x[0], sents[x[1]].shown), -scores[x[1]])):
        same = [e for e in events if e[0] == d.iso]
        match = next((e for e in same if _same_action(e, d.from_document, i, sents, vecs)), None)
        if match is not None:
            if i not in match[2] and len(match[2]) < 3:
                match[2].append(i)
        elif len(events) < limit and len(same) < 2:
            events.append((d.iso, d.label, [i], d.from_document))
    return sorted(events, key=lambda e: (e[0], -scores[e[2][0]]))


def _where(d: ActionDate, text: str) -> int:
    """How far into the sentence its date (or "today") is stated: the sooner, the more the
    sentence is about that action (10 when not within its first words)."""
    words = text.lower().split()[:10]
    mark = "today" if d.from_document else d.label.split()[0].lower()
    return next((n for n, w in enumerate(words) if w.strip(",.:;—–-").startswith(mark)), 10)


def _same_action(
    event: tuple[str, str, list[int], bool],
    from_document: bool,
    i: int,
    sents: Sequence[Sentence],
    vecs: np.ndarray,
) -> bool:
    """Two statements of one day report one action: close in meaning, or both what one
    document says it does that day."""
    first = event[2][0]
    if event[3] and from_document and sents[first].doc.doc_id == sents[i].doc.doc_id:
        return True
    if different_actions(sents[first].shown, sents[i].shown):
        return False
    return float(vecs[first] @ vecs[i]) > SAME_EVENT


def _closeness(
    embed: Callable[[list[str]], np.ndarray] | None, centre: np.ndarray
) -> Callable[[list[str]], list[float]] | None:
    """How close each candidate name is in meaning to a theme's centre (None: no embedder)."""
    if embed is None:
        return None
    unit = centre / max(float(np.linalg.norm(centre)), 1e-12)
    return lambda names: [float(v @ unit) for v in embed(names)]


def _hearsay(text: str) -> float:
    """Less weight for a quotation ("…," said X) and a long sentence: a main point is the
    sources' own short statement."""
    quoted = text.startswith(("“", '"')) or re.search(r"[,.]”?\s+said\b|\bsaid\s+[A-Z]", text)
    return 0.08 * bool(quoted) + 0.05 * (len(text.split()) > 60)
