"""One briefing renderer (assistant/templates/) for the HTML export and the app's Briefing
tab: the same sections, escaped, with citations as footnote links or as clickable buttons."""

from __future__ import annotations

import re
from dataclasses import replace

from markupsafe import escape

from assistant.briefing import NOT_COVERED, Briefing
from assistant.briefing_export import coverage, sections, to_html
from assistant.briefing_parts import Difference, Point, Theme, TimelineEvent
from assistant.types import Citation

EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)>"
META = {"d1": ("2024-03-28", "https://example.org/memo"), "d2": (None, "javascript:alert(3)")}


def meta(doc_id: str) -> tuple[str | None, str | None]:
    return META.get(doc_id, (None, None))


def briefing() -> Briefing:
    c1 = Citation(1, "d1", f"Memo {EVIL}", "memos/m-24-10.md", 2, 10, 40, f"Agencies {EVIL}.")
    c2 = Citation(2, "d2", "Fact sheet", "fact-sheets/a.md", None, 0, 20, "Officers were named.")
    quoted = Point(f"Agencies must name officers {EVIL}.", (1,))
    weak = Point("A claim the sources barely support.", (2,), supported=False, support=0.31)
    return Briefing(
        topic=f"AI {EVIL}", scope="collection 'demo'", covered=True, summary=(quoted, weak),
        themes=(Theme(f"officers {EVIL}", (Point("Officers were named.", (2,)),)),),
        timeline=(TimelineEvent("2024-03-28", "28 March 2024", quoted),),
        differences=(Difference("revokes", weak, quoted, f"Memo {EVIL} revokes Fact sheet"),),
        gaps=(f"Who pays for {EVIL}?",), citations=(c1, c2),
        retrieved_docs=(("d1", "Memo", 0.9), ("d2", "Fact sheet", 0.8),
                        ("d3", f"Uncited {EVIL}", 0.5)),
        notes=(f"note {EVIL}",), made="2025-01-02",
    )  # fmt: skip


def text_of(html: str) -> str:
    """The visible words, with citation markers of either kind removed."""
    html = re.sub(r"<(sup|button)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def assert_inert(html: str) -> None:
    assert "<script" not in html and "<img" not in html and "javascript:" not in html
    assert str(escape(EVIL)) in html  # shown, as text


def test_the_app_and_the_export_render_the_same_briefing() -> None:
    b = briefing()
    page = to_html(b, meta)
    app = to_html(b, meta, clickable=True, page=False)
    assert_inert(page)
    assert_inert(app)
    assert page.startswith("<!doctype html>") and page.count("<style>") == 1
    assert "<html" not in app and "<style" not in app
    assert text_of(app) in text_of(page)  # the app shows the export's body, word for word
    for heading in [h for h, _ in sections(b)] + ["Timeline", "Where sources differ", "Gaps",
                                                  "Sources"]:  # fmt: skip
        assert f"<h2>{escape(heading)}</h2>" in app and f"<h2>{escape(heading)}</h2>" in page


def test_citations_are_footnote_links_in_the_export_and_buttons_in_the_app() -> None:
    b = briefing()
    page = to_html(b, meta)
    app = to_html(b, meta, clickable=True, page=False)
    for n in (1, 2):
        assert f"href='#src-{n}'" in page and f"id='src-{n}'" in page
        assert f"class='cite bcite-{n}'" in app
    assert "<button" not in page and "<sup>" not in app
    # sources: each document once, its path in <code>, its passages under it; http(s) links
    assert "<code>memos/m-24-10.md</code>" in app and "page 2, chars 10-40" in app
    assert "href='https://example.org/memo'" in app and "2024-03-28" in app
    assert app.count("rel='noopener noreferrer'") == 1
    assert "(not supported by its citations: 0.31)" in app and "0.31" in page


def test_a_document_with_two_cited_passages_is_listed_once() -> None:
    """The app and the export list each document once, its passages under it."""
    b = briefing()
    c3 = Citation(3, "d1", f"Memo {EVIL}", "memos/m-24-10.md", 3, 50, 70, "Officers report.")
    b = replace(b, citations=(*b.citations, c3),
                summary=(*b.summary, Point("Officers report.", (3,))))  # fmt: skip
    for html in (to_html(b, meta), to_html(b, meta, clickable=True, page=False)):
        sources = html.split("<h2>Sources</h2>")[1]
        assert sources.count("<code>memos/m-24-10.md</code>") == 1
        assert sources.count("<code>fact-sheets/a.md</code>") == 1
        memo = sources.split("<code>memos/m-24-10.md</code>")[1].split("<code>")[0]
        assert "chars 10-40" in memo and "page 3, chars 50-70" in memo


def test_the_app_says_what_was_retrieved_but_not_cited() -> None:
    """The app's own renderer had drifted from the export: it left this line out."""
    b = briefing()
    app = to_html(b, meta, clickable=True, page=False)
    assert "Retrieved but not cited" in coverage(b)
    assert str(escape(coverage(b))) in app
    assert f"Retrieved but not cited: {escape(f'Uncited {EVIL}')}" in app


def test_an_uncovered_topic_shows_its_note_only() -> None:
    b = Briefing("quantum gluons", "collection 'demo'", False, notes=(NOT_COVERED,))
    for html in (to_html(b, meta), to_html(b, meta, clickable=True, page=False)):
        assert NOT_COVERED in html
        assert "Sources" not in html and "Executive summary" not in html and "cite" not in html


def test_markdown_and_docx_carry_the_same_sections() -> None:
    """The timeline, the differences and the sources by document are in Markdown and DOCX
    too, not only in the HTML: each cited document once."""
    import io

    from docx import Document

    from assistant.briefing_export import to_docx, to_markdown

    b = briefing()
    md = to_markdown(b, meta)
    doc = Document(io.BytesIO(to_docx(b, meta)))
    docx = "\n".join(p.text for p in doc.paragraphs)
    for text in (md, docx):
        for heading in ("Executive summary", "Timeline", "Where sources differ", "Sources"):
            assert heading in text, heading
        timeline = text.split("Timeline")[1].split("Where sources differ")[0]
        assert "28 March 2024" in timeline and "revokes: Memo" in text.replace("**", "")
        sources = text.split("Sources")[-1]  # title, date, URL or path: each document once
        assert sources.count("2024-03-28 (https://example.org/memo)") == 1
        assert sources.count("Fact sheet (") == 1 and sources.count("[1] “") == 1


def test_markdown_escapes_every_document_text_including_the_coverage_line() -> None:
    """A title among the retrieved-but-not-cited documents is document text too."""
    from assistant.briefing_export import to_markdown

    md = to_markdown(briefing(), meta)
    # every angle bracket from a document escaped (\<script\>); "> " opens a note's quote
    assert re.search(r"(?<![\\\n])[<>]", md) is None
    assert "Uncited \\<script\\>alert(1)\\</script\\>" in md
