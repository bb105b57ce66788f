"""The app's views without a browser: readable sources at exact offsets, the PDF page image,
the start view's topics, the chat's scope, the documents table, evaluation formatting and the
cache-state note (tests/test_ui_views_browser.py drives the same views in Chromium)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import escape

from corpus.errors import NotFoundError
from dossier.web.evaluation import PRESETS, cache_note, formatted
from dossier.web.library_html import documents_table, folders, tags
from dossier.web.readable import layout, render
from dossier.web.scope import Scope
from dossier.web.start import topics
from index.catalog import DocumentInfo
from index.types import SearchFilter

MD = """# Title

Some **bold** and *em* and `co*de*` and \\(f\\) <!-- hidden
comment --> x <figure><img src=x onerror=alert(1)></figure> [link](javascript:alert(1))
and [site](https://example.com/t?a=1&b=2) &amp; more.

- item one
- item two
  continued

> quoted line
"""


def visible(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_markdown_is_read_without_its_markup_and_everything_escaped() -> None:
    html = str(render(layout(MD, True), 0, len(MD), (0, 0), True))
    text = visible(html)
    for raw in ("**", "`", "\\(", "<!--", "hidden", "](", "onerror", "#"):
        assert raw not in text.replace("&lt;", "<"), raw
    assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html
    assert "<em>em</em>" in html and "<code>co*de*</code>" in html
    assert "(f)" in text and "& more" in text.replace("&amp;", "&")
    # a web link stays a link, a javascript: link is only its text; no tag from the document
    assert 'href="https://example.com/t?a=1&amp;b=2"' in html and "javascript:" not in html
    assert "<img" not in html and "<figure" not in html
    assert html.count("<li>") == 2 and "item two continued" in text
    assert "<blockquote>quoted line</blockquote>" in html


def test_the_highlight_sits_at_the_exact_offsets_through_markup() -> None:
    start = MD.index("bold")  # the span starts inside **…** and ends inside the link text
    end = MD.index("site") + 2
    html = str(render(layout(MD, True), 0, len(MD), (start, end), True))
    marked = re.findall(r'<mark class="hl">(.*?)</mark>', html, flags=re.S)
    assert len(marked) == 1  # one paragraph: one mark around its styled runs
    shown = visible("".join(marked))
    assert shown.startswith("bold and em and co*de* and (f)") and shown.endswith("si")
    assert "**" not in shown and "x.png" not in shown
    span = (MD.index("item one") + 5, MD.index("item two") + 5)
    across = str(render(layout(MD, True), 0, len(MD), span, True))
    assert across.count('<mark class="hl">') == 2  # a span across list items: one per item


@pytest.mark.parametrize("text", ["plain <b>tags</b> stay\ntext", "a\n\nb <script>x</script>"])
def test_plain_text_keeps_its_characters_escaped(text: str) -> None:
    html = str(render(layout(text, False), 0, len(text), (0, 5), False))
    assert "<b>" not in html and "<script>" not in html
    assert str(escape(text[5:].split("\n")[0])) in html  # as text, not markup
    assert html.startswith('<p><mark class="hl">')


def test_a_cut_block_says_so() -> None:
    text = "one two three four five six seven eight nine ten"
    html = str(render(layout(text, False), 8, 30, (14, 18), False))
    assert html.startswith("<p>…") and html.endswith("…</p>")
    assert '<mark class="hl">four</mark>' in html


def test_pdf_page_image_boxes_the_quote(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    from dossier.web.pdf_page import page_image

    path = tmp_path / "a.pdf"
    c = canvas.Canvas(str(path))
    c.drawString(72, 720, "First page text.")
    c.showPage()
    c.drawString(72, 720, "The kestrel flew over the ridge at dawn on Tuesday.")
    c.showPage()
    c.save()
    found = page_image(path, 2, "The kestrel flew over the ridge at dawn on Tuesday.")
    assert found is not None and found.found and found.width > 500
    assert found.data_uri.startswith("data:image/png;base64,")
    missing = page_image(path, 1, "words that are not on the page at all")
    assert missing is not None and not missing.found
    assert page_image(path, 9, "x") is None and page_image(tmp_path / "gone.pdf", 1, "x") is None


def test_topics_are_shared_phrases_without_stop_words() -> None:
    texts = [f"The Harbor Bridge opened in {y}. Ferry service resumed." for y in range(2000, 2006)]
    texts += ["Tide tables for the coast.", "Tide tables and the Harbor Bridge."]
    found = topics(texts)
    assert found[0] in ("Harbor Bridge", "Ferry service", "Tide tables")
    assert "Tide tables" in found and all(" the" not in t.lower() for t in found)


def info(doc_id: str, source: str, title: str, tags_: list[str] | None = None) -> DocumentInfo:
    meta = {"tags": tags_} if tags_ else {}
    return DocumentInfo(doc_id, source, title, meta, "2024-01-02", "h", n_chunks=3)


DOCS = [info("aa11", "memos/a.md", "Memo <A>", ["memos"]), info("bb22", "b.pdf", "B"),
        info("cc33", "memos/2024/c.txt", "C", ["memos", "x"])]  # fmt: skip


def test_scope_filters_by_ticked_ids_folder_and_tag() -> None:
    scope = Scope.of(["bb22", "gone"], DOCS, "memos/", "x")
    assert scope.doc_ids == ("bb22",) and scope.folder == "memos" and scope.tag == "x"
    f = scope.search_filter()
    assert isinstance(f, SearchFilter) and f.doc_ids == frozenset({"bb22"})
    assert [d.doc_id for d in DOCS if SearchFilter(doc_ids=frozenset({"aa11"})).admits(d)] == [
        "aa11"
    ]
    assert Scope().search_filter() is None and "Searching all" in Scope().chip()
    chip = Scope.of(["aa11"], DOCS).chip()
    assert "Only 1 document" in chip and "Memo &lt;A&gt;" in chip  # escaped
    assert Scope.named(["memos/a.md", "bb22"], DOCS).doc_ids == ("aa11", "bb22")
    with pytest.raises(NotFoundError, match=r"nope\.md"):
        Scope.named(["nope.md"], DOCS)


def test_documents_table_columns_ticks_and_escaping() -> None:
    html = documents_table(DOCS, {"bb22"})
    heads = re.findall(r'class="sort">([^<]+)</button>', html)
    assert heads == ["Title", "Date", "Type", "Chunks", "Status", "Path"]
    assert 'value="bb22" checked' in html and 'value="aa11" checked' not in html
    assert "Memo &lt;A&gt;" in html and "<A>" not in html
    assert 'class="doc-remove rm-aa11" aria-label="Remove Memo &lt;A&gt;"' in html
    assert ">PDF<" in html and ">TXT<" in html
    assert folders(DOCS) == ["memos", "memos/2024"] and tags(DOCS) == ["memos", "x"]


def test_metrics_formatted_for_people() -> None:
    rows = dict(formatted({"questions": 12.0, "accuracy": 0.5833, "p50_ms": 587.9703,
                           "first_token_p95_ms": 1234.5}))  # fmt: skip
    assert rows == {"questions": "12", "accuracy": "0.58", "p50_ms": "588 ms",
                    "first_token_p95_ms": "1,234 ms"}  # fmt: skip


def test_cache_note_only_when_runs_differ() -> None:
    assert cache_note([{"cached_index": True}, {"cached_index": True}], ["a", "b"]) == ""
    assert cache_note([{}, {"cached_index": True}], ["a", "b"]) == ""  # older runs: unknown
    note = cache_note([{"cached_index": False}, {"cached_index": True}], ["cold.json", "w.json"])
    assert "differ in cache state" in note and "cold.json built the index" in note


def test_the_demo_qa_set_ships_and_names_its_evidence() -> None:
    import json

    corpus, qa = next(iter(PRESETS.values()))
    items = [json.loads(line) for line in qa.read_text(encoding="utf-8").splitlines()]
    assert len(items) == 12 and all(i["answers"] and i["question"] for i in items)
    for item in items:  # every evidence path is a document of the demo corpus
        assert all((corpus / e).is_file() for e in item["evidence"]), item["evidence"]
