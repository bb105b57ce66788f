"""The answerer that needs no language model: it quotes the best sentences and cites them.

Each candidate sentence from the top passages is scored by its embedding similarity to the
question and by how many of the question's content words it contains; redundant sentences
are dropped (maximal marginal relevance). When even the best sentence is weak, it says the
corpus does not answer the question instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from assistant.answerer import Answerer
from assistant.settings import AnswerSettings
from assistant.short_answer import CitedSentence, ShortAnswer, from_candidates
from assistant.types import EXTRACTIVE, Answer, Citation, SentenceSupport
from corpus.dates import YEAR_OR_MONTH
from corpus.sentences import split_sentences
from index.bm25 import tokenize
from index.embedder import Embedder
from index.types import Hit

_HEADING_LIKE = re.compile(r"^#{1,6}\s")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_LINK_TAIL = re.compile(r"\]\([^)\s]*\)")  # a link whose "[" lies before the sentence
_MD_EMPHASIS = re.compile(r"(\*\*|__|(?<!\w)\*(?!\s)|(?<=\w)\*(?!\w))")
# inline formatting tags in Markdown sources; any other markup stays (and is escaped on display)
_FORMAT_TAG = re.compile(r"</?(?:u|b|i|em|strong|sup|sub|span|br)\s*/?>", re.I)
_WORDY = re.compile(r"[A-Za-z]{2,}")
_LEAD_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
# a clause cut from its sentence: "(OMB) is delivering …", "(i) the requirement …"
_CUT_CLAUSE = re.compile(r"^\([^)]{1,12}\)\s+[a-z]")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+.!|-])")
_LIST_ITEM = re.compile(r"\n\s*(?:[-*•]|\d{1,2}[.)])\s+[^\n]+")
_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|dozen|hundred|thousand|million|"
    r"billion)\b", re.I,
)  # fmt: skip
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+")
# "how much": an amount (money, a quantity with its unit), not any number such as a date
_AMOUNT = re.compile(
    r"[$€£]\s?\d|\b\d[\d,.]*\s*(?:%|percent|per cent|million|billion|thousand|dollars?|"
    r"euros?|pounds?|litres?|liters?|tonnes?|tons?|kilometres?|miles?|hectares?|acres?)\b",
    re.I,
)
NOT_ANSWERED = "The corpus does not answer this question well enough to quote an answer."


@dataclass(frozen=True)
class Candidate:
    hit: Hit
    start: int  # offsets into the document text
    end: int
    text: str


def readable(text: str) -> str:
    """Markdown links and emphasis reduced to their words, whitespace collapsed: for display
    and scoring only. Citations keep the exact source span."""
    text = _MD_EMPHASIS.sub("", _MD_LINK_TAIL.sub("", _MD_LINK.sub(r"\1", text)))
    text = _MD_ESCAPE.sub(r"\1", _LEAD_BULLET.sub("", _FORMAT_TAG.sub("", text)))
    return " ".join(text.split())


def _blank_links(text: str) -> str:
    """``text`` with each Markdown link target replaced by spaces of the same length."""
    return _MD_LINK_TAIL.sub(lambda m: "]" + " " * (len(m.group()) - 1), text)


def usable(text: str) -> bool:
    """Whether a sentence can stand as a quote: mostly words, not a URL or a dangling lead-in
    whose list was cut off by the chunk boundary."""
    shown = readable(text)
    words = shown.split()
    if shown.endswith(":") or "://" in shown or shown.startswith("/"):
        return False
    if shown[:1].islower() or _CUT_CLAUSE.match(shown):
        return False  # a fragment: the chunk (or the splitter) began mid-sentence
    if shown.count("[") != shown.count("]") or shown.count("(") < shown.count(")"):
        return False  # cut inside a link or a parenthesis
    if len(words) < 12 and shown[-1:] not in '.!?;:)"”’':
        return False  # a title or label line, not a statement
    return sum(bool(_WORDY.match(w)) for w in words) >= 0.6 * len(words)


def _with_list(chunk_text: str, end: int) -> int:
    """A sentence that introduces a list (ends with ':') is extended over the list items."""
    if not chunk_text[:end].rstrip().endswith(":"):
        return end
    pos = end
    for _ in range(8):
        m = _LIST_ITEM.match(chunk_text, pos)
        if not m or m.end() - end > 700:
            break
        pos = m.end()
    return pos


def answer_type_bonus(question: str, text: str) -> float:
    """A little credit for sentences holding the kind of thing the question asks for."""
    q = question.lower()
    if q.startswith(("when", "what year", "what date")) or " when " in q:
        return 0.1 if YEAR_OR_MONTH.search(text) else 0.0
    if q.startswith("how much"):
        return 0.1 if _AMOUNT.search(text) else 0.0
    if q.startswith("how many"):
        return 0.1 if _NUMBER.search(YEAR_OR_MONTH.sub(" ", text)) else 0.0
    if q.startswith(("who", "which")):
        return 0.05 if len(_NAME.findall(text)) >= 2 else 0.0
    return 0.0


def candidates(hits: Sequence[Hit], max_words: int = 80) -> list[Candidate]:
    """Sentences of the passages, with exact document offsets; headings and scraps skipped."""
    out: list[Candidate] = []
    seen: set[tuple[str, int]] = set()
    for hit in hits:
        chunk = hit.chunk
        for s, e in split_sentences(chunk.text):
            e = _with_list(chunk.text, e)
            text = chunk.text[s:e]
            words = len(text.split())
            key = (chunk.doc_id, chunk.start + s)
            limit = max_words * 3 if "\n" in text else max_words  # a sentence and its list
            # overlapping chunks repeat sentences; headings and URLs answer nothing
            if words < 4 or words > limit or _HEADING_LIKE.match(text) or key in seen:
                continue
            if not usable(text):
                continue
            seen.add(key)
            out.append(Candidate(hit, chunk.start + s, chunk.start + e, text))
    return out


def term_overlap(question_terms: set[str], text: str) -> float:
    if not question_terms:
        return 0.0
    return len(question_terms & set(tokenize(text))) / len(question_terms)


class ExtractiveAnswerer(Answerer):
    """Quotes the best sentences of the passages; needs no model and has no fallback."""

    name = EXTRACTIVE

    redundancy = 0.85  # a sentence this close (cosine) to one already quoted adds nothing
    max_candidates = 32  # sentences embedded per answer (see shortlist)
    focus_check = True  # short answers: names checked against the focus noun by embedding

    def __init__(self, embedder: Embedder, settings: AnswerSettings | None = None) -> None:
        super().__init__()
        self.embedder = embedder
        self.settings = settings or AnswerSettings()
        self.max_sentences = self.settings.sentences
        self.min_score = self.settings.min_evidence

    def shortlist(self, question: str, cands: Sequence[Candidate]) -> list[Candidate]:
        """The candidates worth embedding: embedding every sentence of every passage is most
        of an answer's cost, and one that shares no word with the question and sits in a low
        passage rarely wins. Ranked by term overlap plus a passage-rank prior."""
        if len(cands) <= self.max_candidates:
            return list(cands)
        terms = set(tokenize(question))
        lexical = [term_overlap(terms, readable(c.text)) + 0.5 / (1 + c.hit.rank) for c in cands]
        keep = sorted(range(len(cands)), key=lambda i: -lexical[i])[: self.max_candidates]
        return [cands[i] for i in sorted(keep)]

    def score(self, question: str, cands: Sequence[Candidate]) -> tuple[np.ndarray, np.ndarray]:
        """(combined scores, sentence vectors) for the candidates."""
        texts = [readable(c.text) for c in cands]
        vecs = self.embedder.embed([question, *texts])
        sims = vecs[1:] @ vecs[0]
        terms = set(tokenize(question))
        overlap = np.array([term_overlap(terms, t) for t in texts], dtype=np.float32)
        # a small prior for the passage's retrieval rank breaks ties toward better passages
        prior = np.array([1.0 / (1 + c.hit.rank) for c in cands], dtype=np.float32)
        bonus = np.array([answer_type_bonus(question, t) for t in texts], dtype=np.float32)
        return 0.6 * sims + 0.4 * overlap + 0.05 * prior + bonus, vecs[1:]

    def _answer(self, question: str, hits: Sequence[Hit]) -> Answer:
        cands = self.shortlist(question, candidates(hits))
        if not cands:
            return Answer(question, NOT_ANSWERED, False, hits=tuple(hits), backend=self.name)
        scores, vecs = self.score(question, cands)
        picked = self._select(scores, vecs)
        if not picked:
            return Answer(question, NOT_ANSWERED, False, hits=tuple(hits), backend=self.name)
        short = self.short(question, cands, scores)
        if short is not None and short.n not in picked:
            # the short answer's sentence is cited: it takes the weakest evidence's place
            picked = [*picked[: self.max_sentences - 1], short.n]
        picked.sort(key=lambda i: (cands[i].hit.rank, cands[i].start))  # read in passage order
        citations, lines, sentences = [], [], []
        for n, i in enumerate(picked, 1):
            c = cands[i]
            citations.append(
                Citation(n, c.hit.chunk.doc_id, c.hit.document.title, c.hit.document.source,
                         c.hit.chunk.page, c.start, c.end, c.text, float(scores[i]))
            )  # fmt: skip
            shown = readable(c.text)
            lines.append(f"{shown} [{n}]")  # one source sentence, its own citation
            sentences.append(SentenceSupport(shown, (n,), True, 1.0))
        if short is not None:
            short = replace(short, n=picked.index(short.n) + 1)
            inferred = " (inferred)" if short.inferred else ""  # a "Yes"/"No" read off a rule
            lines.insert(0, f"{readable(short.text)} [{short.n}]{inferred}\n")
        return Answer(
            question, "\n".join(lines), True, tuple(citations), tuple(sentences),
            tuple(hits), self.name, short_answer=short,
        )  # fmt: skip

    def short(
        self, question: str, cands: Sequence[Candidate], scores: np.ndarray
    ) -> ShortAnswer | None:
        """The short answer from the best-scored candidates (``n`` is the candidate's index:
        the caller numbers it as cited); see ``assistant.short_answer``. Link targets are
        blanked first, offsets kept, so no span comes from a URL the reader never sees."""
        sentences = [
            CitedSentence(i, c.start, c.end, _blank_links(c.text), c.hit.document.title,
                          float(scores[i]))
            for i, c in enumerate(cands)
        ]  # fmt: skip
        found = from_candidates(question, sentences, self.embedder if self.focus_check else None)
        if found is None or found.inferred:
            return found
        c = cands[found.n]
        # a span that runs into a blanked link target is not what the document says
        return found if c.text[found.start - c.start : found.end - c.start] == found.text else None

    def _select(self, scores: np.ndarray, vecs: np.ndarray) -> list[int]:
        order = list(np.argsort(-scores))
        if not order or scores[order[0]] < self.min_score:
            return []
        best = float(scores[order[0]])
        picked: list[int] = []
        for i in order:
            if len(picked) == self.max_sentences or scores[i] < max(self.min_score, 0.75 * best):
                break
            if any(float(vecs[i] @ vecs[j]) > self.redundancy for j in picked):
                continue
            picked.append(int(i))
        return picked
