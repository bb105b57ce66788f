"""Dates written in text (corpus.dates), and the three places that read them."""

from __future__ import annotations

from collections import Counter

from assistant.extractive import answer_type_bonus
from corpus.dates import find_dates
from eval.keyterms import key_terms


def test_every_form_parses_to_iso_in_text_order() -> None:
    text = (
        "Signed July 21, 2023, effective 1 August 2023 (see 2023-09-05); "
        "reviewed in October 2023 and on March 3 2024."
    )
    assert [(d.text, d.iso) for d in find_dates(text)] == [
        ("July 21, 2023", "2023-07-21"),
        ("1 August 2023", "2023-08-01"),
        ("2023-09-05", "2023-09-05"),
        ("October 2023", "2023-10"),
        ("March 3 2024", "2024-03-03"),
    ]
    for d in find_dates(text):
        assert text[d.start : d.end] == d.text


def test_a_day_is_not_also_its_month_and_impossible_dates_are_skipped() -> None:
    assert [d.iso for d in find_dates("On 4 July 2023 and 4th July, 2023.")] == [
        "2023-07-04",
        "2023-07",  # "4th" is no day of this form: only the month is certain
    ]
    assert find_dates("February 30, 2023 and 2023-13-01") == []
    assert find_dates("no date in 12 july 2023 (lower case) or 20230721") == []


def test_keyterms_and_extractive_use_the_same_dates() -> None:
    sentence = "The plant opened on March 3 2024 after a 14 month delay."
    terms = key_terms(sentence, Counter(), 10)
    assert ("March 3 2024", "date") in [(t.text, t.kind) for t in terms]
    assert answer_type_bonus("When did the plant open?", sentence) == 0.1
    assert answer_type_bonus("When did the plant open?", "The plant opened late.") == 0.0
