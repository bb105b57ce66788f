"""Hostile files for the ingest tests: made on the fly, each with the result it must get.

``build(folder)`` writes the corpus under ``folder / "corpus"`` (plus a secret outside it)
and returns ``{source: (status, reason pattern)}`` for every entry the walk reports; the
pattern is a regular expression the whole reason must match. The file builders are shared
with the fuzz tests.
"""

from __future__ import annotations

import io
import os
import random
import re
import socket
import struct
import tempfile
import zipfile
from pathlib import Path

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
SECRET = "xylophonesecret"  # in files outside the corpus: never searchable
GOOD_WORDS = {  # a word found only in each good file -> its source
    "zebramussel": "good/policy.md",
    "heliotrope": "good/notes.txt",
    "quinoafield": "good/page.html",
    "basaltquarry": "good/report.pdf",
    "marmalade": "good/memo.docx",
    "gruesse": "utf16.txt",
    "genevoise": "latin1.txt",
    "lastpageword": "many-empty-pages.pdf",
}
Expected = dict[str, tuple[str, str]]


# --- file builders ------------------------------------------------------------------------


def pdf_bytes(pages: list[str | None], *, encrypt: str | None = None) -> bytes:
    """One page per entry: a line of text, or (None) only a drawn rectangle (a "scan")."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, encrypt=encrypt)
    for text in pages:
        if text is None:
            pdf.rect(100, 100, 200, 200, fill=1)
        else:
            pdf.drawString(72, 720, text)
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def empty_pages_pdf(count: int, last: str | None = None) -> bytes:
    """``count`` empty pages, then (if ``last``) one page with that text."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for _ in range(count):
        pdf.new_page(612, 792)
    if last:
        pdf.import_pages(pdfium.PdfDocument(pdf_bytes([last])))
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def with_member(data: bytes, name: str, blob: bytes | None) -> bytes:
    """The zip ``data`` with member ``name`` replaced by ``blob`` (None: removed)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as packed:
        for info in source.infolist():
            if info.filename != name:
                packed.writestr(info.filename, source.read(info))
            elif blob is not None:
                packed.writestr(info.filename, blob)
    return out.getvalue()


def bomb_docx(path: Path, padding_mb: int) -> None:
    """A DOCX whose document.xml is valid XML padded with ``padding_mb`` MB of spaces:
    written streaming, so making it never holds the padding in memory."""
    base = zipfile.ZipFile(io.BytesIO(docx_bytes(["bomb"])))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as packed:
        for info in base.infolist():
            if info.filename != "word/document.xml":
                packed.writestr(info.filename, base.read(info))
        with packed.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(f"<w:document {W}><w:body>".encode())
            spaces = b" " * (1024 * 1024)
            for _ in range(padding_mb):
                member.write(spaces)
            member.write(b"<w:p><w:r><w:t>bomb</w:t></w:r></w:p></w:body></w:document>")


def lying_docx(path: Path, padding_mb: int, declared: int) -> None:
    """A bomb DOCX whose central directory claims document.xml unpacks to ``declared``
    bytes: ``ZipFile.read`` would still inflate all of it in one call."""
    bomb_docx(path, padding_mb)
    data = bytearray(path.read_bytes())
    name = b"word/document.xml"
    at = data.index(b"PK\x01\x02")  # the central directory entries
    while bytes(data[at + 46 : at + 46 + struct.unpack_from("<H", data, at + 28)[0]]) != name:
        at = data.index(b"PK\x01\x02", at + 4)
    struct.pack_into("<I", data, at + 24, declared)  # its uncompressed size
    path.write_bytes(bytes(data))


# --- the corpus ---------------------------------------------------------------------------


def build(folder: Path) -> tuple[Path, Expected]:
    corpus = folder / "corpus"
    (corpus / "good").mkdir(parents=True)
    outside = folder / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"The {SECRET} lives outside the ingested folder.")
    expected: Expected = {}
    _good(corpus, expected)
    _text(corpus, expected)
    _pdfs(corpus, expected)
    _docx(corpus, expected)
    _links(corpus, outside, expected)
    _special(corpus, expected)
    _names(corpus, expected)
    return corpus, expected


def _good(corpus: Path, expected: Expected) -> None:
    (corpus / "good" / "policy.md").write_text(
        "---\ntitle: Mussel policy\ntags: [water]\ndate: 2024-03-01\n---\n"
        "# Policy\n\nThe zebramussel plan covers every reservoir.\n"
    )
    (corpus / "good" / "notes.txt").write_text("Field notes: the heliotrope bloomed early.\n")
    (corpus / "good" / "page.html").write_text(
        "<html><head><title>Farm</title></head><body><p>A quinoafield report.</p></body></html>"
    )
    (corpus / "good" / "report.pdf").write_bytes(pdf_bytes(["The basaltquarry survey."]))
    (corpus / "good" / "memo.docx").write_bytes(docx_bytes(["Memo on marmalade supply."]))
    for name in ("policy.md", "notes.txt", "page.html", "report.pdf", "memo.docx"):
        expected[f"good/{name}"] = ("added", "")


def _text(corpus: Path, expected: Expected) -> None:
    rng = random.Random(13)
    files: dict[str, tuple[bytes, str, str]] = {
        "empty.txt": (b"", "failed", "empty file"),
        "blank.md": (b" \n\t\n", "failed", "empty file"),
        "random-bytes.txt": (rng.randbytes(8000), "failed",
                             r"binary data, not text \(\d+% NULs or control characters\)"),
        "program.txt": (b"\x7fELF\x02\x01\x01" + bytes(200) + bytes(range(256)) * 8, "failed",
                        r"binary data, not text \(\d+% NULs or control characters\)"),
        "utf16.txt": ("Herzliche gruesse aus Köln: UTF-16.".encode("utf-16"), "added", ""),
        "latin1.txt": ("La genevoise café crème à Genève.".encode("latin-1"), "added", ""),
        # YAML aliases nested 6 deep: millions of tags if expanded
        "alias-bomb.md": (_alias_bomb(), "added", ""),
        "big-front-matter.md": (("---\nnote: " + "x" * 70_000 + "\n---\nbody\n").encode(),
                                "added", ""),
        # one heading line with a million spaces: a quadratic regex took minutes
        "spaces.md": (b"# a" + b" " * 1_000_000 + b"b\n", "added", ""),
        # 20,000 unclosed <div>s with text: each text looked up its ancestors
        "nested.html": (b"<div>x" * 20_000, "added", ""),
        "data.xlsx": (b"PK\x03\x04", "skipped", r"unsupported file type '\.xlsx'"),
    }  # fmt: skip
    for name, (data, status, reason) in files.items():
        (corpus / name).write_bytes(data)
        expected[name] = (status, reason)
    # 200 MB on one line: refused before a byte of it is read
    with open(corpus / "huge-line.txt", "wb") as huge:
        mebibyte = b"word " * (1024 * 1024 // 5) + b"w"
        for _ in range(200):
            huge.write(mebibyte)
    expected["huge-line.txt"] = ("failed", re.escape("file too large (200.0 MB; limit 50 MB)"))


def _alias_bomb() -> bytes:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcde", "bcdef", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append("tags: [*f,*f,*f,*f,*f,*f,*f,*f,*f]")
    return ("---\n" + "\n".join(lines) + "\n---\n# Alias bomb\nbody text\n").encode()


def _pdfs(corpus: Path, expected: Expected) -> None:
    whole = pdf_bytes(["A page of text.", "Another page."])
    files = {
        "truncated.pdf": (whole[: len(whole) // 2], "failed", r"corrupt PDF: .+"),
        "encrypted.pdf": (pdf_bytes(["locked"], encrypt="pw"), "failed",
                          re.escape("encrypted PDF (password required)")),
        "scan.pdf": (pdf_bytes([None, None]), "failed",
                     re.escape("no extractable text (scanned PDF? run OCR first)")),
        "many-empty-pages.pdf": (empty_pages_pdf(3000, last="The lastpageword."), "added", ""),
        "only-empty-pages.pdf": (empty_pages_pdf(5000), "failed",
                                 re.escape("no extractable text (scanned PDF? run OCR first)")),
        "too-many-pages.pdf": (empty_pages_pdf(10_001), "failed",
                               re.escape("PDF has 10,001 pages (limit 10,000)")),
    }  # fmt: skip
    for name, (data, status, reason) in files.items():
        (corpus / name).write_bytes(data)
        expected[name] = (status, reason)


def _docx(corpus: Path, expected: Expected) -> None:
    real = docx_bytes(["inner document"])
    main = "word/document.xml"
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as packed:
        packed.writestr("inner.docx", real)  # a DOCX that is another zip
    entities = "".join(f'<!ENTITY {c} "{("&" + chr(ord(c) - 1) + ";") * 10}">' for c in "bcdefghi")
    laughs = (  # "billion laughs": entities of entities, 10^9 characters if expanded
        f'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">{entities}]>'
        f"<w:document {W}><w:body><w:p><w:r><w:t>&i;</w:t></w:r></w:p></w:body></w:document>"
    )
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f"<w:document {W}><w:body><w:p><w:r><w:t>External: &x;</w:t></w:r></w:p>"
        "</w:body></w:document>"
    )
    files = {
        "zip-in-zip.docx": (inner.getvalue(), "failed",
                            re.escape(f"not a Word document: a zip archive without {main}")),
        "no-main-part.docx": (with_member(real, main, None), "failed",
                              re.escape(f"not a Word document: an Office file without {main}")),
        "not-a-zip.docx": (b"\xd0\xcf\x11\xe0 an old Word file", "failed",
                           re.escape("corrupt DOCX: not a zip archive (an old .doc file, or one "
                                     "protected by a password?)")),
        "laughs.docx": (with_member(real, "word/document.xml", laughs.encode()), "failed",
                        r"corrupt DOCX: Maximum entity amplification factor exceeded.*"),
        "xxe.docx": (with_member(real, "word/document.xml", xxe.encode()), "added", ""),
    }  # fmt: skip
    for name, (data, status, reason) in files.items():
        (corpus / name).write_bytes(data)
        expected[name] = (status, reason)
    bomb_docx(corpus / "bomb.docx", 300)  # about 300 KB on disk
    expected["bomb.docx"] = (
        "failed", r"zip archive would unpack to 30\d MB \(limit 256 MB unpacked; a zip bomb\?\)"
    )  # fmt: skip
    bomb_docx(corpus / "ratio-bomb.docx", 100)
    expected["ratio-bomb.docx"] = (
        "failed", re.escape("'word/document.xml' expands more than 200x (a zip bomb?)")
    )  # fmt: skip
    lying_docx(corpus / "lying-bomb.docx", 100, declared=4096)
    expected["lying-bomb.docx"] = ("failed", r"damaged zip member 'word/document\.xml' \(.*\)")


def _links(corpus: Path, outside: Path, expected: Expected) -> None:
    (corpus / "loop-a.txt").symlink_to("loop-b.txt")
    (corpus / "loop-b.txt").symlink_to("loop-a.txt")
    (corpus / "self").symlink_to(".", target_is_directory=True)
    (corpus / "dangling.txt").symlink_to("nowhere.txt")
    (corpus / "secret-link.txt").symlink_to(outside / "secret.txt")
    (corpus / "outside-folder").symlink_to(outside, target_is_directory=True)
    (corpus / "passwd.txt").symlink_to("/etc/passwd")
    (corpus / "inner-link.txt").symlink_to("good/notes.txt")  # inside: read once only
    (corpus / "good-alias").symlink_to("good", target_is_directory=True)
    hint = "; not followed without --follow-links"
    again = re.escape("folder already visited (through a symbolic link)")
    expected.update({
        "loop-a.txt": ("skipped", "symbolic link loop"),
        "loop-b.txt": ("skipped", "symbolic link loop"),
        "self": ("skipped", again),
        "good-alias": ("skipped", again),
        "dangling.txt": ("skipped", "broken symbolic link"),
        "secret-link.txt": ("skipped", re.escape(
            f"symbolic link to a file outside the folder ({outside.resolve()}/secret.txt){hint}")),
        "outside-folder": ("skipped", re.escape(
            f"symbolic link to a folder outside the folder ({outside.resolve()}){hint}")),
        "passwd.txt": ("skipped", re.escape(
            f"symbolic link to a file outside the folder (/etc/passwd){hint}")),
        "inner-link.txt": ("skipped", re.escape("same file as good/notes.txt, already read")),
    })  # fmt: skip


def _special(corpus: Path, expected: Expected) -> None:
    os.mkfifo(corpus / "pipe.txt")
    short = Path(tempfile.mkdtemp())  # a socket's path must be short: made there, moved
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(short / "s"))
    os.rename(short / "s", corpus / "socket.md")
    short.rmdir()
    (corpus / "locked.txt").write_text("no one may read this")
    (corpus / "locked-folder").mkdir()
    (corpus / "locked-folder" / "inside.txt").write_text("nor this")
    os.chmod(corpus / "locked.txt", 0)
    os.chmod(corpus / "locked-folder", 0)
    (corpus / ".hidden.txt").write_text("hidden")
    expected.update({
        "pipe.txt": ("skipped", re.escape("not a regular file (a named pipe)")),
        "socket.md": ("skipped", re.escape("not a regular file (a socket)")),
        "locked.txt": ("failed", "cannot read file: Permission denied"),
        "locked-folder": ("failed", "cannot list folder: Permission denied"),
        ".hidden.txt": ("skipped", "hidden file"),
    })  # fmt: skip


def _names(corpus: Path, expected: Expected) -> None:
    names = {
        "with space.txt": "with space.txt",
        "line\nbreak.txt": "line\\nbreak.txt",
        "-leading-dash.txt": "-leading-dash.txt",
        "日本語の文書.txt": "日本語の文書.txt",
        "отчёт.md": "отчёт.md",
        "ansi\x1b[31mred.txt": "ansi\\x1b[31mred.txt",
        "L" * 251 + ".txt": "L" * 251 + ".txt",  # 255 bytes: the longest name allowed
    }
    for i, (name, source) in enumerate(names.items()):
        (corpus / name).write_text(f"Odd name number {i}.")
        expected[source] = ("added", "")
    # not UTF-8: the name is bytes the file system keeps as they are
    with open(os.path.join(os.fsencode(corpus), b"bad\xffname.txt"), "w") as bad:
        bad.write("A name that is not UTF-8.")
    expected["bad\\xffname.txt"] = ("added", "")
    # a path longer than PATH_MAX: made with relative (dir_fd) calls, unreadable by path
    fd = os.open(corpus, os.O_RDONLY)
    try:
        for _ in range(20):
            os.mkdir("d" * 250, dir_fd=fd)
            fd, old = os.open("d" * 250, os.O_RDONLY, dir_fd=fd), fd
            os.close(old)
    finally:
        os.close(fd)
    depth = next(k for k in range(1, 20) if len(os.fsencode(corpus)) + 251 * k >= 4096)
    expected["/".join(["d" * 250] * depth)] = ("failed", "cannot read: File name too long")
