"""The browser app end to end: a real `dossier ui` process driven by Debian's Chromium.

The app runs in a subprocess with the hashing embedder over a pre-ingested temporary
DOSSIER_HOME; Playwright (never `playwright install`: it uses /usr/bin/chromium) clicks
through it (the shared pieces are in tests/ui_helpers.py; the Briefing and Evaluation tabs
are in tests/test_ui_tabs_browser.py). Screenshots of each step land in tests/artifacts/.
The /ask API is checked with gradio_client against the same process.
"""

from __future__ import annotations

import json
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from dossier.web.settings import EDITABLE
from tests.fake_openai import FakeOpenAI
from tests.ui_helpers import ARTIFACTS, open_tab, running_app, shot, timed_ask

pytestmark = pytest.mark.slow

QUESTION = "When did the council approve the desalination plant?"
KELP = """---
title: Harrow Bay Kelp Farm
date: 2023-05-02
---

# Harrow Bay Kelp Farm

The Harrow Bay kelp farm opened on 2 May 2023 with forty rafts.
"""
# document-derived markup in a title and in a sentence: all of it must stay text
EVIL = (
    "---\ntitle: \"Moonfish <img src=x onerror=alert('title')> notes\"\n---\n\n"
    "The moonfish festival poster read <img src=x onerror=alert('body')> and "
    "<script>alert('body')</script> in red.\n\n"
    "Its footer said ${alert('template')} and {{constructor.constructor('alert(3)')()}}.\n"
)


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[FakeOpenAI]:
    with FakeOpenAI("echo-cite") as server:
        yield server


@pytest.fixture(scope="module")
def app_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ui") / "home"


@pytest.fixture(scope="module")
def app(app_home: Path, fake_llm: FakeOpenAI) -> Iterator[str]:
    with running_app(app_home, app_home.parent / "ui.log",
                     DOSSIER_LLM__OPENAI_BASE_URL=fake_llm.url) as url:  # fmt: skip
        yield url


def ask(pg: Any, question: str, timeout: float = 30_000) -> Any:
    """Type a question, press Enter, wait for its final answer; returns that answer element."""
    before = pg.locator("#chat .answer.final").count()
    pg.fill("#question textarea", question)
    pg.press("#question textarea", "Enter")
    pg.wait_for_function(
        f"document.querySelectorAll('#chat .answer.final').length > {before}", timeout=timeout
    )
    return pg.locator("#chat .answer.final").nth(before)


def last_turn_cards(pg: Any) -> Any:
    return pg.locator("#chat .sources").last.locator(".source-card")


def wait_for_report(pg: Any, source: str) -> str:
    """The ingest report table once it lists ``source`` (the progress bar names it earlier)."""
    pg.wait_for_function(
        """(src) => Array.from(document.querySelectorAll('#ingest-report [role=gridcell]'))
                         .some(td => td.innerText.includes(src))""",
        arg=source,
        timeout=60_000,
    )
    return str(pg.inner_text("#ingest-report"))


def test_chat_citation_panel_and_followup(page: Any) -> None:
    answer = ask(page, QUESTION)
    assert "14 March 2021" in answer.inner_text()
    # the short answer opens the reply, bold, with its own citation, above the evidence
    short = page.locator("#chat .short-answer").last
    assert short.locator("strong").inner_text() == "14 March 2021"
    assert short.locator(".cite").first.inner_text() == "[1]"
    assert short.locator("xpath=following-sibling::div[contains(@class, 'final')]").count() == 1
    marker = answer.locator(".cite").first
    assert marker.inner_text() == "[1]"
    shot(page, "01-answer")
    marker.click()
    mark = page.locator("#source-panel mark")
    mark.wait_for(timeout=10_000)
    assert "14 March 2021" in mark.inner_text()
    panel = page.inner_text("#source-panel")
    assert "desalination-plant.md" in panel and "supported" in panel
    # the passage sits inside its surrounding text: more than the mark alone
    assert len(page.inner_text("#source-panel .passage")) > len(mark.inner_text()) + 100
    shot(page, "02-source-panel")

    ask(page, "how much did it cost?")
    rewritten = page.locator("#chat .rewritten").last
    assert rewritten.inner_text().startswith("Searched as:")
    assert "desalination" in rewritten.inner_text().lower()
    shot(page, "03-followup")
    # the conversation is listed, titled by its first question
    assert QUESTION[:20] in page.locator("#conversations input").input_value()


def test_conversations_rename_export_reopen_delete(page: Any) -> None:
    ask(page, QUESTION)
    page.fill("#rename-title textarea", "Council vote")
    page.click("#rename-conv")
    page.wait_for_function(
        "document.querySelector('#conversations input').value.startsWith('Council vote')",
        timeout=10_000,
    )
    page.click("#export-conv")
    link = page.locator("#export a[href]").first
    link.wait_for(timeout=10_000)
    markdown = page.request.get(link.get_attribute("href")).text()
    assert markdown.startswith("# Council vote") and "14 March 2021" in markdown

    page.click("#new-conv")
    page.wait_for_function("!document.querySelector('#chat .answer')", timeout=10_000)
    page.click("#conversations input")
    page.get_by_role("option", name="Council vote (1)").click()
    page.locator("#chat .answer.final").wait_for(timeout=10_000)
    page.locator("#chat .answer.final .cite").first.click()
    page.locator("#source-panel mark").wait_for(timeout=10_000)
    assert "14 March 2021" in page.inner_text("#source-panel mark")
    shot(page, "10-reopened-conversation")

    page.click("#delete-conv")  # asks first, naming the conversation
    assert (
        "Delete the conversation “Council vote”"
        in page.locator("#delete-confirm").first.inner_text()
    )
    page.click("#delete-yes")
    page.wait_for_function("!document.querySelector('#chat .answer')", timeout=10_000)
    page.click("#conversations input")
    assert page.get_by_role("option", name="Council vote (1)").count() == 0


def test_upload_then_ask_cites_it(page: Any, tmp_path: Path, app_home: Path) -> None:
    path = tmp_path / "kelp farm.md"
    path.write_text(KELP, encoding="utf-8")
    open_tab(page, "Library")
    page.set_input_files("#upload input[type=file]", str(path))
    report = wait_for_report(page, "kelp_farm.md")
    assert "added" in report
    # stored under a sanitised name in uploads/<collection>/; Gradio's temp copy under home too
    assert (app_home / "uploads" / "test" / "kelp_farm.md").read_text(encoding="utf-8") == KELP
    assert list((app_home / "tmp").rglob("kelp farm.md"))
    page.wait_for_function(
        "document.querySelector('#documents').innerText.includes('Harrow Bay Kelp Farm')",
        timeout=10_000,
    )
    shot(page, "04-library-upload")

    open_tab(page, "Chat")
    answer = ask(page, "When did the kelp farm open?")
    assert "2 May 2023" in answer.inner_text()
    assert "Harrow Bay Kelp Farm" in last_turn_cards(page).first.inner_text()
    last_turn_cards(page).first.click()
    page.wait_for_function(
        "(document.querySelector('#source-panel mark') || {innerText: ''})"
        ".innerText.includes('2 May 2023')",
        timeout=10_000,
    )
    assert "kelp_farm.md" in page.inner_text("#source-panel")
    shot(page, "05-kelp-answer")


def assert_inert(pg: Any) -> None:
    for where in ("#chat", "#source-panel", "#documents", "#doc-pick"):
        found = pg.evaluate(
            """(sel) => { const root = document.querySelector(sel); if (!root) return [];
                return Array.from(root.querySelectorAll('img[onerror], script, [onerror]'))
                            .map(e => e.outerHTML); }""",
            where,
        )
        assert found == [], (where, found)
    scripts = pg.evaluate("Array.from(document.scripts).map(s => s.textContent)")
    assert not any("alert" in s for s in scripts)
    assert pg.dialogs == []


def test_xss_document_stays_inert(page: Any, tmp_path: Path) -> None:
    answer = ask(page, "Which literal text must stay inert in the security sample?")
    assert "<script>alert(1)</script>" in answer.inner_text()  # shown as text
    answer.locator(".cite").first.click()
    page.locator("#source-panel mark").wait_for(timeout=10_000)
    assert "<script>alert(1)</script>" in page.inner_text("#source-panel mark")
    assert "xss.html" in page.inner_text("#source-panel")
    page.wait_for_timeout(500)
    assert_inert(page)
    shot(page, "06-xss-html")

    evil = tmp_path / "moonfish.md"
    evil.write_text(EVIL, encoding="utf-8")
    open_tab(page, "Library")
    page.set_input_files("#upload input[type=file]", str(evil))
    assert "added" in wait_for_report(page, "moonfish.md")
    open_tab(page, "Chat")
    answer = ask(page, "What did the moonfish festival poster read?")
    assert "<img src=x onerror=alert('body')>" in answer.inner_text()
    card = last_turn_cards(page).first
    assert "<img src=x onerror=alert('title')>" in card.inner_text()
    card.click()
    page.wait_for_function(
        "(document.querySelector('#source-panel mark') || {innerText: ''})"
        ".innerText.includes('moonfish festival')",
        timeout=10_000,
    )
    panel = page.inner_text("#source-panel")
    # the Markdown's raw HTML is reduced to its text in the readable panel: no tag, no script
    assert "alert('body')" in panel and "<script" not in panel
    # the panel is a gr.HTML template: template syntax from a document stays literal too
    assert "${alert('template')}" in panel and "{{constructor.constructor(" in panel
    page.wait_for_timeout(500)
    assert_inert(page)
    shot(page, "07-xss-markdown-chat")
    # the conversation's Markdown export keeps a typed <img …> and the documents' markup as
    # text: rendered by CommonMark, none of it becomes a tag
    ask(page, "Was the poster <img src=x onerror=alert('question')> red?")
    page.click("#export-conv")
    link = page.locator("#export a[href]").first
    link.wait_for(timeout=10_000)
    markdown = page.request.get(link.get_attribute("href")).text()
    html = MarkdownIt("commonmark").render(markdown).replace("&#x27;", "'")
    assert "<img" not in html and "<script" not in html, html
    assert "&lt;img src=x onerror=alert('question')&gt;" in html  # the question, as text
    assert "&lt;script&gt;alert('body')&lt;/script&gt;" in html  # the document's, as text
    open_tab(page, "Library")
    page.wait_for_timeout(300)
    assert_inert(page)
    shot(page, "08-xss-markdown-library")


def test_backend_picker_probes_and_streams(page: Any, fake_llm: FakeOpenAI) -> None:
    assert "extractive" in page.inner_text("#backend-status")
    assert page.locator("#backend-status .light.green").count() == 1
    page.click("#backend input")
    page.get_by_role("option", name="openai").click()
    page.wait_for_function(
        "document.querySelector('#backend-status').innerText.includes('openai')", timeout=10_000
    )
    assert page.locator("#backend-status .light.green").count() == 1, page.inner_text(
        "#backend-status"
    )
    answer = ask(page, QUESTION)
    assert "14 March 2021" in answer.inner_text()
    assert answer.locator(".cite").count() >= 1
    assert any("chat/completions" in p for p in fake_llm.paths)
    shot(page, "09-openai-backend")


def test_api_ask_with_gradio_client(app: str) -> None:
    from gradio_client import Client

    client = Client(app, verbose=False, analytics_enabled=False, download_files=False)
    assert list(client.view_api(print_info=False, return_format="dict")["named_endpoints"]) == [
        "/ask"
    ]
    data = client.predict(QUESTION, "test", "extractive", api_name="/ask")
    assert data["answered"] is True and "14 March 2021" in data["answer"]
    short = data["short_answer"]  # verbatim: its offsets point at it in the cited source
    assert short["text"] == "14 March 2021" and short["n"] == 1 and short["inferred"] is False
    cited = data["citations"][0]  # its span, by the same document offsets as the citation's
    at = short["start"] - cited["start"]
    assert cited["start"] <= short["start"] < short["end"] <= cited["end"]
    assert cited["text"][at : at + len(short["text"])] == short["text"]
    assert data["conversation_id"] and data["citations"][0]["source"] == "desalination-plant.md"
    with pytest.raises(Exception, match="does not exist"):
        client.predict(QUESTION, "no-such-collection", "extractive", api_name="/ask")


def test_settings_tab_saves_config_toml(page: Any, app_home: Path) -> None:
    config = app_home / "config.toml"
    open_tab(page, "Settings")
    page.fill("#set-top-k input", "0")
    page.click("#save-settings")
    page.wait_for_function("document.body.innerText.includes('invalid settings')",
                           timeout=10_000)  # fmt: skip
    assert not config.exists()  # a bad value never reaches the file
    shot(page, "12-settings-error")
    page.fill("#set-top-k input", "6")
    page.fill("#set-ollama-model textarea", "llama3.2-test")
    page.click("#save-settings")
    page.wait_for_function("document.body.innerText.includes('the next question uses it')",
                           timeout=10_000)  # fmt: skip
    data = tomllib.loads(config.read_text(encoding="utf-8"))  # tables: [retrieval], [llm], ...
    saved = {f"{table}.{key}": v for table, keys in data.items() for key, v in keys.items()}
    assert set(saved) == set(EDITABLE)
    assert saved["llm.ollama_model"] == "llama3.2-test" and saved["retrieval.top_k"] == 6
    shot(page, "13-settings-saved")


def test_auth_protects_the_app(tmp_path: Path) -> None:
    from gradio_client import Client

    home = tmp_path / "home"
    with running_app(home, tmp_path / "ui.log", DOSSIER_AUTH="reader:s3cret") as url:
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(url + "config", timeout=10)
        assert denied.value.code == 401
        with pytest.raises(Exception):  # noqa: B017 - whatever the client raises, no access
            Client(url, verbose=False, analytics_enabled=False, download_files=False)
        client = Client(url, auth=("reader", "s3cret"), verbose=False, analytics_enabled=False,
                        download_files=False)  # fmt: skip
        data = client.predict(QUESTION, "test", "extractive", api_name="/ask")
        assert "14 March 2021" in data["answer"]


def test_latency_in_the_browser(page: Any) -> None:
    """Enter to first streamed text and to the complete answer, over five questions."""
    questions = [
        QUESTION,
        "How much did the desalination plant cost?",
        "What did the greywater pilot find?",
        "What water restrictions apply?",
        "How full is the reservoir?",
    ]
    rows = []
    for q in questions:
        result = timed_ask(page, q)
        rows.append({"question": q, "first_token_ms": round(result["first_ms"], 1),
                     "complete_ms": round(result["complete_ms"], 1),
                     "source_cards": result["cards"]})  # fmt: skip
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "ui-latency.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    shot(page, "11-latency-run")
    for r in rows:
        assert r["first_token_ms"] <= r["complete_ms"] < 15_000, r
