"""Questions from a collection written by a language model, each checked against its passage.

The model sees one sampled chunk at a time and writes a question with a short answer; an item
whose answer is not found in the passage (after normalisation) is dropped, as is one whose
question is not a question. What survives is known-item QA over the user's own documents,
phrased less like the passage than a cloze is, so it flatters BM25 less.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from assistant.llm import ChatModel
from assistant.prompts import question_messages
from eval.generate import GeneratedItem
from eval.metrics import normalize_answer
from index.catalog import Catalog

_Q = re.compile(r"^\s*Q\s*[:.]\s*(.+?)\s*$", re.I | re.M)
_A = re.compile(r"^\s*A\s*[:.]\s*(.+?)\s*$", re.I | re.M)
MAX_ANSWER_WORDS = 8
MIN_CHUNK_WORDS = 30


def parse_reply(reply: str) -> tuple[str, str] | None:
    """(question, answer) from a 'Q: ... / A: ...' reply, or None."""
    q, a = _Q.search(reply), _A.search(reply)
    if not q or not a:
        return None
    question, answer = q.group(1).strip(), a.group(1).strip().strip("\"'“”").rstrip(".")
    if not question.endswith("?") or not answer or len(answer.split()) > MAX_ANSWER_WORDS:
        return None
    return question, answer


def grounded(answer: str, passage: str) -> bool:
    """The answer occurs in the passage as whole words, after normalisation."""
    a, p = normalize_answer(answer), normalize_answer(passage)
    return bool(a) and f" {a} " in f" {p} "


def generate_with_model(
    catalog: Catalog,
    n: int,
    model: ChatModel,
    seed: int = 0,
    max_attempts: int | None = None,
    on_attempt: Callable[[], None] | None = None,
) -> list[GeneratedItem]:
    """Up to ``n`` items from at most ``max_attempts`` (default 3n) model calls."""
    infos = {d.doc_id: d for d in catalog.documents()}
    by_doc: dict[str, list[tuple[str, str]]] = {}
    for c in catalog.iter_chunks():
        if c.doc_id in infos and len(c.text.split()) >= MIN_CHUNK_WORDS:
            by_doc.setdefault(c.doc_id, []).append((c.text, infos[c.doc_id].source))
    rng = random.Random(seed)
    order = sorted(by_doc)
    rng.shuffle(order)
    for doc_id in order:
        rng.shuffle(by_doc[doc_id])
    queue = [by_doc[d][i] for i in range(max(map(len, by_doc.values()), default=0))
             for d in order if i < len(by_doc[d])]  # fmt: skip
    items: list[GeneratedItem] = []
    for passage, source in queue[: max_attempts or 3 * n]:
        if len(items) == n:
            break
        if on_attempt:
            on_attempt()
        reply = "".join(model.stream(question_messages(passage, source)))
        parsed = parse_reply(reply)
        if parsed is None or not grounded(parsed[1], passage):
            continue  # the model's answer is not in its passage: not a known-item question
        items.append(
            GeneratedItem(f"gen-{len(items) + 1:04d}", parsed[0], (parsed[1],), (source,),
                          source, "model")
        )  # fmt: skip
    return items
