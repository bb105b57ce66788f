"""Embedding throughput: precisions and batch sizes side by side, on the device in use.

Prints JSON with the device (``--device auto``: a CUDA GPU when torch sees one, as
``embedding.device`` picks) and the batch size Dossier takes there when none is set.
Usage: python bench/embed_bench.py [--chunks N] [--device auto|cuda|cpu]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]


def demo_chunks(n: int) -> list[str]:
    from corpus.chunker import ChunkerConfig, chunk_document
    from corpus.readers import iter_folder

    texts: list[str] = []
    for o in iter_folder([ROOT / "corpus" / "samples" / "whitehouse-ai"], collection="bench"):
        if o.document is not None:
            texts += [c.text for c in chunk_document(o.document, ChunkerConfig())]
        if len(texts) >= n:
            break
    return texts[:n]


def main() -> None:
    import numpy as np
    import torch

    from index.device import BATCH, pick_device, pick_dtype
    from index.embedder import Embedder, SentenceTransformerBackend

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--chunks", type=int, default=256)
    ap.add_argument("--device", default="auto", choices=["auto", "cuda", "cpu"])
    args = ap.parse_args()
    device = pick_device(args.device, torch)
    texts = demo_chunks(args.chunks)
    results = []
    reference = None
    dtypes = ("float32", "float16", "bfloat16") if device == "cuda" else ("float32", "bfloat16")
    batches = (32, 64, 128, 256) if device == "cuda" else (8, 16, 32, 64)
    for dtype in dtypes:
        backend = SentenceTransformerBackend(dtype, device=device)
        n_tokens = sum(backend.count_window_tokens(t) for t in texts)
        for batch in batches:
            emb = Embedder(backend, batch)
            emb.embed(texts[:batch])  # warm-up
            t0 = time.perf_counter()
            vecs = emb.embed(texts)
            secs = time.perf_counter() - t0
            if reference is None:
                reference = vecs
            cosine = float(np.mean(np.sum(vecs * reference, axis=1)))
            results.append({
                "dtype": dtype, "batch": batch, "seconds": round(secs, 2),
                "chunks_per_s": round(len(texts) / secs, 1),
                "wordpieces_per_s": round(n_tokens / secs),
                f"mean_cosine_to_fp32_b{batches[0]}": round(cosine, 6),
            })  # fmt: skip
    best = max(results, key=lambda r: r["chunks_per_s"])
    print(json.dumps({
        "bench": "embed", "chunks": len(texts), "threads": torch.get_num_threads(),
        "device": device, "gpu": torch.cuda.get_device_name() if device == "cuda" else None,
        "default_batch": BATCH[device], "auto_dtype": pick_dtype("auto", device, torch),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "machine": platform.machine(), "results": results, "fastest": best,
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
