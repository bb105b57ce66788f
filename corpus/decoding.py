"""Bytes to text for the text formats (txt, Markdown, HTML), refusing what is not text.

A file is text when few of its characters are NULs or other controls once decoded (a stray
NUL is dropped; NULs on every other byte mean UTF-16 without a byte-order mark); binary
data named ``.txt`` would otherwise be indexed as gibberish. UTF-8 is tried first, then
cp1252 and latin-1 (which accepts every byte).
"""

from __future__ import annotations

import codecs
import re

from corpus.errors import ReadError

# (BOM, codec); UTF-32 first: its little-endian BOM begins with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# C0 and C1 controls (NUL too) except tab, newlines, form feed and ESC (colour codes in
# logs), and U+FFFD, which stands for bytes a codec could not decode.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f\ufffd]")
SAMPLE_CHARS = 65536  # the control-character share is judged on the start of the text
MAX_CONTROL_SHARE = 0.10  # text has next to none; random bytes about 23%, programs more
MIN_CONTROLS = 16  # a stray byte or two in a short note is not enough to call it binary


def clean(text: str) -> str:
    """Normalise newlines to "\\n" and drop NULs, which break SQLite and tokenizers."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def decode(data: bytes, warnings: list[str], path: object = "") -> str:
    """The text of ``data``, or ReadError when it is binary rather than text."""
    text = _decode(data, warnings)
    sample = text[:SAMPLE_CHARS]
    controls = sum(1 for _ in _CONTROL.finditer(sample))
    if controls >= MIN_CONTROLS and controls / len(sample) > MAX_CONTROL_SHARE:
        share = round(100 * controls / len(sample))
        raise ReadError(path, f"binary data, not text ({share}% NULs or control characters)")
    return clean(text)


def _decode(data: bytes, warnings: list[str]) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    utf16 = _utf16_without_bom(data) if b"\x00" in data[:4096] else None
    if utf16:
        warnings.append(f"no byte-order mark; decoded as {utf16.upper()}")
        return data.decode(utf16, errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text, encoding = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # cp1252 leaves five bytes undefined
        text, encoding = data.decode("latin-1"), "latin-1"
    warnings.append(f"not valid UTF-8; decoded as {encoding}")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'-be' when the NULs fall on every other byte, as in mostly-ASCII UTF-16."""
    sample = data[:4096]
    even, odd = sample[0::2], sample[1::2]
    if len(odd) < 2:
        return None
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None
