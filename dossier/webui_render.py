"""HTML for the browser app: chat turns, source cards, the source panel, status lights.

Every string that comes from a document or a user (titles, paths, passages, answer sentences,
questions) goes through ``esc`` before it is put in markup. The chat additionally runs
Gradio's sanitizer, which drops ``data-*`` attributes: a citation marker therefore carries its
turn and number in a class, ``cite cite-<turn>-<n>``, which the page script reads on click.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from corpus.types import Document
from index.catalog import DocumentInfo
from index.ingest import FileReport

CONTEXT_CHARS = 600
MARKER = re.compile(r"\[(\d+)\]")
CITE_KEY = re.compile(r"^(\d+):(\d+)(?:@.*)?$")

# Runs in the page: a click on a citation writes "turn:n@time" into the hidden #cite-box
# textbox and fires its input event, so the Python change handler fills the source panel.
HEAD = """<script>
document.addEventListener('click', function (ev) {
  var el = ev.target && ev.target.closest ? ev.target.closest('.cite') : null;
  if (!el) return;
  var m = /(?:^|\\s)cite-(\\d+)-(\\d+)(?:\\s|$)/.exec(el.className);
  var b = /(?:^|\\s)bcite-(\\d+)(?:\\s|$)/.exec(el.className);
  var key = m ? m[1] + ':' + m[2] : (b ? b[1] : null);
  var box = document.querySelector(m ? '#cite-box textarea, #cite-box input'
                                     : '#brief-cite-box textarea, #brief-cite-box input');
  if (!key || !box) return;
  ev.preventDefault();
  var setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(box), 'value').set;
  setter.call(box, key + '@' + Date.now());
  box.dispatchEvent(new Event('input', {bubbles: true}));
}, true);
</script>"""

CSS = """
.cite { cursor: pointer; border: 1px solid var(--border-color-accent, #f97316);
  border-radius: 4px; padding: 0 4px; margin: 0 1px; font-size: 0.85em;
  background: var(--background-fill-secondary); color: var(--body-text-color); }
.cite:hover { background: var(--color-accent-soft, #ffedd5); }
.sources { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.source-card { text-align: left; max-width: 100%; }
.supported { color: #15803d; } .flagged { color: #b91c1c; }
.sent.unsupported { text-decoration: underline dotted #b91c1c; }
.rewritten, .note { opacity: 0.8; font-size: 0.9em; }
#source-panel .passage, #brief-source-panel .passage { white-space: pre-wrap;
  max-height: 420px; overflow-y: auto; border: 1px solid var(--border-color-primary);
  padding: 8px; border-radius: 6px; }
#source-panel mark, #brief-source-panel mark { background: #fde68a; color: #111; }
.light { display: inline-block; width: 10px; height: 10px; border-radius: 50%;
  margin-right: 6px; vertical-align: middle; }
.light.green { background: #22c55e; } .light.red { background: #ef4444; }
.stats td { padding: 2px 10px 2px 0; }
"""


def esc(value: object) -> str:
    """HTML-escape anything for text or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def parse_cite_key(value: str) -> tuple[int, int] | None:
    """'turn:n@stamp' from the page script, or None."""
    m = CITE_KEY.match((value or "").strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def citation_support(answer: Mapping[str, Any]) -> dict[int, bool]:
    """n -> True when every answer sentence that cites [n] is supported."""
    status: dict[int, bool] = {int(c["n"]): True for c in answer.get("citations") or []}
    for s in answer.get("sentences") or []:
        for n in s.get("citations") or []:
            if int(n) in status and not s.get("supported", True):
                status[int(n)] = False
    return status


def cite_button(turn: int, n: int, title: str = "") -> str:
    hint = f' title="Source {n}: {esc(title)}"' if title else ""
    return f'<button type="button" class="cite cite-{turn}-{n}"{hint}>[{n}]</button>'


def _linkify(escaped: str, turn: int, titles: Mapping[int, str]) -> str:
    """Turn [n] markers of known citations in already-escaped text into buttons."""

    def repl(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return cite_button(turn, n, titles[n]) if n in titles else m.group(0)

    return MARKER.sub(repl, escaped)


def question_html(question: str) -> str:
    return f'<div class="question">{esc(question)}</div>'


def rewritten_html(rewritten: str | None) -> str:
    return f'<p class="rewritten"><em>Searched as: {esc(rewritten)}</em></p>' if rewritten else ""


def streaming_html(text: str, rewritten: str | None = None, note: str = "") -> str:
    """The answer while it is being written: plain escaped text, markers not yet clickable."""
    parts = [rewritten_html(rewritten)]
    if note:
        parts.append(f'<p class="note">{esc(note)}</p>')
    body = esc(text) if text else "<em>…</em>"
    parts.append(f'<div class="answer streaming">{body}</div>')
    return "".join(parts)


def error_html(message: str) -> str:
    return f'<div class="answer error"><strong>Error:</strong> {esc(message)}</div>'


def _fmt_score(score: object) -> str:
    return f"{float(score):.4f}" if isinstance(score, int | float) else "—"


def _page(page: object) -> str:
    return f" · page {esc(page)}" if page not in (None, "") else ""


def _status(ok: bool) -> str:
    if ok:
        return '<span class="supported">✓ supported</span>'
    return '<span class="flagged">⚠ flagged</span>'


def answer_html(turn: int, answer: Mapping[str, Any]) -> str:
    """A finished answer (Answer.to_dict() shape, citations may carry 'score')."""
    citations = answer.get("citations") or []
    titles = {int(c["n"]): str(c.get("title") or "") for c in citations}
    support = citation_support(answer)
    parts = [rewritten_html(answer.get("rewritten_question"))]
    if answer.get("note"):
        parts.append(f'<p class="note">{esc(answer["note"])}</p>')
    sentences = answer.get("sentences") or []
    if answer.get("answered") and sentences:
        rendered = []
        for s in sentences:
            ok = s.get("supported", True)
            marks = "".join(cite_button(turn, int(n), titles.get(int(n), "")) for n in
                            s.get("citations") or [] if int(n) in titles)  # fmt: skip
            flag = (
                "" if ok else ' <span class="flagged" title="not supported by its sources">⚠</span>'
            )
            cls = "sent" if ok else "sent unsupported"
            rendered.append(f'<span class="{cls}">{esc(s.get("text", ""))}</span> {marks}{flag}')
        body = " ".join(rendered)
    else:
        body = _linkify(esc(answer.get("answer", "")), turn, titles)
    parts.append(f'<div class="answer final">{body}</div>')
    if citations:
        cards = []
        for c in citations:
            n = int(c["n"])
            cards.append(
                f'<button type="button" class="cite source-card cite-{turn}-{n}">'
                f"[{n}] <strong>{esc(c.get('title'))}</strong>{_page(c.get('page'))}"
                f" · score {_fmt_score(c.get('score'))} · {_status(support.get(n, True))}</button>"
            )
        parts.append('<div class="sources">' + "".join(cards) + "</div>")
    elif answer.get("nearest"):
        items = "".join(
            f"<li><strong>{esc(h.get('title'))}</strong> ({esc(h.get('source'))}"
            f"{_page(h.get('page'))}): {esc(_clip(str(h.get('text', '')), 240))}</li>"
            for h in answer["nearest"]
        )
        parts.append(f'<div class="nearest">Nearest passages:<ul>{items}</ul></div>')
    return "".join(parts)


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def messages(turns: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Chatbot messages for finished turns ({'question', 'answer'} dicts)."""
    out: list[dict[str, str]] = []
    for i, t in enumerate(turns):
        out.append({"role": "user", "content": question_html(t["question"])})
        out.append({"role": "assistant", "content": answer_html(i, t["answer"])})
    return out


def source_panel_html(
    citation: Mapping[str, Any],
    document: Document | None,
    supported: bool,
    context: int = CONTEXT_CHARS,
) -> str:
    """The cited span highlighted inside its surrounding document text."""
    start, end = int(citation["start"]), int(citation["end"])
    head = (
        f'<div class="source-head"><h3>[{esc(citation.get("n"))}] {esc(citation.get("title"))}'
        f"</h3><p><code>{esc(citation.get('source'))}</code>{_page(citation.get('page'))}"
        f" · characters {start}–{end} · score {_fmt_score(citation.get('score'))}"
        f" · {_status(supported)}</p></div>"
    )
    quoted = str(citation.get("text", ""))
    if document is None or document.text[start:end] != quoted:
        note = ("the document was removed" if document is None
                else "the document changed")  # fmt: skip
        return (
            head + f'<p class="note">{note} since this answer; the quoted text:</p>'
            f'<div class="passage"><mark>{esc(quoted)}</mark></div>'
        )
    text = document.text
    lo, hi = max(0, start - context), min(len(text), end + context)
    before = ("…" if lo > 0 else "") + text[lo:start]
    after = text[end:hi] + ("…" if hi < len(text) else "")
    return (
        head + f'<div class="passage">{esc(before)}<mark>{esc(text[start:end])}</mark>'
        f"{esc(after)}</div>"
    )


EMPTY_PANEL = '<p class="note">Click a citation [n] to see the passage in its document.</p>'


def status_light(ok: bool, message: str) -> str:
    color = "green" if ok else "red"
    return f'<span class="light {color}"></span><span class="light-text">{esc(message)}</span>'


def stats_html(stats: Mapping[str, Any]) -> str:
    rows = "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in stats.items())
    return f'<table class="stats">{rows}</table>'


def report_rows(files: Iterable[FileReport]) -> list[list[Any]]:
    return [[f.source, f.status, f.chunks, f.reason] for f in files]


def document_rows(docs: Iterable[DocumentInfo]) -> list[list[Any]]:
    return [[d.source, d.title, d.date or "", d.n_chunks, d.doc_id] for d in docs]
