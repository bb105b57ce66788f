"""Chunker and sentence splitter: offset contract, limits, coverage, boundary choice."""

from __future__ import annotations

import itertools
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.chunker import ChunkerConfig, chunk_document, split_sentences
from corpus.tokens import count_tokens, token_end_offsets
from corpus.types import Chunk, Document, Heading

_PIECES = [
    "word",
    "research",
    "café",
    "naïve",
    "—",
    "中文",
    "😀",
    "👩‍👩‍👧",
    "Dr.",
    "e.g.",
    "U.S.",
    "5 p.m.",
    "end.",
    "why?",
    "wow!",
    ",",
    ";",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\n \n\n",
    "- item",
    "1. First",
    "<|endoftext|>",
]
_LONG = st.text(alphabet="abcxyz0123/:.-_é中😀", min_size=50, max_size=600)
_TOKEN = st.one_of(st.sampled_from(_PIECES), _LONG, st.text(max_size=5))
_SEP = st.sampled_from([" ", " ", " ", "\n", "\n\n", ". ", "! ", "? "])
_TEXT = st.lists(st.tuples(_TOKEN, _SEP), max_size=250).map(
    lambda parts: "".join(tok + sep for tok, sep in parts)
)
_CONFIG = st.builds(
    ChunkerConfig,
    max_tokens=st.integers(8, 120),
    overlap_tokens=st.integers(0, 7),
    min_tokens=st.integers(0, 8),
)
_PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _doc(
    text: str, page_starts: tuple[int, ...] = (), headings: tuple[Heading, ...] = ()
) -> Document:
    return Document(
        "doc",
        "doc.txt",
        "Doc",
        text,
        page_starts=page_starts,
        headings=headings,
        content_hash="0123456789abcdef",
    )


def _check_contract(doc: Document, chunks: list[Chunk], config: ChunkerConfig) -> None:
    text = doc.text
    covered = bytearray(len(text))
    prev: Chunk | None = None
    for i, c in enumerate(chunks):
        assert text[c.start : c.end] == c.text
        assert c.text and c.text == c.text.strip()
        assert c.n_tokens == count_tokens(c.text) <= config.max_tokens
        assert (c.index, c.doc_id, c.version) == (i, "doc", "0123456789ab")
        assert c.page == doc.page_at(c.start)
        assert c.headings == doc.heading_path(c.start)
        if prev is not None:
            assert c.start > prev.start and c.end > prev.end
        covered[c.start : c.end] = b"\x01" * (c.end - c.start)
        prev = c
    missed = [i for i, ch in enumerate(text) if not ch.isspace() and not covered[i]]
    assert not missed, f"uncovered offsets {missed[:10]}"


@_PROPS
@given(text=_TEXT, config=_CONFIG)
def test_offsets_limits_order_and_coverage(text: str, config: ChunkerConfig) -> None:
    doc = _doc(text)
    chunks = chunk_document(doc, config)
    _check_contract(doc, chunks, config)
    assert (chunks == []) == (text.strip() == "")


@_PROPS
@given(text=_TEXT, max_len=st.integers(40, 300))
def test_fits_predicate_is_honoured(text: str, max_len: int) -> None:
    config = ChunkerConfig(max_tokens=200, overlap_tokens=40, min_tokens=20)
    doc = _doc(text)
    chunks = chunk_document(doc, config, fits=lambda s: len(s) <= max_len)
    _check_contract(doc, chunks, config)
    assert all(len(c.text) <= max_len for c in chunks)


@_PROPS
@given(text=_TEXT)
def test_token_ends_are_char_offsets(text: str) -> None:
    ends = token_end_offsets(text)
    assert ends == sorted(ends)
    assert (ends[-1] if ends else 0) == len(text)


@_PROPS
@given(text=_TEXT, bounds=st.tuples(st.integers(0, 2000), st.integers(0, 2000)))
def test_split_sentences_spans(text: str, bounds: tuple[int, int]) -> None:
    lo, hi = sorted(bounds)
    spans = split_sentences(text, lo, hi)
    last = lo
    for s, e in spans:
        assert last <= s < e <= min(hi, len(text))
        piece = text[s:e]
        assert piece == piece.strip() and piece
        last = e
    inside = {i for s, e in spans for i in range(s, e)}
    assert all(text[i].isspace() or i in inside for i in range(lo, min(hi, len(text))))


def test_empty_and_whitespace_only() -> None:
    assert chunk_document(_doc("")) == []
    assert chunk_document(_doc(" \n\t \n ")) == []


def _paragraph(n_tokens: int, word: str = "alpha") -> str:
    """A paragraph of sentences, close to ``n_tokens`` cl100k tokens."""
    sentence = f"The {word} result was clear. "
    per = count_tokens(sentence)
    return (sentence * (n_tokens // per)).strip()


def test_two_short_paragraphs_make_one_chunk() -> None:
    text = f"  {_paragraph(40)}\n\n{_paragraph(40, 'beta')}\n"
    chunks = chunk_document(_doc(text))
    assert len(chunks) == 1
    assert chunks[0].text == text.strip() and chunks[0].start == 2


def test_split_prefers_the_blank_line() -> None:
    first, second = _paragraph(150), _paragraph(150, "beta")
    text = f"{first}\n\n{second}"
    chunks = chunk_document(_doc(text), ChunkerConfig(max_tokens=200, overlap_tokens=0))
    assert [c.text for c in chunks] == [first, second]


def test_sentence_boundary_when_no_paragraphs() -> None:
    text = _paragraph(500)
    chunks = chunk_document(_doc(text), ChunkerConfig(max_tokens=100, overlap_tokens=0))
    assert len(chunks) > 4
    assert all(c.text.endswith(".") for c in chunks)


def test_long_unbroken_string_is_cut_at_tokens() -> None:
    url = "https://example.org/" + "abcdefghij" * 300
    chunks = chunk_document(_doc(url), ChunkerConfig(max_tokens=50, overlap_tokens=10))
    assert len(chunks) > 5
    assert all(c.n_tokens <= 50 for c in chunks)


def test_overlap_between_consecutive_chunks() -> None:
    text = "\n\n".join(_paragraph(120, w) for w in ["alpha", "beta", "gamma", "delta", "omega"])
    config = ChunkerConfig(max_tokens=100, overlap_tokens=20)
    chunks = chunk_document(_doc(text), config)
    assert len(chunks) > 5
    for prev, nxt in itertools.pairwise(chunks):
        shared = text[nxt.start : prev.end]
        assert prev.start < nxt.start < prev.end, "consecutive chunks should overlap"
        assert 5 <= count_tokens(shared) <= 2 * config.overlap_tokens
        assert shared[0].isupper()  # snapped to a sentence start here


def test_pages_and_headings() -> None:
    text = "# Intro\nFirst page text.\n\n## Part\nSecond page text.\n\n# Next\nThird page."
    page2, page3 = text.index("## Part"), text.index("# Next")
    headings = (
        Heading(0, 1, "Intro"),
        Heading(text.index("## Part"), 2, "Part"),
        Heading(text.index("# Next"), 1, "Next"),
    )
    doc = _doc(text, page_starts=(0, page2, page3), headings=headings)
    chunks = chunk_document(doc, ChunkerConfig(max_tokens=8, overlap_tokens=0, min_tokens=0))
    by_text = {c.text: c for c in chunks}
    assert len(chunks) == 3
    assert by_text["## Part\nSecond page text."].page == 2
    assert by_text["## Part\nSecond page text."].headings == ("Intro", "Part")
    assert by_text["# Next\nThird page."].headings == ("Next",)
    assert by_text["# Next\nThird page."].page == 3
    assert chunk_document(_doc("plain"))[0].page is None


def test_short_tail_merges_into_previous() -> None:
    text = f"{_paragraph(60)}\n\nTail."
    config = ChunkerConfig(max_tokens=64, overlap_tokens=0, min_tokens=20)
    chunks = chunk_document(_doc(text), config)
    assert [c.text for c in chunks] == [text]


def test_config_fingerprint_and_validation() -> None:
    assert ChunkerConfig().fingerprint() == "tiktoken-cl100k/max200/overlap40/min20/v1"
    with pytest.raises(ValueError):
        ChunkerConfig(max_tokens=4)
    with pytest.raises(ValueError):
        ChunkerConfig(max_tokens=50, overlap_tokens=50)


def test_split_sentences_examples() -> None:
    text = "Dr. Smith arrived. He left at 5 p.m. on Monday! Then?"
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == [
        "Dr. Smith arrived.",
        "He left at 5 p.m. on Monday!",
        "Then?",
    ]
    assert spans[1] == (19, 47)
    prefix = "Intro line.\n"
    offset = split_sentences(prefix + text, len(prefix))
    assert offset == [(s + len(prefix), e + len(prefix)) for s, e in spans]


def test_split_sentences_lines_and_lists() -> None:
    text = (
        "# Results\nWe measured it\nover two weeks. It held.\n\n"
        "Steps:\n1. Mix well\n2. Wait\n- done.\n中文句子。第二句！ J. K. Rowling wrote, e.g. books."
    )
    got = [text[s:e] for s, e in split_sentences(text)]
    assert got == [
        "# Results",
        "We measured it\nover two weeks.",
        "It held.",
        "Steps:",
        "1. Mix well",
        "2. Wait",
        "- done.",
        "中文句子。",
        "第二句！",
        "J. K. Rowling wrote, e.g. books.",
    ]
    assert split_sentences("   ") == [] and split_sentences("abc", 2, 1) == []


def test_fifty_thousand_words_chunk_fast() -> None:
    sentence = "Dossier reads the café report on naïve models — 中文 — and cites it. "
    text = "\n\n".join(sentence * 8 for _ in range(50_000 // (8 * 12)))
    doc = _doc(text)
    chunk_document(_doc("warm up the encoder"))
    t0 = time.perf_counter()
    chunks = chunk_document(doc)
    elapsed = time.perf_counter() - t0
    assert len(text.split()) > 49_000 and len(chunks) > 100
    assert elapsed < 2.0, f"chunking took {elapsed:.2f}s"
