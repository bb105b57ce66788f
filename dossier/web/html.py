"""HTML for the app: chat turns, source cards, notes, progress, status lights, statistics
(the source panel is in ``panel``, the documents table in ``library_html``).

Every fragment is a ``markupsafe.Markup`` template: ``Markup(...).format(value)`` escapes
each value, and joining Markup escapes any plain string joined in, so text from a document or
a user (titles, paths, passages, answer sentences, questions) can only ever appear as text.
The chat additionally runs Gradio's sanitizer, which drops ``data-*`` attributes: a citation
marker therefore carries its turn and number in a class, ``cite cite-<turn>-<n>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from corpus.text import clip
from index.ingest import FileReport

MARKER = re.compile(r"\[(\d+)\]")
CITE_KEY = re.compile(r"^(\d+):(\d+)(:full)?(?:@.*)?$")
BRIEF_KEY = re.compile(r"^(\d+)(:full)?(?:@.*)?$")
NOTHING = Markup("")


def parse_cite_key(value: str) -> tuple[int, int, bool] | None:
    """(turn, n, whole document?) from the page script's 'turn:n[:full]@stamp', or None."""
    m = CITE_KEY.match((value or "").strip())
    return (int(m.group(1)), int(m.group(2)), bool(m.group(3))) if m else None


def parse_brief_key(value: str) -> tuple[int, bool] | None:
    """(n, whole document?) from a briefing citation's 'n[:full]@stamp', or None."""
    m = BRIEF_KEY.match((value or "").strip())
    return (int(m.group(1)), bool(m.group(2))) if m else None


def citation_support(answer: Mapping[str, Any]) -> dict[int, bool]:
    """n -> True when every answer sentence that cites [n] is supported."""
    status: dict[int, bool] = {int(c["n"]): True for c in answer.get("citations") or []}
    for s in answer.get("sentences") or []:
        for n in s.get("citations") or []:
            if int(n) in status and not s.get("supported", True):
                status[int(n)] = False
    return status


def cite_button(turn: int, n: int, title: str = "") -> Markup:
    if title:
        return Markup('<button type="button" class="cite cite-{}-{}" title="Source {}: {}">'
                      "[{}]</button>").format(turn, n, n, title, n)  # fmt: skip
    return Markup('<button type="button" class="cite cite-{}-{}">[{}]</button>').format(turn, n, n)


def _linkify(text: str, turn: int, titles: Mapping[int, str]) -> Markup:
    """``text`` escaped, its [n] markers of known citations turned into buttons."""
    parts, last = [], 0
    for m in MARKER.finditer(text):
        n = int(m.group(1))
        if n in titles:
            parts += [escape(text[last : m.start()]), cite_button(turn, n, titles[n])]
            last = m.end()
    return NOTHING.join([*parts, escape(text[last:])])


def question_html(question: str) -> str:
    return str(Markup('<div class="question">{}</div>').format(question))


def _rewritten(rewritten: str | None) -> Markup:
    if not rewritten:
        return NOTHING
    return Markup('<p class="rewritten"><em>Searched as: {}</em></p>').format(rewritten)


def _note(note: str | None) -> Markup:
    return Markup('<p class="note">{}</p>').format(note) if note else NOTHING


DRAFT_LABEL = "Draft — checking citations…"


def streaming_html(
    text: str, rewritten: str | None = None, note: str = "", *, draft: bool = False
) -> str:
    """The answer while it is being written: plain escaped text, markers not yet clickable.
    A model's text is a ``draft``, labelled so: the checked answer may replace it."""
    body = escape(text) if text else Markup("<em>…</em>")
    if draft:
        label = Markup('<p class="draft-label" role="status">{}</p>').format(DRAFT_LABEL)
        answer = label + Markup('<div class="answer streaming draft">{}</div>').format(body)
    else:
        answer = Markup('<div class="answer streaming">{}</div>').format(body)
    return str(_rewritten(rewritten) + _note(note) + answer)


def loading_html(message: str) -> str:
    """The chat's bubble while the model loads: 'Loading the model (~30 s)…'."""
    return str(Markup('<p class="model-loading" role="status">{}</p>').format(message))


def error_html(message: str) -> str:
    return str(Markup('<div class="answer error"><strong>Error:</strong> {}</div>').format(message))


def bot(content: str) -> dict[str, str]:
    """One assistant message of the chat."""
    return {"role": "assistant", "content": content}


def score_text(score: object) -> str:
    return f"{float(score):.4f}" if isinstance(score, int | float) else "—"


def page_note(page: object) -> Markup:
    return Markup(" · page {}").format(page) if page not in (None, "") else NOTHING


def support_badge(ok: bool) -> Markup:
    if ok:
        return Markup('<span class="supported">✓ supported</span>')
    return Markup('<span class="flagged">⚠ flagged</span>')


def _sentence(turn: int, s: Mapping[str, Any], titles: Mapping[int, str]) -> Markup:
    ok = s.get("supported", True)
    marks = NOTHING.join(cite_button(turn, int(n), titles[int(n)])
                         for n in s.get("citations") or [] if int(n) in titles)  # fmt: skip
    flag = (
        NOTHING
        if ok
        else Markup(' <span class="flagged" title="not supported by its sources">⚠</span>')
    )
    cls = "sent" if ok else "sent unsupported"
    return Markup('<span class="{}">{}</span> {}{}').format(cls, s.get("text", ""), marks, flag)


def _card(turn: int, c: Mapping[str, Any], supported: bool) -> Markup:
    return Markup(
        '<button type="button" class="cite source-card cite-{turn}-{n}">[{n}] <strong>{title}'
        "</strong>{page} · score {score} · {status}</button>"
    ).format(turn=turn, n=int(c["n"]), title=c.get("title") or "", page=page_note(c.get("page")),
             score=score_text(c.get("score")), status=support_badge(supported))  # fmt: skip


def _nearest(hits: Iterable[Mapping[str, Any]]) -> Markup:
    items = NOTHING.join(
        Markup("<li><strong>{}</strong> ({}{}): {}</li>").format(
            h.get("title") or "",
            h.get("source") or "",
            page_note(h.get("page")),
            clip(str(h.get("text", "")), 240),
        )
        for h in hits
    )
    return Markup('<div class="nearest">Nearest passages:<ul>{}</ul></div>').format(items)


def _short(turn: int, short: Mapping[str, Any] | None, titles: Mapping[int, str]) -> Markup:
    """The short answer, first and in bold, with its citation; "Yes"/"No" marked inferred."""
    if not short or int(short.get("n", 0)) not in titles:
        return NOTHING
    n = int(short["n"])
    how = Markup(' <span class="inferred">(inferred)</span>') if short.get("inferred") else NOTHING
    return Markup('<p class="short-answer"><strong>{}</strong> {}{}</p>').format(
        short.get("text", ""), cite_button(turn, n, titles[n]), how
    )


def answer_html(turn: int, answer: Mapping[str, Any]) -> str:
    """A finished answer (Answer.to_dict() shape, citations may carry 'score')."""
    citations = answer.get("citations") or []
    titles = {int(c["n"]): str(c.get("title") or "") for c in citations}
    sentences = answer.get("sentences") or []
    if answer.get("answered") and sentences:
        body = Markup(" ").join(_sentence(turn, s, titles) for s in sentences)
    else:
        body = _linkify(answer.get("answer", ""), turn, titles)
    parts = [_rewritten(answer.get("rewritten_question")), _note(answer.get("note")),
             _short(turn, answer.get("short_answer"), titles),
             Markup('<div class="answer final">{}</div>').format(body)]  # fmt: skip
    if citations:
        support = citation_support(answer)
        cards = NOTHING.join(_card(turn, c, support.get(int(c["n"]), True)) for c in citations)
        parts.append(Markup('<div class="sources">{}</div>').format(cards))
    elif answer.get("nearest"):
        parts.append(_nearest(answer["nearest"]))
    return str(NOTHING.join(parts))


def messages(turns: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Chatbot messages for finished turns ({'question', 'answer'} dicts)."""
    out: list[dict[str, str]] = []
    for i, t in enumerate(turns):
        out.append({"role": "user", "content": question_html(t["question"])})
        out.append(bot(answer_html(i, t["answer"])))
    return out


def note(message: str, kind: str = "ok") -> str:
    """One message where the user acted: an error (announced at once) or a result."""
    if not message:
        return ""
    role = "alert" if kind == "error" else "status"
    label = "Error: " if kind == "error" else ""
    return str(Markup('<div class="note-box {}" role="{}"><strong>{}</strong>{}</div>').format(
        kind, role, label, message))  # fmt: skip


def confirm_text(question: str) -> str:
    """The question a confirmation asks before something is deleted, naming it."""
    return str(Markup('<p class="confirm">{} This cannot be undone.</p>').format(question))


def progress_html(done: int, total: int, what: str, unit: str) -> str:
    """A progress bar with its counts: '12 of 80 files · reading x.md'."""
    if total <= 0:  # not counted yet (indexing before the questions): no share to show
        return str(
            Markup(
                '<div class="progress" role="status" aria-live="polite"><progress '
                'aria-label="{}"></progress> <span>{}</span></div>'
            ).format(what, what)
        )
    total = max(total, done)
    counts = f"{done} of {total} {unit}"
    return str(
        Markup(
            '<div class="progress" role="status" aria-live="polite"><progress max="{}" value="{}" '
            'aria-label="{}"></progress> <span class="counts">{}</span>{}</div>'
        ).format(total, done, counts, counts, Markup(" · {}").format(what) if what else NOTHING)
    )


def status_light(ok: bool, message: str, *, pending: bool = False) -> str:
    """Green: usable now; amber (``pending``): a model not loaded yet or loading; red: not."""
    colour = "green" if ok else "amber" if pending else "red"
    return str(Markup('<span class="light {}"></span><span class="light-text">{}</span>').format(
        colour, message
    ))  # fmt: skip


def stats_html(stats: Mapping[str, Any]) -> str:
    rows = NOTHING.join(Markup("<tr><td>{}</td><td>{}</td></tr>").format(k, v)
                        for k, v in stats.items())  # fmt: skip
    return str(Markup('<table class="stats">{}</table>').format(rows))


def report_frame(page: str) -> str:
    """A self-contained report page in a sandboxed frame: no scripts, no same origin."""
    return str(Markup('<iframe sandbox="" srcdoc="{}" style="width:100%;height:720px;'
                      'border:1px solid #ddd"></iframe>').format(page))  # fmt: skip


def report_rows(files: Iterable[FileReport]) -> list[list[Any]]:
    return [[f.source, f.status, f.chunks, f.reason] for f in files]
