"""The answer layer's settings: how much evidence an answer needs and how it is checked.

A frozen pydantic model, the one place these defaults are written; ``dossier.settings``
composes it as the ``[answer]`` table of config.toml and it is passed down whole.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Unsupported = Literal["flag", "remove"]


class AnswerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sentences: int = Field(default=3, ge=1, le=10, description="Sentences in an extractive answer.")
    # Checked on bench/refusal.py (bench/reports/refusal.json): thresholds 0.34 to 0.49 meet
    # refusal accuracy >= 0.90 with <= 0.05 wrong refusals; 0.42 is mid-range (0.97 / 0.00).
    min_evidence: float = Field(
        default=0.42, ge=0.0, le=1.0,
        description="Extractive answerer: the best sentence must score at least this "
        "(0.6 x cosine + 0.4 x term overlap), or the corpus is said not to answer.",
    )  # fmt: skip
    # Calibrated with bench/calibrate_support.py (all-MiniLM-L6-v2, float32, seed 0) on 200
    # pairs from hotpotqa-100 (50 questions): 100 positives (question + answer templated as one
    # sentence citing the gold paragraphs; a real gold sentence citing its paragraph) and 100
    # negatives (the templated sentence citing a random non-evidence paragraph, or the
    # non-evidence paragraph sharing most of its words). Best accuracy at 0.58: accuracy 0.96,
    # precision 0.942, recall 0.98 (F1 0.961). Quotes score 1.0; random citations at most
    # 0.33; the word-sharing wrong paragraphs average 0.45 and 12% pass. It catches wrong
    # sources, not contradictions: "costs 90 million" citing "costs 48.5 million" still scores
    # about 0.62 (that needs an NLI model).
    support_threshold: float = Field(
        default=0.58, ge=0.0, le=1.0,
        description="A sentence counts as supported when its support score (0.5 x best "
        "sentence cosine + 0.5 x content-word overlap with the cited passages) reaches this.",
    )  # fmt: skip
    unsupported: Unsupported = Field(
        default="flag",
        description="What to do with answer sentences that are not supported by their "
        "citations: 'flag' keeps them marked, 'remove' drops them.",
    )
