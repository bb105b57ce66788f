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
from assistant.extractive import ExtractiveAnswerer
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
    dates = [e.date for e in b.timeline]
    assert dates == sorted(dates)
    for e in b.timeline:
        cited = " ".join(by_n[n].text for n in e.point.citations)
        if e.from_document:  # "Today …": dated by the cited document's front matter
            docs = [coll.catalog.document_info(by_n[n].doc_id) for n in e.point.citations]
            assert all(d is not None and d.date == e.date for d in docs)
        else:
            assert e.label in cited and any(d.iso == e.date for d in find_dates(cited))


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


def test_timeline_uses_document_dates_and_exports_say_when_made(
    make_collection, tmp_path: Path
) -> None:
    folder = tmp_path / "kelp"
    folder.mkdir()
    (folder / "opening.md").write_text(
        "---\ntitle: Kelp farm opens\ndate: 2024-05-02\n---\n\n"
        "Today the council opened the Harrow Bay kelp farm with forty rafts.\n"
    )
    (folder / "plan.md").write_text(
        "---\ntitle: Kelp farm plan\ndate: 2023-01-10\n---\n\n"
        "The council approved the Harrow Bay kelp farm plan on 9 January 2023 after a survey.\n"
    )
    coll = make_collection()
    ingest(coll, [folder])
    b = build_briefing(coll, "Harrow Bay kelp farm council", min_relevance=0.0,
                       answerer=ExtractiveAnswerer(coll.embedder, ANY_EVIDENCE))  # fmt: skip
    check_briefing(b, coll)
    assert [(e.date, e.from_document) for e in b.timeline] == [
        ("2023-01-09", False), ("2024-05-02", True),
    ]  # fmt: skip
    assert b.made == date.today().isoformat()
    assert f"*Made:* {b.made}" in export(b, coll, "md").decode()
    assert f"Made {b.made}" in export(b, coll, "html").decode()
    from docx import Document

    doc = Document(io.BytesIO(export(b, coll, "docx")))
    assert any(p.text.startswith(f"Made {b.made}") for p in doc.paragraphs)


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
    folders = ["statements-releases/2023-10", "statements-releases/2024-03", "fact-sheets/2025-04"]
    ingest(coll, [DEMO / f for f in folders])
    b = build_briefing(coll, "federal agency use of AI", answerer=ExtractiveAnswerer(minilm))
    assert b.covered and len(b.summary) >= 3 and b.themes
    check_briefing(b, coll)
    assert len(b.cited_docs) >= 2
