"""Where the embedding model runs, in what precision, and how many chunks a call.

``embedding.device``: ``auto`` takes a CUDA GPU when torch sees one, else the CPU; ``cuda``
insists on one (an error when there is none, never a silent fall back to a 50x slower
CPU); ``cpu`` never uses a GPU. Unset, the batch size is the device's: 16 chunks a call on
a CPU, where larger batches only pad more (bench/embed_bench.py), 128 on a GPU, which needs
large batches to be busy. ``dtype`` ``auto`` is float16 on a GPU, and on a CPU bfloat16
only with AMX (on AVX-512 alone bfloat16 measured 2x slower than float32).
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
    if dtype != "auto":
        return dtype
    if device == "cuda":
        return "float16"
    cap = str(torch.backends.cpu.get_cpu_capability())
    return "bfloat16" if "AMX" in cap.upper() else "float32"
