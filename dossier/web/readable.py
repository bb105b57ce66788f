"""Documents made readable for the source panel, every shown character still at its offset.

A citation's ``start``/``end`` are offsets into the document's raw text, where a Markdown file
still holds its markup (``**``, ``[text](https://tracking…)``, ``<!-- -->``, ``<figure>``,
``\\(``). ``layout`` reads that markup once into a character mask: which characters are
markup (hidden), which are bold, italic or code, which belong to a link, and the blocks
(paragraphs, headings, list items, quotes, code) the text falls into. ``render`` then shows
a range of the text as HTML, escaping every character, with the cited span in ``<mark>`` at
its exact offsets: markup never shifts the highlight, because nothing is ever re-parsed.

Other formats (txt, PDF, DOCX, and HTML, whose reader keeps only the visible text) are
already text: they become paragraphs at blank lines, their line breaks kept.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import Markup, escape

MARKDOWN_SUFFIXES = (".md", ".markdown")
STRONG, EM, CODE = 1, 2, 4
_STYLE_TAGS = ((CODE, "code"), (STRONG, "strong"), (EM, "em"))

# block-level markup, matched per line
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
_ATX_TAIL = re.compile(r"[ \t]+#+[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+")
_QUOTE = re.compile(r"^ {0,3}>[ \t]?")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")

# inline markup, matched over the whole text
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_IMAGE = re.compile(r"!\[[^\]\n]*\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?\)")
_LINK = re.compile(r"\[([^\]]{1,500})\]\(((?:[^()\s]|\([^()\s]*\))*)(?:\s+\"[^\"\n]*\")?\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.S)
_EM = re.compile(r"(?<![\w*\\])(\*|_)(?=[^\s*_])(.+?)(?<=[^\s\\])\1(?![\w*])", re.S)


@dataclass(frozen=True)
class Block:
    tag: str  # p, h1…h6, li, blockquote, pre
    start: int
    end: int


@dataclass
class Layout:
    """What each character of a text is: shown or markup, its style, its link."""

    text: str
    blocks: list[Block]
    hidden: bytearray
    style: bytearray
    protected: bytearray  # code and escaped characters: no further markup inside
    links: dict[int, str] = field(default_factory=dict)  # offset -> href
    shown_as: dict[int, str] = field(default_factory=dict)  # an entity, shown decoded

    def hide(self, start: int, end: int) -> None:
        self.hidden[start:end] = b"\x01" * (end - start)

    def free(self, start: int, end: int) -> bool:
        """No character in [start, end) is markup already or protected."""
        return not any(self.hidden[start:end]) and not any(self.protected[start:end])


def is_markdown(source: str) -> bool:
    return source.lower().endswith(MARKDOWN_SUFFIXES)


@lru_cache(maxsize=64)
def layout(text: str, markdown: bool) -> Layout:
    """The character mask and blocks of ``text`` (cached: a document is read per click)."""
    n = len(text)
    lay = Layout(text, [], bytearray(n), bytearray(n), bytearray(n))
    if not markdown:
        lay.blocks = _paragraphs(text)
        return lay
    lay.blocks = _markdown_blocks(text, lay)
    _inline(lay)
    return lay


def _paragraphs(text: str) -> list[Block]:
    blocks, start = [], 0
    for m in re.finditer(r"\n[ \t]*\n\s*", text):
        blocks.append(Block("p", start, m.start()))
        start = m.end()
    blocks.append(Block("p", start, len(text)))
    return [b for b in blocks if text[b.start : b.end].strip()]


def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _markdown_blocks(text: str, lay: Layout) -> list[Block]:
    """Blocks from the lines, their markers (``## ``, ``- ``, ``> ``, fences) hidden."""
    blocks: list[Block] = []
    open_: list[Block] = []  # the paragraph, item or quote that a next line may continue
    fence = ""

    def close() -> None:
        if open_:
            blocks.append(open_.pop())

    def extend(tag: str, start: int, end: int, joins: bool) -> None:
        if open_ and open_[0].tag == tag and joins:
            open_[0] = Block(tag, open_[0].start, end)
        else:
            close()
            open_.append(Block(tag, start, end))

    for start, end in _lines(text):
        line = text[start:end]
        if fence:
            lay.protected[start:end] = b"\x01" * (end - start)
            if line.strip().startswith(fence):
                lay.hide(start, end)
                fence = ""
                close()
            else:
                extend("pre", start, end, True)
            continue
        if m := _FENCE.match(line):
            close()
            fence = m.group(1)
            lay.hide(start, end)
        elif not line.strip():
            close()
        elif (m := _SETEXT.match(line)) and open_ and open_[0].tag == "p":
            level = "h1" if m.group(1)[0] == "=" else "h2"
            open_[0] = Block(level, open_[0].start, open_[0].end)
            lay.hide(start, end)
            close()
        elif _RULE.match(line) or _TABLE_RULE.match(line):
            close()
            lay.hide(start, end)
        elif m := _ATX.match(line):
            close()
            tail = _ATX_TAIL.search(line)
            lay.hide(start, start + m.end())
            if tail:
                lay.hide(start + tail.start(), end)
            blocks.append(Block(f"h{len(m.group(1))}", start, end))
        elif m := _QUOTE.match(line):
            lay.hide(start, start + m.end())
            extend("blockquote", start, end, True)
        elif m := _ITEM.match(line):
            lay.hide(start, start + m.end())
            extend("li", start, end, False)
        elif line.lstrip().startswith("|"):
            close()
            blocks.append(Block("p", start, end))
        else:  # a paragraph line, or the continuation of an item or quote
            joins = bool(open_) and (open_[0].tag == "p" or line[:1] in " \t")
            extend(open_[0].tag if joins else "p", start, end, joins)
    close()
    return sorted(blocks, key=lambda b: b.start)


def _inline(lay: Layout) -> None:
    text = lay.text
    for m in _COMMENT.finditer(text):
        lay.hide(m.start(), m.end())
    for m in _CODE_SPAN.finditer(text):
        if lay.free(m.start(), m.end()):
            ticks = len(m.group(1))
            lay.hide(m.start(), m.start() + ticks)
            lay.hide(m.end() - ticks, m.end())
            _style(lay, m.start(2), m.end(2), CODE)
            lay.protected[m.start(2) : m.end(2)] = b"\x01" * len(m.group(2))
    for m in _IMAGE.finditer(text):
        if lay.free(m.start(), m.end()):
            lay.hide(m.start(), m.end())
    for m in _LINK.finditer(text):
        if lay.free(m.start(), m.end()):
            lay.hide(m.start(), m.start(1))
            lay.hide(m.end(1), m.end())
            _link(lay, m.start(1), m.end(1), m.group(2))
    for m in _AUTOLINK.finditer(text):
        if lay.free(m.start(), m.end()):
            lay.hide(m.start(), m.start() + 1)
            lay.hide(m.end() - 1, m.end())
            _link(lay, m.start(1), m.end(1), m.group(1))
    for m in _TAG.finditer(text):
        if lay.free(m.start(), m.end()):
            lay.hide(m.start(), m.end())
    for m in _ESCAPE.finditer(text):
        if lay.free(m.start(), m.end()):
            lay.hide(m.start(), m.start() + 1)
            lay.protected[m.start(1)] = 1
    for m in _ENTITY.finditer(text):
        decoded = html.unescape(m.group(0))
        if decoded != m.group(0) and lay.free(m.start(), m.end()):
            lay.shown_as[m.start()] = decoded
            lay.hide(m.start() + 1, m.end())
    for pattern, flag in ((_STRONG, STRONG), (_EM, EM)):
        for m in pattern.finditer(text):
            width = len(m.group(1))
            if lay.free(m.start(), m.start() + width) and lay.free(m.end() - width, m.end()):
                lay.hide(m.start(), m.start() + width)
                lay.hide(m.end() - width, m.end())
                _style(lay, m.start(2), m.end(2), flag)


def _style(lay: Layout, start: int, end: int, flag: int) -> None:
    for i in range(start, end):
        lay.style[i] |= flag


def _link(lay: Layout, start: int, end: int, href: str) -> None:
    # only web and mail links are kept as links; anything else (javascript:, data:) is text
    if href.lower().startswith(("https://", "http://", "mailto:")):
        for i in range(start, end):
            lay.links[i] = href


def render(lay: Layout, lo: int, hi: int, span: tuple[int, int], markdown: bool) -> Markup:
    """The blocks of ``lay.text[lo:hi]`` as HTML, ``span`` (raw offsets) in ``<mark>``.

    A block cut by ``lo`` or ``hi`` shows "…" where it is cut. Every character is escaped.
    """
    out = []
    for b in lay.blocks:
        if b.end <= lo or b.start >= hi:
            continue
        s, e = max(b.start, lo), min(b.end, hi)
        body = _runs(lay, s, e, span, markdown)
        if not body.striptags().strip() and not (s < span[1] and e > span[0]):
            continue
        lead = "…" if s > b.start else ""
        tail = "…" if e < b.end else ""
        inner = Markup("<{0}>{1}{2}{3}</{0}>").format(Markup(b.tag), lead, body, tail)
        out.append(Markup('<ul class="item">{}</ul>').format(inner) if b.tag == "li" else inner)
    return Markup("").join(out)


def _runs(lay: Layout, s: int, e: int, span: tuple[int, int], markdown: bool) -> Markup:
    """Characters s..e: runs inside and outside the span, each of runs of one style and link."""
    runs: list[tuple[bool, list[tuple[tuple[int, str], list[str]]]]] = []
    text, hidden = lay.text, lay.hidden
    for i in range(s, e):
        if hidden[i]:
            continue
        ch = lay.shown_as.get(i, text[i])
        if ch == "\n" and markdown:
            ch = " "
        marked, key = span[0] <= i < span[1], (lay.style[i], lay.links.get(i, ""))
        if not runs or runs[-1][0] != marked:
            runs.append((marked, []))
        inner = runs[-1][1]
        if inner and inner[-1][0] == key:
            inner[-1][1].append(ch)
        else:
            inner.append((key, [ch]))
    out = []
    for marked, inner in runs:
        body = Markup("").join(_styled(key, "".join(chars)) for key, chars in inner)
        out.append(Markup('<mark class="hl">{}</mark>').format(body) if marked else body)
    return Markup("").join(out)


def _styled(key: tuple[int, str], chars: str) -> Markup:
    style, href = key
    piece = escape(chars)
    for flag, tag in _STYLE_TAGS:
        if style & flag:
            piece = Markup("<{0}>{1}</{0}>").format(Markup(tag), piece)
    if href:
        piece = Markup('<a href="{}" target="_blank" rel="noopener noreferrer nofollow">{}</a>'
                       ).format(href, piece)  # fmt: skip
    return piece
