"""Fuzzing every reader: random bytes and mutated valid files of each format must come out
as a Document that can be stored or as a ReadError, never as another exception.

Each example goes through ``read_file`` from a real file, so the whole path a user's file
takes is exercised: size checks, parser, title, text that SQLite and JSON can hold.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.errors import ReadError
from corpus.limits import ReadLimits
from corpus.readers import read_file
from tests.hostile_corpus import docx_bytes, pdf_bytes, with_member

# Small limits: a fuzzed zip or PDF that claims to be huge is refused as fast as possible.
LIMITS = ReadLimits(max_file_mb=1, max_unzipped_mb=4, max_pdf_pages=50)
FUZZ = settings(max_examples=100, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip

SEEDS = {
    ".txt": "Plain text, café.\r\nSecond line\twith a tab.\n".encode("cp1252"),
    ".md": b"---\ntitle: T\ndate: 2024-01-02\ntags: [a, b]\n---\n# Head\n\nBody *text*.\n",
    ".html": b"<html><head><title>T</title></head><body><h1>H</h1><pre>a\nb</pre>"
    b"<table><tr><td>c</td></tr></table><svg><title>s</title></svg></body></html>",
}
YAML_ALPHABET = st.sampled_from([*"&*[]{}:!|>'\"%@`#,-?\n abc01.~\\", "\t", "\x00", "é"])
# YAML scalars that PyYAML turns into dates, huge numbers, bytes, sets or errors
YAML_SCALARS = st.one_of(
    st.from_regex(r"\A\d{4}-\d{1,2}-\d{1,2}( \d{1,2}:\d\d:\d\d(\.\d+)?)?\Z"),
    st.from_regex(r"\A[-+]?(0x[0-9a-f]{1,40}|0o[0-7]{1,40}|\d{1,5000}|\d+\.\d*e[-+]?\d{1,4})\Z"),
    st.sampled_from([".inf", "-.inf", ".nan", "~", "null", "yes", "no", "!!binary aGVsbG8=",
                     "!!set {a, b}", "!!omap [a: 1]", "!!python/object:os.system x", '"\\0"',
                     '"\\ud800"', '"\\x85\\u2028"', "!!timestamp 2024-99-99", "*undefined"]),
    st.text(YAML_ALPHABET, max_size=20),
)  # fmt: skip
YAML_VALUES = st.recursive(
    YAML_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.dictionaries(st.sampled_from(["a", "b", "<<"]), inner, max_size=3).map(
            lambda d: "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}"
        ),
    ),
    max_leaves=12,
)
HTML_TAGS = ["div", "p", "pre", "h1", "h3", "table", "tr", "td", "br", "svg", "title", "script",
             "style", "template", "b", "li", "noscript", "head", "body", "html", "hr"]  # fmt: skip
HTML_PIECES = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["&#0;", "&#xD800;", "&#x110000;", "&amp", "<!-- c -->", "<![CDATA[x]]>",
                     "&nbsp;", "\r\n", "<!doctype html>", "</", "<a href='", "\x00"]),
)  # fmt: skip
HTML_SOUP = st.recursive(
    HTML_PIECES,
    lambda inner: st.tuples(
        st.sampled_from(HTML_TAGS), st.lists(inner, max_size=4), st.booleans()
    ).map(lambda t: f"<{t[0]}>{''.join(t[1])}" + (f"</{t[0]}>" if t[2] else "")),
    max_leaves=40,
)
YAML_BLOCKS = st.lists(
    st.tuples(st.sampled_from(["title", "date", "tags", "x", "? [k]", "&a y", "<<"]), YAML_VALUES),
    max_size=6,
).map(lambda items: "\n".join(f"{key}: {value}" for key, value in items))


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` with a few bytes flipped, inserted, deleted, or cut off at the end."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        else:
            del data[at:]
    return bytes(data)


def check_read(folder: Path, suffix: str, data: bytes) -> None:
    path = folder / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        doc, warnings = read_file(path, root=folder, collection="fuzz", limits=LIMITS)
    except ReadError as err:
        assert err.reason and str(err).encode("utf-8")
        return
    # what the catalog stores: UTF-8 text, JSON metadata, offsets inside the text
    doc.text.encode("utf-8")
    assert doc.text.strip() and doc.title.strip() and len(doc.title) <= 200
    doc.title.encode("utf-8")
    json.dumps(dict(doc.metadata), allow_nan=False).encode("utf-8")
    assert list(doc.page_starts) == sorted(doc.page_starts)
    assert all(0 <= start <= len(doc.text) for start in doc.page_starts)
    assert all(0 <= h.start < len(doc.text) and h.title.encode("utf-8") for h in doc.headings)
    assert all(isinstance(w, str) for w in warnings)


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".docx", ".pdf"])
def test_random_bytes_never_raise_anything_but_read_error(folder: Path, suffix: str) -> None:
    @FUZZ
    @given(data=st.binary(max_size=4096))
    def run(data: bytes) -> None:
        check_read(folder, suffix, data)

    run()


@pytest.mark.parametrize("suffix", sorted(SEEDS))
def test_mutated_text_files(folder: Path, suffix: str) -> None:
    @FUZZ
    @given(data=mutated(SEEDS[suffix]))
    def run(data: bytes) -> None:
        check_read(folder, suffix, data)

    run()


@FUZZ
@given(
    block=st.one_of(YAML_BLOCKS, st.text(YAML_ALPHABET, max_size=300)), body=st.text(max_size=100)
)
def test_markdown_front_matter_of_any_shape(folder: Path, block: str, body: str) -> None:
    check_read(folder, ".md", f"---\n{block}\n---\n{body}".encode("utf-8", "surrogatepass"))


@FUZZ
@given(page=st.lists(HTML_SOUP, max_size=8).map("".join))
def test_html_tag_soup(folder: Path, page: str) -> None:
    check_read(folder, ".html", page.encode("utf-8", "surrogatepass"))


@pytest.fixture(scope="module")
def valid_docx() -> bytes:
    return docx_bytes(["Heading text", "A paragraph, with, commas."])


@pytest.fixture(scope="module")
def valid_pdf() -> bytes:
    return pdf_bytes(["First page of text.", None, "Third page."])


@FUZZ
@given(data=st.data())
def test_mutated_docx(folder: Path, valid_docx: bytes, data: st.DataObject) -> None:
    check_read(folder, ".docx", data.draw(mutated(valid_docx)))


DOCX_PARTS = ["word/document.xml", "word/styles.xml", "docProps/core.xml",
              "[Content_Types].xml", "word/_rels/document.xml.rels", "_rels/.rels"]  # fmt: skip
_ATTRIBUTE = re.compile(rb'(\w+:\w+|\w+)="[^"]*"')
_EMPTY_ELEMENT = re.compile(rb"<[\w:]+(?: [^<>]*)?/>")


@st.composite
def xml_mutated(draw: st.DrawFn, xml: bytes) -> bytes:
    """``xml`` still well formed: attribute values replaced, empty elements dropped or
    doubled; or, sometimes, mutated byte by byte."""
    if draw(st.integers(0, 3)) == 0:
        return draw(mutated(xml))
    for _ in range(draw(st.integers(1, 6))):
        spans = list(_ATTRIBUTE.finditer(xml)) + list(_EMPTY_ELEMENT.finditer(xml))
        if not spans:
            break
        span = draw(st.sampled_from(spans))
        piece = span.group()
        if span.re is _ATTRIBUTE:
            value = draw(st.sampled_from(["", "0", "-1", "99999999999", "Heading9", "Title",
                                          "rId404", "x" * 300, "../../etc", "&amp;"]))  # fmt: skip
            piece = piece.split(b"=")[0] + b'="' + value.encode() + b'"'
        else:
            piece = draw(st.sampled_from([b"", piece * 2]))
        xml = xml[: span.start()] + piece + xml[span.end() :]
    return xml


@FUZZ
@given(data=st.data())
def test_docx_with_mutated_parts(folder: Path, valid_docx: bytes, data: st.DataObject) -> None:
    part = data.draw(st.sampled_from(DOCX_PARTS))
    xml = zipfile.ZipFile(io.BytesIO(valid_docx)).read(part)
    check_read(folder, ".docx", with_member(valid_docx, part, data.draw(xml_mutated(xml))))


@FUZZ
@given(data=st.data())
def test_mutated_pdf(folder: Path, valid_pdf: bytes, data: st.DataObject) -> None:
    check_read(folder, ".pdf", data.draw(mutated(valid_pdf)))
