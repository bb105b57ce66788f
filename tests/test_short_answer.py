"""Short answers and yes/no from hand-made cited sentences (no model)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.answer_spans import names
from assistant.question_type import Kind, classify
from assistant.short_answer import ShortAnswer, cited_sentences, from_candidates, short_answer
from assistant.span_scoring import stems


@dataclass(frozen=True)
class Sent:
    n: int
    start: int
    end: int
    text: str
    title: str = ""
    score: float = 0.5


def cited(*texts: str, titles: tuple[str, ...] = ()) -> list[Sent]:
    """Sentences as a document would hold them: each at its own offset."""
    out, pos = [], 37
    for i, text in enumerate(texts):
        title = titles[i] if i < len(titles) else ""
        out.append(Sent(i + 1, pos, pos + len(text), text, title))
        pos += len(text) + 11
    return out


def verbatim(sa: ShortAnswer, sentences: list[Sent]) -> bool:
    """The span is the text of exactly one cited sentence, at the right offsets."""
    s = next(s for s in sentences if s.n == sa.n)
    a, b = sa.start - s.start, sa.end - s.start
    return 0 <= a < b <= len(s.text) and s.text[a:b] == sa.text


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("When was the AI Safety Institute established?", Kind.DATE),
        ("The team was formed in what year?", Kind.DATE),
        ("How many regions is Ghana divided into?", Kind.COUNT),
        ("How much did the program cost?", Kind.AMOUNT),
        ("What percentage of the population speaks French?", Kind.AMOUNT),
        ("Who directed the film shot in Leland in 1986?", Kind.PERSON),
        ("Indian photographer Jagdish Mali is father to which Bollywood actress?", Kind.PERSON),
        ("Where was Grant born?", Kind.PLACE),
        ("The publishing house is based where?", Kind.PLACE),
        ("Toad Hall is in a university located in what Australian city?", Kind.PLACE),
        ("What company developed the game?", Kind.ENTITY),
        ("What low budget comedy franchise starred Dilys Laye?", Kind.ENTITY),
        ("How many times was the politician who was premier elected?", Kind.COUNT),
        ("Are Christopher Nolan and Sathish Kalathil both film directors?", Kind.YESNO),
        ("Armando Iannucci has an OBE. Does Puneet Sira also have one?", Kind.YESNO),
        ("Was Cleveland's portrait on the U.S. $1000 bill?", Kind.YESNO),
        ("Does the otter give birth or lay eggs?", Kind.OTHER),
        ("Why did Grant think that war was unjust?", Kind.OTHER),
        ("What are the three types of notary in Corda, and how are they deployed?", Kind.OTHER),
        ("When was the singer born who is known for her voice and who's album is X?", Kind.DATE),
    ],
)
def test_question_kinds(question: str, kind: Kind) -> None:
    assert classify(question).kind is kind


def test_relative_who_does_not_make_a_person_question() -> None:
    qt = classify("How many times was the politician who was premier of South Australia premier?")
    assert qt.kind is Kind.COUNT and qt.focus == "times"


def test_when_gets_a_date_verbatim_with_document_offsets() -> None:
    sents = cited(
        "The institute has a staff of 120 people.",
        "The U.S. AI Safety Institute was established on November 1, 2023 by Commerce.",
    )
    sa = short_answer("When was the AI Safety Institute established?", sents)
    assert sa is not None and sa.text == "November 1, 2023" and sa.n == 2
    assert verbatim(sa, sents) and not sa.inferred


def test_how_many_gets_a_number_that_is_not_a_year() -> None:
    sents = cited("In 1957 Ghana was divided into 10 administrative regions by the government.")
    sa = short_answer("How many regions is Ghana divided into?", sents)
    assert sa is not None and verbatim(sa, sents)
    assert re.match(r"10\b", sa.text) and "1957" not in sa.text


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        pytest.param(
            "How many days did it take the army to win the Battle of Singapore?",
            "The army took six days to win the Battle of Singapore in 1942.",
            "six days",
            id="how-many-takes-the-counted-noun-along",
        ),
        pytest.param(
            "Who directed Maximum Overdrive?",
            "Maximum Overdrive is a 1986 horror film written and directed by Stephen King.",
            "Stephen King",
            id="who-gets-a-name-not-from-the-question",
        ),
        pytest.param(
            "Where was Grant born?",
            "Grant was born in Point Pleasant, Ohio, on April 27, 1822.",
            "in Point Pleasant, Ohio",
            id="where-gets-a-place-with-its-region",
        ),
        pytest.param(
            "What is the name of the band founded by Vikram Chandra?",
            "Vikram Chandra later founded the band Euphoria with two friends in Delhi.",
            "Euphoria",
            id="which-noun-prefers-the-name-beside-the-focus-noun",
        ),
        pytest.param(
            "How much is the budget of the pilot program?",
            "Founded in 2019, the pilot program has a budget of $4.5 million a year.",
            "$4.5 million",
            id="how-much-gets-an-amount-with-its-unit",
        ),
        pytest.param(
            "Chiang Kai-shek was the president who died on which date?",
            "Chiang Kai-shek (October 31, 1887 – April 5, 1975) was a Chinese statesman.",
            "April 5, 1975",
            id="died-takes-the-second-of-the-life-dates",
        ),
        pytest.param(
            "When was the president Chiang Kai-shek born?",
            "Chiang Kai-shek (October 31, 1887 – April 5, 1975) was a Chinese statesman.",
            "October 31, 1887",
            id="born-takes-the-first-of-the-life-dates",
        ),
        pytest.param(
            "What actresses were involved in the scandal that split the duo Twins?",
            "The photo scandal of 2008 involved Gillian Chung, Bobo Chan, and Cecilia Cheung.",
            "Gillian Chung, Bobo Chan, and Cecilia Cheung",
            id="a-plural-focus-takes-the-whole-list-of-names",
        ),
        pytest.param(
            "Under what name did Steven Wilson release the album Indicates Void?",
            "Steven Wilson released Indicates Void under the pseudonym Bass Communion in 2005.",
            "Bass Communion",
            id="under-what-name-asks-for-a-name",
        ),
        pytest.param(
            "Tostig Godwinson was an Anglo-Saxon Earl of which location?",
            "Tostig Godwinson, a brother of King Harold of Wessex, was an Anglo-Saxon Earl of"
            " Northumbria.",
            "Northumbria",
            id="the-word-before-the-wh-phrase-stands-before-the-answer",
        ),
        pytest.param(
            "What was the profession of Amy Johnson, the subject of the film They Flew Alone?",
            "Amy Johnson, played by Anna Neagle in They Flew Alone, was a pioneering aviator.",
            "aviator",
            id="a-profession-is-a-common-noun-not-a-name",
        ),
        pytest.param(
            "When did Lincoln argue that the nation was born?",
            "Lincoln argued that the nation was born not in 1789 but in 1776.",
            "1776",
            id="a-denied-candidate-loses-to-the-stated-one",
        ),
        pytest.param(
            "Kate Ramsay is a character from a soap opera created by who?",
            "The soap opera in which Ashleigh Brewer played the character Kate Ramsay was created"
            " by TV executive Reg Watson in 1985.",
            "Reg Watson",
            id="by-who-asks-for-the-agent-even-after-a-job-title",
        ),
    ],
)
def test_span_of_the_asked_kind(question: str, text: str, expected: str) -> None:
    sents = cited(text)
    sa = short_answer(question, sents)
    assert sa is not None and sa.text == expected and verbatim(sa, sents)


def test_never_only_words_of_the_question() -> None:
    sents = cited("Acme Corporation was founded in Boston in 1990.")
    assert short_answer("Who founded Acme Corporation in Boston?", sents) is None
    sents = cited("The Eiffel Tower is in Paris.")
    assert short_answer("Where is the Eiffel Tower in Paris?", sents) is None


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("When was the treaty signed?", "The treaty was signed by both parties after long talks."),
        ("How many members does the board have?", "The board meets every month in Geneva."),
        ("Why did the war start?", "The war started in 1914."),
    ],
)
def test_none_when_nothing_of_the_kind_is_there(question: str, text: str) -> None:
    assert short_answer(question, cited(text)) is None


def test_span_stays_within_one_sentence_and_twelve_words() -> None:
    sents = cited(
        "The award went to the Royal Society of London for Improving Natural Knowledge "
        "and the Academy of Sciences of the Institute of France jointly.",
        "It was presented by Queen Elizabeth.",
    )
    sa = short_answer("Who presented the award?", sents)
    assert sa is not None and verbatim(sa, sents) and len(sa.text.split()) <= 12


# --- yes/no ------------------------------------------------------------------------------


def test_yes_when_both_subjects_have_the_predicate() -> None:
    sents = cited(
        "Christopher Nolan is an English film director and producer.",
        "Sathish Kalathil is an Indian film director and writer.",
    )
    sa = short_answer("Are Christopher Nolan and Sathish Kalathil both film directors?", sents)
    assert sa is not None and sa.text == "Yes" and sa.inferred


def test_yes_needs_both_subjects_settled() -> None:
    sents = cited("Christopher Nolan is an English film director and producer.")
    assert (
        short_answer("Are Christopher Nolan and Sathish Kalathil both film directors?", sents)
        is None
    )


def test_no_when_a_different_qualifier_is_stated() -> None:
    sents = cited(
        "King Vidor was an American film director.",
        "Géza von Cziffra was a Hungarian film director and screenwriter.",
    )
    sa = short_answer("Are King Vidor and Géza von Cziffra both American directors?", sents)
    assert sa is not None and sa.text == "No" and sa.n == 2 and sa.inferred


def test_same_attribute_compares_the_values() -> None:
    different = cited(
        "Nantong is a city in Jiangsu province.", "Jingdezhen lies in Jiangxi province."
    )
    same = cited("Nantong is a city in Jiangsu province.", "Suzhou is a city in Jiangsu province.")
    q = "Are Nantong and {} situated in the same province?"
    no = short_answer(q.format("Jingdezhen"), different)
    yes = short_answer(q.format("Suzhou"), same)
    assert no is not None and no.text == "No"
    assert yes is not None and yes.text == "Yes"


def test_statement_restated_is_yes_and_negated_is_no() -> None:
    yes = short_answer("Was Avogadro an Italian savant?", cited("Avogadro was an Italian savant."))
    no = short_answer("Did the U.S. join the League?", cited("The U.S. did not join the League."))
    assert yes is not None and yes.text == "Yes" and yes.inferred
    assert no is not None and no.text == "No" and no.inferred


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        pytest.param(
            "Did Lincoln win the election of 1860?",
            "Lincoln won the election of 1860 with a plurality of the vote.",
            id="an-irregular-past-states-the-verb",
        ),
        pytest.param(
            "Was Gerald Ford a member of Delta Kappa Epsilon?",
            "Ford was a member of the Delta Kappa Epsilon fraternity.",
            id="a-person-named-by-the-last-name",
        ),
        pytest.param(
            "Is the leopard (panthera pardus) an old world mammal?",
            "The leopard is an old world mammal of the Felidae family.",
            id="a-bracketed-aside-is-not-checked",
        ),
        pytest.param(
            "Is the leopard -LRB- panthera pardus -RRB- an old world mammal?",
            "The leopard is an old world mammal of the Felidae family.",
            id="a-tokenised-aside-is-not-checked",
        ),
    ],
)
def test_statement_restated_in_other_words_is_yes(question: str, sentence: str) -> None:
    sa = short_answer(question, cited(sentence))
    assert sa is not None and sa.text == "Yes" and sa.inferred


def test_an_irregular_past_still_needs_the_same_verb() -> None:
    assert (
        short_answer(
            "Did Lincoln lose the election of 1860?",
            cited("Lincoln won the election of 1860 with a plurality of the vote."),
        )
        is None
    )


def test_no_yes_no_when_the_sentences_do_not_settle_it() -> None:
    sents = cited("Uruguay's landscape features mostly rolling plains and low hill ranges.")
    assert short_answer("Is Uruguay's landscape mountainous?", sents) is None


def test_subject_may_come_from_the_document_title() -> None:
    sents = cited("He is an Indian film director.", titles=("Sathish Kalathil",))
    sents = [
        *cited("Christopher Nolan is a film director."),
        Sent(2, 500, 530, sents[0].text, "Sathish Kalathil"),
    ]
    sa = short_answer("Are Christopher Nolan and Sathish Kalathil both film directors?", sents)
    assert sa is not None and sa.text == "Yes"


# --- from candidate sentences -------------------------------------------------------------


def test_from_candidates_reaches_beyond_the_first_sentence() -> None:
    sents = [
        Sent(0, 0, 40, "The institute studies the safety of AI.", score=0.8),
        Sent(0, 90, 150, "The institute was established in February 2024.", score=0.7),
    ]
    sa = from_candidates("When was the institute established?", sents)
    assert sa is not None and sa.text == "February 2024" and sa.start == 90 + 33


def test_a_named_document_inherits_the_words_of_the_sentence_naming_it() -> None:
    """Two hops: the question describes the film through the Leland article; the director
    is in the film's own article, which shares no word with the question but its title."""
    leland = "Movies such as Maximum Overdrive and Domestic Disturbance have been shot in Leland."
    film = "Maximum Overdrive is a science fiction film written and directed by Stephen King."
    other = "The Leland film festival was directed by Henry Blake in 1950."
    question = "Who directed the film that was shot in Leland?"
    sents = [
        Sent(0, 0, len(leland), leland, "Leland", score=0.7),
        Sent(1, 500, 500 + len(film), film, "Maximum Overdrive", score=0.3),
        Sent(2, 900, 900 + len(other), other, "Leland", score=0.5),
    ]
    sa = from_candidates(question, sents)
    assert sa is not None and sa.text == "Stephen King" and sa.n == 1
    # a film no sentence names is just a weak sentence: the festival's director wins
    unnamed = [sents[0], replace(sents[1], title="Other film"), sents[2]]
    alone = from_candidates(question, unnamed)
    assert alone is not None and alone.text == "Henry Blake"


def test_a_place_question_is_not_answered_by_the_name_of_a_body() -> None:
    sents = cited(
        "Toad Hall is a residential hall of the Australian National University.",
        "The Australian National University is a research university located in Canberra.",
    )
    sa = short_answer("Toad Hall is in a university located in what city?", sents)
    assert sa is not None and sa.text == "Canberra" and verbatim(sa, sents)


# --- either-or ----------------------------------------------------------------------------


def test_either_or_by_time_picks_the_earlier_option_verbatim() -> None:
    sents = cited(
        "Circus Diablo is an American rock band, formed in early 2006 by Billy Morrison.",
        "The Exies were an American rock band from Los Angeles, formed in 1997.",
    )
    sa = short_answer("Which band was formed first, The Exies or Circus Diablo?", sents)
    assert sa is not None and sa.inferred and sa.n == 2
    assert sa.text == "The Exies" and verbatim(sa, sents)
    later = short_answer("Which band was formed later, The Exies or Circus Diablo?", sents)
    assert later is not None and later.text == "Circus Diablo"


def test_either_or_needs_both_options_settled() -> None:
    sents = cited(
        "Sid Haig (born July 14, 1939) is an American actor.",
        "Vic Darchinyan won several world titles.",
    )
    assert short_answer("Who is the oldest, Sid Haig or Vic Darchinyan?", sents) is None


def test_either_or_by_a_stated_property() -> None:
    sents = cited(
        "Mark King (born 1958) is an English musician.",
        "Nick Hexum (born 1970) is an American singer and rapper.",
    )
    sa = short_answer("Which singer is American, Mark King or Nick Hexum?", sents)
    assert sa is not None and sa.text == "Nick Hexum" and sa.n == 2


def test_a_name_opening_with_an_auxiliary_is_not_a_yes_no_question() -> None:
    q = "Do Lafzon Ki Kahani, a remake of Always, was released in which year?"
    assert classify(q).kind is Kind.DATE


def test_a_passage_citation_is_split_into_sentences_with_exact_offsets() -> None:
    doc = "Intro text. The lab opened in 2019. It was founded on 4 March 2021 by Ann Lee. End."
    start = doc.index("The lab")
    passage = Sent(3, start, start + 77 - 11, doc[start : start + 66])
    sentences = cited_sentences([passage])
    assert [s.text for s in sentences] == [
        "The lab opened in 2019.",
        "It was founded on 4 March 2021 by Ann Lee.",
    ]
    assert all(doc[s.start : s.end] == s.text and s.n == 3 for s in sentences)
    sa = short_answer("When was the lab founded?", sentences)
    assert sa is not None and sa.text == "4 March 2021" and doc[sa.start : sa.end] == sa.text


def test_focus_check_with_an_embedder_keeps_spans_verbatim(hashing_embedder) -> None:  # type: ignore[no-untyped-def]
    sents = cited(
        "The station WXYZ moved to Springfield, where the network ABC bought it in 1990.",
        "Drew Fuller starred in the series, broadcast on The WB from 2004 to 2009.",
    )
    q = "Drew Fuller starred in a series that originally broadcast on what station?"
    plain = short_answer(q, sents)
    checked = short_answer(q, sents, hashing_embedder)
    assert plain is not None and checked is not None
    assert verbatim(checked, sents) and checked.kind == "entity"


def test_bare_what_gets_no_span_but_what_with_a_focus_noun_does() -> None:
    sents = cited("Ford said his father was abusive and hit his mother in 1913.")
    assert short_answer("What did Ford say about his father?", sents) is None
    sents = cited("The family moved to Omaha, where the company Acme Steel hired him.")
    sa = short_answer("What company hired him in Omaha?", sents)
    assert sa is not None and sa.text == "Acme Steel"


def test_json_shape_of_spans_and_inferred_answers() -> None:
    sents = cited("The treaty was signed on 4 March 1861 in Paris.")
    span = short_answer("When was the treaty signed?", sents)
    yes = short_answer("Was the treaty signed in Paris?", sents)
    assert span is not None and yes is not None
    assert span.to_dict() == {
        "text": "4 March 1861",
        "n": 1,
        "start": sents[0].start + 25,
        "end": sents[0].start + 37,
        "inferred": False,
    }
    assert yes.to_dict() == {
        "text": "Yes",
        "n": 1,
        "start": sents[0].start,
        "end": sents[0].end,
        "inferred": True,
    }


_WORDS = [
    "the",
    "Treaty",
    "of",
    "Paris",
    "was",
    "signed",
    "in",
    "1783",
    "by",
    "John",
    "Adams",
    "and",
    "12",
    "delegates",
    "on",
    "3",
    "September",
    ",",
    "at",
    "Hotel",
    "York",
    "not",
    "million",
    "$5",
    "New",
    "City",
    "(",
    ")",
    "\n",
    "'s",
    "founded",
    "band",
]
_QUESTIONS = [
    "When was the treaty signed?",
    "Who signed the treaty?",
    "Where was it signed?",
    "How many delegates signed?",
    "How much did it cost?",
    "What city hosted it?",
    "Which band was founded in Paris?",
    "Was the treaty signed in Paris?",
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=30), min_size=1, max_size=3),
    st.sampled_from(_QUESTIONS),
)
def test_spans_are_verbatim_short_and_within_one_sentence(
    texts: list[list[str]], question: str
) -> None:
    sents = cited(*(" ".join(words) for words in texts))
    sa = short_answer(question, sents)
    if sa is None:
        return
    s = next(s for s in sents if s.n == sa.n)
    if sa.inferred and sa.kind == "yesno":
        assert sa.text in ("Yes", "No") and (sa.start, sa.end) == (s.start, s.end)
        return
    assert verbatim(sa, sents) and "\n" not in sa.text
    assert 1 <= len(sa.text.split()) <= 12
    if not sa.inferred:  # never only words of the question
        assert not stems(sa.text) <= stems(question)


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        ("Jagdish Mali is father to which Bollywood actress?", "actress"),
        ("What is the name of the pop band founded by Vikram?", "band"),
        ("What type of creatures breathe air?", "creatures"),
        ("What is the smallest German-speaking country in the world?", "country"),
        ("What is the most densely populated country?", "country"),
        ("What crime family was he part of?", "family"),
        ("What happened in 1867?", ""),
        ("What attracts the most humour?", ""),
        ("What led Becquerel to the discovery?", ""),
    ],
)
def test_focus_noun_is_the_head_of_the_wh_phrase(question: str, focus: str) -> None:
    assert classify(question).focus == focus


def test_a_name_ends_at_a_sentence_end_but_not_at_an_initial() -> None:
    text = "It offers Parallel Performance. The Chain met J. R. R. Tolkien in St. Louis."
    found = [text[a:b] for a, b, _ in names(text)]
    assert "Parallel Performance" in found and "J. R. R. Tolkien" in found
    assert "St. Louis" in found and not any("Performance. The" in f for f in found)


def test_names_joined_by_and_are_two_names_and_awards_are_no_one() -> None:
    text = "Rhiwallon and Bleddyn received Powys and Gwynedd from the Earl of Derby."
    found = [text[a:b] for a, b, _ in names(text)]
    assert "Powys" in found and "Gwynedd" in found and "Earl of Derby" in found
    sents = cited("She won the Outstanding Supporting Actress award, and Sandra Oh thanked her.")
    sa = short_answer("Which actress thanked her?", sents)
    assert sa is not None and sa.text == "Sandra Oh"
