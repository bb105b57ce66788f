"""Opening zip archives (DOCX) within bounds: a zip bomb is refused, never unpacked.

zipfile alone is not enough: ``ZipFile.read`` decompresses a member in one call before it
cuts the result to the declared size, so a member that lies about its size can still take
gigabytes. Here every member is read in small pieces, the sizes and ratios actually seen
are checked against ``ReadLimits``, and the members are packed again uncompressed, so the
library that parses the result reads exactly the bytes that were checked.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from corpus.errors import ReadError
from corpus.limits import MB, ReadLimits

_PIECE = 1024 * 1024
_RATIO_FLOOR = 1 * MB  # small members may compress far better (an empty table, a header)
_CENTRAL_ENTRY = b"PK\x01\x02"


def unpack_zip(data: bytes, path: object, limits: ReadLimits,
               check: Callable[[set[str]], None] | None = None) -> bytes:  # fmt: skip
    """The archive repacked uncompressed after every bound held; ``check`` sees the member
    names first (to refuse an archive of the wrong kind before unpacking anything)."""
    # The central directory is read whole by ZipFile: count its entries first.
    if data.count(_CENTRAL_ENTRY) > limits.max_zip_entries:
        raise ReadError(path, f"zip archive has too many members (limit {limits.max_zip_entries})")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as err:
        raise ReadError(path, f"not a zip archive ({_first_line(err)})") from err
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if check:
            check({info.filename for info in members})
        declared = sum(info.file_size for info in members)
        if declared > limits.max_unzipped_bytes:
            raise ReadError(path, f"zip archive would unpack to {declared / MB:,.0f} MB "
                            f"({_limit(limits)}; a zip bomb?)")  # fmt: skip
        return _repack(archive, members, path, limits)


def _repack(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], path: object,
            limits: ReadLimits) -> bytes:  # fmt: skip
    out = io.BytesIO()
    total = 0
    written: set[str] = set()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as packed:
        for info in members:
            if info.filename in written:  # a repeated name: the first one is kept
                continue
            written.add(info.filename)
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                # bzip2 and lzma members are decompressed without a size bound by zipfile
                raise ReadError(path, f"unsupported compression in {info.filename!r}")
            blob = _read_member(archive, info, path, limits, limits.max_unzipped_bytes - total)
            total += len(blob)
            packed.writestr(info.filename, blob)
    return out.getvalue()


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: object,
                 limits: ReadLimits, budget: int) -> bytes:  # fmt: skip
    pieces: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as member:
            while piece := member.read(_PIECE):
                size += len(piece)
                if size > budget:
                    raise ReadError(path, f"zip archive unpacks to more than its "
                                    f"{_limit(limits)} (a zip bomb?)")  # fmt: skip
                if size > _RATIO_FLOOR and size > limits.max_zip_ratio * max(info.compress_size, 1):
                    raise ReadError(path, f"{info.filename!r} expands more than "
                                    f"{limits.max_zip_ratio}x (a zip bomb?)")  # fmt: skip
                pieces.append(piece)
    except ReadError:
        raise
    except Exception as err:  # bad CRC, zlib.error, an encrypted member (RuntimeError), …
        raise ReadError(path, f"damaged zip member {info.filename!r} ({_first_line(err)})") from err
    return b"".join(pieces)


def _limit(limits: ReadLimits) -> str:
    return f"limit {limits.max_unzipped_mb:g} MB unpacked"


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0][:200] if text else type(err).__name__
