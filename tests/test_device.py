"""embedding.device: a GPU when there is one, the CPU otherwise, and a batch size for each."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from corpus.errors import UsageError
from index.device import BATCH, native_bf16, pick_device, pick_dtype
from index.embedder import Embedder, SentenceTransformerBackend, make_backend
from index.settings import EmbeddingSettings


def fake_torch(cuda: bool, capability: str = "AVX512", **cpu: bool) -> SimpleNamespace:
    return SimpleNamespace(
        cpu=SimpleNamespace(**{f"_is_{k}_supported": (lambda v=v: v) for k, v in cpu.items()}),
        __version__="2.13.0",
        cuda=SimpleNamespace(is_available=lambda: cuda),
        version=SimpleNamespace(cuda="12.8" if cuda else None),
        backends=SimpleNamespace(cpu=SimpleNamespace(get_cpu_capability=lambda: capability)),
    )


def test_auto_takes_the_gpu_when_there_is_one() -> None:
    assert pick_device("auto", fake_torch(cuda=True)) == "cuda"
    assert pick_device("auto", fake_torch(cuda=False)) == "cpu"
    assert pick_device("cpu", fake_torch(cuda=True)) == "cpu"
    assert pick_device("cuda", fake_torch(cuda=True)) == "cuda"


def test_cuda_without_a_gpu_is_an_error_not_a_slow_fallback() -> None:
    with pytest.raises(UsageError, match=r"sees no CUDA device.*'auto' or 'cpu'") as info:
        pick_device("cuda", fake_torch(cuda=False))
    assert "built without CUDA" in str(info.value) and info.value.exit_code == 2
    with pytest.raises(UsageError, match="one of auto, cuda, cpu"):
        pick_device("gpu", fake_torch(cuda=True))


def test_precision_and_batch_follow_the_device() -> None:
    assert pick_dtype("auto", "cuda", fake_torch(cuda=True)) == "float16"
    assert pick_dtype("auto", "cpu", fake_torch(cuda=False, capability="AVX512")) == "float32"
    assert pick_dtype("auto", "cpu", fake_torch(cuda=False, capability="AVX512_AMX")) == "bfloat16"
    # AVX-512 with bfloat16 instructions (AMD Zen 4, Intel Cooper Lake): bfloat16; without: not
    bf16 = fake_torch(cuda=False, avx512_bf16=True, amx_tile=False)
    assert pick_dtype("auto", "cpu", bf16) == "bfloat16"
    plain = fake_torch(cuda=False, avx512_bf16=False, amx_tile=False)
    assert pick_dtype("auto", "cpu", plain) == "float32"
    assert pick_dtype("auto", "cpu", fake_torch(cuda=False, amx_tile=True)) == "bfloat16"
    assert pick_dtype("bfloat16", "cpu", plain) == "bfloat16"
    assert pick_dtype("float32", "cuda", fake_torch(cuda=True)) == "float32"
    assert BATCH["cuda"] > BATCH["cpu"]


def test_the_embedder_batches_as_its_device_wants_unless_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cpu = Embedder(SentenceTransformerBackend(device="cpu"))  # no model is loaded for this
    assert cpu.batch_size == BATCH["cpu"]
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    gpu = Embedder(SentenceTransformerBackend(device="auto"))
    assert gpu.backend.device == "cuda" and gpu.batch_size == BATCH["cuda"]  # type: ignore[attr-defined]
    assert Embedder(SentenceTransformerBackend(device="auto"), batch_size=40).batch_size == 40
    assert Embedder(make_backend("hashing", device="cuda")).batch_size == BATCH["cpu"]


def test_settings_default_to_auto_and_a_batch_per_device() -> None:
    s = EmbeddingSettings()
    assert s.device == "auto" and s.batch_size is None
    with pytest.raises(ValueError, match="device"):
        EmbeddingSettings(device="gpu")  # type: ignore[arg-type]


def test_this_machine_gets_what_torch_sees() -> None:
    here = "cuda" if torch.cuda.is_available() else "cpu"
    assert SentenceTransformerBackend(device="auto").device == here
    if here == "cpu":  # asking for a GPU here fails before any model is loaded
        with pytest.raises(UsageError, match=r"embedding\.device is 'cuda'"):
            Embedder(make_backend("minilm", device="cuda")).embed(["a question"])


@pytest.mark.model
def test_auto_embeds_like_the_cpu(minilm: Embedder) -> None:
    texts = ["The council approved the desalination plant.", "Zebra mussels in the intake."]
    auto = Embedder(make_backend("minilm", "float32", "auto")).embed(texts)
    cosine = np.sum(auto * minilm.embed(texts), axis=1)
    assert np.all(cosine > 0.999)  # float32 on the CPU: the same; float16 on a GPU: close


@pytest.mark.model
def test_threads_setting_reaches_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    """embedding.threads sets torch's thread count when the model loads (from the settings,
    through the wiring); unset leaves torch's own default alone."""
    from dossier import wiring
    from dossier.settings import load_settings

    before = torch.get_num_threads()
    monkeypatch.setenv("DOSSIER_EMBEDDING__THREADS", "1")
    s = load_settings()
    assert s.embedding.threads == 1
    try:
        wiring.embedder(s).embed(["one thread"])
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
    Embedder(make_backend("minilm", "float32", "cpu")).embed(["default threads"])
    assert torch.get_num_threads() == before
    with pytest.raises(ValueError):
        EmbeddingSettings(threads=0)


def test_the_bfloat16_probe_agrees_with_the_kernels_cpu_flags() -> None:
    """The probe on this machine's real torch says what /proc/cpuinfo says (Linux-only CI)."""
    flags = set(Path("/proc/cpuinfo").read_text().split())
    assert native_bf16(torch) == bool({"avx512_bf16", "amx_tile", "amx_bf16"} & flags)
