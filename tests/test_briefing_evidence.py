"""What a briefing reads and which points it states: documents beyond the longest one, the
sentences worth embedding chosen before any is embedded (dated actions kept), a point
stated by the sentence that names its subject, points chosen for what they add without
favouring those off the topic, a summary of distinct points one per document, and a
drafter's hedges worth less than a finding."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from assistant import briefing_evidence as ev
from assistant.briefing_points import Sentence
from assistant.briefing_sections import _diverse, _summary, named_first
from assistant.point_text import informative, leans_on_context, refers_back
from corpus.types import Chunk
from index.catalog import DocumentInfo
from index.types import Hit


def info(doc_id: str, title: str = "A document", date: str | None = None) -> DocumentInfo:
    return DocumentInfo(doc_id, f"{doc_id}.md", title, {}, date, "hash")


def hit(doc_id: str, index: int, rank: int, title: str = "A document") -> Hit:
    chunk = Chunk(doc_id, index, f"passage {index} of {doc_id}", 0, 20, version="v")
    return Hit(chunk, info(doc_id, title), 1.0 / rank, rank)


def test_diverse_reads_central_documents_more_and_reaches_further_ones() -> None:
    hits = [hit("a", i, 1 + i) for i in range(10)]  # the best passages: a leading document
    hits += [hit("d", i, 11 + i) for i in range(8)]  # an ordinary one
    hits += [hit("b", i, 19 + i, "Youth programs in AI education") for i in range(10)]
    hits += [hit(f"e{i}", 0, 29 + i) for i in range(12)]  # only after the first 20 passages
    hits += [hit("z", 0, 41)]  # beyond twice the depth
    out = Counter(h.chunk.doc_id for h in ev.diverse("AI education for youth", hits, 20, 4))
    # the leading document and the one whose title states the topic give twice as many
    assert out["a"] == 8 and out["b"] == 8 and out["d"] == 4
    further = [d for d in out if d.startswith("e")]
    assert len(further) == ev.BREADTH and all(out[d] == 1 for d in further)
    assert further == [f"e{i}" for i in range(ev.BREADTH)]  # the best of them
    assert "z" not in out


def sentence(doc_id: str, n: int, shown: str, chunk: str, date: str | None = None) -> Sentence:
    return Sentence(info(doc_id, date=date), n, n + len(shown), shown, shown, None, 1 + n,
                    0, chunk)  # fmt: skip


def test_shortlist_keeps_sentences_of_close_passages_and_dated_actions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ev, "MAX_SCORED", 3)
    monkeypatch.setattr(ev, "DATED", 1)
    far = [sentence("far", i, f"Weather report number {i} says rain is likely today.", "far")
           for i in range(10)]  # fmt: skip
    close = [sentence("near", 100 + i, f"Point {i} said something else again here.", "near")
             for i in range(3)]  # fmt: skip
    # dated actions of the document drawn on, in passages far from the topic; and of another
    dated = [sentence("near", 200 + i, f"On March {i + 2}, 2024, OMB issued guidance number {i}.",
                      "far") for i in range(2)]  # fmt: skip
    elsewhere = sentence("other", 0, "On May 5, 2024, OMB issued guidance number 9.", "far")
    again = sentence("other", 50, "On May 9, 2024, OMB issued guidance number 10.", "far")
    sents = far[:5] + close + [elsewhere, again] + dated + far[5:]
    near = {"near": 0.8, "far": 0.1}
    kept = ev.shortlist("procurement rules", sents, near)
    assert all(s in kept for s in close)  # the passage close to the topic counts first
    # the budget, one dated action of the document drawn on, and the best dated action of
    # the document not drawn on (the record of an action the timeline may need), one only
    assert len(kept) == 3 + 1 + 1
    assert sum(s in kept for s in dated) == 1
    assert elsewhere in kept and again not in kept
    assert kept == [s for s in sents if s in kept]  # in the order of the evidence
    # a topic word counts too: a sentence stating it beats an equal one that does not
    worded = sentence("far", 300, "Weather report on procurement rules says rain is likely.", "far")
    assert worded in ev.shortlist("procurement rules", [*far, worded], near)
    assert ev.shortlist("anything", far[:3], near) == far[:3]  # under budget: all of them


def test_shortlist_takes_the_best_dated_actions_of_documents_not_drawn_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ev, "MAX_SCORED", 2)
    monkeypatch.setattr(ev, "DATED", 1)
    close = [sentence("near", i, f"On June {i + 1}, 2024, OMB issued procurement rules {i}.",
                      "near") for i in range(2)]  # fmt: skip
    plain = sentence("a", 0, "On May 5, 2024, the board issued a notice.", "far")
    worded = sentence("b", 0, "On May 8, 2024, OMB issued procurement rules.", "far")
    kept = ev.shortlist("procurement rules", [*close, plain, worded], {"near": 0.8, "far": 0.1})
    assert kept == [*close, worded]  # the better of two documents' actions, not the first


def test_a_point_is_stated_by_the_sentence_that_names_its_subject() -> None:
    assert refers_back("The Challenge shall encourage student achievements in AI.")
    assert refers_back("The Task Force will meet in May with teachers.")
    assert refers_back("These commitments are a first step toward safety.")
    assert not refers_back("The Secretary of Labor shall expand apprenticeships.")
    assert not refers_back("Agencies will expand their use case inventories.")
    sents = [
        sentence("eo", 0, "The Challenge shall encourage student achievements in AI.", "c"),
        sentence(
            "fs", 0, "The task force will plan a Presidential AI Challenge for students.", "c"
        ),
        sentence("fs", 90, "Agencies will expand their use case inventories.", "c"),
    ]
    assert named_first([[0, 1], [2]], sents) == [[1, 0], [2]]
    assert named_first([[1, 0]], sents) == [[1, 0]]  # the order kept otherwise


def test_points_are_chosen_for_what_they_add_not_for_being_off_the_topic() -> None:
    def unit(v: list[float]) -> np.ndarray:
        a = np.array(v, dtype=np.float32)
        return a / np.linalg.norm(a)

    # A and B: two points of one topic, somewhat alike (cosine 0.6); C: off the topic;
    # D: A again in other words (cosine 0.95)
    a = unit([1.0, 0.0, 0.0])
    b = unit([0.6, 0.8, 0.0])
    c = unit([0.0, 0.0, 1.0])
    d = unit([0.95, 0.312, 0.0])
    vecs = np.stack([a, b, c, d])
    weight = {0: 0.8, 1: 0.75, 2: 0.5, 3: 0.79}
    docs = {i: frozenset({f"doc{i}"}) for i in range(4)}
    assert _diverse([0, 1, 2], weight, vecs, 2, docs) == [0, 1]
    assert _diverse([0, 3, 2], weight, vecs, 2, docs) == [0, 2]


def test_a_drafters_hedges_are_worth_less_than_a_finding() -> None:
    plain = "Agencies shall report their AI use cases to OMB every year."
    hedged = "To the extent feasible, agencies shall report their AI use cases to OMB every year."
    assert informative(hedged) < informative(plain)
    assert informative("As appropriate, agencies shall consult the Director.") < informative(
        "Agencies shall consult the Director."
    )


def test_the_summary_takes_distinct_main_points_one_per_document() -> None:
    """The weightiest point of a document already in the summary, a point another one
    restates and a point that weighs far less than the first are left to the themes."""
    vecs = np.eye(6, dtype=np.float32)
    vecs[3] = np.array([0.9, 0, 0, 0.436, 0, 0], dtype=np.float32)  # point 0 again (0.9)
    weight = {0: 1.0, 1: 0.99, 2: 0.95, 3: 0.94, 4: 0.9, 5: 0.5}
    docs = {i: frozenset({d}) for i, d in enumerate("aabcde")}
    alone = dict.fromkeys(range(6), True)
    assert _summary(list(range(6)), weight, docs, vecs, alone) == [0, 2, 4]
    # a point that leans on the sentence before it ("Since then, …") gives way to the next
    # one that reads on its own, and is taken only when nothing else reaches three
    assert _summary(list(range(6)), weight, docs, vecs, alone | {2: False}) == [0, 4, 5]
    assert _summary([0, 2], weight, docs, vecs, alone | {2: False}) == [0, 2]


def test_a_sentence_that_continues_another_leans_on_its_context() -> None:
    assert leans_on_context("Since then, agencies all across government have taken steps.")
    assert leans_on_context("In addition, OMB will issue guidance on procurement.")
    assert leans_on_context("The Challenge shall encourage student achievements in AI.")
    assert leans_on_context("Through these efforts, our Nation’s youth will have chances.")
    assert not leans_on_context("OMB will issue guidance on procurement in March.")
    assert not leans_on_context("Thusly named programs are rare.")  # a word, not the connective
    assert not leans_on_context("Therapists use AI tools.")


def test_a_name_the_evidence_repeats_counts_as_part_of_the_topic(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pseudo-relevance feedback: a sentence naming the "Presidential AI Challenge" that the
    evidence on AI education keeps repeating counts as stating NAMED of the topic's words
    (never less than its own words, never more than the topic fully stated)."""
    topic = "AI education for youth"
    names = ["Presidential AI Challenge"]
    texts = ["Students from all 50 states entered the Presidential AI Challenge.",
             "The weather was fine.", "AI education for youth is the goal.",
             "A presidential AI challenge of a kind."]  # fmt: skip
    plain = ev.topicality(topic, [], texts, texts)
    named = ev.topicality(topic, names, texts, texts)
    assert named[0] >= ev.NAMED > plain[0]
    assert named[1] == plain[1] == 0.0  # no name, no topic word: nothing
    assert named[2] == plain[2] == pytest.approx(1.0)  # the topic itself: as before
    assert named[3] >= ev.NAMED  # written in lowercase: still the name
    assert ev.topicality(topic, ["AI Chall"], texts, texts)[0] == plain[0]  # whole words only
    # in the shortlist, the named sentence of a far passage beats an unnamed one
    monkeypatch.setattr(ev, "MAX_SCORED", 1)
    far = [sentence("x", 0, "Students from all 50 states entered an AI education contest.", "far"),
           sentence("y", 0, "Students from all 50 states entered the Presidential AI "
                    "Challenge today.", "far")]  # fmt: skip
    assert ev.shortlist(topic, far, {"far": 0.1}) == far[:1]  # more of the topic's words
    assert ev.shortlist(topic, far, {"far": 0.1}, names) == far[1:]
