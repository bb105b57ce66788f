"""The app's views of issue 11 end to end, each at 1440x900 and at 390x844 (a phone), in
Debian's Chromium against one real `dossier ui` (hashing embedder) for the whole module.

Citations that land (the highlight in view, chat and briefing), readable sources (Markdown
without its markup, a PDF page image), the start view, the Library (search, sort, ticks that
scope the chat and /ask, confirmed removal), progress, errors that leave the page usable, the
phone layout, the Evaluation tab's shipped QA set, accessibility (axe-core: no serious or
critical violation on any tab), and many users (a question and a citation click answered
while another user's upload ingests). Screenshots of every tab at both widths land in
tests/artifacts/ as tab-<name>-<desktop|phone>.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui_helpers import app_page, open_tab, running_app, shot

pytestmark = pytest.mark.slow

VIEWS = {"desktop": (1440, 900), "phone": (390, 844)}
TABS = ("Chat", "Library", "Briefing", "Evaluation", "Settings")
FILLER = "\n\n".join(
    f"Wing {i} of the station keeps shelf block {i * 7} for maps, with {i + 3} reading desks "
    f"and a {['quiet', 'bright', 'narrow', 'round'][i % 4]} corridor to module {i * 11}."
    for i in range(1, 40)
)
MEMO = f"""---
title: Orbital Library Policy Memo
date: 2024-06-01
tags: [memos]
---

# Orbital Library Policy Memo

<!-- tracking: campaign 42 -->
<figure><img src="x.png" onerror="alert('memo')"></figure>

This memo sets out **plans** for the station library, see the
[briefing page](https://example.com/track/click?u=1&id=2) and note \\(f\\) below.

## Shelving

{FILLER}

## Opening

The orbital library will open its **reading room** on 9 September 2025 after a
[public vote](https://example.com/track/click?u=3) of the crew.
"""
READ_ROOM = "When will the orbital library open its reading room?"
SPAN_TEXT = ("The orbital library will open its reading room on 9 September 2025 after a "
             "public vote of the crew.")  # fmt: skip
PDF_LINE = "The Kestrel telescope recorded its first light on 4 April 2022 at Varga Ridge."


def make_pdf(path: Path) -> None:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter)
    c.setTitle("Kestrel Telescope Log")
    c.setFont("Helvetica-Bold", 18)
    c.drawString(72, 720, "Kestrel Telescope Log")
    c.setFont("Helvetica", 11)
    for i in range(20):
        c.drawString(72, 680 - 16 * i, f"Calibration note {i}: the mirror cell was checked "
                                       f"at station {i * 3} and logged.")  # fmt: skip
    c.showPage()
    c.setFont("Helvetica", 11)
    c.drawString(72, 720, "Observing season")
    c.drawString(72, 690, PDF_LINE)
    c.drawString(72, 672, "The dome crew then moved to the northern pier for the winter.")
    c.showPage()
    c.save()


@pytest.fixture(scope="module")
def app_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ui-views") / "home"


@pytest.fixture(scope="module")
def app(app_home: Path) -> Iterator[str]:
    docs = app_home.parent / "docs"
    docs.mkdir()
    (docs / "policy-memo.md").write_text(MEMO, encoding="utf-8")
    make_pdf(docs / "kestrel-log.pdf")
    with running_app(app_home, app_home.parent / "ui.log", extra=(docs,),
                     DOSSIER_ANSWER__MIN_EVIDENCE="0.25") as url:  # fmt: skip
        yield url


@pytest.fixture(params=list(VIEWS))
def view(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def pg(browser: Any, app: str, view: str) -> Iterator[Any]:
    with app_page(browser, app, viewport=VIEWS[view]) as page:
        page.view = view
        yield page


def ask(pg: Any, question: str) -> Any:
    before = pg.locator("#chat .answer.final").count()
    pg.fill("#question textarea", question)
    pg.press("#question textarea", "Enter")
    pg.wait_for_function(
        f"document.querySelectorAll('#chat .answer.final').length > {before}", timeout=30_000
    )
    return pg.locator("#chat .answer.final").nth(before)


def in_view(pg: Any, selector: str) -> dict[str, Any]:
    """Where the first match of ``selector`` is, against the viewport and its scroll box."""
    return dict(pg.evaluate(
        """(sel) => { const e = document.querySelector(sel); const r = e.getBoundingClientRect();
             const box = e.closest('.passage'); const b = box ? box.getBoundingClientRect() : r;
             return {top: r.top, bottom: r.bottom, vh: innerHeight, boxTop: b.top,
                     boxBottom: b.bottom,
                     inViewport: r.top >= 0 && r.bottom <= innerHeight && r.height > 0,
                     inBox: r.top >= b.top - 1 && r.bottom <= b.bottom + 1}; }""",
        selector,
    ))  # fmt: skip


def open_panel(pg: Any) -> None:
    """On a phone the source panel is a drawer: it must be open (visible) after a click."""
    if pg.view == "phone":
        pg.wait_for_selector("#source-col.open", timeout=5_000)


# -- 1. citations that land, 2. readable sources ------------------------------------------


def test_chat_citation_lands_readable_and_whole_document(pg: Any) -> None:
    answer = ask(pg, READ_ROOM)
    assert "9 September 2025" in answer.inner_text()
    pg.locator("#chat .answer.final .cite").first.click()
    mark = pg.locator("#source-panel mark.hl").first
    mark.wait_for(timeout=10_000)
    open_panel(pg)
    pg.wait_for_timeout(400)  # the scroll into view runs on the next frame
    where = in_view(pg, "#source-panel mark.hl")
    assert where["inViewport"] and where["inBox"], where
    # readable: the Markdown's markup is gone, the span is exactly the cited sentence
    panel = pg.inner_text("#source-panel")
    for raw in ("**", "](http", "<!--", "\\(", "<figure", "tracking: campaign"):
        assert raw not in panel, raw
    assert " ".join(pg.inner_text("#source-panel mark.hl").split()) in SPAN_TEXT
    assert "public vote" in panel and "reading room" in panel
    assert pg.locator("#source-panel a[href^='https://example.com']").count() >= 1
    assert pg.locator("#source-panel img, #source-panel [onerror]").count() == 0
    shot(pg, f"views-citation-{pg.view}")
    # the whole document: every section, the span still marked and brought into view
    pg.get_by_role("button", name="Open whole document").click()
    pg.wait_for_selector("#source-panel .passage.whole mark.hl", timeout=10_000)
    pg.wait_for_timeout(400)
    whole = pg.inner_text("#source-panel .passage.whole")
    assert "Shelving" in whole and "Wing 1 of the station" in whole and "Opening" in whole
    where = in_view(pg, "#source-panel mark.hl")
    assert where["inViewport"] and where["inBox"], where
    shot(pg, f"views-whole-document-{pg.view}")
    if pg.view == "phone":  # the drawer closes and leaves the chat
        pg.get_by_role("button", name="Close the source panel").click()
        pg.wait_for_selector("#source-col.open", state="detached", timeout=5_000)


def test_pdf_citation_shows_its_page(pg: Any) -> None:
    answer = ask(pg, "When did the Kestrel telescope record its first light?")
    assert "4 April 2022" in answer.inner_text()
    pg.locator("#chat .answer.final .cite").first.click()
    img = pg.locator("#source-panel .pdf-page img")
    img.wait_for(timeout=15_000)
    assert pg.evaluate("document.querySelector('#source-panel .pdf-page img').naturalWidth") > 300
    assert "page 2" in pg.inner_text("#source-panel")
    assert "boxed" in pg.inner_text("#source-panel figcaption")
    assert "4 April 2022" in pg.inner_text("#source-panel mark.hl")
    shot(pg, f"views-pdf-page-{pg.view}")


def test_briefing_citation_lands_in_view(pg: Any) -> None:
    open_tab(pg, "Briefing")
    pg.fill("#brief-topic textarea", "orbital library reading room shelving")
    pg.click("#brief-go")
    pg.wait_for_function(
        "(document.querySelector('#briefing') || {innerText: ''}).innerText"
        ".includes('Executive summary')", timeout=30_000,
    )  # fmt: skip
    last = pg.locator("#briefing .cite").last
    last.scroll_into_view_if_needed()
    last.click()
    pg.locator("#brief-source-panel mark.hl").first.wait_for(timeout=10_000)
    if pg.view == "phone":
        pg.wait_for_selector("#brief-source-col.open", timeout=5_000)
    pg.wait_for_timeout(400)
    where = in_view(pg, "#brief-source-panel mark.hl")
    assert where["inViewport"] and where["inBox"], where
    shot(pg, f"views-briefing-citation-{pg.view}")


# -- 3. start here ---------------------------------------------------------------------------


def test_start_view_describes_and_suggests_checked_questions(pg: Any) -> None:
    pg.wait_for_selector("#start-here .suggest, #start-here .start p.note:not(:has(*))",
                         timeout=30_000)  # fmt: skip
    pg.wait_for_function("!document.querySelector('#start-here').innerText.includes('Finding')",
                         timeout=30_000)  # fmt: skip
    text = pg.inner_text("#start-here")
    found = re.search(r"\b(\d+) documents \(\d+ passages\), dated 2021-03-14 to 2024-06-01", text)
    assert found and int(found.group(1)) >= 8, text
    assert "Main topics:" in text
    suggestions = pg.locator("#start-here .suggest")
    assert 3 <= suggestions.count() <= 5, text
    question = suggestions.first.inner_text()
    shot(pg, f"views-start-{pg.view}")
    suggestions.first.click()
    pg.locator("#chat .answer.final").first.wait_for(timeout=30_000)
    assert question in pg.inner_text("#chat")
    assert pg.locator("#chat .answer.final .cite").count() >= 1  # it was answerable
    assert not pg.locator("#start-here").is_visible()  # the chat takes its place


# -- 4. choose the sources -------------------------------------------------------------------


def rows(pg: Any) -> list[str]:
    return [r for r in pg.locator("#documents tbody tr:not([hidden]) td.title").all_inner_texts()]


def test_library_search_sort_and_ticks_scope_the_chat(pg: Any) -> None:
    open_tab(pg, "Library")
    pg.wait_for_selector("#documents table.docs", timeout=10_000)
    heads = pg.locator("#documents thead th").all_inner_texts()
    assert [h.strip() for h in heads[1:6]] == ["Title", "Date", "Type", "Chunks", "Status"]
    assert len(rows(pg)) >= 8
    pg.fill("#doc-search", "kestrel")
    assert rows(pg) == ["Kestrel Telescope Log"]
    pg.fill("#doc-search", "")
    pg.locator("#documents button.sort", has_text="Title").click()
    first = rows(pg)
    assert first == sorted(first, key=str.lower)
    assert pg.locator("#documents th[aria-sort=ascending]").count() == 1
    pg.locator("#documents button.sort", has_text="Title").click()
    assert rows(pg) == first[::-1]
    shot(pg, f"views-library-{pg.view}")
    # tick one document: the chip says so, and a question cites only it
    pg.locator("#documents tr", has_text="Orbital Library Policy Memo").locator(
        "input.doc-tick").check()  # fmt: skip
    pg.wait_for_function("document.querySelector('#lib-scope-chip').innerText.includes('Only')",
                         timeout=10_000)  # fmt: skip
    open_tab(pg, "Chat")
    chip = pg.inner_text("#scope-chip")
    assert "Only 1 document" in chip and "Orbital Library Policy Memo" in chip
    answer = ask(pg, "When did the council approve the desalination plant?")
    cards = pg.locator("#chat .sources").last.locator(".source-card").all_inner_texts()
    assert "14 March 2021" not in answer.inner_text()
    assert all("Orbital Library" in c for c in cards), cards
    shot(pg, f"views-scope-chip-{pg.view}")


def test_api_ask_honours_documents(app: str) -> None:
    from gradio_client import Client

    client = Client(app, verbose=False, analytics_enabled=False, download_files=False)
    data = client.predict(READ_ROOM, "test", "extractive", ["policy-memo.md"], "", "",
                          api_name="/ask")  # fmt: skip
    assert data["citations"] and {c["source"] for c in data["citations"]} == {"policy-memo.md"}
    off = client.predict("When did the council approve the desalination plant?", "test",
                         "extractive", ["kestrel-log.pdf"], "", "", api_name="/ask")  # fmt: skip
    assert all(c["source"] == "kestrel-log.pdf" for c in off["citations"])
    assert "14 March 2021" not in off["answer"]
    tagged = client.predict("When did the council approve the desalination plant?", "test",
                            "extractive", [], "", "memos", api_name="/ask")  # fmt: skip
    assert all(c["source"] == "policy-memo.md" for c in tagged["citations"])  # the tag's only
    assert "14 March 2021" not in tagged["answer"]
    with pytest.raises(Exception, match="no document"):
        client.predict(READ_ROOM, "test", "extractive", ["nope.md"], "", "", api_name="/ask")


# -- 5. progress, 4. removal -----------------------------------------------------------------


WATCH_PROGRESS = """(sel) => { window.__progress = []; const el = document.querySelector(sel);
  new MutationObserver(() => { const t = el.innerText.trim();
    if (t && window.__progress[window.__progress.length - 1] !== t) window.__progress.push(t);
  }).observe(el, {childList: true, subtree: true, characterData: true}); }"""


def test_upload_progress_counts_then_confirmed_removal(pg: Any, tmp_path: Path) -> None:
    files = []
    for i in range(8):
        path = tmp_path / f"note-{pg.view}-{i}.md"
        body = f"Buoy {i} reported {i * 3} knots of current on day {i + 1}.\n"
        path.write_text(f"---\ntitle: Field note {pg.view} {i}\n---\n\n{body}", encoding="utf-8")
        files.append(str(path))
    open_tab(pg, "Library")
    pg.evaluate(WATCH_PROGRESS, "#lib-progress")
    pg.set_input_files("#upload input[type=file]", files)
    pg.wait_for_function("document.querySelector('#lib-note').innerText.includes('added')",
                         timeout=60_000)  # fmt: skip
    seen = pg.evaluate("window.__progress")
    assert any(re.match(r"\d+ of 8 files", s) for s in seen), seen
    assert any(s.startswith("8 of 8 files") for s in seen), seen
    assert len(seen) >= 2, seen  # it moved: more than one count was shown
    assert "8 added" in pg.inner_text("#lib-note")
    assert pg.locator("progress").count() == 0  # done: the bar is gone, the note stays
    # remove: the button asks first and names the title; Cancel keeps it
    title = f"Field note {pg.view} 3"
    row = pg.locator("#documents tr", has_text=title)
    row.get_by_role("button", name=f"Remove {title}").click()
    confirm = pg.locator("#remove-confirm").first
    confirm.wait_for(timeout=10_000)
    assert f"Remove “{title}”" in confirm.inner_text()
    shot(pg, f"views-remove-confirm-{pg.view}")
    pg.click("#remove-no")
    confirm.wait_for(state="hidden", timeout=10_000)
    assert pg.locator("#documents tr", has_text=title).count() == 1
    row.get_by_role("button", name=f"Remove {title}").click()
    confirm.wait_for(timeout=10_000)
    pg.click("#remove-yes")
    pg.wait_for_function(
        "(t) => document.querySelector('#lib-note').innerText.includes('Removed “' + t + '”')",
        arg=title, timeout=10_000,
    )  # fmt: skip
    assert pg.locator("#documents tr", has_text=title).count() == 0


# -- 6. errors that do not lock the page -----------------------------------------------------


def test_errors_are_one_note_and_blank_nothing(pg: Any) -> None:
    open_tab(pg, "Library")
    pg.wait_for_selector("#documents table.docs", timeout=10_000)
    before = pg.locator("#documents tbody tr").count()
    pg.fill("#folder textarea", "/no/such/fodler")
    pg.click("#ingest-folder")
    pg.wait_for_function(  # outside the allowed folders (dossier ui --allow-folder)
        "document.querySelector('#lib-note').innerText.includes('only folders under')",
        timeout=10_000,
    )
    assert pg.locator("#lib-note [role=alert]").count() == 1
    assert pg.locator("#documents tbody tr").count() == before  # the table is still there
    assert pg.locator(".error:visible", has_text="Error").count() <= 1  # only our note
    shot(pg, f"views-error-note-{pg.view}")
    pg.fill("#doc-search", "kestrel")  # the page still works
    assert pg.locator("#documents tbody tr:not([hidden])").count() == 1

    open_tab(pg, "Briefing")
    pg.click("#brief-go")
    pg.wait_for_function("document.querySelector('#brief-note').innerText.includes('topic')",
                         timeout=10_000)  # fmt: skip

    open_tab(pg, "Chat")
    if pg.view == "phone":
        pg.locator("#conv-acc").get_by_text("Conversations").first.click()
    assert not pg.locator("#delete-conv").is_visible()  # nothing to delete yet: no button
    ask(pg, "How full is the reservoir?")
    pg.locator("#delete-conv").wait_for(timeout=10_000)
    pg.click("#delete-conv")
    confirm = pg.locator("#delete-confirm").first
    confirm.wait_for(timeout=10_000)
    assert "Delete the conversation “How full is the reservoir?”" in confirm.inner_text()
    pg.click("#delete-no")
    confirm.wait_for(state="hidden", timeout=10_000)
    assert pg.locator("#chat .answer.final").count() == 1  # still there


# -- 7. phone layout -------------------------------------------------------------------------


def test_layout_puts_the_question_first_and_every_tab_in_reach(pg: Any) -> None:
    pg.wait_for_timeout(500)
    box = pg.locator("#question textarea").bounding_box()
    conversations = pg.locator("#conversations")
    if pg.view == "phone":
        assert box["y"] + box["height"] <= VIEWS["phone"][1], box  # on the first screen
        chat_top = pg.locator("#chat").bounding_box()["y"]
        assert chat_top < pg.locator("#conv-acc").bounding_box()["y"]  # chat before the list
        assert not conversations.is_visible()  # folded away
    else:
        assert conversations.is_visible()
    for name in TABS:  # every tab is a visible tab button, none behind a "⋯" menu
        tab = pg.get_by_role("tab", name=name)
        assert tab.is_visible(), name
        bounds = tab.bounding_box()
        assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= VIEWS[pg.view][0], name
        tab.click()
        pg.wait_for_selector(f"#tab-{ {'Evaluation': 'eval'}.get(name, name.lower()) }",
                             state="visible", timeout=10_000)  # fmt: skip
        pg.wait_for_timeout(300)
        shot(pg, f"tab-{name.lower()}-{pg.view}")


# -- 9. evaluation ---------------------------------------------------------------------------


def test_evaluation_runs_the_shipped_set_with_formatted_metrics(pg: Any) -> None:
    open_tab(pg, "Evaluation")
    corpus = pg.input_value("#eval-corpus textarea")
    qa = pg.input_value("#eval-qa textarea")
    assert Path(corpus).is_dir() and Path(qa).is_file() and qa.endswith("whitehouse-ai-qa.jsonl")
    pg.fill("#eval-limit input", "3")
    pg.evaluate(WATCH_PROGRESS, "#eval-progress")
    pg.click("#eval-run")
    note = "#eval-note .note-box"
    pg.wait_for_function(f"(document.querySelector('{note}') || {{innerText: ''}})"
                         ".innerText.includes('Saved')", timeout=120_000)  # fmt: skip
    seen = pg.evaluate("window.__progress")
    assert any(re.match(r"\d of 3 questions", s) for s in seen), seen
    cells = pg.locator("#eval-metrics [role=gridcell]").all_inner_texts()
    metrics = dict(zip(cells[::2], cells[1::2], strict=False))
    assert metrics["questions"] == "3", metrics
    assert re.fullmatch(r"[\d,]+ ms", metrics["p50_ms"]), metrics  # no decimals
    assert re.fullmatch(r"\d\.\d\d", metrics["accuracy"]), metrics  # a rate as 0.00
    first_state = pg.inner_text(note)
    pg.click("#eval-run")
    pg.wait_for_function(
        "([sel, t]) => { const n = (document.querySelector(sel) || {innerText: ''}).innerText;"
        " return n.includes('Saved') && n !== t; }", arg=[note, first_state], timeout=120_000,
    )  # fmt: skip
    assert "reused the cached index" in pg.inner_text(note)
    if "built the index" in first_state:  # the first run of this app was cold: say so
        cold = re.search(r"Saved (\S+\.json)", first_state).group(1)  # the second is picked
        pg.click("#eval-runs input")
        pg.get_by_role("option", name=cold).click()
        pg.keyboard.press("Escape")
        pg.click("#eval-compare")
        pg.locator("#eval-report iframe").wait_for(timeout=20_000)
        assert "differ in cache state" in pg.inner_text("#eval-report")
    shot(pg, f"views-evaluation-{pg.view}")


# -- 10. accessibility -----------------------------------------------------------------------


def test_accessibility_axe_labels_and_skip_to_question(pg: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    question = pg.get_by_role("textbox", name="Your question")
    assert question.count() == 1
    pg.keyboard.press("Tab")  # the first Tab stop skips to the question box
    assert pg.evaluate("document.activeElement.className") == "skip-link"
    pg.keyboard.press("Enter")
    pg.wait_for_function("document.activeElement === document.querySelector('#question textarea')",
                         timeout=5_000)  # fmt: skip
    ask(pg, "How much did the desalination plant cost?")
    labels = pg.evaluate("Array.from(document.querySelectorAll('#chat [aria-label]'))"
                         ".map(e => e.getAttribute('aria-label'))")  # fmt: skip
    assert labels and not any("<" in label for label in labels), labels
    pg.locator("body").click(position={"x": 5, "y": 5})
    pg.keyboard.press("/")  # the shortcut
    pg.wait_for_function("document.activeElement === document.querySelector('#question textarea')",
                         timeout=5_000)  # fmt: skip
    axe = Axe()
    for name in TABS:
        open_tab(pg, name)
        pg.wait_for_timeout(500)
        result = axe.run(pg)
        bad = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert bad == [], (name, bad)


# -- 8. many users ---------------------------------------------------------------------------

DONE_AT = """(sel) => { window.__doneAt = null; const el = document.querySelector(sel);
  new MutationObserver(() => { if (window.__doneAt === null && /\\d+ added/.test(el.innerText))
    window.__doneAt = Date.now(); }).observe(el, {childList: true, subtree: true,
                                               characterData: true}); }"""


def test_a_question_and_its_citation_answer_while_an_upload_ingests(
    browser: Any, app: str, tmp_path: Path
) -> None:
    """One user (desktop) uploads 200 files; another (a phone) asks and opens a citation
    meanwhile: both finish before the ingest does (with one shared queue they waited for it)."""
    files = []
    for i in range(200):
        path = tmp_path / f"survey-{i}.md"
        lines = (f"Transect {i}-{j} counted {i * j % 97} limpets near marker {i * 13 + j}."
                 for j in range(30))  # fmt: skip
        path.write_text(f"---\ntitle: Survey log {i}\n---\n\n" + "\n\n".join(lines))
        files.append(str(path))
    with (
        app_page(browser, app, viewport=VIEWS["desktop"]) as writer,
        app_page(browser, app, viewport=VIEWS["phone"]) as reader,
    ):
        reader.view = "phone"
        open_tab(writer, "Library")
        writer.evaluate(DONE_AT, "#lib-note")
        writer.set_input_files("#upload input[type=file]", files)
        writer.wait_for_function(  # the ingest runs: its first files are counted
            "/^\\d+ of 200 files/.test(document.querySelector('#lib-progress').innerText)",
            timeout=60_000,
        )  # fmt: skip
        answer = ask(reader, READ_ROOM)
        assert "9 September 2025" in answer.inner_text()
        reader.locator("#chat .answer.final .cite").first.click()
        reader.locator("#source-panel mark.hl").first.wait_for(timeout=10_000)
        open_panel(reader)
        answered_at = reader.evaluate("Date.now()")
        assert writer.evaluate("window.__doneAt") is None, "the ingest ended first"
        writer.wait_for_function("window.__doneAt !== null", timeout=120_000)
        assert "200 added" in writer.inner_text("#lib-note")
        assert answered_at < writer.evaluate("window.__doneAt")
