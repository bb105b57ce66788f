"""Each bound of corpus.limits.ReadLimits, and the parsers' defences against hostile input:
binary text, unsafe YAML, zip bombs, and inputs that used to take quadratic time."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from corpus.archive import unpack_zip
from corpus.decoding import decode
from corpus.errors import ReadError
from corpus.formats import markdown_headings, parse_html, parse_markdown
from corpus.limits import ReadLimits
from corpus.readers import read_file
from corpus.word import parse_docx
from tests.hostile_corpus import W, docx_bytes, empty_pages_pdf, with_member

HERE = Path("x")


def _reason(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ReadError) as caught:
        call()
    return caught.value.reason


# --- text ---------------------------------------------------------------------------------


def test_text_with_many_controls_is_binary_but_a_stray_nul_is_not() -> None:
    assert decode(b"line one\x00 line two", []) == "line one line two"
    assert decode(b"caf\xe9 \x81", []) == "café \x81"  # latin-1 with one C1 control: text
    binary = bytes(range(256)) * 4
    assert _reason(lambda: decode(binary, [])) == (
        "binary data, not text (23% NULs or control characters)"
    )


def test_utf16_and_utf32_are_read_with_or_without_a_byte_order_mark() -> None:
    text = "Grüße, naïve café"
    for codec in ("utf-16", "utf-32"):
        assert decode(text.encode(codec), []) == text
    warnings: list[str] = []
    assert decode(text.encode("utf-16-le"), warnings) == text
    assert warnings == ["no byte-order mark; decoded as UTF-16-LE"]
    assert decode(text.encode("utf-16-be"), []) == text


def test_text_beyond_max_text_chars_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("word " * 30)
    limits = ReadLimits(max_text_chars=100)
    reason = _reason(lambda: read_file(path, root=tmp_path, collection="c", limits=limits))
    assert reason == "too much text (150 characters; limit 100)"


def test_a_file_over_max_file_mb_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * (2 * 1024 * 1024))
    limits = ReadLimits(max_file_mb=1)
    reason = _reason(lambda: read_file(path, root=tmp_path, collection="c", limits=limits))
    assert reason == "file too large (2.0 MB; limit 1 MB)"


# --- markdown -----------------------------------------------------------------------------


def _front(block: str, limits: ReadLimits | None = None) -> tuple[dict, list[str]]:  # type: ignore[type-arg]
    data = f"---\n{block}\n---\nbody\n".encode()
    parsed = parse_markdown(data, HERE, limits or ReadLimits())
    return parsed.metadata, parsed.warnings


def test_yaml_aliases_are_refused_in_a_few_milliseconds() -> None:
    levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'] + [
        f"{n}: &{n} [" + ",".join([f"*{p}"] * 9) + "]"
        for p, n in zip("abcde", "bcdef", strict=True)
    ]
    started = time.perf_counter()
    metadata, warnings = _front("\n".join([*levels, "tags: [*f, *f]"]))
    assert time.perf_counter() - started < 1.0
    assert metadata == {}
    assert warnings == ["malformed YAML front matter ignored: aliases (*name) are not allowed"]
    assert _front("title: &t Safe anchor without alias")[0] == {
        "title": "Safe anchor without alias"
    }


def test_front_matter_over_the_limit_is_ignored_and_kept_as_text() -> None:
    parsed = parse_markdown(b"---\nnote: " + b"x" * 3000 + b"\n---\nbody\n", HERE,
                            ReadLimits(max_front_matter_kb=2))  # fmt: skip
    assert parsed.metadata == {}
    assert parsed.warnings == ["front matter too large (3 KB; limit 2 KB); ignored"]
    assert parsed.text.startswith("---\nnote: xxx")


def test_what_yaml_raises_or_cannot_store_is_dropped_not_fatal() -> None:
    assert _front("date: 2021-13-45")[1][0].startswith("malformed YAML front matter ignored")
    assert _front("a: " + "[" * 5000)[1][0].startswith("malformed YAML front matter ignored")
    metadata, warnings = _front(
        'big: 123456789012345678901234567890\ninf: .inf\nnan: .nan\nnul: "a\\0b"\n'
        'lone: "\\ud800x"\ntags: [' + ", ".join(f"t{i}" for i in range(150)) + "]\n"
        "long: " + "y" * 5000
    )  # fmt: skip
    assert not warnings
    assert set(metadata) == {"nul", "lone", "tags", "long"}
    assert metadata["nul"] == "ab" and metadata["lone"] == "?x"
    assert len(metadata["tags"]) == 100 and len(metadata["long"]) == 1000


def test_a_long_run_of_spaces_in_a_heading_takes_linear_time() -> None:
    started = time.perf_counter()
    headings = markdown_headings("# a" + " " * 200_000 + "b\n## Closed ##\n# ###\n#\n")
    assert time.perf_counter() - started < 1.0  # the old regex: 10 s for 20,000 spaces
    assert [(h.level, h.title[:1], h.title[-1:]) for h in headings] == [
        (1, "a", "b"),
        (2, "C", "d"),
    ]


# --- HTML ---------------------------------------------------------------------------------


def test_deeply_nested_html_takes_linear_time() -> None:
    started = time.perf_counter()
    parsed = parse_html(b"<pre>" + b"<div>x\ny" * 5000, HERE)
    assert time.perf_counter() - started < 10  # the old ancestor lookups: minutes
    assert parsed.text.count("x\ny") == 5000  # inside <pre>, line breaks stay


def test_an_svg_title_is_never_the_page_title() -> None:
    parsed = parse_html(b"<svg><title>icon</title></svg><title>Page</title><p>t</p>", HERE)
    assert parsed.title == "Page" and "icon" not in parsed.text


# --- DOCX ---------------------------------------------------------------------------------


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as packed:
        for name, blob in members.items():
            packed.writestr(name, blob)
    return out.getvalue()


def test_zip_bounds_refuse_before_or_while_unpacking() -> None:
    tight = ReadLimits(max_zip_entries=3, max_unzipped_mb=2, max_zip_ratio=50)
    many = _zip({f"f{i}": b"x" for i in range(4)})
    assert _reason(lambda: unpack_zip(many, HERE, tight)) == (
        "zip archive has too many members (limit 3)"
    )
    declared = _zip({"a": b" " * (3 * 1024 * 1024)})
    assert _reason(lambda: unpack_zip(declared, HERE, tight)) == (
        "zip archive would unpack to 3 MB (limit 2 MB unpacked; a zip bomb?)"
    )
    ratio = _zip({"a": b" " * (1536 * 1024)})  # 1.5 MB of spaces deflate to about 1.5 KB
    assert (
        _reason(lambda: unpack_zip(ratio, HERE, tight)) == "'a' expands more than 50x (a zip bomb?)"
    )
    bzip = _zip({"a": b"text"}, zipfile.ZIP_BZIP2)
    assert _reason(lambda: unpack_zip(bzip, HERE, tight)) == "unsupported compression in 'a'"
    ok = unpack_zip(_zip({"a": b"text", "b": b"more"}), HERE, tight)
    assert zipfile.ZipFile(io.BytesIO(ok)).read("b") == b"more"


def test_docx_headings_come_from_style_names_in_linear_time() -> None:
    import docx

    document = docx.Document()
    document.add_heading("Plan", level=0)
    document.add_heading("Budget", level=2)
    document.add_paragraph("Body", style="List Bullet")
    buf = io.BytesIO()
    document.save(buf)
    parsed = parse_docx(buf.getvalue(), HERE)
    assert [(h.level, h.title) for h in parsed.headings] == [(1, "Plan"), (2, "Budget")]
    assert parsed.text == "Plan\n\nBudget\n\nBody"
    body = "".join(f"<w:p><w:r><w:t>Paragraph {i}.</w:t></w:r></w:p>" for i in range(20_000))
    xml = f"<w:document {W}><w:body>{body}</w:body></w:document>".encode()
    started = time.perf_counter()
    parsed = parse_docx(with_member(docx_bytes(["x"]), "word/document.xml", xml), HERE)
    assert time.perf_counter() - started < 20  # looking each style up: 80 s for 10,000
    assert parsed.text.count("Paragraph") == 20_000


# --- PDF ----------------------------------------------------------------------------------


def test_a_pdf_over_max_pdf_pages_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    path.write_bytes(empty_pages_pdf(30, last="text on the last page"))
    reason = _reason(lambda: read_file(path, root=tmp_path, collection="c",
                                       limits=ReadLimits(max_pdf_pages=30)))  # fmt: skip
    assert reason == "PDF has 31 pages (limit 30)"
    doc, _ = read_file(path, root=tmp_path, collection="c", limits=ReadLimits(max_pdf_pages=31))
    assert doc.page_at(doc.text.index("last page")) == 31
