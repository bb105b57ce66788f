"""The cl100k encoder is built offline from llama-index-core's bundled BPE file."""

from __future__ import annotations

import os

import pytest
import tiktoken
from tiktoken_ext import openai_public

from corpus import tokens


def test_bundled_encoder_is_tiktokens_own(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tokens._bundled_cache_dir()
    assert folder is not None
    before = dict(os.environ)
    ours = tokens._bundled_encoding(folder)
    assert ours is not None and dict(os.environ) == before  # the environment is left alone
    # tiktoken's own constructor, pointed at the same file through its documented variable
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(folder))
    theirs = tiktoken.Encoding(**openai_public.cl100k_base())
    assert ours._pat_str == theirs._pat_str
    assert ours._special_tokens == theirs._special_tokens
    assert ours._mergeable_ranks == theirs._mergeable_ranks
    text = "Harrow Point's plant cost €41.5 million — approved 14 March 2021.\n\tDone?"
    assert ours.encode_ordinary(text) == theirs.encode_ordinary(text)


def test_a_damaged_bundle_is_not_used(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    name = hashlib.sha1(tokens._BPE_URL.encode()).hexdigest()
    (tmp_path / name).write_bytes(b"IQ== 0\n")
    assert tokens._bundled_encoding(tmp_path) is None  # wrong hash: tiktoken's path instead
    assert tokens._bundled_encoding(tmp_path / "missing") is None
