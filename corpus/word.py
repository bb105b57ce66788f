"""Reading Word (DOCX) files: paragraphs with their heading levels, then table rows.

The archive is unpacked within ``ReadLimits`` first (``corpus.archive``), so python-docx
only ever sees checked bytes. Anything python-docx raises on a damaged file becomes a
ReadError naming the file.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from corpus.archive import unpack_zip
from corpus.decoding import clean
from corpus.errors import ReadError
from corpus.formats import Parsed, collapse, detail
from corpus.limits import DEFAULT_LIMITS, ReadLimits
from corpus.types import Heading

_HEADING = re.compile(r"Heading ([1-9])$")
MAIN_PART = "word/document.xml"


def parse_docx(data: bytes, path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> Parsed:
    import docx

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReadError(path, "corrupt DOCX: not a zip archive (an old .doc file, or one "
                        "protected by a password?)")  # fmt: skip
    packed = unpack_zip(data, path, limits, check=lambda names: _is_word(names, path))
    try:
        document = docx.Document(io.BytesIO(packed))
        blocks = _blocks(document)
        title = _title(document)
    except Exception as err:  # python-docx and lxml raise anything on damaged parts
        raise ReadError(path, f"corrupt DOCX: {detail(err)}") from err
    texts: list[str] = []
    headings: list[Heading] = []
    offset = 0
    for text, level in blocks:
        if level:
            headings.append(Heading(offset, level, collapse(text)))
        texts.append(text)
        offset += len(text) + 2  # the "\n\n" separator
    title = title or (headings[0].title if headings else None)
    return Parsed("\n\n".join(texts), title, headings=tuple(headings))


def _is_word(names: set[str], path: Path) -> None:
    if MAIN_PART not in names:
        kind = "a zip archive" if "[Content_Types].xml" not in names else "an Office file"
        raise ReadError(path, f"not a Word document: {kind} without {MAIN_PART}")


def _blocks(document: Any) -> list[tuple[str, int]]:
    """Non-empty paragraphs with their heading level (0 = body), then table rows."""
    levels = _style_levels(document)
    default = levels.get(None, 0)
    blocks: list[tuple[str, int]] = []
    for paragraph in document.paragraphs:
        text = clean(paragraph.text).strip()
        if text:
            # python-docx looks each paragraph's style up across every style (ms each)
            blocks.append((text, levels.get(paragraph._p.style, default)))
    for table in document.tables:
        for row in table.rows:
            text = _row_text(row)
            if text:
                blocks.append((text, 0))
    return blocks


def _style_levels(document: Any) -> dict[str | None, int]:
    """Heading level by paragraph style id; None: the default paragraph style's."""
    from docx.enum.style import WD_STYLE_TYPE

    levels: dict[str | None, int] = {}
    for style in document.styles:
        if style.type == WD_STYLE_TYPE.PARAGRAPH:
            levels[style.style_id] = _level(style.name)
    default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    levels[None] = _level(default.name) if default is not None else 0
    return levels


def _level(name: str | None) -> int:
    if name == "Title":
        return 1
    match = _HEADING.match(name or "")
    return int(match.group(1)) if match else 0


def _row_text(row: Any) -> str:
    cells: list[str] = []
    seen: set[int] = set()
    for cell in row.cells:
        # Merged cells come back once per grid column; keep each one once.
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        text = collapse(clean(cell.text))
        if text:
            cells.append(text)
    return " | ".join(cells)


def _title(document: Any) -> str | None:
    try:
        title = document.core_properties.title
    except Exception:  # a broken core.xml should not cost us the text
        return None
    return collapse(clean(title)) or None if title else None
