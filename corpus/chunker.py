"""Cut a Document into token-bounded, overlapping Chunks with exact character offsets.

The text is tokenized once; token end offsets give a cheap estimate of how many tokens
any span holds, so each chunk is encoded only to confirm its exact count (a substring can
tokenize slightly differently at its edges). A chunk ends at the best boundary that keeps
it at least half full: paragraph, then line break, sentence, word, and only as a last
resort a token boundary inside a long word.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from corpus.sentences import split_sentences
from corpus.tokens import ENCODING_TAG, count_tokens, token_end_offsets
from corpus.types import Chunk, Document

__all__ = ["ChunkerConfig", "chunk_document", "split_sentences"]

_MIN_MAX_TOKENS = 8  # one character can take 4 byte tokens; below this, chunks may not fit
_FINGERPRINT_VERSION = "v1"  # bump when boundary rules change: chunks (and ids) change too

_PARAGRAPH_END = re.compile(r"(?<=\S)[^\S\n]*\n(?:[^\S\n]*\n)+")
_LINE_END = re.compile(r"(?<=\S)[^\S\n]*\n")
_WORD = re.compile(r"\S+")
_NON_SPACE = re.compile(r"\S")


@dataclass(frozen=True)
class ChunkerConfig:
    """How big chunks are; ``fingerprint()`` is stored with the index to detect changes."""

    max_tokens: int = 200  # cl100k tokens per chunk, a hard limit
    overlap_tokens: int = 40  # about this many tokens repeat the previous chunk's end
    min_tokens: int = 20  # a shorter last chunk merges into the previous one if it fits

    def __post_init__(self) -> None:
        if self.max_tokens < _MIN_MAX_TOKENS:
            raise ValueError(f"max_tokens must be at least {_MIN_MAX_TOKENS}")
        if not 0 <= self.overlap_tokens < self.max_tokens:
            raise ValueError("overlap_tokens must be >= 0 and below max_tokens")
        if not 0 <= self.min_tokens <= self.max_tokens:
            raise ValueError("min_tokens must be between 0 and max_tokens")

    def fingerprint(self) -> str:
        return (
            f"{ENCODING_TAG}/max{self.max_tokens}/overlap{self.overlap_tokens}"
            f"/min{self.min_tokens}/{_FINGERPRINT_VERSION}"
        )


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    n_tokens: int


class _Layout:
    """One document's text with its token ends and candidate boundaries, all precomputed."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.token_ends = token_end_offsets(text)
        self.content_end = len(text.rstrip())
        sentences = split_sentences(text)
        words = [m.span() for m in _WORD.finditer(text)]
        # Each list holds positions where a chunk may end (just after non-space text),
        # best boundary kind first.
        self.breaks: tuple[list[int], ...] = (
            [m.start() for m in _PARAGRAPH_END.finditer(text)],
            [m.start() for m in _LINE_END.finditer(text)],
            [end for _, end in sentences],
            [end for _, end in words],
        )
        self.sentence_starts = [start for start, _ in sentences]
        self.word_starts = [start for start, _ in words]

    def next_content(self, pos: int) -> int:
        """First non-space position at or after ``pos`` (len(text) if none)."""
        found = _NON_SPACE.search(self.text, pos)
        return found.start() if found else len(self.text)

    def token_at(self, pos: int) -> int:
        """Index of the token that holds character ``pos``."""
        return bisect.bisect_right(self.token_ends, pos)

    def token_start(self, index: int) -> int:
        return self.token_ends[index - 1] if index > 0 else 0

    def estimate(self, start: int, end: int) -> int:
        """Tokens of the whole-text tokenization that overlap ``[start, end)``."""
        return self.token_at(end - 1) - self.token_at(start) + 1 if end > start else 0

    def limit(self, start: int, budget: int) -> int:
        """End of the ``budget``-th token counted from the one holding ``start``."""
        last = self.token_at(start) + budget - 1
        return self.token_ends[last] if last < len(self.token_ends) else len(self.text)

    def rstrip_to(self, start: int, end: int) -> int:
        """``end`` moved back over trailing whitespace, staying after ``start``."""
        while end > start + 1 and self.text[end - 1].isspace():
            end -= 1
        return end


def chunk_document(
    doc: Document,
    config: ChunkerConfig = ChunkerConfig(),  # frozen, so one shared default is safe
    *,
    fits: Callable[[str], bool] | None = None,
) -> list[Chunk]:
    """Chunks of ``doc`` in text order; ``fits`` is an extra size test each must pass."""
    if not doc.text.strip():
        return []
    layout = _Layout(doc.text)
    spans = _merge_short_tail(layout, _cut(layout, config, fits), config, fits)
    version = doc.content_hash[:12]
    return [
        Chunk(
            doc_id=doc.doc_id,
            index=i,
            text=doc.text[span.start : span.end],
            start=span.start,
            end=span.end,
            page=doc.page_at(span.start),
            headings=doc.heading_path(span.start),
            n_tokens=span.n_tokens,
            version=version,
        )
        for i, span in enumerate(spans)
    ]


def _cut(layout: _Layout, config: ChunkerConfig, fits: Callable[[str], bool] | None) -> list[_Span]:
    spans: list[_Span] = []
    start = layout.next_content(0)
    prev_end = 0
    while True:
        span = _fit_span(layout, start, config, fits)
        if span.end <= prev_end:
            # The overlap ate the whole (shrunken) chunk: continue without overlap so
            # every chunk adds new text.
            span = _fit_span(layout, layout.next_content(prev_end), config, fits)
        spans.append(span)
        if layout.next_content(span.end) >= len(layout.text):
            return spans
        overlap = _overlap_start(layout, span, config.overlap_tokens)
        start = overlap if overlap is not None else layout.next_content(span.end)
        prev_end = span.end


def _fit_span(
    layout: _Layout, start: int, config: ChunkerConfig, fits: Callable[[str], bool] | None
) -> _Span:
    """The longest acceptable chunk from ``start``, shrinking the token budget on failure."""
    budget = config.max_tokens
    while True:
        end = _choose_end(layout, start, budget)
        piece = layout.text[start:end]
        n = count_tokens(piece)
        if n <= config.max_tokens and (fits is None or fits(piece)):
            return _Span(start, end, n)
        if budget <= 1:
            return _shrink_by_chars(layout, start, end, config, fits)
        used = min(budget, layout.estimate(start, end))
        if n > config.max_tokens:
            # Edge effects made the substring a little costlier than estimated.
            budget = max(1, used - (n - config.max_tokens))
        else:
            budget = max(1, used // 2)  # ``fits`` rejected it; its measure is unknown to us


def _choose_end(layout: _Layout, start: int, budget: int) -> int:
    """Where a chunk from ``start`` with ~``budget`` tokens should end (trimmed)."""
    limit = layout.limit(start, budget)
    if limit >= layout.content_end:
        return layout.content_end
    word_level = len(layout.breaks) - 1
    for level, positions in enumerate(layout.breaks):
        i = bisect.bisect_right(positions, limit) - 1
        if i < 0 or positions[i] <= start:
            continue
        # A better boundary is worth it only if the chunk stays at least half full.
        if level == word_level or 2 * layout.estimate(start, positions[i]) >= budget:
            return positions[i]
    return layout.rstrip_to(start, limit)


def _shrink_by_chars(
    layout: _Layout, start: int, end: int, config: ChunkerConfig, fits: Callable[[str], bool] | None
) -> _Span:
    """Last resort when even one token fails ``fits``: halve the span by characters."""
    while end > start + 1:
        end = layout.rstrip_to(start, start + (end - start) // 2)
        piece = layout.text[start:end]
        n = count_tokens(piece)
        if n <= config.max_tokens and (fits is None or fits(piece)):
            return _Span(start, end, n)
    raise ValueError(f"no chunk starting at offset {start} satisfies the fits predicate")


def _overlap_start(layout: _Layout, span: _Span, overlap_tokens: int) -> int | None:
    """Where the next chunk starts so that ~``overlap_tokens`` of ``span`` repeat.

    Snapped to a sentence start if one gives at least half the overlap, else to a word
    start; never at or before ``span.start`` so chunks always move forward.
    """
    overlap = min(overlap_tokens, span.n_tokens // 2)
    if overlap <= 0:
        return None
    first = layout.token_at(span.end - 1) - overlap + 1
    target = max(layout.token_start(first), span.start + 1)
    for starts, min_tokens in (
        (layout.sentence_starts, (overlap + 1) // 2),
        (layout.word_starts, 1),
    ):
        i = bisect.bisect_left(starts, target)
        found = starts[i] if i < len(starts) else span.end
        if found < span.end and layout.estimate(found, span.end) >= min_tokens:
            return found
    fallback = layout.next_content(target)  # inside a long word: a token boundary
    return fallback if fallback < span.end else None


def _merge_short_tail(
    layout: _Layout, spans: list[_Span], config: ChunkerConfig, fits: Callable[[str], bool] | None
) -> list[_Span]:
    """Fold a last chunk under ``min_tokens`` into the one before when the union fits."""
    if len(spans) < 2 or spans[-1].n_tokens >= config.min_tokens:
        return spans
    prev, last = spans[-2], spans[-1]
    piece = layout.text[prev.start : last.end]
    n = count_tokens(piece)
    if n > config.max_tokens or (fits is not None and not fits(piece)):
        return spans
    return [*spans[:-2], _Span(prev.start, last.end, n)]
