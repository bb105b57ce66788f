"""A PDF page as an image with the cited passage marked, for the source panel.

The page is rendered by pdfium (pypdfium2, already the PDF reader) and the passage found on
it by pdfium's own text search: the stored text was cleaned (ligatures, hyphens, running
heads), so the quote is looked for by short runs of its words, from its first words and from
its last, and everything from the first found run to the last is boxed. Measured on a
612x792 pt page (2 shared CPUs): rendering at scale 1.5 takes 17-40 ms and PNG encoding
~65 ms for ~120 KB (JPEG: 15 ms, 72 KB, with blurred text; WebP: 140 ms, 38 KB). A PDF viewer
component (gradio_pdf) would ship the whole file and pdf.js to the page for one cited page.
"""

from __future__ import annotations

import base64
import io
import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("dossier.ui")
SCALE = 1.5
WINDOW = 5  # words per searched run


@dataclass(frozen=True)
class PageImage:
    data_uri: str
    width: int
    height: int
    found: bool  # the passage was found on the page and is boxed


def page_image(path: Path, page: int, quote: str, scale: float = SCALE) -> PageImage | None:
    """Page ``page`` (1-based) of the PDF at ``path`` with ``quote`` boxed; None when the file
    is gone or unreadable (the panel then shows the text alone)."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as err:
        log.info("no page image for %s: %s", path, err)
        return None
    try:
        if not 1 <= page <= len(pdf):
            return None
        pg = pdf[page - 1]
        height_pt = pg.get_size()[1]
        boxes = _boxes(pg.get_textpage(), quote)
        image = pg.render(scale=scale).to_pil().convert("RGBA")
    finally:
        pdf.close()
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for left, bottom, right, top in boxes:
        xy = (left * scale - 2, (height_pt - top) * scale - 2,
              right * scale + 2, (height_pt - bottom) * scale + 2)  # fmt: skip
        draw.rectangle(xy, fill=(253, 224, 71, 110), outline=(217, 119, 6, 255), width=2)
    buf = io.BytesIO()
    Image.alpha_composite(image, overlay).convert("RGB").save(buf, "PNG")
    uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
    return PageImage(uri, image.width, image.height, bool(boxes))


def _boxes(textpage: object, quote: str) -> list[tuple[float, float, float, float]]:
    """Rectangles (PDF points) covering the quote, from its first to its last found run."""
    words = quote.split()
    first = _find(textpage, [words[i : i + WINDOW] for i in range(0, len(words), WINDOW)])
    if first is None:
        return []
    tail = [words[max(0, j - WINDOW) : j] for j in range(len(words), 0, -WINDOW)]
    last = _find(textpage, tail) or first
    start = first[0]
    end = max(first[0] + first[1], last[0] + last[1])
    tp = textpage
    n = tp.count_rects(start, end - start)  # type: ignore[attr-defined]
    return [tuple(tp.get_rect(i)) for i in range(n)]  # type: ignore[attr-defined,misc]


def _find(textpage: object, runs: list[list[str]]) -> tuple[int, int] | None:
    """(char index, count) of the first run of words found on the page."""
    for run in runs:
        if len(run) < 2 and len(runs) > 1:
            continue  # one word alone matches anywhere
        searcher = textpage.search(" ".join(run), match_case=False)  # type: ignore[attr-defined]
        hit = searcher.get_next()
        if hit:
            return int(hit[0]), int(hit[1])
    return None
