"""Tests for corpus.sentences: where sentences end, with exact offsets.

Each case below was split wrongly by the splitter before issue 10 (checked against it);
the basic examples and the property test live in tests/test_chunker.py.
"""

from __future__ import annotations

import pytest

from corpus.sentences import split_sentences


def _split(text: str) -> list[str]:
    spans = split_sentences(text)
    assert all(text[s:e] == text[s:e].strip() for s, e in spans)  # offsets index the text
    return [text[s:e] for s, e in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # initialisms go on unless a word that opens sentences follows
        (
            "The U.S. Army opened a base. It closed later.",
            ["The U.S. Army opened a base.", "It closed later."],
        ),
        (
            "Haymo of Faversham, O.F.M. ( c. 1243 ), was an English Franciscan scholar. He taught.",
            [
                "Haymo of Faversham, O.F.M. ( c. 1243 ), was an English Franciscan scholar.",
                "He taught.",
            ],
        ),
        (
            "The meeting ended at 1:24 P.M. GMT on Friday.",
            ["The meeting ended at 1:24 P.M. GMT on Friday."],
        ),
        # abbreviations
        (
            "Smith et al. (2020) showed it. Jones agreed.",
            ["Smith et al. (2020) showed it.", "Jones agreed."],
        ),
        ('He said "no." Then he left.', ['He said "no."', "Then he left."]),
        # initials
        (
            "J.R.R. Tolkien wrote it. He was a professor.",
            ["J.R.R. Tolkien wrote it.", "He was a professor."],
        ),
        ("We chose plan B. It worked.", ["We chose plan B.", "It worked."]),
        # numbers: decimals in a wrapped line, list markers inside a line
        (
            "The population grew to\n3.5 million people by 2020 and kept\ngrowing.",
            ["The population grew to\n3.5 million people by 2020 and kept\ngrowing."],
        ),
        (
            "Do this: 1. Mix well. 2. Wait an hour. The score was 12. Then we left.",
            ["Do this: 1. Mix well.", "2. Wait an hour.", "The score was 12.", "Then we left."],
        ),
        # line-wrapped PDF text: a line break inside a sentence is no boundary
        (
            "The Office of Management and Budget\n(OMB) is delivering on the order.",
            ["The Office of Management and Budget\n(OMB) is delivering on the order."],
        ),
        (
            "Agencies shall ensure\n(i) the requirement holds and\n(ii) it is met.",
            ["Agencies shall ensure\n(i) the requirement holds and\n(ii) it is met."],
        ),
        (
            "The plan was established in\n2023 by the Secretary of Commerce and\nthe Treasury.",
            ["The plan was established in\n2023 by the Secretary of Commerce and\nthe Treasury."],
        ),
        (
            "the Federal Aviation Administration and\nNASA Research Centers worked together.",
            ["the Federal Aviation Administration and\nNASA Research Centers worked together."],
        ),
        # a section heading after a figure caption in PDF text
        (
            "Fig. 11. Fabric confidentiality\n3.5 R3 Corda",
            ["Fig. 11. Fabric confidentiality", "3.5 R3 Corda"],
        ),
        # a Markdown link is never cut, even when its text wraps
        (
            "Read [the report. It is long](https://x.gov/a.b) today. Next.",
            ["Read [the report. It is long](https://x.gov/a.b) today.", "Next."],
        ),
        (
            "Read [the U.S. report.\nIt is long](https://x.gov/a_(b).html) now. Next.",
            ["Read [the U.S. report.\nIt is long](https://x.gov/a_(b).html) now.", "Next."],
        ),
    ],
)
def test_cases_the_old_splitter_got_wrong(text: str, expected: list[str]) -> None:
    assert _split(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # kept behaviour: blank lines, list items, headings, decimals and plain initials
        ("Line one\nline two.\n\nNext paragraph", ["Line one\nline two.", "Next paragraph"]),
        (
            "Agencies shall:\n(i) hold;\n(ii) meet it.",
            ["Agencies shall:", "(i) hold;", "(ii) meet it."],
        ),
        ("1. Mix well\n2. Wait", ["1. Mix well", "2. Wait"]),
        ("Results\nThe model improved.", ["Results", "The model improved."]),
        ("He moved to the U.S. The move was hard.", ["He moved to the U.S.", "The move was hard."]),
        ("Apple Inc. The company grew.", ["Apple Inc.", "The company grew."]),
        ("See Fig. S2 and No. 5 for the rest.", ["See Fig. S2 and No. 5 for the rest."]),
        ("It cost 3.5 million. Profit rose 2.5%.", ["It cost 3.5 million.", "Profit rose 2.5%."]),
        (
            "By J. R. R. Tolkien. Dr. Who met Mr. Smith.",
            ["By J. R. R. Tolkien.", "Dr. Who met Mr. Smith."],
        ),
        ("See \\[annual inventories\\]. Next.", ["See \\[annual inventories\\].", "Next."]),
    ],
)
def test_kept_behaviour(text: str, expected: list[str]) -> None:
    assert _split(text) == expected


def test_offsets_are_exact_inside_a_larger_text() -> None:
    text = "Intro.\nThe U.S. Army came. Read [a. b. c](https://x.org). Done."
    spans = split_sentences(text, 7)
    assert [text[s:e] for s, e in spans] == [
        "The U.S. Army came.",
        "Read [a. b. c](https://x.org).",
        "Done.",
    ]
    assert spans[0] == (7, 26)
