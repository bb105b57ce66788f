"""One parser per file format: raw bytes in, plain text with offsets out.

Parsers never decide the fallback title or the document id; ``corpus.readers`` does.
Heavy libraries (pypdfium2, python-docx, bs4, yaml) are imported inside the parsers so that
importing the corpus package stays cheap.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.decoding import decode
from corpus.front_matter import load_front_matter
from corpus.limits import DEFAULT_LIMITS, ReadLimits
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


def collapse(text: str) -> str:
    return " ".join(text.split())


# --- plain text ---------------------------------------------------------------------------


def parse_txt(data: bytes, path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> Parsed:
    warnings: list[str] = []
    text = decode(data, warnings, path)
    first_line = next((line.strip() for line in text.split("\n") if line.strip()), None)
    return Parsed(text=text, title=first_line, warnings=warnings)


# --- markdown -----------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
# The opening of an ATX heading; its text is cut out by hand: a regex for the optional
# closing "#"s backtracked quadratically on long runs of spaces.
_ATX_OPEN = re.compile(r" {0,3}(#{1,6})(?=[ \t]|$)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def parse_markdown(data: bytes, path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> Parsed:
    warnings: list[str] = []
    text = decode(data, warnings, path)
    metadata: dict[str, Any] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        block = match.group(1) or ""
        loaded = load_front_matter(block, warnings, limits.max_front_matter_bytes)
        if loaded is not None:
            metadata = loaded
            text = text[match.end() :].lstrip("\n")
    headings = markdown_headings(text)
    title = metadata.get("title") or (headings[0].title if headings else None)
    return Parsed(text, title, metadata, headings=headings, warnings=warnings)


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
            heading = _atx_heading(line)
            if heading:
                start = offset + line.index("#")
                headings.append(Heading(start, heading[0], heading[1]))
        offset += len(line) + 1
    return tuple(headings)


def _atx_heading(line: str) -> tuple[int, str] | None:
    """(level, title) of an ATX heading line with a title (CommonMark's rules)."""
    opening = _ATX_OPEN.match(line)
    if not opening:
        return None
    content = line[opening.end() :].strip(" \t")
    unclosed = content.rstrip("#")
    if not unclosed:  # only "#"s: an empty heading
        return None
    if unclosed != content and unclosed[-1] in " \t":  # a closing sequence of "#"s
        content = unclosed
    content = content.strip()
    return (len(opening.group(1)), content) if content else None


# --- HTML ---------------------------------------------------------------------------------

# <head> itself is not dropped: html.parser nests the whole body inside it when the page
# lacks "</head>". Its invisible children are dropped instead.
_DROPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "title", "meta", "link", "base"}
)
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


def parse_html(data: bytes, path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> Parsed:
    from bs4 import BeautifulSoup

    warnings: list[str] = []
    soup = BeautifulSoup(decode(data, warnings, path), "html.parser")
    text, headings, title = _visible_text(soup)
    if not title:
        title = next((h.title for h in headings if h.level == 1), "")
    return Parsed(text=text, title=title or None, headings=headings, warnings=warnings)


def _visible_text(soup: Any) -> tuple[str, tuple[Heading, ...], str]:
    """Text, headings and the page title, in one walk without recursion (deeply nested
    pages would overflow the stack) and without looking up ancestors (quadratic in depth).
    Invisible elements are skipped whole, so an SVG image's own <title> is never the page's.
    """
    from bs4 import CData, NavigableString, Tag

    writer = _TextWriter()
    headings: list[Heading] = []
    title: str | None = None
    pre = 0  # open <pre> elements
    stack: list[tuple[Any, bool]] = [(soup, True)]
    while stack:
        node, entering = stack.pop()
        if isinstance(node, Tag):
            if node.name in _DROPPED_TAGS:
                if node.name == "title" and title is None:
                    title = collapse(node.get_text())
            elif entering:
                _enter(node, writer)
                pre += node.name == "pre"
                stack.append((node, False))
                stack.extend((child, True) for child in reversed(node.contents))
            else:
                pre -= node.name == "pre"
                _leave(node, writer, headings)
        elif type(node) in (NavigableString, CData):  # skips comments and doctypes
            _write_string(str(node), writer, pre > 0)
    return writer.text(), tuple(headings), title or ""


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


def _write_string(text: str, writer: _TextWriter, in_pre: bool) -> None:
    if not in_pre:
        writer.inline(text)
        return
    # Inside <pre>, line breaks are content: keep them as separate lines.
    for i, piece in enumerate(text.split("\n")):
        if i:
            writer.newline()
        writer.inline(piece)


# --- PDF ----------------------------------------------------------------------------------


def parse_pdf(data: bytes, path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> Parsed:
    # corpus.pdf builds on this module (Parsed, detail), so it is imported when first used.
    from corpus.pdf import parse_pdf as parse

    return parse(data, path, max_pages=limits.max_pdf_pages)


# --- DOCX ---------------------------------------------------------------------------------


def parse_docx(data: bytes, path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> Parsed:
    # corpus.word builds on this module (Parsed, detail), so it is imported when first used.
    from corpus.word import parse_docx as parse

    return parse(data, path, limits)


def detail(err: BaseException) -> str:
    message = collapse(str(err))
    return message[:200] if message else type(err).__name__


Parser = Callable[[bytes, Path, ReadLimits], Parsed]

PARSERS: dict[str, Parser] = {
    ".txt": parse_txt,
    ".md": parse_markdown,
    ".markdown": parse_markdown,
    ".html": parse_html,
    ".htm": parse_html,
    ".pdf": parse_pdf,
    ".docx": parse_docx,
}
