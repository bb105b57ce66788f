"""Tests for corpus.pdf_text: cleaning PDF page text (no PDF needed)."""

from __future__ import annotations

import pytest

from corpus.pdf_text import clean_pages, drop_running_lines, join_hyphenated, normalise_page


def test_normalise_page_ligatures_soft_hyphens_and_pdfium_marks() -> None:
    raw = "\ufb01rst \ufb02oor e\ufb03cient \r\nhy\u00adphen, hy\u00ad\r\n  phenated"
    raw += " in\ufffetegrity \n"
    assert normalise_page(raw) == "first floor efficient\nhyphen, hyphenated in-\ntegrity"
    assert normalise_page("old\x02style") == "old-\nstyle"  # older pdfium builds


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("many param-\neters", "many parameters"),  # a common word once joined
        ("the outper-\nforming model", "the outperforming model"),  # halves are not words
        ("state-of-the-\nart results", "state-of-the-art results"),  # a compound goes on
        ("a peer-to-\npeer network", "a peer-to-peer network"),
        ("it is time-\nconsuming", "it is time-consuming"),  # two words, not one
        ("a user-\nfriendly tool", "a user-friendly tool"),
        ("ne-\ngating it", "negating it"),  # "ne" is a syllable, not a word
        ("COVID-\n19 cases", "COVID-\n19 cases"),  # not a word broken in two
        ("Anglo-\nSaxon", "Anglo-\nSaxon"),
        ("well -\nknown", "well -\nknown"),  # a dash, not a hyphen
    ],
)
def test_join_hyphenated_rules(text: str, expected: str) -> None:
    assert join_hyphenated([text]) == [expected]


def test_the_documents_own_spelling_decides() -> None:
    joined = "a pre-\ntrained encoder; every pretrained encoder"
    assert join_hyphenated([joined]) == ["a pretrained encoder; every pretrained encoder"]
    kept = "a pre-\ntrained encoder; every pre-trained encoder"
    assert join_hyphenated([kept]) == ["a pre-trained encoder; every pre-trained encoder"]
    # "time-consuming" would keep its hyphen, but this document writes it as one word
    own = "it is time-\nconsuming, so timeconsuming"
    assert join_hyphenated([own]) == ["it is timeconsuming, so timeconsuming"]


def test_a_word_broken_over_a_page_break_moves_to_the_first_page() -> None:
    pages = ["the global block-", "chain market grows", "Next page"]
    assert join_hyphenated(pages) == ["the global blockchain", "market grows", "Next page"]
    assert join_hyphenated(["ends with Rhine-", "Westphalia"]) == ["ends with Rhine-", "Westphalia"]


def _pages(n: int, head: str | None = None, foot: str | None = None) -> list[str]:
    words = ["rivers", "lakes", "seas", "ponds", "wells", "canals", "dams"]
    body = [f"Body about {w} and more.\nIt ends with {w}." for w in words[:n]]
    return [
        "\n".join(x for x in (head and head.format(n=i + 1), b, foot and foot.format(n=i + 1)) if x)
        for i, b in enumerate(body)
    ]


def test_running_heads_and_page_numbers_are_dropped() -> None:
    pages = _pages(5, head="Journal of Rivers", foot="Page {n} of 5")
    cleaned = drop_running_lines(pages)
    assert cleaned == [page.split("\n", 1)[1].rsplit("\n", 1)[0] for page in pages]


def test_alternating_heads_are_dropped_but_short_documents_are_left_alone() -> None:
    pages = [f"{'Journal' if i % 2 else 'Short Title'}\nText {w}." for i, w in enumerate("abcdef")]
    assert drop_running_lines(pages) == [f"Text {w}." for w in "abcdef"]
    two = ["Same head\nFirst.", "Same head\nSecond."]
    assert drop_running_lines(two) == two


def test_a_line_that_ends_a_broken_word_is_body_text() -> None:
    pages = [f"Page {w} holds param-\neters." for w in ("one", "two", "three")]
    assert clean_pages(pages) == [f"Page {w} holds parameters." for w in ("one", "two", "three")]
