"""The sentences a briefing may state: whole sentences of the evidence, each with the exact
document span that cites it, cleaned so that it reads on its own.

Sentences are cut from the whole document (a chunk may begin mid-sentence), a hard-wrapped
"(OMB) is …" line is joined back to its sentence, leading enumerators ("(g)", "1.", "Sec. 4.")
and shouted labels ("PROMOTING AI ADOPTION:") are dropped, and a list item that cannot stand
alone ("designate Chief AI Officers") is joined to its lead-in ("the policy requires agencies
to …"). Fragments, link captions and navigation never become points.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.extractive import readable
from assistant.point_text import MARKER, MAX_WORDS, SUBJECT_START, clean, link_heavy, whole_sentence
from corpus.sentences import split_sentences
from corpus.types import Document
from index.catalog import DocumentInfo
from index.types import Hit

# a parenthetical that continues the line before it ("(OMB) is …"), not an enumerator
_CONTINUES = re.compile(r"^\((?![ivxlc]{1,6}\))(?![a-zA-Z]\))[A-Za-z][\w.&-]+\)\s")
_BOLD_END = re.compile(r"[.!?][\"'”’)]?(?:\*\*|__)(?=\s)")  # "release.** This testing …"
_TAG = re.compile(r"<[^>]+>")
_AUX = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|shall|must|can|may|should|would|could|does|did)\b"
)
# verbs that make a clause of a list item ("Today's order instructs the Secretary …")
_FINITE = re.compile(
    r"\b(?:instruct|direct|require|establish|provide|include|support|use|leverage|improve|"
    r"expand|help|call|create|launch|sign|issue|announce|commit|ensure|promote|advance|build|"
    r"give|make|take|allow|enable|set|define|introduce|mandate|prohibit|revoke|rescind|replace|"
    r"appl|mean|remain|continue|represent|reflect|plan|seek|aim|mark|bring|offer|invest|"
    r"protect|prioritize|optimize|task|charge|order|authorize)(?:s|es|ies|ed|d)\b"
)
_JOINS = re.compile(r"\b(?:to|shall|will|must|should|may|can)(?:\s+\w+ly)?\s*:$")
MAX_SPAN = 1500  # characters a joined lead-in and item may span in the source
LEAD_RANK = 99  # the rank given to a document's opening sentences read outside any passage


@dataclass(frozen=True)
class Sentence:
    """A whole sentence of the evidence: the exact span that cites it, and how it reads."""

    doc: DocumentInfo
    start: int  # document offsets of the cited span: ``text == document.text[start:end]``
    end: int
    text: str
    shown: str  # as the briefing states it
    page: int | None = None
    rank: int = LEAD_RANK  # the rank of the retrieved passage it was found in
    lead: int = 0  # characters of ``shown`` that are a list's lead-in, not the item's own
    chunk: str = ""  # the id of that passage ("" for an opening read outside any passage)

    @property
    def own(self) -> str:
        """What the sentence itself says: a list item without the lead-in it is read with."""
        return self.shown[self.lead :]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a whole document, repaired: a sentence closed inside bold markup
    ends there, a bold heading line is cut off the sentence after it, and a line that
    continues the sentence before it (an open link or parenthesis, "(OMB) is …", a
    lowercase start) is joined back to it."""
    spans: list[tuple[int, int]] = []
    for s, e in split_sentences(text):
        s += _heading_end(text[s:e])
        cut = s
        for m in _BOLD_END.finditer(text, s, e):
            spans.append((cut, m.end()))
            cut = m.end() + 1
        if cut < e:
            spans.append((cut, e))
    spans = [(s + len(text[s:e]) - len(text[s:e].lstrip()), e) for s, e in spans]
    out: list[tuple[int, int]] = []
    for s, e in spans:
        piece = text[s:e]
        if out and "\n\n" not in text[out[-1][1] : s] and _continues(text[slice(*out[-1])], piece):
            out[-1] = (out[-1][0], e)
        elif s < e:
            out.append((s, e))
    return out


def _continues(before: str, piece: str) -> bool:
    shown = readable(before)
    if _CONTINUES.match(piece) or shown.count("(") > shown.count(")") or "[" in shown:
        return True
    if re.search(r"\b(?:[A-Z]\.){2,}$", before) and piece[:1].isdigit():
        return True  # "31 U.S.C." / "901(b), …": an abbreviation, not a sentence end
    return piece[:1].islower() and not re.search(r"[.!?:;][\"'”’)*_]*$", before)


def _heading_end(piece: str) -> int:
    """The length of a bold heading line the splitter left at the start of a sentence."""
    m = re.match(r"\*\*|__", piece)
    close = piece.find(m.group(), 2) if m else -1
    if close < 0:
        return 0
    inner = _TAG.sub("", piece[2:close])
    heading = inner.rstrip(" \t").endswith("\n") or piece[close + 2 : close + 3] == "\n"
    return close + 2 if heading and not re.search(r"[.!?:]\s*$", inner) else 0


def _is_item(text: str, start: int) -> bool:
    """Whether the sentence at ``start`` opens a list item (a marker at a line start)."""
    line_start = text.rfind("\n", 0, start) + 1
    return not text[line_start:start].strip() and bool(MARKER.match(text[start:]))


def _joined(lead: str, item: str) -> str | None:
    """A list item read with its lead-in when it cannot stand alone; None when it can (it
    opens with a subject of its own, or is a clause and the lead-in needs no completion)."""
    words = item.split()
    if not words or (item[:1].isupper() and words[0].strip('“"').lower() in SUBJECT_START):
        return None
    if item[:1].isupper() and not _JOINS.search(lead) and _clause(item):
        return None  # "Agencies will expand …": a sentence of its own
    if item[:1].isupper() and not words[0].isupper():
        item = item[0].lower() + item[1:]
    lead = lead.rstrip()
    lead = lead[:-1] if _JOINS.search(lead) else lead  # "… agencies to designate …"
    return f"{lead} {item}"


def document_sentences(
    doc: Document, info: DocumentInfo, spans: Sequence[tuple[int, int]], lo: int, hi: int,
    rank: int = LEAD_RANK, chunk: str = "",
) -> list[Sentence]:  # fmt: skip
    """The usable sentences among ``spans`` of ``doc`` that end after ``lo`` and start before
    ``hi`` (a passage), each cited by its exact span."""
    text = doc.text
    out: list[Sentence] = []
    lead: tuple[int, str] | None = None  # the open list's lead-in: (start, how it reads)

    def add(s: int, e: int, shown: str, lead: int = 0) -> None:
        out.append(Sentence(info, s, e, text[s:e], shown, doc.page_at(s), rank, lead, chunk))

    for s, e in spans:
        if s >= hi:
            break
        if e < lo - MAX_SPAN:
            continue  # too far before the passage to lead into it
        raw = text[s:e]
        item = _is_item(text, s)
        if not item and not text[text.rfind("\n", 0, s) + 1 : s]:
            lead = None  # a new paragraph at the margin closes an open list
        shown = clean(raw)
        if shown.endswith(":") and not item:
            lead = (s, shown)
            continue
        if e <= lo:
            continue
        if item and lead is not None and e - lead[0] <= MAX_SPAN:
            joined = _joined(lead[1], shown)
            if joined is not None:
                if whole_sentence(joined, MAX_WORDS + 30) and not link_heavy(raw):
                    add(lead[0], e, joined, len(joined) - len(shown))
                continue
        if item and not _stands_alone(shown):
            continue  # "Best practices to …", "Accelerating …;": a phrase of a list
        if whole_sentence(shown) and not link_heavy(raw):
            add(s, e, shown)
    return out


def _stands_alone(text: str) -> bool:
    words = text.split()
    return bool(words) and (words[0].strip('“"').lower() in SUBJECT_START or _clause(text))


def _clause(text: str) -> bool:
    """Whether a list item has a verb of its own (not "Best practices to …")."""
    words = text.split()
    head = " ".join(words[:12]).lower()
    return not words[0].endswith("ing") and bool(_AUX.search(head) or _FINITE.search(head))


def _spans(text: str) -> tuple[tuple[int, int], ...]:
    # briefings of one session read the same documents again; a long one is not kept
    return _kept_spans(text) if len(text) <= 200_000 else tuple(sentence_spans(text))


@lru_cache(maxsize=128)
def _kept_spans(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(sentence_spans(text))


class Reader:
    """Documents read once per briefing, with their repaired sentence spans."""

    def __init__(self, read: Callable[[str], Document | None]) -> None:
        self._read = read
        self._docs: dict[str, tuple[Document, tuple[tuple[int, int], ...]] | None] = {}

    def get(self, doc_id: str) -> tuple[Document, tuple[tuple[int, int], ...]] | None:
        if doc_id not in self._docs:
            doc = self._read(doc_id)
            self._docs[doc_id] = None if doc is None else (doc, _spans(doc.text))
        return self._docs[doc_id]

    def opening(self, info: DocumentInfo, n: int = 3) -> list[Sentence]:
        """A document's first ``n`` usable sentences: where it says what it is and does."""
        got = self.get(info.doc_id)
        if got is None:
            return []
        doc, spans = got
        return document_sentences(doc, info, spans[: n * 4], 0, len(doc.text))[:n]


def evidence(hits: Sequence[Hit], reader: Reader) -> list[Sentence]:
    """The whole sentences of the retrieved passages, once each, from their documents'
    full text, each credited to its best-ranked passage."""
    by_doc: dict[str, list[Hit]] = {}
    for h in sorted(hits, key=lambda h: h.rank):
        by_doc.setdefault(h.chunk.doc_id, []).append(h)
    out: list[Sentence] = []
    for doc_id, doc_hits in by_doc.items():
        got = reader.get(doc_id)
        if got is None:
            continue
        doc, spans = got
        seen: set[tuple[int, int]] = set()
        for h in doc_hits:  # best passage first: a sentence in two passages goes to the best
            found = document_sentences(doc, h.document, spans, h.chunk.start, h.chunk.end,
                                       h.rank, h.chunk.chunk_id)  # fmt: skip
            for sent in found:
                if (sent.start, sent.end) not in seen:
                    seen.add((sent.start, sent.end))
                    out.append(sent)
    return out
