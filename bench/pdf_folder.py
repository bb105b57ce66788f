"""A PDF-heavy folder for the ingest benches: Markdown documents typeset as real PDFs.

The shared data holds one research PDF; an ingest bench over PDFs needs a folder of them.
Each Markdown file (front matter dropped, its title kept as the PDF's title) is typeset
with reportlab's platypus: wrapped paragraphs on Letter pages with a running head and page
numbers, so a reader meets what real reports have (line wraps, repeated heads, feet).
The real solana-pdf survey is added as it is.
"""

from __future__ import annotations

import shutil
from pathlib import Path

SOLANA = Path(__file__).resolve().parents[2] / "shared" / "data" / "eval" / "solana-pdf"


def _paragraphs(markdown_path: Path) -> tuple[str, list[str]]:
    """The title and the plain paragraphs of a Markdown document, read by Dossier's own
    Markdown parser (front matter, title) and reduced to words as answers display them."""
    from assistant.extractive import readable
    from corpus.formats import parse_markdown

    parsed = parse_markdown(markdown_path.read_bytes(), markdown_path)
    paras = [p for p in (readable(b.lstrip("# ")) for b in parsed.text.split("\n\n")) if p]
    return parsed.title or (paras[0][:80] if paras else "Untitled"), paras


def typeset(markdown_path: Path, pdf_path: Path) -> None:
    """One Markdown file as a PDF with a title, a running head and page numbers."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    title, paras = _paragraphs(markdown_path)
    styles = getSampleStyleSheet()

    def decorate(canvas: object, doc: object) -> None:
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont("Helvetica", 8)  # type: ignore[attr-defined]
        canvas.drawString(72, 760, "The White House | " + title[:70])  # type: ignore[attr-defined]
        canvas.drawCentredString(306, 30, str(doc.page))  # type: ignore[attr-defined]
        canvas.restoreState()  # type: ignore[attr-defined]

    doc = SimpleDocTemplate(str(pdf_path), pagesize=LETTER, title=title)
    story = [Paragraph(escape(title), styles["Title"])]
    story += [Paragraph(escape(p), styles["BodyText"]) for p in paras]
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)


def make_pdf_folder(source: Path, dest: Path, limit: int = 0) -> Path:
    """Typeset the first `limit` Markdown files of source (all when 0) under dest, plus the
    real solana-pdf survey; returns dest."""
    files = sorted(source.rglob("*.md"))
    if limit:
        files = files[:limit]
    dest.mkdir(parents=True, exist_ok=True)
    for md in files:
        pdf = dest / md.relative_to(source).with_suffix(".pdf")
        pdf.parent.mkdir(parents=True, exist_ok=True)
        typeset(md, pdf)
    for pdf in sorted((SOLANA / "docs").glob("*.pdf")):
        shutil.copy2(pdf, dest / pdf.name)
    return dest
