"""The second hop: documents named by the first hop's best passages join the results."""

from __future__ import annotations

import hashlib

from corpus.types import Document
from index.ingest import ingest_documents
from index.multihop import TitleLinks, names, second_hop
from index.settings import RetrievalSettings
from index.types import SearchFilter

ONE_HOP = RetrievalSettings(multihop=False)

QUESTION = "Who directed the film that was shot in or around Leland, North Carolina in 1986?"
BRIDGE = "Maximum Overdrive"
PAGES = {
    "Leland, North Carolina": "Leland is a town in Brunswick County, North Carolina. In 1986 "
    "the film Maximum Overdrive was shot in and around Leland, North Carolina.",
    BRIDGE: "Maximum Overdrive is a horror picture written and made by Stephen King, his only "
    "work behind the camera. Trucks come alive after a comet passes.",
    **{
        f"Film {n}": f"Film {n} is a 1986 film directed by a director from North Carolina. "
        f"The film was shot in {place}."
        for n, place in [("One", "Wilmington"), ("Two", "Raleigh"), ("Three", "Durham")]
    },
}


def documents(pages: dict[str, str]) -> list[Document]:
    return [
        Document(doc_id=title, source=f"wiki/{title}.md", title=title, text=f"{title}\n\n{text}",
                 content_hash=hashlib.sha256(text.encode()).hexdigest())
        for title, text in pages.items()
    ]  # fmt: skip


def wiki(make_collection):  # type: ignore[no-untyped-def]
    coll = make_collection()
    ingest_documents(coll, documents(PAGES), root="wiki")
    return coll


def test_titles_are_found_as_written() -> None:
    links = TitleLinks({
        "a": "Maximum Overdrive", "b": "Paul Gross (actor)", "c": "Young, New South Wales",
        "d": "Mercury (planet)", "e": "Mercury (element)", "f": "17", "g": "Bob",
        "h": "New South Wales",
    })  # fmt: skip
    assert links.named("the maximum overdrive of the engine") == []  # capitalisation counts
    assert links.named("Directed by Paul Gross, shot in Maximum Overdrive style") == ["b", "a"]
    # the longest title wins where titles overlap: Young, not also New South Wales
    assert links.named("born in Young, New South Wales; later New South Wales") == ["c", "h"]
    assert links.named("Mercury is hot; see 17 and Bob") == []  # ambiguous, no letter, short
    assert links.named("Mercury (planet) is hot") == ["d"]  # the full title is unambiguous


def test_second_hop_finds_the_document_the_first_names(make_collection) -> None:  # type: ignore[no-untyped-def]
    coll = wiki(make_collection)
    first = coll.search(QUESTION, 50, retrieval=ONE_HOP)
    assert BRIDGE not in [h.chunk.doc_id for h in first[:2]]  # one hop misses it
    hits = second_hop(coll, QUESTION, first, 2, sources=3)
    assert [h.chunk.doc_id for h in hits] == ["Leland, North Carolina", BRIDGE]
    assert [h.rank for h in hits] == [1, 2] and hits[0].score > hits[1].score
    # the search does both hops by default, in every mode
    for mode in ("hybrid", "dense", "bm25"):
        got = coll.search(QUESTION, 2, mode=mode)
        assert [h.chunk.doc_id for h in got] == ["Leland, North Carolina", BRIDGE], mode


def test_second_hop_reads_a_named_document_the_first_hop_missed(make_collection) -> None:  # type: ignore[no-untyped-def]
    coll = wiki(make_collection)
    first = [h for h in coll.search(QUESTION, 50, retrieval=ONE_HOP) if h.chunk.doc_id != BRIDGE]
    hits = second_hop(coll, QUESTION, first, 3, sources=1)
    assert hits[1].chunk.doc_id == BRIDGE and "Stephen King" in hits[1].chunk.text
    # a search filter still holds: a document it excludes is not brought in
    only = SearchFilter(source="wiki/Film*")
    kept = second_hop(coll, QUESTION, first, 3, sources=1, admits=only.admits)
    assert BRIDGE not in [h.chunk.doc_id for h in kept]
    only = SearchFilter(source="wiki/Leland*")
    assert [h.chunk.doc_id for h in coll.search(QUESTION, 3, filters=only)] == [
        "Leland, North Carolina"
    ]


def test_documents_that_name_nothing_keep_the_first_hop(make_collection) -> None:  # type: ignore[no-untyped-def]
    coll = make_collection()
    pages = {str(i): f"Passage {i} about the 1986 film shot in North Carolina." for i in range(5)}
    ingest_documents(coll, documents(pages), root="wiki")
    first = coll.search(QUESTION, 50, retrieval=ONE_HOP)
    assert len(names(coll).links) == 0  # numbered passages: titles without a letter
    hits = second_hop(coll, QUESTION, first, 4, sources=3)
    assert [h.chunk.chunk_id for h in hits] == [h.chunk.chunk_id for h in first[:4]]


def test_names_follow_the_catalog(make_collection) -> None:  # type: ignore[no-untyped-def]
    coll = wiki(make_collection)
    assert names(coll).named("see Maximum Overdrive") == [BRIDGE]
    coll.remove(BRIDGE)
    assert names(coll).named("see Maximum Overdrive") == []


def test_a_title_made_of_common_words_is_no_name(make_collection) -> None:  # type: ignore[no-untyped-def]
    """ "North Carolina" is in four of the other five pages: a phrase here, not a name; the
    same title in a collection where it is rare links."""
    coll = make_collection()
    ingest_documents(coll, documents(PAGES | {"North Carolina": "A state."}), root="wiki")
    text = "The film was shot in North Carolina; see Maximum Overdrive."
    assert TitleLinks({"x": "North Carolina"}).named(text) == ["x"]
    assert names(coll).named(text) == [BRIDGE]
    other = make_collection("other")
    towns = {f"Town {n}": f"Town {n} is a place with a mill." for n in "ABCDEFGH"}
    ingest_documents(other, documents(towns | {"North Carolina": "A state."}), root="wiki")
    assert names(other).named(text) == ["North Carolina"]
