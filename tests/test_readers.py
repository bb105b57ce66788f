"""Tests for corpus.readers: every supported format, and folder walking with bad files."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from corpus import formats
from corpus.errors import ReadError, UsageError
from corpus.limits import ReadLimits
from corpus.readers import (
    SUPPORTED_SUFFIXES,
    FileOutcome,
    doc_id_for,
    iter_folder,
    read_file,
)
from corpus.types import Document

DATA = Path(__file__).parent / "data"
FIXTURE_CORPUS = DATA / "fixture-corpus"


def _read(path: Path) -> tuple[Document, tuple[str, ...]]:
    return read_file(path, root=path.parent, collection="test")


def _outcomes(*paths: Path) -> dict[str, FileOutcome]:
    return {o.source: o for o in iter_folder(list(paths), collection="test")}


def _write_pdf(
    path: Path,
    pages: list[str | None],
    title: str | None = None,
    *,
    heading: str | None = None,
    head: str | None = None,
    foot: str | None = None,
    encrypt: Any = None,
) -> Path:
    """A PDF with one page per entry: lines of text, or (None) only a drawn rectangle.

    Text is set in reportlab's bundled Vera font, which has real ligature glyphs ("ﬁ").
    ``heading`` is a larger first line on page 1; ``head`` and ``foot`` repeat on every
    page, with "{n}" replaced by the page number.
    """
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(
        TTFont("Vera", str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"))
    )
    pdf = canvas.Canvas(str(path), encrypt=encrypt)
    if title:
        pdf.setTitle(title)
    for number, text in enumerate(pages, 1):
        if head:
            pdf.setFont("Vera", 8)
            pdf.drawString(72, 780, head.format(n=number))
        if foot:
            pdf.setFont("Vera", 8)
            pdf.drawString(290, 40, foot.format(n=number))
        if heading and number == 1:
            pdf.setFont("Vera", 20)
            pdf.drawString(72, 740, heading)
        if text is None:
            pdf.rect(100, 100, 200, 200, fill=1)
        else:
            pdf.setFont("Vera", 11)
            for i, line in enumerate(text.split("\n")):
                pdf.drawString(72, 720 - 14 * i, line)
        pdf.showPage()
    pdf.save()
    return path


# --- ids and the supported set ------------------------------------------------------------


def test_doc_id_is_stable_and_depends_on_collection_and_source() -> None:
    first = doc_id_for("notes", "a/b.md")
    assert first == doc_id_for("notes", "a/b.md")
    assert first == hashlib.sha1(b"notes\0a/b.md").hexdigest()[:16]
    assert first != doc_id_for("other", "a/b.md")
    assert first != doc_id_for("notes", "a/c.md")
    # The NUL separator keeps ("ab", "c") and ("a", "bc") apart.
    assert doc_id_for("ab", "c") != doc_id_for("a", "bc")


def test_supported_suffixes() -> None:
    assert {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"} == SUPPORTED_SUFFIXES


# --- plain text ---------------------------------------------------------------------------


def test_txt_utf8_bom_crlf_and_title(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes("\ufeff\r\n  Café report  \r\nline two\rline three\x00!\r\n".encode())
    doc, warnings = _read(path)
    assert warnings == ()
    assert doc.text == "\n  Café report  \nline two\nline three!\n"
    assert doc.title == "Café report"
    assert doc.source == "notes.txt"
    assert doc.doc_id == doc_id_for("test", "notes.txt")
    assert doc.page_starts == () and doc.headings == ()
    assert doc.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()


def test_txt_cp1252_falls_back_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes("Menu: café, crème brûlée – €5".encode("cp1252"))
    doc, warnings = _read(path)
    assert doc.text == "Menu: café, crème brûlée – €5"
    assert warnings == ("not valid UTF-8; decoded as cp1252",)


def test_txt_undefined_cp1252_byte_falls_back_to_latin1(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_bytes(b"caf\xe9 \x81")  # 0x81 is unassigned in cp1252
    doc, warnings = _read(path)
    assert doc.text == "café \x81"
    assert warnings == ("not valid UTF-8; decoded as latin-1",)


def test_txt_title_is_clipped_to_200_chars(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("x" * 500 + "\nbody")
    doc, _ = _read(path)
    assert doc.title == "x" * 200


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  ", b"\x00\x00\n"])
def test_empty_or_blank_file_fails(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(ReadError) as caught:
        _read(path)
    assert caught.value.reason == "empty file"
    assert str(path) in str(caught.value)


# --- markdown -----------------------------------------------------------------------------

FRONT_MATTER_MD = """---
title: Water Policy
date: 2021-03-14
tags: [water, council]
author: J. Doe
draft: false
nested: {a: 1}
empty:
---

# Overview

Intro text.

```python
# a comment, not a heading
```

## Details ##

More.
"""


def test_markdown_front_matter_becomes_metadata_not_text(tmp_path: Path) -> None:
    path = tmp_path / "policy.md"
    path.write_text(FRONT_MATTER_MD)
    doc, warnings = _read(path)
    assert warnings == ()
    assert doc.metadata == {
        "title": "Water Policy",
        "date": "2021-03-14",
        "tags": ["water", "council"],
        "author": "J. Doe",
        "draft": False,
    }
    assert doc.title == "Water Policy"
    assert "---" not in doc.text and "tags:" not in doc.text
    assert doc.text.startswith("# Overview")


def test_markdown_headings_point_at_heading_lines(tmp_path: Path) -> None:
    path = tmp_path / "policy.md"
    path.write_text(FRONT_MATTER_MD)
    doc, _ = _read(path)
    assert [(h.level, h.title) for h in doc.headings] == [(1, "Overview"), (2, "Details")]
    for heading in doc.headings:
        assert doc.text[heading.start :].startswith("#" * heading.level + " " + heading.title)
    assert doc.heading_path(doc.text.index("More.")) == ("Overview", "Details")


def test_markdown_title_falls_back_to_first_heading_then_stem(tmp_path: Path) -> None:
    with_heading = tmp_path / "a.markdown"
    with_heading.write_text("Some intro.\n\n## First *heading*\n\ntext\n")
    plain = tmp_path / "plain-notes.md"
    plain.write_text("no headings at all\n#hashtag is not a heading\n")
    assert _read(with_heading)[0].title == "First *heading*"
    doc, _ = _read(plain)
    assert doc.title == "plain-notes"
    assert doc.headings == ()


def test_markdown_malformed_front_matter_warns_and_keeps_text(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_text("---\ntitle: [unclosed\n---\n# Real heading\nbody\n")
    doc, warnings = _read(path)
    assert len(warnings) == 1 and "malformed YAML front matter" in warnings[0]
    assert doc.metadata == {}
    assert doc.text.startswith("---\ntitle: [unclosed")
    assert doc.title == "Real heading"


def test_markdown_datetime_and_comma_tags(tmp_path: Path) -> None:
    path = tmp_path / "dt.md"
    path.write_text("---\ndate: 2022-06-09 10:30:00\ntags: a, b ,c\n---\nbody\n")
    doc, _ = _read(path)
    assert doc.metadata["date"].startswith("2022-06-09")
    assert doc.metadata["tags"] == ["a", "b", "c"]
    assert doc.text == "body\n"


# --- HTML ---------------------------------------------------------------------------------

PAGE = """<!doctype html><html><head><title>  The   Page </title>
<style>p { color: red }</style><script>var secret = "hidden";</script></head>
<body><!-- a comment --><noscript>enable js</noscript>
<h1>Main heading</h1><p>First   paragraph
spans lines with <b>bold</b> text.</p><p>line one<br>line two</p>
<template><p>template text</p></template><svg><title>icon</title></svg>
<h2>Second</h2><ul><li>alpha</li><li>beta</li></ul>
<table><tr><td>cell a</td><td>cell b</td></tr></table></body></html>"""


def test_html_visible_text_blocks_and_title(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE)
    doc, _ = _read(path)
    assert doc.title == "The Page"
    for hidden in ("secret", "color: red", "enable js", "a comment", "template text", "icon"):
        assert hidden not in doc.text
    assert "First paragraph spans lines with bold text." in doc.text
    assert "line one\nline two" in doc.text
    assert "alpha\n\nbeta" in doc.text
    assert "cell a cell b" in doc.text
    assert "\n\n\n" not in doc.text
    assert doc.text.startswith("Main heading\n\nFirst paragraph")


def test_html_headings_have_offsets_into_text(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_text(PAGE)
    doc, _ = _read(path)
    assert [(h.level, h.title) for h in doc.headings] == [(1, "Main heading"), (2, "Second")]
    for heading in doc.headings:
        assert doc.text[heading.start :].startswith(heading.title)


def test_html_title_falls_back_to_h1_and_survives_missing_head_close(tmp_path: Path) -> None:
    # Without "</head>", html.parser nests the body inside <head>: the text must survive.
    path = tmp_path / "nohead.html"
    path.write_text("<html><head><meta charset=utf-8><body><h1>Only H1</h1><p>Body text</p>")
    doc, _ = _read(path)
    assert doc.title == "Only H1"
    assert doc.text == "Only H1\n\nBody text"


def test_html_xss_fixture_keeps_literal_markup_as_text_only() -> None:
    doc, _ = _read(DATA / "xss.html")
    assert doc.title == "XSS test page"
    assert "<script>alert(1)</script>" in doc.text
    assert "click" in doc.text
    for leaked in ("onerror", "javascript:", "real script", "<img"):
        assert leaked not in doc.text


# --- PDF ----------------------------------------------------------------------------------


def test_pdf_two_pages_records_page_starts(tmp_path: Path) -> None:
    path = _write_pdf(
        tmp_path / "report.pdf", ["Alpha page one text", "Beta page two text"], "Annual Report"
    )
    doc, _ = _read(path)
    assert len(doc.page_starts) == 2 and doc.page_starts[0] == 0
    first, second = doc.text.index("Alpha"), doc.text.index("Beta")
    assert first < doc.page_starts[1] <= second
    assert doc.page_at(first) == 1 and doc.page_at(second) == 2
    assert doc.text[doc.page_starts[1] :].startswith("Beta page two text")
    assert doc.title == "Annual Report"
    assert doc.metadata["page_count"] == 2


def test_pdf_title_falls_back_to_stem(tmp_path: Path) -> None:
    doc, _ = _read(_write_pdf(tmp_path / "untitled-scan.pdf", ["hello"]))
    assert doc.title == "untitled-scan"


def test_pdf_with_an_empty_page_keeps_page_numbers(tmp_path: Path) -> None:
    path = _write_pdf(tmp_path / "gap.pdf", ["first", None, "third"])
    doc, _ = _read(path)
    assert len(doc.page_starts) == 3
    assert doc.page_at(doc.text.index("third")) == 3


def test_pdf_without_text_layer_fails(tmp_path: Path) -> None:
    path = _write_pdf(tmp_path / "scan.pdf", [None])
    with pytest.raises(ReadError) as caught:
        _read(path)
    assert "no extractable text" in caught.value.reason


def test_corrupt_pdf_fails(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(os.urandom(64) + b"%%garbage")
    with pytest.raises(ReadError) as caught:
        _read(path)
    assert caught.value.reason.startswith("corrupt PDF: ")


def test_encrypted_pdf_without_password_fails(tmp_path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption

    locked = _write_pdf(tmp_path / "locked.pdf", ["secret text"], encrypt=StandardEncryption("pw"))
    with pytest.raises(ReadError) as caught:
        _read(locked)
    assert caught.value.reason == "encrypted PDF (password required)"


def test_pdf_that_only_restricts_printing_opens(tmp_path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption

    rules = StandardEncryption("", ownerPassword="owner", canPrint=0)
    doc, _ = _read(_write_pdf(tmp_path / "restricted.pdf", ["open text"], encrypt=rules))
    assert doc.text == "open text"


def test_pdf_ligatures_and_soft_hyphens_become_plain_letters(tmp_path: Path) -> None:
    page = "We \ufb01ne-tune the \ufb01rst \ufb02ow on a hy\u00adphen\u00adated word."
    doc, _ = _read(_write_pdf(tmp_path / "ligatures.pdf", [page]))
    assert doc.text == "We fine-tune the first flow on a hyphenated word."


def test_pdf_words_broken_at_line_ends_are_joined_and_real_hyphens_kept(tmp_path: Path) -> None:
    page = (
        "We count the param-\neters of the state-of-the-\nart model, which is time-\n"
        "consuming, and the outper-\nforming one: a pre-\ntrained encoder.\n"
        "Every pretrained encoder is large."
    )
    doc, _ = _read(_write_pdf(tmp_path / "breaks.pdf", [page]))
    assert "the parameters of the state-of-the-art model" in doc.text
    assert "time-consuming, and the outperforming one: a pretrained encoder." in doc.text
    # The document's own spelling decides: here it writes "pre-trained" elsewhere.
    other = page.replace("Every pretrained", "Every pre-trained")
    doc, _ = _read(_write_pdf(tmp_path / "hyphenated.pdf", [other]))
    assert "a pre-trained encoder." in doc.text and "pretrained" not in doc.text


def test_pdf_running_heads_and_page_numbers_are_dropped(tmp_path: Path) -> None:
    pages = [f"Body of page {n} about rivers." for n in ("one", "two", "three", "four")]
    path = _write_pdf(tmp_path / "journal.pdf", pages, head="Journal of Rivers, vol. 7", foot="{n}")
    doc, _ = _read(path)
    assert "Journal of Rivers" not in doc.text
    assert doc.text == "\n\n".join(pages)  # no page number left either
    for n, page in enumerate(pages, 1):
        assert doc.text[doc.page_starts[n - 1] :].startswith(page)
        assert doc.page_at(doc.text.index(page)) == n


def test_pdf_word_broken_across_a_page_break_moves_to_its_first_page(tmp_path: Path) -> None:
    pages = ["The survey of river manage-", "ment continues here.", "Last page."]
    doc, _ = _read(_write_pdf(tmp_path / "pages.pdf", pages))
    assert doc.text == "The survey of river management\n\ncontinues here.\n\nLast page."
    assert doc.page_at(doc.text.index("management")) == 1
    assert doc.page_at(doc.text.index("continues")) == 2
    assert doc.text[doc.page_starts[1] :].startswith("continues")


def test_pdf_title_is_the_largest_first_page_line_without_metadata(tmp_path: Path) -> None:
    path = _write_pdf(tmp_path / "roberta.pdf", ["Body text in a small size."], heading="Big Title")
    doc, _ = _read(path)
    assert doc.title == "Big Title"
    assert doc.text.startswith("Big Title\nBody text")


def test_pdf_metadata_title_wins_unless_it_names_a_file(tmp_path: Path) -> None:
    body = ["The body text is set smaller than the heading."]
    named = _write_pdf(tmp_path / "a.pdf", body, "Real Title", heading="Heading")
    assert _read(named)[0].title == "Real Title"
    file_named = _write_pdf(tmp_path / "b.pdf", body, "draft-v2.docx", heading="Heading")
    assert _read(file_named)[0].title == "Heading"
    template = _write_pdf(tmp_path / "c.pdf", body, "Microsoft Word - notes")
    assert _read(template)[0].title == "c"  # and no larger line: the file name it is


def test_pdf_chunks_hold_exact_offsets_into_the_cleaned_text(tmp_path: Path) -> None:
    from corpus.chunker import ChunkerConfig, chunk_document

    pages = [
        "\n".join(
            f"Point {i} of {name} is about the \ufb01eld and its param-\neters." for i in range(20)
        )
        for name in ("alpha", "beta", "gamma")
    ]
    doc, _ = _read(_write_pdf(tmp_path / "long.pdf", pages, head="Running head"))
    assert "\ufb01" not in doc.text and "param-" not in doc.text and "Running" not in doc.text
    chunks = chunk_document(doc, ChunkerConfig(max_tokens=60, overlap_tokens=10, min_tokens=10))
    assert len(chunks) > 2
    for chunk in chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert chunk.page == doc.page_at(chunk.start)


# --- DOCX ---------------------------------------------------------------------------------


def _write_docx(path: Path, title: str | None = None) -> Path:
    import docx

    document = docx.Document()
    if title:
        document.core_properties.title = title
    document.add_heading("Water Plan", level=0)  # the "Title" style
    document.add_paragraph("Opening paragraph.")
    document.add_heading("Budget", level=1)
    document.add_paragraph("")  # empty paragraphs are dropped
    document.add_paragraph("It costs 48.5 million.")
    document.add_heading("Phasing", level=2)
    document.add_paragraph("Two phases.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Phase 1"
    table.rows[0].cells[1].text = "2023"
    document.save(str(path))
    return path


def test_docx_paragraphs_headings_and_tables(tmp_path: Path) -> None:
    doc, _ = _read(_write_docx(tmp_path / "plan.docx"))
    assert doc.text == (
        "Water Plan\n\nOpening paragraph.\n\nBudget\n\nIt costs 48.5 million."
        "\n\nPhasing\n\nTwo phases.\n\nPhase 1 | 2023"
    )
    levels = [(h.level, h.title) for h in doc.headings]
    assert levels == [(1, "Water Plan"), (1, "Budget"), (2, "Phasing")]
    for heading in doc.headings:
        assert doc.text[heading.start :].startswith(heading.title)
    assert doc.title == "Water Plan"


def test_docx_title_prefers_core_properties(tmp_path: Path) -> None:
    doc, _ = _read(_write_docx(tmp_path / "plan.docx", title="Official Title"))
    assert doc.title == "Official Title"


def test_corrupt_docx_fails(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    with pytest.raises(ReadError) as caught:
        _read(path)
    assert caught.value.reason.startswith("corrupt DOCX: ")


# --- folders ------------------------------------------------------------------------------


def test_unsupported_and_hidden_entries_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("kept")
    (tmp_path / "image.XYZ").write_bytes(b"\x00")
    (tmp_path / "Makefile").write_text("all:")
    (tmp_path / ".secret.txt").write_text("hidden")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "inner.txt").write_text("must not be visited")
    outcomes = _outcomes(tmp_path)
    assert set(outcomes) == {"keep.txt", "image.XYZ", "Makefile", ".secret.txt", ".git"}
    assert outcomes["keep.txt"].status == "read"
    assert (outcomes["image.XYZ"].status, outcomes["image.XYZ"].reason) == (
        "skipped",
        "unsupported file type '.xyz'",
    )
    assert outcomes["Makefile"].reason == "unsupported file type (no extension)"
    assert (outcomes[".secret.txt"].status, outcomes[".secret.txt"].reason) == (
        "skipped",
        "hidden file",
    )
    assert (outcomes[".git"].status, outcomes[".git"].reason) == ("skipped", "hidden folder")


def test_folder_with_good_and_bad_files_reports_each(tmp_path: Path) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "a.md").write_text("# A\ntext a\n")
    (tmp_path / "sub" / "b.txt").write_text("text b")
    (tmp_path / "sub" / "deeper" / "c.html").write_text("<p>text c</p>")
    _write_pdf(tmp_path / "sub" / "d.pdf", ["text d"])
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "corrupt.pdf").write_bytes(b"not a pdf at all")
    _write_pdf(tmp_path / "scan.pdf", [None])
    (tmp_path / "legacy.txt").write_bytes("caf\xe9".encode("latin-1"))

    results = list(iter_folder([tmp_path], collection="test"))
    assert [o.source for o in results] == sorted(o.source for o in results)
    by_source = {o.source: o for o in results}
    read = {s for s, o in by_source.items() if o.status == "read"}
    assert read == {"a.md", "sub/b.txt", "sub/deeper/c.html", "sub/d.pdf", "legacy.txt"}
    for source in read:
        document = by_source[source].document
        assert document is not None and document.source == source
        assert by_source[source].path == tmp_path / source
    assert by_source["legacy.txt"].warnings == ("not valid UTF-8; decoded as cp1252",)
    failed = {s: o.reason for s, o in by_source.items() if o.status == "failed"}
    assert failed["empty.txt"] == "empty file"
    assert failed["corrupt.pdf"].startswith("corrupt PDF")
    assert "no extractable text" in failed["scan.pdf"]
    assert all(o.document is None for o in by_source.values() if o.status != "read")


def test_unexpected_parser_error_fails_one_file_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(data: bytes, path: Path, limits: ReadLimits) -> formats.Parsed:
        raise RuntimeError("parser bug")

    monkeypatch.setitem(formats.PARSERS, ".md", explode)
    (tmp_path / "a.md").write_text("# boom")
    (tmp_path / "b.txt").write_text("fine")
    outcomes = _outcomes(tmp_path)
    assert outcomes["a.md"].status == "failed"
    assert outcomes["a.md"].reason == "unexpected error: RuntimeError: parser bug"
    assert outcomes["b.txt"].status == "read"


def test_single_file_root_is_its_parent(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    path = tmp_path / "docs" / "one.txt"
    path.write_text("single")
    (result,) = iter_folder([path], collection="c")
    assert result.source == "one.txt"
    assert result.path == path
    assert result.document is not None
    assert result.document.doc_id == doc_id_for("c", "one.txt")


def test_missing_path_raises_usage_error_before_reading(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("x")
    outcomes = iter_folder([tmp_path / "real.txt", tmp_path / "nope"], collection="c")
    with pytest.raises(UsageError, match="nope"):
        next(outcomes)


def test_same_source_twice_is_skipped(tmp_path: Path) -> None:
    for folder in ("first", "second"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "notes.txt").write_text(folder)
    first, second = tmp_path / "first", tmp_path / "second"
    results = list(iter_folder([first, second, first / "notes.txt"], collection="c"))
    assert [o.status for o in results] == ["read", "skipped", "skipped"]
    assert "same relative path" in results[1].reason
    assert results[2].reason == "listed twice"


def test_symlink_loop_is_walked_once(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    outcomes = _outcomes(tmp_path)
    assert set(outcomes) == {"a.txt", "loop"}
    assert outcomes["loop"].reason.startswith("folder already visited")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifo_is_skipped_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    outcomes = _outcomes(tmp_path)
    assert (outcomes["pipe.txt"].status, outcomes["pipe.txt"].reason) == (
        "skipped",
        "not a regular file (a named pipe)",
    )


def test_fixture_corpus_reads_every_file() -> None:
    outcomes = _outcomes(FIXTURE_CORPUS)
    assert len(outcomes) >= 4
    assert all(o.status == "read" and not o.warnings for o in outcomes.values())
    suffixes = {Path(source).suffix for source in outcomes}
    assert {".md", ".txt", ".html"} <= suffixes
    desal = outcomes["desalination-plant.md"].document
    assert desal is not None
    assert desal.metadata["date"] == "2021-03-14"
    assert "14 March 2021" in desal.text
    approvals = [s for s, o in outcomes.items() if o.document and "desalination" in o.document.text]
    assert approvals == ["desalination-plant.md"]
