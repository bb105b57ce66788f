"""The cl100k_base tokenizer (tiktoken), loaded once and kept offline.

tiktoken downloads its BPE file on first use unless ``TIKTOKEN_CACHE_DIR`` points at a
folder that holds it. llama-index-core ships such a folder, so, unless the user set the
variable, we build the encoding from that file ourselves (without importing
llama_index.core, which is slow, and without changing the process environment).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import os
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import tiktoken

ENCODING_NAME = "cl100k_base"
ENCODING_TAG = "tiktoken-cl100k"  # short name recorded in fingerprints

_CACHE_ENV = "TIKTOKEN_CACHE_DIR"
# What tiktoken_ext.openai_public.cl100k_base() builds around the BPE file; an encoding is
# fixed once published (tests/test_tokens.py checks these against tiktoken's own).
_BPE_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
_BPE_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|"""
    r"""\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
_SPECIAL = {
    "<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
    "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276,
}  # fmt: skip


def _bundled_cache_dir() -> Path | None:
    """llama-index-core's bundled tiktoken cache folder, found without importing it."""
    try:
        spec = importlib.util.find_spec("llama_index.core")
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location) / "_static" / "tiktoken_cache"
        if candidate.is_dir():
            return candidate
    return None


def _bundled_encoding(folder: Path) -> tiktoken.Encoding | None:
    """cl100k_base from the BPE file in a tiktoken cache folder (named by its URL's SHA-1)."""
    path = folder / hashlib.sha1(_BPE_URL.encode()).hexdigest()
    if not path.is_file():
        return None
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != _BPE_SHA256:
        return None
    ranks = {base64.b64decode(token): int(rank)
             for token, rank in (line.split() for line in data.splitlines() if line)}  # fmt: skip
    return tiktoken.Encoding(
        ENCODING_NAME, pat_str=_PATTERN, mergeable_ranks=ranks, special_tokens=_SPECIAL
    )


@lru_cache(maxsize=1)
def get_encoder() -> tiktoken.Encoding:
    """The shared cl100k_base encoder (the first call reads the BPE file)."""
    if not os.environ.get(_CACHE_ENV):  # the user's own cache wins
        bundled = _bundled_cache_dir()
        encoding = _bundled_encoding(bundled) if bundled is not None else None
        if encoding is not None:
            return encoding
    return tiktoken.get_encoding(ENCODING_NAME)


# tiktoken overflows its stack on a run of about a million spaces (a panic that no
# ``except Exception`` catches) and slows down on very long words, so such runs are cut into
# pieces encoded apart; text without them is encoded whole, exactly as before.
_RUN = 1000
_LONG_RUN = re.compile(rf"(?<!\s)\s{{{_RUN},}}|(?<!\S)\S{{{_RUN},}}")


def encode(text: str) -> list[int]:
    """Token ids of ``text``; special-token strings in documents are plain text to us."""
    encoder = get_encoder()
    if len(text) < _RUN or not _LONG_RUN.search(text):
        return encoder.encode_ordinary(text)
    tokens: list[int] = []
    at = 0
    for run in _LONG_RUN.finditer(text):
        tokens += encoder.encode_ordinary(text[at : run.start()])
        for piece in range(run.start(), run.end(), _RUN):
            tokens += encoder.encode_ordinary(text[piece : min(piece + _RUN, run.end())])
        at = run.end()
    return tokens + encoder.encode_ordinary(text[at:])


def count_tokens(text: str) -> int:
    """Number of cl100k tokens in ``text``."""
    return len(encode(text)) if text else 0


@lru_cache(maxsize=1)
def _token_byte_lengths() -> np.ndarray:
    """Byte length of every token id: one table lookup beats decoding each token."""
    enc = get_encoder()
    lengths = np.zeros(enc.n_vocab, dtype=np.int64)
    for rank in range(enc.n_vocab):
        try:
            lengths[rank] = len(enc.decode_single_token_bytes(rank))
        except KeyError:
            continue  # unused ids between the ordinary and the special tokens
    return lengths


def token_end_offsets(text: str) -> list[int]:
    """Character offset at which each token of ``text`` ends (non-decreasing, last = len).

    Tokens are byte sequences and may end inside a multi-byte character; such an end is
    rounded up to the end of that character, so every offset is a valid ``str`` index.
    """
    tokens = np.asarray(encode(text), dtype=np.int64)
    byte_ends = np.cumsum(_token_byte_lengths()[tokens])
    if text.isascii():
        ascii_ends: list[int] = byte_ends.tolist()  # one byte per char: offsets agree
        return ascii_ends
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    # chars_through[i] = characters that have started within bytes [0, i]: for a byte end
    # b that is the char index rounded up. Continuation bytes look like 0b10xxxxxx.
    chars_through = np.cumsum((data & 0xC0) != 0x80)
    ends: list[int] = chars_through[byte_ends - 1].tolist()
    return ends
