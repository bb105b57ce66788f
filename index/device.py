"""Where the embedding model runs, in what precision, and how many chunks a call.

``embedding.device``: ``auto`` takes a CUDA GPU when torch sees one, else the CPU; ``cuda``
insists on one (an error when there is none, never a silent fall back to a 50x slower
CPU); ``cpu`` never uses a GPU. Unset, the batch size is the device's: 16 chunks a call on
a CPU, where larger batches only pad more (bench/embed_bench.py), 128 on a GPU, which needs
large batches to be busy. ``dtype`` ``auto`` is float16 on a GPU, and on a CPU bfloat16
only where the CPU computes in bfloat16 natively (AMX tiles or AVX-512's ``avx512_bf16``):
there it measured ~1.9x faster than float32 with the same retrieval quality (SciFact nDCG@10
0.7303 vs 0.7307), while on AVX-512 without them bfloat16 measured 2-3x slower.
"""

from __future__ import annotations

from typing import Any

from corpus.errors import UsageError

DEVICES = ("auto", "cuda", "cpu")
BATCH = {"cpu": 16, "cuda": 128}


def pick_device(setting: str, torch: Any) -> str:
    """'cuda' or 'cpu' for the ``embedding.device`` setting, as this torch sees the machine."""
    if setting not in DEVICES:
        raise UsageError(f"embedding.device must be one of {', '.join(DEVICES)}, not '{setting}'")
    if setting == "cpu":
        return "cpu"
    if torch.cuda.is_available():
        return "cuda"
    if setting == "cuda":
        build = "without CUDA" if torch.version.cuda is None else f"for CUDA {torch.version.cuda}"
        raise UsageError(
            f"embedding.device is 'cuda' but torch {torch.__version__} (built {build}) sees no "
            "CUDA device: set it to 'auto' or 'cpu', or install a CUDA build of torch "
            "(make install TORCH=torch)"
        )
    return "cpu"


def batch_size(device: str) -> int:
    """Chunks per model call on ``device`` when ``embedding.batch_size`` is unset."""
    return BATCH[device]


def pick_dtype(dtype: str, device: str, torch: Any) -> str:
    """The precision for ``embedding.dtype`` on ``device``: ``auto`` resolved, others kept."""
    if dtype != "auto":
        return dtype
    if device == "cuda":
        return "float16"
    return "bfloat16" if native_bf16(torch) else "float32"


def native_bf16(torch: Any) -> bool:
    """Whether this CPU has bfloat16 instructions (AMX, or AVX-512 BF16), as torch sees it."""
    if "AMX" in str(torch.backends.cpu.get_cpu_capability()).upper():
        return True
    cpu = getattr(torch, "cpu", None)  # torch's own CPUID probes (private, so checked for)
    probes = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    return any(bool(getattr(cpu, name, lambda: False)()) for name in probes)
