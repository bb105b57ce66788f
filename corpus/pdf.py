"""Reading PDFs with pdfium (pypdfium2): cleaned page texts, exact page starts and a title.

pdfium was chosen over pypdf by measurement (``bench/pdf_extract.py``): several times
faster per page, and it marks line-end hyphens so that broken words can be judged. The
text is cleaned page by page (``corpus.pdf_text``) before the pages are joined, so every
offset, page start included, refers to the stored text.
"""

from __future__ import annotations

import itertools
import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.errors import ReadError
from corpus.formats import Parsed, collapse, detail
from corpus.pdf_text import clean_pages, join_hyphenated, normalise_page

NO_TEXT_PDF = "no extractable text (scanned PDF? run OCR first)"
PAGE_SEPARATOR = "\n\n"

# pdfium is not thread-safe, not even across documents: one call at a time per process.
_PDFIUM = threading.Lock()

# Metadata titles that name a file or a template rather than the document.
_PLACEHOLDER_TITLE = re.compile(
    r"^(?:untitled|microsoft (?:word|powerpoint) - )|\.(?:pdf|docx?|tex|dvi|ps|rtf|odt|pptx?)$",
    re.IGNORECASE,
)
_STAMP = re.compile(r"^arXiv:\d", re.IGNORECASE)  # the rotated arXiv margin stamp
_TITLE_LINES = 3  # a title wraps over at most this many lines
_SIZE_TOLERANCE = 0.5  # points: lines set in "the same" size differ by rounding only
_UPRIGHT = 0.05  # radians; rotated margin text is not a title
_HEADING_SCAN = 3000  # characters of the first page searched for its largest line


@dataclass
class _RawPdf:
    pages: list[str | None]  # None where pdfium failed on the page
    metadata_title: str | None = None
    largest_line: str | None = None
    warnings: list[str] = field(default_factory=list)


def parse_pdf(data: bytes, path: Path, *, max_pages: int = 10_000) -> Parsed:
    with _PDFIUM:
        raw = _extract(data, path, max_pages)
    if all(text is None for text in raw.pages):
        raise ReadError(path, f"corrupt PDF: {raw.warnings[0]}")
    pages = clean_pages([text or "" for text in raw.pages])
    if not any(pages):
        raise ReadError(path, NO_TEXT_PDF)
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + len(PAGE_SEPARATOR)
    title = raw.metadata_title or raw.largest_line
    metadata = {"page_count": len(pages)}
    return Parsed(
        PAGE_SEPARATOR.join(pages), title, metadata, page_starts=tuple(starts),
        warnings=raw.warnings,
    )  # fmt: skip


def _extract(data: bytes, path: Path, max_pages: int) -> _RawPdf:
    import pypdfium2 as pdfium

    document = _open(pdfium, data, path)
    try:
        if len(document) == 0:
            raise ReadError(path, "PDF has no pages")
        if len(document) > max_pages:  # every page is opened, even an empty one: bound it
            raise ReadError(path, f"PDF has {len(document):,} pages (limit {max_pages:,})")
        raw = _RawPdf(pages=[], metadata_title=_metadata_title(document))
        for index in range(len(document)):
            raw.pages.append(_page_text(document, index, raw))
        return raw
    finally:
        document.close()


def _open(pdfium: Any, data: bytes, path: Path) -> Any:
    # pdfium tries the empty password itself, so PDFs that only restrict printing open.
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        if err.err_code == pdfium.raw.FPDF_ERR_PASSWORD:
            raise ReadError(path, "encrypted PDF (password required)") from err
        raise ReadError(path, f"corrupt PDF: {detail(err)}") from err


def _page_text(document: Any, index: int, raw: _RawPdf) -> str | None:
    """The page's text, or None (with a warning) when pdfium fails on it."""
    try:
        page = document[index]
        try:
            textpage = page.get_textpage()
            try:
                if index == 0:
                    raw.largest_line = _largest_line(textpage)
                return str(textpage.get_text_range())
            finally:
                textpage.close()
        finally:
            page.close()
    except Exception as err:  # one bad page should not cost the others
        raw.warnings.append(f"page {index + 1}: text extraction failed ({detail(err)})")
        return None


def _metadata_title(document: Any) -> str | None:
    try:
        title = document.get_metadata_dict().get("Title") or ""
    except Exception:  # a broken info dictionary should not cost us the text
        return None
    title = collapse(unicodedata.normalize("NFKC", title))
    if not any(c.isalpha() for c in title) or _PLACEHOLDER_TITLE.search(title):
        return None  # worse than a heading, or even the file name
    return title


def _largest_line(textpage: Any) -> str | None:
    """The first page's title: its first run of lines set larger than the body text."""
    lines = _sized_lines(textpage)
    body = Counter[float]()
    for size, text in lines:
        body[size] += sum(c.isalpha() for c in text)
    if not body:
        return None
    body_size = body.most_common(1)[0][0]
    largest = max(size for size, _ in lines)
    if largest <= body_size + _SIZE_TOLERANCE:
        return None  # nothing stands out: the file name is a safer title than a guess
    first = next(i for i, (size, _) in enumerate(lines) if size == largest)
    window = lines[first : first + _TITLE_LINES]
    run = [text for _, text in itertools.takewhile(lambda line: line[0] == largest, window)]
    title = collapse(join_hyphenated([normalise_page("\n".join(run))])[0])
    return title or None


def _sized_lines(textpage: Any) -> list[tuple[float, str]]:
    """(font size, text) of each line with letters, ignoring rotated text and stamps."""
    import pypdfium2.raw as pdfium_c

    lines: list[tuple[float, str]] = []
    chars: list[str] = []
    size = 0.0

    def end_line() -> None:
        text = "".join(chars).strip()
        if sum(c.isalpha() for c in text) >= 2 and not _STAMP.match(text):
            lines.append((round(size * 2) / 2, text))  # half-point steps absorb rounding
        chars.clear()

    for i in range(min(textpage.count_chars(), _HEADING_SCAN)):
        char = chr(pdfium_c.FPDFText_GetUnicode(textpage, i))
        if char in "\r\n":
            end_line()
            size = 0.0
            continue
        angle = pdfium_c.FPDFText_GetCharAngle(textpage, i)
        if char.isalpha() and _UPRIGHT < angle < 6.2832 - _UPRIGHT:
            continue  # rotated: a margin stamp, not part of a title line
        chars.append(char)
        if char.isalpha():
            size = max(size, pdfium_c.FPDFText_GetFontSize(textpage, i))
    end_line()
    return lines
