"""The Briefing and Evaluation tabs end to end, in Chromium against a real `dossier ui`.

The app (tests/ui_helpers.py) runs with the hashing embedder, whose relevance scores are
low: DOSSIER_ANSWER__MIN_EVIDENCE=0.25 lets the briefing find evidence in the fixture corpus.
Screenshots of each step land in tests/artifacts/ (20-… for briefings, 30-… for evaluation).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from tests.conftest import DATA, FIXTURE_CORPUS
from tests.ui_helpers import open_tab, running_app, shot

pytestmark = pytest.mark.slow

TOPIC = "desalination plant and water supply"
UNCOVERED = "quantum chromodynamics of gluon plasma"
QA = [
    {"id": "q1", "question": "When did the council approve the desalination plant?",
     "answers": ["14 March 2021"], "evidence": ["desalination-plant.md"]},
    {"id": "q2", "question": "How much does the desalination plant cost?",
     "answers": ["48.5 million dollars"], "evidence": ["desalination-plant.md"]},
    {"id": "q3", "question": "When did Stage 3 water restrictions take effect?",
     "answers": ["1 November 2020"], "evidence": ["water-restrictions.html"]},
]  # fmt: skip


@pytest.fixture(scope="module")
def app_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ui-tabs") / "home"


@pytest.fixture(scope="module")
def app(app_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = app_home.parent / "ui.log"
    # the evaluation test types the fixture corpus and a qa.jsonl of its own tmp_path
    allow = (DATA, tmp_path_factory.getbasetemp())
    with running_app(app_home, log, allow=allow, DOSSIER_ANSWER__MIN_EVIDENCE="0.25") as url:
        yield url


def words(text: str) -> str:
    """Text without markup, as single-spaced words (for 'is this span in that file')."""
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def brief(pg: Any, topic: str, expect: str) -> str:
    """Generate a briefing on ``topic``; wait until #briefing shows ``expect``; its text."""
    pg.fill("#brief-topic textarea", topic)
    pg.click("#brief-go")
    pg.wait_for_function(
        """([t, e]) => { const b = document.querySelector('#briefing');
                         return b && b.innerText.includes(t) && b.innerText.includes(e); }""",
        arg=[topic, expect],
        timeout=20_000,
    )
    return str(pg.inner_text("#briefing"))


def assert_briefing_inert(pg: Any) -> None:
    for where in ("#briefing", "#brief-source-panel"):
        found = pg.evaluate(
            """(sel) => Array.from(document.querySelector(sel).querySelectorAll(
                 'img, script, iframe, [onerror], [onclick], a[href^="javascript:"]'))
                 .map(e => e.outerHTML)""",
            where,
        )
        assert found == [], (where, found)
    scripts = pg.evaluate("Array.from(document.scripts).map(s => s.textContent)")
    assert not any("alert" in s for s in scripts)
    assert pg.dialogs == []


def test_briefing_citations_and_downloads(page: Any) -> None:
    open_tab(page, "Briefing")
    text = brief(page, TOPIC, "Executive summary")
    assert "Sources" in text and "desalination-plant.md" in text
    shot(page, "20-briefing")

    marker = page.locator("#briefing .bcite-1").first
    assert marker.inner_text() == "[1]"
    marker.click()
    mark = page.locator("#brief-source-panel mark")
    mark.wait_for(timeout=10_000)
    span = words(mark.inner_text())
    panel = page.inner_text("#brief-source-panel")
    assert span and panel.startswith("[1] ")
    # the panel names the cited file; the marked span is text of that file
    first_source = page.inner_text("#brief-source-panel .source-meta code")
    assert page.locator("#briefing li", has_text=first_source).count() >= 1  # a listed source
    assert span in words((FIXTURE_CORPUS / first_source).read_text(encoding="utf-8"))
    # the passage sits inside its surrounding text, and it is not a stale-copy note
    assert "since this answer" not in panel
    assert len(page.inner_text("#brief-source-panel .passage")) > len(span)
    shot(page, "21-briefing-source-panel")

    links = page.locator("#brief-files a[download]")
    links.first.wait_for(timeout=10_000)
    names = sorted(Path(links.nth(i).get_attribute("href")).suffix for i in range(links.count()))
    assert names == [".docx", ".html", ".md"], names
    markdown = page.request.get(links.first.get_attribute("href")).text()
    assert "Executive summary" in markdown and TOPIC in markdown
    shot(page, "22-briefing-downloads")


def test_briefing_on_an_uncovered_topic(page: Any) -> None:
    open_tab(page, "Briefing")
    text = brief(page, UNCOVERED, "does not cover")
    assert "Executive summary" not in text and page.locator("#briefing .cite").count() == 0
    shot(page, "23-briefing-uncovered")


def test_briefing_on_the_xss_document_stays_inert(page: Any) -> None:
    visible = words(re.sub(r"<(script|head)\b.*?</\1>", " ", (DATA / "xss.html").read_text(),
                           flags=re.S | re.I))  # fmt: skip
    # "Security sample This paragraph shows literal text script alert … link click"
    topic = " ".join(re.findall(r"[A-Za-z]{4,}", visible))
    open_tab(page, "Briefing")
    brief(page, topic, "Executive summary")
    text = page.inner_text("#briefing")
    assert "xss.html" in text and "<script>alert(1)</script>" in text  # shown as text
    # the Sources entry of xss.html holds its citation markers
    page.locator("#briefing li", has_text="xss.html").locator(".cite").first.click()
    page.wait_for_function(
        "(document.querySelector('#brief-source-panel') || {innerText: ''})"
        ".innerText.includes('xss.html')",
        timeout=10_000,
    )
    page.wait_for_timeout(500)
    assert_briefing_inert(page)
    shot(page, "24-briefing-xss")
    # its downloads keep the document's markup as text: the Markdown rendered by CommonMark
    # and the HTML hold no tag of it
    links = page.locator("#brief-files a[download]")
    links.first.wait_for(timeout=10_000)
    got = {Path(h).suffix: page.request.get(h).text()
           for h in (links.nth(i).get_attribute("href") for i in range(links.count()))
           if not h.endswith(".docx")}  # fmt: skip
    for html in (MarkdownIt("commonmark").render(got[".md"]), got[".html"]):
        assert "<script>alert" not in html and "&lt;script&gt;alert(1)" in html


def metric_rows(pg: Any) -> dict[str, str]:
    cells = pg.locator("#eval-metrics [role=gridcell]").all_inner_texts()
    return dict(zip(cells[::2], cells[1::2], strict=False))


def test_evaluation_run_twice_and_compare(page: Any, tmp_path: Path, app_home: Path) -> None:
    qa = tmp_path / "qa.jsonl"
    qa.write_text("".join(json.dumps(q) + "\n" for q in QA), encoding="utf-8")
    runs = app_home / "eval-runs"
    open_tab(page, "Evaluation")
    page.fill("#eval-corpus textarea", str(FIXTURE_CORPUS))
    page.fill("#eval-qa textarea", str(qa))
    page.fill("#eval-limit input", "-1")
    page.click("#eval-run")
    page.get_by_text("Questions must be 0 (all) or more").first.wait_for(timeout=10_000)
    assert not runs.exists()
    page.fill("#eval-limit input", "0")
    page.click("#eval-run")
    page.wait_for_function(
        "document.querySelector('#eval-metrics').innerText.includes('accuracy')", timeout=30_000
    )
    metrics = metric_rows(page)
    assert float(metrics["questions"]) == len(QA), metrics
    assert float(metrics["accuracy"]) > 0, metrics
    first = sorted(p.name for p in runs.glob("*.json"))
    assert len(first) == 1
    shot(page, "30-eval-first-run")

    page.click("#eval-run")  # at once: a second run in the same second must not overwrite
    page.wait_for_function(
        """(name) => { const t = Array.from(document.querySelectorAll('#eval-runs .token'))
                                 .map(e => e.innerText);
                       return t.length === 1 && !t[0].includes(name); }""",
        arg=first[0],
        timeout=30_000,
    )
    names = sorted(p.name for p in runs.glob("*.json"))
    assert len(names) == 2 and first[0] in names, names
    for r in names:
        data = json.loads((runs / r).read_text(encoding="utf-8"))
        assert data["kind"] == "answers" and len(data["results"]) == len(QA)

    page.click("#eval-runs input")
    page.get_by_role("option", name=first[0]).click()
    page.keyboard.press("Escape")
    tokens = page.locator("#eval-runs .token").all_inner_texts()
    assert sorted(t.strip() for t in tokens) == names, tokens
    shot(page, "31-eval-two-runs")

    page.click("#eval-compare")
    frame = page.locator("#eval-report iframe")
    frame.wait_for(timeout=10_000)
    srcdoc = frame.get_attribute("srcdoc")
    assert "accuracy" in srcdoc and "<svg" in srcdoc
    assert frame.get_attribute("sandbox") == ""  # no scripts, no same-origin in the report
    report = page.frame_locator("#eval-report iframe")
    report.locator("svg").first.wait_for(timeout=10_000)
    assert "accuracy" in report.locator("body").inner_text()
    page.locator("#eval-report").scroll_into_view_if_needed()
    shot(page, "32-eval-compare")

    # a page loaded later offers the runs made since the app started
    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector("#question textarea", timeout=60_000)
    open_tab(page, "Evaluation")
    page.click("#eval-runs input")
    for name in names:
        page.get_by_role("option", name=name).wait_for(timeout=10_000)
    shot(page, "33-eval-runs-after-reload")
