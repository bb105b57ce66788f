"""One parser per file format: raw bytes in, plain text with offsets out.

Parsers never decide the fallback title or the document id; ``corpus.readers`` does.
Heavy libraries (pypdfium2, python-docx, bs4, yaml) are imported inside the parsers so that
importing the corpus package stays cheap.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.errors import ReadError
from corpus.types import Heading


@dataclass
class Parsed:
    """What a parser found; ``title`` is None when the file names none."""

    text: str
    title: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    page_starts: tuple[int, ...] = ()
    headings: tuple[Heading, ...] = ()
    warnings: list[str] = field(default_factory=list)


def clean(text: str) -> str:
    """Normalise newlines to "\\n" and drop NULs, which break SQLite and tokenizers."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def collapse(text: str) -> str:
    return " ".join(text.split())


def decode(data: bytes, warnings: list[str]) -> str:
    """UTF-8 (BOM stripped), else cp1252, else latin-1, which accepts every byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return clean(data.decode("utf-16", errors="replace"))
    try:
        return clean(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    try:
        text, encoding = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # cp1252 leaves five bytes undefined
        text, encoding = data.decode("latin-1"), "latin-1"
    warnings.append(f"not valid UTF-8; decoded as {encoding}")
    return clean(text)


# --- plain text ---------------------------------------------------------------------------


def parse_txt(data: bytes, path: Path) -> Parsed:
    warnings: list[str] = []
    text = decode(data, warnings)
    first_line = next((line.strip() for line in text.split("\n") if line.strip()), None)
    return Parsed(text=text, title=first_line, warnings=warnings)


# --- markdown -----------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_KEPT_LISTS = {"tags"}


def parse_markdown(data: bytes, path: Path) -> Parsed:
    warnings: list[str] = []
    text = decode(data, warnings)
    metadata: dict[str, Any] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        loaded = _load_front_matter(match.group(1) or "", warnings)
        if loaded is not None:
            metadata = loaded
            text = text[match.end() :].lstrip("\n")
    headings = markdown_headings(text)
    title = metadata.get("title") or (headings[0].title if headings else None)
    return Parsed(text, title, metadata, headings=headings, warnings=warnings)


def _load_front_matter(block: str, warnings: list[str]) -> dict[str, Any] | None:
    """The front matter as metadata, or None (with a warning) when it is not usable."""
    import yaml

    try:
        loaded = yaml.safe_load(block)
    except yaml.YAMLError as err:
        first_line = str(err).splitlines()[0] if str(err) else type(err).__name__
        warnings.append(f"malformed YAML front matter ignored: {first_line}")
        return None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        warnings.append("front matter is not a key/value mapping; ignored")
        return None
    return _normalise_metadata(loaded)


def _normalise_metadata(raw: dict[Any, Any]) -> dict[str, Any]:
    """Keep scalar values (dates as ISO strings) and ``tags`` as a list of strings.

    Nested values are dropped: vector stores accept only flat scalar metadata.
    """
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = str(key)
        if name in _KEPT_LISTS:
            out[name] = _string_list(value)
        elif isinstance(value, dt.date):  # datetime is a date subclass
            out[name] = value.isoformat()
        elif isinstance(value, str | int | float | bool):
            out[name] = value
    if "title" in out:
        out["title"] = collapse(str(out["title"]))
    return out


def _string_list(value: Any) -> list[str]:
    # "tags: a, b" is a common hand-written form of a list.
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        items = [items]
    return [str(item).strip() for item in items if item is not None and str(item).strip()]


def markdown_headings(text: str) -> tuple[Heading, ...]:
    """ATX headings outside fenced code blocks; ``start`` points at the first '#'."""
    headings: list[Heading] = []
    fence: str | None = None
    offset = 0
    for line in text.split("\n"):
        fence_match = _FENCE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
        elif fence is None:
            heading = _ATX.match(line)
            if heading and heading.group(2):
                start = offset + line.index("#")
                headings.append(Heading(start, len(heading.group(1)), heading.group(2).strip()))
        offset += len(line) + 1
    return tuple(headings)


# --- HTML ---------------------------------------------------------------------------------

# <head> itself is not dropped: html.parser nests the whole body inside it when the page
# lacks "</head>". Its invisible children are dropped instead.
_DROPPED_TAGS = ("script", "style", "noscript", "template", "svg", "title", "meta", "link", "base")
_HEADING_TAGS = {f"h{level}": level for level in range(1, 7)}
_CELL_TAGS = frozenset({"td", "th"})
_BLOCK_TAGS = (
    frozenset({"html", "body", "main", "article", "section", "nav", "aside", "header", "footer"})
    | frozenset({"div", "p", "pre", "blockquote", "address", "hr", "figure", "figcaption"})
    | frozenset({"ul", "ol", "li", "dl", "dt", "dd", "details", "summary", "dialog", "form"})
    | frozenset({"table", "caption", "thead", "tbody", "tfoot", "tr", "fieldset", "hgroup"})
    | frozenset(_HEADING_TAGS)
)


class _TextWriter:
    """Accumulates visible text as lines and paragraphs, tracking output offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.line: list[str] = []
        self.gap = ""  # separator owed before the next written line
        self.captured: list[str] | None = None  # lines written while inside a heading
        self.capture_start = 0

    def inline(self, text: str) -> None:
        self.line.append(text)

    def newline(self) -> None:
        self._flush()
        self.gap = self.gap or "\n"

    def paragraph(self) -> None:
        self._flush()
        self.gap = "\n\n"

    def start_capture(self) -> None:
        self.captured = []

    def end_capture(self) -> tuple[int, str] | None:
        """Offset and text of what was written since ``start_capture``, if anything."""
        lines, self.captured = self.captured, None
        return (self.capture_start, " ".join(lines)) if lines else None

    def text(self) -> str:
        self._flush()
        return "".join(self.parts)

    def _flush(self) -> None:
        line = collapse("".join(self.line))
        self.line = []
        if not line:
            return
        if self.size:
            self._write(self.gap)
        self.gap = ""
        if self.captured is not None:
            if not self.captured:
                self.capture_start = self.size
            self.captured.append(line)
        self._write(line)

    def _write(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)


def parse_html(data: bytes, path: Path) -> Parsed:
    from bs4 import BeautifulSoup

    warnings: list[str] = []
    soup = BeautifulSoup(decode(data, warnings), "html.parser")
    # An SVG image may carry its own <title>; only the page's counts.
    title_tag = next((t for t in soup.find_all("title") if not t.find_parent("svg")), None)
    title = collapse(title_tag.get_text()) if title_tag else ""
    for tag in soup.find_all(_DROPPED_TAGS):
        tag.decompose()
    text, headings = _visible_text(soup)
    if not title:
        title = next((h.title for h in headings if h.level == 1), "")
    return Parsed(text=text, title=title or None, headings=headings, warnings=warnings)


def _visible_text(soup: Any) -> tuple[str, tuple[Heading, ...]]:
    """Walk the tree without recursion (deeply nested pages would overflow the stack)."""
    from bs4 import CData, NavigableString, Tag

    writer = _TextWriter()
    headings: list[Heading] = []
    stack: list[tuple[Any, bool]] = [(soup, True)]
    while stack:
        node, entering = stack.pop()
        if isinstance(node, Tag):
            if entering:
                _enter(node, writer)
                stack.append((node, False))
                stack.extend((child, True) for child in reversed(node.contents))
            else:
                _leave(node, writer, headings)
        elif type(node) in (NavigableString, CData):  # skips comments and doctypes
            _write_string(node, writer)
    return writer.text(), tuple(headings)


def _enter(tag: Any, writer: _TextWriter) -> None:
    if tag.name in _BLOCK_TAGS:
        writer.paragraph()
    elif tag.name == "br":
        writer.newline()
    elif tag.name in _CELL_TAGS:
        writer.inline(" ")
    if tag.name in _HEADING_TAGS:
        writer.start_capture()


def _leave(tag: Any, writer: _TextWriter, headings: list[Heading]) -> None:
    if tag.name in _BLOCK_TAGS:
        writer.paragraph()
    elif tag.name in _CELL_TAGS:
        writer.inline(" ")
    if tag.name in _HEADING_TAGS:
        written = writer.end_capture()
        if written:
            headings.append(Heading(written[0], _HEADING_TAGS[tag.name], written[1]))


def _write_string(node: Any, writer: _TextWriter) -> None:
    if node.find_parent("pre") is None:
        writer.inline(str(node))
        return
    # Inside <pre>, line breaks are content: keep them as separate lines.
    for i, piece in enumerate(str(node).split("\n")):
        if i:
            writer.newline()
        writer.inline(piece)


# --- PDF ----------------------------------------------------------------------------------


def parse_pdf(data: bytes, path: Path) -> Parsed:
    # corpus.pdf builds on this module (Parsed, detail), so it is imported when first used.
    from corpus.pdf import parse_pdf as parse

    return parse(data, path)


# --- DOCX ---------------------------------------------------------------------------------

_DOCX_HEADING = re.compile(r"Heading ([1-9])$")


def parse_docx(data: bytes, path: Path) -> Parsed:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as err:
        raise ReadError(path, f"corrupt DOCX: {detail(err)}") from err
    blocks: list[str] = []
    headings: list[Heading] = []
    offset = 0
    for text, level in _docx_blocks(document):
        if level:
            headings.append(Heading(offset, level, collapse(text)))
        blocks.append(text)
        offset += len(text) + 2  # the "\n\n" separator
    title = _docx_title(document) or (headings[0].title if headings else None)
    return Parsed("\n\n".join(blocks), title, headings=tuple(headings))


def _docx_blocks(document: Any) -> list[tuple[str, int]]:
    """Non-empty paragraphs with their heading level (0 = body), then table rows."""
    blocks: list[tuple[str, int]] = []
    for paragraph in document.paragraphs:
        text = clean(paragraph.text).strip()
        if text:
            blocks.append((text, _docx_level(paragraph)))
    for table in document.tables:
        for row in table.rows:
            text = _row_text(row)
            if text:
                blocks.append((text, 0))
    return blocks


def _docx_level(paragraph: Any) -> int:
    name = paragraph.style.name if paragraph.style is not None else ""
    if name == "Title":
        return 1
    match = _DOCX_HEADING.match(name or "")
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


def _docx_title(document: Any) -> str | None:
    try:
        title = document.core_properties.title
    except Exception:  # a broken core.xml should not cost us the text
        return None
    return _optional_title(title) if title else None


def _optional_title(title: str) -> str | None:
    return collapse(clean(title)) or None


def detail(err: BaseException) -> str:
    message = collapse(str(err))
    return message[:200] if message else type(err).__name__


Parser = Callable[[bytes, Path], Parsed]

PARSERS: dict[str, Parser] = {
    ".txt": parse_txt,
    ".md": parse_markdown,
    ".markdown": parse_markdown,
    ".html": parse_html,
    ".htm": parse_html,
    ".pdf": parse_pdf,
    ".docx": parse_docx,
}
