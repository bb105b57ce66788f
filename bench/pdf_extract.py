"""pypdfium2 vs pypdf: speed and text quality on PDFs, before and after Dossier's cleaning.

Usage: .venv/bin/python bench/pdf_extract.py [--repeat 3] > bench/reports/pdf-extract.json

Documents: the real two-column survey in ../shared/data/eval/solana-pdf, and papers made
here with reportlab (bundled Vera font, so "ﬁ"/"ﬂ" are real ligature glyphs): two columns,
words hyphenated at line ends by the maker, compounds broken at their own hyphen, running
heads alternating on even and odd pages, page-number feet. Because the maker knows its own
text, the made papers also give word recall against the source.

Per extractor and document: extraction time per page (median of --repeat runs), then for
the raw and the cleaned text (``corpus.pdf_text.clean_pages``): ligature characters,
hyphen breaks left (a hyphen or pdfium's hyphen mark at a line end), running-head lines
left, and, for made papers, word recall and how many compounds kept their hyphen.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SOLANA = ROOT.parent / "shared" / "data" / "eval" / "solana-pdf"

LIGATURES = re.compile("[\ufb00-\ufb06]")
HYPHEN_BREAK = re.compile(r"[^\W\d_]-[ \t]*\r?\n[ \t]*[a-z]|[^\W\d_][\ufffe\x02][a-z]")
REAL_HYPHEN = "\u2010"  # marks, inside the maker, a line that ends at a compound's own hyphen
TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")

# --- made papers -----------------------------------------------------------------------------

COMPOUNDS = ["state-of-the-art", "time-consuming", "large-scale", "peer-to-peer", "well-known"]
SENTENCES = [
    "We fine-tune the pre-trained encoder on the classification benchmark.",
    "The first experiment measures how efficiently the workflow handles conflicting fields.",
    "Our state-of-the-art baseline outperforms the previous configuration by a wide margin.",
    "Official statistics confirm the significance of the affine transformation.",
    "A large-scale evaluation of the peer-to-peer protocol took three weeks.",
    "The time-consuming preprocessing step was parallelised across eight machines.",
    "These representations generalise to unseen languages with surprisingly little data.",
    "The well-known difficulty of optimisation remains an obstacle for practitioners.",
    "Hyperparameters were selected on the development split and then frozen.",
    "Reflections on the classification errors reveal systematic misunderstandings.",
    "Furthermore, the architecture accommodates multilingual vocabularies without modification.",
    "Contamination of the evaluation data would inflate the reported accuracy.",
]


def _ligatures(text: str) -> str:
    return text.replace("fi", "\ufb01").replace("fl", "\ufb02")


def _split_point(word: str) -> int | None:
    """Where a typesetter might break a plain word: a vowel then a consonant, 3+ letters a side."""
    core = len(word.rstrip(".,;:"))
    for i in range(core - 3, 2, -1):
        if word[i - 1] in "aeiou" and word[i] not in "aeiou" and word[:i].isalpha():
            return i
    return None


def _wrap(words: list[str], fits: Callable[[str], bool]) -> list[str]:
    """Greedy lines; a word that does not fit is hyphenated (at its own hyphen if it has one)."""
    lines: list[str] = []
    line = ""
    queue = list(words)
    while queue:
        word = queue.pop(0)
        trial = f"{line} {word}".strip()
        if fits(trial):
            line = trial
            continue
        head, tail = _break_word(word, line, fits)
        if head:
            lines.append(f"{line} {head}".strip())
            queue.insert(0, tail)
        else:
            lines.append(line)
            queue.insert(0, word)
        line = ""
    if line:
        lines.append(line)
    return lines


def _break_word(word: str, line: str, fits: Callable[[str], bool]) -> tuple[str, str]:
    if "-" in word:
        parts = word.split("-")
        for k in range(len(parts) - 1, 0, -1):
            head = "-".join(parts[:k]) + "-"
            if fits(f"{line} {head}".strip()):
                return head[:-1] + REAL_HYPHEN, "-".join(parts[k:])
        return "", word
    point = _split_point(word) if len(word) >= 7 else None
    if point and fits(f"{line} {word[:point]}-".strip()):
        return word[:point] + "-", word[point:]
    return "", word


def make_paper(path: Path, *, pages: int, columns: int, title: str, short_title: str,
               meta_title: bool, seed: int) -> dict[str, object]:  # fmt: skip
    """A paper and what it holds: its source text, planted breaks, compounds, running lines."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    fonts = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont("Vera", str(fonts / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont("VeraBd", str(fonts / "VeraBd.ttf")))
    rng = random.Random(seed)
    size, leading, margin, gap = 9.5, 11.5, 54, 24
    width = (612 - 2 * margin - gap * (columns - 1)) / columns
    pdf = canvas.Canvas(str(path), pagesize=(612, 792))
    if meta_title:
        pdf.setTitle(title)
    heads = ["Journal of Synthetic Studies 12 (2024)", short_title]
    source: list[str] = [title]
    planted = compound_breaks = 0
    for page in range(1, pages + 1):
        pdf.setFont("Vera", 8)
        pdf.drawString(margin, 760, heads[page % 2])
        pdf.drawCentredString(306, 30, f"- {page} -")
        top = 740
        if page == 1:
            pdf.setFont("VeraBd", 17)
            pdf.drawString(margin, 730, title)
            top = 700
        for column in range(columns):
            body = [rng.choice(SENTENCES) for _ in range(60)]
            words = " ".join(body).split()
            fits = lambda s: pdfmetrics.stringWidth(s, "Vera", size) <= width  # noqa: E731
            lines = _wrap(words, fits)[: int((top - 60) / leading)]
            while lines[-1].endswith(("-", REAL_HYPHEN)):
                lines.pop()  # a column ends with a whole word: the rest was cut off
            planted += sum(line.endswith("-") for line in lines)
            compound_breaks += sum(line.endswith(REAL_HYPHEN) for line in lines)
            pdf.setFont("Vera", size)
            x = margin + column * (width + gap)
            for i, line in enumerate(lines):
                pdf.drawString(x, top - i * leading, _ligatures(line.replace(REAL_HYPHEN, "-")))
            source.append("\n".join(lines))
        pdf.showPage()
    pdf.save()
    # The maker's breaks undone: a broken word joined, a compound's own hyphen kept.
    text = "\n".join(source).replace("-\n", "").replace(f"{REAL_HYPHEN}\n", "-")
    return {"source": text, "planted_breaks": planted, "compound_breaks": compound_breaks,
            "heads": heads}  # fmt: skip


# --- extractors ------------------------------------------------------------------------------


def extract_pypdf(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


def extract_pdfium(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path)
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


EXTRACTORS = {"pypdf": extract_pypdf, "pypdfium2": extract_pdfium}


# --- measures --------------------------------------------------------------------------------


def _running_lines_left(pages: list[str], heads: list[str]) -> int:
    """Lines that are a page number alone, a "- n -" foot, or a known running head."""
    known = {" ".join(h.lower().split()) for h in heads}
    left = 0
    for page in pages:
        for line in page.replace("\r", "").split("\n"):
            flat = " ".join(line.lower().split())
            left += bool(re.fullmatch(r"-? ?\d{1,3} ?-?", flat)) or flat in known
    return left


def _word_recall(text: str, source: str) -> float:
    want = Counter(t.lower() for t in TOKEN.findall(source))
    got = Counter(t.lower() for t in TOKEN.findall(text))
    return round(sum((want & got).values()) / sum(want.values()), 4)


def _quality(pages: list[str], paper: dict[str, object] | None, heads: list[str]) -> dict:
    text = "\n\n".join(pages)
    out: dict[str, object] = {
        "ligatures": len(LIGATURES.findall(text)),
        "hyphen_breaks": len(HYPHEN_BREAK.findall(text)),
        "running_lines_left": _running_lines_left(pages, heads),
    }
    if paper is not None:
        source = str(paper["source"])
        flat = text.replace("\n", " ")
        out["word_recall"] = _word_recall(flat, source)
        out["compounds_kept"] = sum(flat.count(c) for c in COMPOUNDS)
        out["compounds_in_source"] = sum(source.replace("\n", " ").count(c) for c in COMPOUNDS)
    return out


def _answer_coverage(text: str) -> float:
    """Share of the reference answers' content words (4+ letters) found in the text."""
    words = Counter(t.lower() for t in TOKEN.findall(text))
    want: list[str] = []
    for line in (SOLANA / "qa.jsonl").read_text().splitlines():
        for answer in json.loads(line)["answers"]:
            want += [t.lower() for t in TOKEN.findall(answer) if len(t) >= 4]
    return round(sum(w in words for w in want) / len(want), 4)


def measure(path: Path, paper: dict[str, object] | None, repeat: int) -> dict:
    from corpus.pdf_text import clean_pages

    heads = list(paper["heads"]) if paper else []  # type: ignore[call-overload]
    result: dict[str, object] = {"document": path.name}
    if paper is not None:
        result["planted_breaks"] = paper["planted_breaks"]
        result["compound_breaks"] = paper["compound_breaks"]
    for name, extract in EXTRACTORS.items():
        times, pages = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            pages = extract(path)
            times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        cleaned = clean_pages(pages)
        clean_s = time.perf_counter() - t0
        entry = {
            "pages": len(pages),
            "ms_per_page": round(1000 * statistics.median(times) / len(pages), 2),
            "clean_ms_per_page": round(1000 * clean_s / len(pages), 2),
            "raw": _quality(pages, paper, heads),
            "cleaned": _quality(cleaned, paper, heads),
        }
        if paper is None:
            entry["raw"]["answer_word_coverage"] = _answer_coverage("\n".join(pages))
            entry["cleaned"]["answer_word_coverage"] = _answer_coverage("\n".join(cleaned))
        result[name] = entry
    return result


def production(path: Path, repeat: int) -> dict[str, object]:
    """What Dossier's own reader (pdfium, cleaning, title) makes of the file, and how fast."""
    from corpus import pdf_text
    from corpus.pdf import parse_pdf

    data, times = path.read_bytes(), []
    for _ in range(repeat):
        t0 = time.perf_counter()
        parsed = parse_pdf(data, path)
        times.append(time.perf_counter() - t0)
    pages = [pdf_text.normalise_page(p) for p in extract_pdfium(path)]
    pages = pdf_text.drop_running_lines(pages)
    vocabulary = pdf_text._Vocabulary(pages)  # the judge of each line-end hyphen
    breaks = [m.groups() for page in pages for m in pdf_text._BREAK.finditer(page)]
    kept = [f"{a}-{b}" for a, b in breaks if b[0].islower() and vocabulary.keeps_hyphen(a, b)]
    return {
        "parse_ms_per_page": round(1000 * statistics.median(times) / len(parsed.page_starts), 2),
        "title": parsed.title,
        "line_breaks_judged": len(breaks),
        "hyphens_kept": kept,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from corpus.tokens import count_tokens

    count_tokens("warm up")  # the cleaner's word check loads the tokenizer once
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        made = [
            ("two-column.pdf", dict(pages=6, columns=2, title="Synthetic Ligatures in Two Columns",
                                    short_title="Ligatures", meta_title=False, seed=1)),
            ("one-column.pdf", dict(pages=4, columns=1, title="A Single Column Study",
                                    short_title="Single Column", meta_title=True, seed=2)),
        ]  # fmt: skip
        for name, options in made:
            path = Path(tmp) / name
            paper = make_paper(path, **options)  # type: ignore[arg-type]
            entry = measure(path, paper, args.repeat)
            entry["dossier"] = production(path, args.repeat)
            entry["title_made"] = options["title"]
            results.append(entry)
        solana = SOLANA / "docs" / "BlockchainSolana.pdf"
        entry = measure(solana, None, args.repeat)
        entry["dossier"] = production(solana, args.repeat)
        results.append(entry)
    import pypdf
    import pypdfium2

    versions = {"pypdf": pypdf.__version__, "pypdfium2": str(pypdfium2.version.PYPDFIUM_INFO)}
    print(json.dumps({"bench": "pdf_extract", "cpus": os.cpu_count(), "versions": versions,
                      "documents": results}, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
