"""The pieces of a briefing, each on text made to break it: a fragment is never a point, a
theme name is a phrase and not a list of words, an incidental date is not an event, two
sources that agree are not a difference, a document is listed once."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.briefing_differences import (
    DIFFERENT_DATE,
    DIFFERENT_FIGURE,
    conflicts,
    replacements,
)
from assistant.briefing_parts import merge_duplicates, same_point
from assistant.briefing_points import Reader, document_sentences, sentence_spans
from assistant.briefing_themes import name_theme, single_word
from assistant.briefing_timeline import action_dates, different_actions, on_topic
from assistant.point_text import clean
from assistant.point_text import whole_sentence as whole
from corpus.types import Document
from index.catalog import DocumentInfo


def info(doc_id: str, date: str | None = None, title: str = "A document") -> DocumentInfo:
    return DocumentInfo(doc_id, f"{doc_id}.md", title, {}, date, "hash")


def sentences(text: str, doc_id: str = "d", date: str | None = None) -> list[str]:
    doc = Document(doc_id, f"{doc_id}.md", "A document", text)
    found = document_sentences(doc, info(doc_id, date), sentence_spans(text), 0, len(text))
    for s in found:
        assert text[s.start : s.end] == s.text  # the citation is the exact span
    return [s.shown for s in found]


def test_points_are_whole_sentences() -> None:
    text = (
        "Today, the White House Office of Management and Budget\n"
        "(OMB) is releasing two revised policies on Federal Agency Use of AI.\n\n"
        "An image follows: and a link: click.\n\n"
        "**PROMOTING AI ADOPTION:** M-25-21 gives agencies the tools to embrace AI innovation.\n\n"
        "To ensure accountability, the OMB policy requires federal agencies to:\n\n"
        "-   Designate Chief AI Officers, who will coordinate the use of AI.\n"
        "-   Establish AI Governance Boards to govern the use of AI.\n\n"
        "The guidance shall specify:\n\n"
        "(i)     the requirement to designate a Chief AI Officer at each agency;\n"
        "(ii)    the roles of the officers; and\n\n"
        "(g) To help train the workforce, each agency shall offer AI training programs.\n\n"
        "The agencies met twice.\n\n-   Best practices to identify and mitigate risks of AI.\n\n"
        "[View the Fact Sheet](https://example.org/fact-sheet)\n"
    )
    shown = sentences(text)
    assert shown[0].startswith("Today, the White House Office of Management and Budget (OMB) is")
    assert "M-25-21 gives agencies the tools to embrace AI innovation." in shown
    assert ("To ensure accountability, the OMB policy requires federal agencies to designate "
            "Chief AI Officers, who will coordinate the use of AI.") in shown  # fmt: skip
    assert any(s.endswith("to establish AI Governance Boards to govern the use of AI.")
               for s in shown)  # fmt: skip
    assert ("The guidance shall specify: the requirement to designate a Chief AI Officer at "
            "each agency.") in shown  # fmt: skip
    assert "To help train the workforce, each agency shall offer AI training programs." in shown
    for s in shown:  # no fragment, enumerator, label, junk or link caption is a point
        assert s[:1].isupper() and s.endswith("."), s
        assert not s.startswith(("(", "-", "PROMOTING")) and "click" not in s and "View" not in s
        assert "Best practices to identify" not in s  # a phrase of a list, not a sentence


def test_statements_of_one_day_that_name_different_things_are_different_actions() -> None:
    order = "Today, President Trump signed an Executive Order to ensure that AI models are neutral."
    plan = "The White House today released “Winning the AI Race: America’s AI Action Plan”."
    again = "President Trump signed an Executive Order on neutral AI models today."
    memos = ("Today, OMB is delivering on the President’s Executive Order by releasing two "
             "revised policies on Federal Agency Use of AI.")  # fmt: skip
    issued = "Today, OMB issued two revised policies to facilitate responsible AI adoption."
    assert different_actions(order, plan) and different_actions(plan, order)
    assert not different_actions(order, again)  # one order, two reports of it
    assert not different_actions(memos, issued)  # too little named in one to tell: by meaning
    assert not different_actions(order, "Today, the President signed it into law.")


def test_a_bold_heading_line_is_not_part_of_the_sentence_after_it() -> None:
    """A heading in bold on a line of its own (no full stop, a Markdown hard break) that the
    splitter left on the next sentence is dropped from the point; a bold sentence is kept."""
    raw = ("**<u>Standing up for Workers, Consumers, and Civil Rights</u>**  \n"
           "The Executive Order directed bold steps to mitigate other risks from\n"
           "AI, including risks to workers.")  # fmt: skip
    assert clean(raw) == ("The Executive Order directed bold steps to mitigate other risks "
                          "from AI, including risks to workers.")  # fmt: skip
    bold = "**Agencies must act.**\nThey will report."
    assert clean(bold) == "Agencies must act. They will report."
    assert clean("**Bold start** of a sentence.") == "Bold start of a sentence."


def test_a_list_items_bold_name_is_not_part_of_its_sentence() -> None:
    """ "**Name:** text" items: the text is the point, read with the lead-in when it is a
    phrase; a bold word inside a sentence is kept."""
    text = (
        "Key policies in the plan include:\n\n"
        "-   **Exporting American AI:** The Commerce and State Departments will\n"
        "    partner with industry to deliver secure AI export packages.\n"
        "-   **Upholding Free Speech in Frontier Models:** Updating Federal\n"
        "    procurement guidelines to ensure that the government contracts with neutral\n"
        "    model developers.\n\n"
        "The **procurement office** will publish the rules within ninety days.\n"
    )
    shown = sentences(text)
    assert ("The Commerce and State Departments will partner with industry to deliver secure "
            "AI export packages.") in shown  # fmt: skip
    joined = ("Key policies in the plan include: updating Federal procurement guidelines to "
              "ensure that the government contracts with neutral model developers.")  # fmt: skip
    assert joined in shown
    assert "The procurement office will publish the rules within ninety days." in shown
    assert not [s for s in shown if "Exporting American AI" in s or "Frontier Models" in s]


def test_whole_sentence_and_clean() -> None:
    assert not whole("(OMB) is delivering on the order by releasing two policies.")
    assert not whole("the requirement to designate at each agency a Chief AI Officer.")
    assert not whole("An image follows: and a link: click.")
    assert not whole("Developing an Artificial Intelligence Action Plan For The Nation.")
    assert not whole("You know, I think the companies are doing a lot of work here.")
    assert whole("The companies commit to internal and external security testing.")
    assert clean("-   (iv)  Agencies must report their AI use cases;") == (
        "Agencies must report their AI use cases."
    )
    assert clean("WASHINGTON, DC – Today, over 60 organizations signed the pledge.") == (
        "Today, over 60 organizations signed the pledge."
    )


def test_near_duplicates_merge_but_different_figures_do_not() -> None:
    texts = [
        "The companies commit to security testing of their AI systems before release.",
        "The companies commit to security testing of their AI systems before their release.",
        "Seven leading AI companies made voluntary commitments at the White House.",
        "Eight leading AI companies made voluntary commitments at the White House.",
    ]
    vecs = np.eye(4)
    spans = [("a", 0, 10), ("b", 0, 10), ("a", 20, 30), ("b", 20, 30)]
    assert merge_duplicates([0, 1, 2, 3], texts, vecs, spans) == [[0, 1], [2], [3]]
    assert not same_point(texts[2], texts[3], 0.99)


def test_theme_names_are_phrases_from_the_evidence() -> None:
    texts = [
        "Agencies must designate Chief AI Officers to coordinate their use of AI.",
        "Chief AI Officers will promote AI innovation in their agencies.",
        "The Chief AI Officer of each agency reports to the agency head.",
        "Chief AI Officers are tasked with managing risks from AI.",
    ]
    others = [
        "The companies commit to security testing before release.",
        "Agencies must publish inventories of their AI use cases.",
    ]
    name = name_theme(texts, others, "federal agency use of AI", set())
    assert name == "Chief AI Officers"
    # a name already taken is not repeated; a phrase, never a list of words
    other = name_theme(texts, others, "federal agency use of AI", {"chief ai officers"})
    assert other is None or ("," not in other and len(other.split()) >= 2)
    # nothing recurs: no theme of its own (it joins another), never "Word, word, word"
    assert name_theme(["Cats sleep a lot.", "Dogs bark at night."], [], "pets", set()) is None


def test_theme_names_are_noun_phrases_not_actions_clauses_or_fragments() -> None:
    others = ["The companies commit to security testing before release.",
              "Agencies must publish inventories of their AI use cases."]  # fmt: skip
    topic = "federal agency use of AI"

    def named(*texts: str) -> str | None:
        return name_theme(texts, others, topic, set())

    # a verb after "will soon" or "to" is an action: its object is the name
    assert named("OMB will soon release draft policy guidance for agencies on AI.",
                 "The office plans to release draft policy guidance this summer.") == (
        "Draft policy guidance")  # fmt: skip
    # a clause and an adjective's fragment are not names, however often they recur
    name = named("The order ensures America leads the way in the world.",
                 "These steps make sure America leads the way in the world.",
                 "Open science is fundamental to the future of AI.",
                 "Trust is fundamental to the future of AI.")  # fmt: skip
    assert name is None or not name.startswith(("America leads", "Fundamental")), name
    # a judgement is not part of a name, nor is a possessive the whole of one
    assert (
        named(
            "Fraud is one of the significant sources of AI risks.",
            "Bias is among the significant sources of AI risks.",
        )
        == "Sources of AI risks"
    )
    assert named("OMB’s policy covers agencies.", "OMB’s policy names agencies.") is None
    # a phrase cut before "or" is half of two things ("collection [or use of data]")
    name = named("Rules limit the facilitation of the collection or use of data.",
                 "Rules cover the facilitation of the collection or use of data.")  # fmt: skip
    assert name is None or not name.endswith("collection"), name
    # a person's name cut at an initial is no theme ("President Donald J" of "Donald J.
    # Trump"): a single capital letter is an initial, not an acronym
    name = named("President Donald J. Trump signed an order on AI.",
                 "President Donald J. Trump announced a plan on AI.")  # fmt: skip
    assert name is None or not name.endswith(" J"), name


def test_a_theme_no_phrase_names_is_named_by_a_noun_not_a_verb() -> None:
    texts = [
        "The mayor cast the deciding vote after eleven months of committee review.",
        "The council added a condition that the operator must publish salinity readings.",
    ]
    name = single_word(texts, [], set(), set())
    assert name == "Committee", name  # not "Added" (first of the words in order) nor "Publish"


def test_two_themes_are_not_named_for_one_thing() -> None:
    texts = ["Summer youth programs open in June for teenagers.",
             "Summer youth programs pay teenagers a wage.",
             "Mentoring networks pair teenagers with engineers.",
             "Mentoring networks meet monthly with teenagers."]  # fmt: skip
    first = name_theme(texts, [], "jobs for teenagers", set())
    assert first == "Summer youth programs"
    # another theme whose evidence also says "youth programs" is named for something else
    second = name_theme(texts, [], "jobs for teenagers", {first.lower()})
    assert second == "Mentoring networks"
    # nor for a longer way of saying what another theme is named ("AI systems")
    texts = [
        "Firms report their AI systems’ capabilities and limits.",
        "Firms publish their AI systems’ capabilities yearly.",
        "Firms share model weights with researchers.",
        "Model weights are kept secure.",
    ]
    assert name_theme(texts, [], "company pledges", {"ai systems"}) == "Model weights"


def test_timeline_dates_actions_not_citations() -> None:
    def dated(text: str, doc_date: str = "2024-03-28") -> list[tuple[str, str, bool]]:
        return [(d.iso, d.label, d.from_document) for d in action_dates(text, doc_date)]

    assert dated("On March 28, 2024, OMB issued its first government-wide AI policy.") == [
        ("2024-03-28", "March 28, 2024", False)
    ]
    assert dated("The council approved the plan on 9 January 2023 after a survey.") == [
        ("2023-01-09", "9 January 2023", False)
    ]
    # an older order cited by its date, a deadline: not events
    assert dated("It carries out section 8(c) of Executive Order 13960 of December 3, 2020 "
                 "(Promoting the Use of Trustworthy AI) and section 4(b).") == []  # fmt: skip
    assert dated("By December 1, 2024, agencies will be required to implement safeguards.") == []
    assert dated("The plan was discussed widely in 2020 and in March 2021.") == []
    # what a document says it does "today" is dated by the document
    assert dated("Today, Vice President Harris announced that OMB is issuing a policy.") == [
        ("2024-03-28", "2024-03-28 (date of the document)", True)
    ]
    assert dated("Today's announcement is part of a broader commitment.") == []
    # a day without a year, in the year of the document that writes it, shown with it
    assert dated("On Tuesday, August 26, the First Lady launched the AI Challenge.",
                 "2025-09-04") == [("2025-08-26", "August 26, 2025", False)]  # fmt: skip
    assert dated("On Friday, December 30, the board met and approved the plan.",
                 "2024-01-05") == [("2023-12-30", "December 30, 2023", False)]  # fmt: skip


def test_timeline_keeps_only_events_on_the_topic() -> None:
    # sentences 0-2 from a document about the topic, 3 (dated, below the bar) from another
    docs = ["kelp", "kelp", "kelp", "library", "library"]
    scores = [0.8, 0.7, 0.3, 0.3, 0.1]
    assert on_topic([0, 2, 3], docs, scores, 0.4) == [0, 2]  # below the bar: only if about
    assert on_topic([3], docs, [0.8, 0.1, 0.1, 0.5, 0.1], 0.4) == [3]  # relevant itself


def test_an_agreeing_pair_is_not_a_difference() -> None:
    from assistant.briefing_points import Sentence

    def sent(doc_id: str, date: str, text: str) -> Sentence:
        return Sentence(info(doc_id, date), 0, len(text), text, text)

    agree = [
        sent("a", "2023-07-21", "The Administration secured voluntary commitments from seven "
             "leading AI companies to manage the risks posed by AI."),
        sent("b", "2023-09-12", "In July, the Administration secured voluntary commitments "
             "from seven leading AI companies to manage the risks posed by AI."),
    ]  # fmt: skip
    vecs = np.array([[1.0, 0.0], [0.99, 0.14]])
    assert conflicts(agree, vecs) == []
    differ = [agree[0], sent("c", "2024-07-26", "The Administration secured voluntary "
                             "commitments from fifteen leading AI companies to manage the "
                             "risks posed by AI.")]  # fmt: skip
    (found,) = conflicts(differ, vecs)
    assert found.relation == DIFFERENT_FIGURE
    assert (found.earlier.doc.doc_id, found.later.doc.doc_id) == ("a", "c")
    # the same action dated differently by two documents; dated alike, it is no difference
    issued = "OMB issued its first government-wide policy to mitigate risks of AI."
    on_28 = sent("d", "2024-04-01", f"On March 28, 2024, {issued}")
    (found,) = conflicts([on_28, sent("e", "2024-05-01", f"On March 29, 2024, {issued}")], vecs)
    assert found.relation == DIFFERENT_DATE
    assert conflicts([on_28, sent("f", "2024-05-01", f"On March 28, 2024, {issued}")], vecs) == []


def test_a_newer_document_that_revokes_an_older_one(tmp_path: Path) -> None:
    from assistant.briefing_points import Sentence

    old_text = ("Today, President Biden is issuing a landmark Executive Order on safe, secure "
                "and trustworthy artificial intelligence.\n")  # fmt: skip
    docs = {
        "old": Document("old", "old.md", "FACT SHEET: President Biden Issues Executive Order "
                        "on Safe, Secure, and Trustworthy AI", old_text),
        "other": Document("other", "other.md", "Readout of a meeting on competition",
                          "Today, officials met to discuss competition in AI markets.\n"),
    }  # fmt: skip
    infos = [info("old", "2023-10-30", docs["old"].title),
             info("other", "2023-11-01", docs["other"].title)]  # fmt: skip
    text = ("The order revokes Executive Order 14110 of October 30, 2023 (Safe, Secure, and "
            "Trustworthy Development and Use of Artificial Intelligence).")  # fmt: skip
    later = Sentence(info("new", "2025-01-23", "Removing Barriers"), 0, len(text), text, text)
    agreeing = "Officials met again to discuss competition in AI markets and the order."
    plain = Sentence(info("new2", "2025-02-01"), 0, len(agreeing), agreeing, agreeing)
    (change,) = replacements([later, plain], infos, Reader(docs.get))
    assert change.relation == "revokes"
    assert change.later is later and change.earlier.doc.doc_id == "old"
    assert change.earlier.shown.startswith("Today, President Biden is issuing")
