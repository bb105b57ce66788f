"""Briefings: every point cites an exact span, the timeline is ordered and its dates are in
the cited passages, the exports are sound and escaped, an uncovered topic says so."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest

from assistant.briefing import NOT_COVERED, Briefing, build_briefing
from assistant.briefing_export import export
from assistant.briefing_timeline import action_dates
from assistant.extractive import ExtractiveAnswerer
from assistant.point_text import clean
from assistant.settings import AnswerSettings
from corpus.dates import find_dates
from dossier.cli import main
from index.collection import Collection
from index.ingest import ingest
from tests.conftest import DATA, FIXTURE_CORPUS

ANY_EVIDENCE = AnswerSettings(min_evidence=0.0)

DEMO = Path(__file__).resolve().parents[1] / "corpus" / "samples" / "whitehouse-ai"


def check_briefing(b: Briefing, coll: Collection) -> None:
    by_n = {c.n: c for c in b.citations}
    points = b.points()
    assert points
    for p in points:
        assert p.citations, f"uncited point: {p.text}"
        for n in p.citations:
            c = by_n[n]
            doc = coll.catalog.document(c.doc_id)
            assert doc is not None and doc.text[c.start : c.end] == c.text
        if b.backend == "extractive":  # a quoted point is a whole sentence
            assert p.text.lstrip('“"')[:1].isupper() or p.text[:1].isdigit(), p.text
            assert re.search(r"[.!?][\"”’)]*$", p.text), p.text
            assert not re.match(r"\(?[a-z0-9ivx]{1,4}\)\s", p.text), p.text  # no "(g) …"
    summary = {p.text for p in b.summary}  # themes never repeat a summary point
    assert not any(p.text in summary for t in b.themes for p in t.points)
    for t in b.themes:  # a phrase, never a list of words; drawn from two documents
        assert t.name and ", " not in t.name and t.points
        assert len({by_n[n].doc_id for p in t.points for n in p.citations}) >= 2 or (
            len(b.themes) == 1
        )
    dates = [e.date for e in b.timeline]
    assert dates == sorted(dates)
    for e in b.timeline:
        cited = " ".join(" ".join(by_n[n].text.split()) for n in e.point.citations)
        for n in e.point.citations:  # every statement of it dates this action so
            d = coll.catalog.document_info(by_n[n].doc_id)
            assert d is not None
            stated = action_dates(clean(by_n[n].text), d.date)
            assert e.date in {x.iso for x in stated}, (e, by_n[n].text)
        if not e.from_document:  # the date as written is in the cited passage
            # (a day written without its year is shown with its document's: "April 18, 2023")
            written = e.label if e.label in cited else e.label.rsplit(", ", 1)[0]
            assert written in cited and e.label in (written, f"{written}, {e.date[:4]}")
            found = [d.iso for d in find_dates(cited)]
            assert e.date in found or (not found and e.date.endswith(written.split()[-1].zfill(2)))
    for d in b.differences:
        assert d.relation and d.earlier.date and d.later.date and d.earlier.date <= d.later.date
    # sources by document: each document once, each cited passage under its own document
    listed = [s.doc_id for s in b.sources]
    assert len(listed) == len(set(listed)) == len(set(b.cited_docs))
    assert sorted(n for s in b.sources for n in s.passages) == sorted(by_n)
    assert all(by_n[n].doc_id == s.doc_id for s in b.sources for n in s.passages)


def test_fixture_briefing_and_exports(make_collection, tmp_path: Path) -> None:
    coll = make_collection()
    ingest(coll, [FIXTURE_CORPUS, DATA / "xss.html"])
    answerer = ExtractiveAnswerer(coll.embedder, AnswerSettings(min_evidence=0.2))
    b = build_briefing(coll, "water supply and the desalination plant", answerer=answerer,
                       min_relevance=0.2)  # fmt: skip
    assert b.covered
    check_briefing(b, coll)
    assert any("2021" in e.date for e in b.timeline)
    html = export(b, coll, "html").decode()
    assert "<script" not in html.lower() and "onerror" not in html.lower()
    assert html.count("<style>") == 1 and "http-equiv" not in html
    for n in {n for p in b.points() for n in p.citations}:
        assert f"href='#src-{n}'" in html and f"id='src-{n}'" in html
    md = export(b, coll, "md").decode()
    assert md.startswith("# Briefing:") and "## Sources" in md and "Coverage:" in md
    from docx import Document

    doc = Document(io.BytesIO(export(b, coll, "docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Executive summary" in text and "Sources" in text
    assert all(f"[{c.n}]" in text for c in b.citations)
    # every format lists each cited document once, with its passages under it
    listed = {"md": md.split("## Sources")[1], "html": html.split("<h2>Sources</h2>")[1],
              "docx": text.split("\nSources\n")[1]}  # fmt: skip
    for fmt, sources in listed.items():
        for s in b.sources:
            title = s.title if fmt != "md" else s.title.replace("_", "\\_")
            assert sources.count(title) == 1, (fmt, s.title)


def _kelp_briefing(
    make_collection, tmp_path: Path, min_relevance: float, docs: dict[str, tuple[str, str, str]]
) -> tuple[Briefing, Collection]:
    """A checked briefing on the Harrow Bay kelp farm over Markdown ``docs``
    (file name: (title, date, body))."""
    folder = tmp_path / "kelp"
    folder.mkdir()
    for name, (title, day, body) in docs.items():
        (folder / name).write_text(f"---\ntitle: {title}\ndate: {day}\n---\n\n{body}\n")
    coll = make_collection()
    ingest(coll, [folder])
    b = build_briefing(coll, "Harrow Bay kelp farm council", min_relevance=min_relevance,
                       answerer=ExtractiveAnswerer(coll.embedder, ANY_EVIDENCE))  # fmt: skip
    check_briefing(b, coll)
    return b, coll


def test_timeline_uses_document_dates_and_exports_say_when_made(
    make_collection, tmp_path: Path
) -> None:
    b, coll = _kelp_briefing(make_collection, tmp_path, 0.0, {
        "opening.md": ("Kelp farm opens", "2024-05-02",
                       "Today the council opened the Harrow Bay kelp farm with forty rafts."),
        "plan.md": ("Kelp farm plan", "2023-01-10", "The council approved the Harrow Bay kelp "
                    "farm plan on 9 January 2023 after a survey."),
    })  # fmt: skip
    assert [(e.date, e.from_document) for e in b.timeline] == [
        ("2023-01-09", False), ("2024-05-02", True),
    ]  # fmt: skip
    assert b.made == date.today().isoformat()
    assert f"*Made:* {b.made}" in export(b, coll, "md").decode()
    assert f"Made {b.made}" in export(b, coll, "html").decode()
    from docx import Document

    doc = Document(io.BytesIO(export(b, coll, "docx")))
    assert any(p.text.startswith(f"Made {b.made}") for p in doc.paragraphs)


def test_an_unrelated_documents_dated_action_is_not_an_event(
    make_collection, tmp_path: Path
) -> None:
    """A dated action that shares a word with the topic ("council") but comes from a document
    about something else is no event of the topic, though the timeline reads below the bar."""
    b, _ = _kelp_briefing(make_collection, tmp_path, 0.4, {
        "opening.md": ("Kelp farm opens", "2024-05-02",
                       "Today the council opened the Harrow Bay kelp farm with forty rafts.\n\n"
                       "The Harrow Bay kelp farm grows sugar kelp on forty rafts in the bay."),
        "plan.md": ("Kelp farm plan", "2023-01-10", "The council approved the Harrow Bay kelp "
                    "farm plan on 9 January 2023 after a survey.\n\n"
                    "The kelp farm plan sets the number of rafts in Harrow Bay at forty."),
        "library.md": ("Library opens", "2024-06-11",
                       "Today the council opened the Westgate public library with ten thousand "
                       "books.\n\nThe library lends books, maps and music to every resident of "
                       "Westgate."),
    })  # fmt: skip
    assert [e.date for e in b.timeline] == ["2023-01-09", "2024-05-02"]
    assert not any("library" in e.point.text for e in b.timeline)


def test_xss_document_is_escaped_in_html(make_collection) -> None:
    coll = make_collection()
    ingest(coll, [DATA / "xss.html", FIXTURE_CORPUS])
    answerer = ExtractiveAnswerer(coll.embedder, ANY_EVIDENCE)
    xss_text = coll.catalog.document(coll.documents()[-1].doc_id)
    assert xss_text is not None
    topic = " ".join(re.findall(r"[A-Za-z]{4,}", xss_text.text)[:6])
    b = build_briefing(coll, topic, answerer=answerer, min_relevance=0.0)
    html = export(b, coll, "html").decode()
    assert "<script>" not in html and "<img" not in html and "javascript:" not in html.lower()


def test_uncovered_topic_gives_a_short_briefing(make_collection) -> None:
    coll = make_collection()
    ingest(coll, [FIXTURE_CORPUS])
    answerer = ExtractiveAnswerer(coll.embedder)
    b = build_briefing(coll, "quantum chromodynamics of gluon plasma", answerer=answerer)
    assert not b.covered and b.notes == (NOT_COVERED,) and not b.points()
    md = export(b, coll, "md").decode()
    assert NOT_COVERED in md and "## Sources" not in md


def test_brief_command_writes_each_format(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DOSSIER_ANSWER__MIN_EVIDENCE", "0.25")  # the hashing embedder scores lower
    assert main(["ingest", str(FIXTURE_CORPUS), "--embedder", "hashing"]) == 0
    capsys.readouterr()
    for fmt in ("md", "html", "docx"):
        out = tmp_path / f"b.{fmt}"
        code = main(["brief", "desalination plant water supply", "--embedder", "hashing",
                     "-o", str(out)])  # fmt: skip
        assert code == 0 and out.stat().st_size > 200
    assert main(["brief", "x", "--format", "docx", "--embedder", "hashing"]) == 2


@pytest.mark.model
def test_demo_corpus_briefing(minilm, dossier_home: Path) -> None:  # type: ignore[no-untyped-def]
    from corpus.chunker import ChunkerConfig

    coll = Collection(dossier_home, "demo-brief", minilm, ChunkerConfig())
    folders = ["statements-releases/2023-10", "statements-releases/2024-03", "fact-sheets/2025-04",
               "fact-sheets/2025-01", "articles/2025-04", "articles/2025-07",
               "fact-sheets/2025-07"]  # fmt: skip
    ingest(coll, [DEMO / f for f in folders])
    b = build_briefing(coll, "federal agency use and procurement of artificial intelligence",
                       answerer=ExtractiveAnswerer(minilm))  # fmt: skip
    assert b.covered and 3 <= len(b.summary) <= 5 and b.themes
    check_briefing(b, coll)
    assert len(b.cited_docs) >= 4
    # the principal dated actions: the October 2023 order, the March 2024 OMB policy, the
    # January 2025 order that revoked it, the April 2025 memos
    days = {e.date for e in b.timeline}
    assert {"2023-10-30", "2024-03-28", "2025-01-23", "2025-04-07", "2025-07-23"} <= days
    # and the July 2025 AI Action Plan, its own line beside the order signed that day
    doc_of = {c.n: c.doc_id for c in b.citations}
    source = {d.doc_id: d.source for d in coll.documents()}
    that_day = [{source[doc_of[n]] for n in e.point.citations} for e in b.timeline
                if e.date == "2025-07-23"]  # fmt: skip
    plan = [s for s in that_day if any("unveils-americas-ai-action-plan" in x for x in s)]
    assert len(plan) == 1 and not any("prevents-woke-ai" in x for x in plan[0])
    # the 2025 documents change the 2023-2024 policies, and say so
    changes = {(d.relation, d.earlier.date, d.later.date) for d in b.differences}
    assert any(r == "revokes" and e == "2023-10-30" and later == "2025-01-23"
               for r, e, later in changes)  # fmt: skip
    from eval.brief import load_facts, score_briefing

    facts = load_facts(Path(__file__).resolve().parents[1] / "eval/briefs/federal-agency-ai.jsonl")
    metrics, _ = score_briefing(b, facts)
    assert metrics["redundancy"] <= 0.1


def test_a_briefing_is_the_same_whatever_the_hash_seed(tmp_path: Path) -> None:
    """Ties are broken by name or by order of appearance, never by a set's hash order: the
    same command on the same collection gives the same briefing in every process (before,
    PYTHONHASHSEED 1 and 2 gave different point lists on the demo corpus)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DOSSIER_HOME": str(tmp_path), "DOSSIER_EMBEDDING__NAME": "hashing"}
    cli = [sys.executable, "-m", "dossier.cli"]
    subprocess.run([*cli, "ingest", str(DEMO), "-c", "d"], env=env, check=True, capture_output=True)
    outs = set()
    for seed in ("0", "1", "2", "3"):
        run = subprocess.run(
            [*cli, "brief", "federal agency use and procurement of artificial intelligence",
             "-c", "d"], env={**env, "PYTHONHASHSEED": seed}, check=True, capture_output=True,
            text=True,
        )  # fmt: skip
        outs.add(run.stdout)
    assert len(outs) == 1 and "## Executive summary" in next(iter(outs))
