"""The local model in the browser, for real: a fresh `dossier ui` process, SmolLM2 picked in
the header. The light turns amber with 'Loading the model (~30 s)…' and only then green; a
question asked meanwhile shows that message in the chat, then the model's text under a
'Draft — checking citations…' label, then the checked answer in its place (no draft left).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dossier.web.html import DRAFT_LABEL
from tests.ui_helpers import running_app, shot

pytestmark = [pytest.mark.slow, pytest.mark.model]

QUESTION = "When did the council approve the desalination plant?"
LOAD_MS = 240_000  # SmolLM2 dequantizes in ~30 s alone; a shared 2-core machine takes longer

# Installed before Enter: records every loading message and draft the chat ever shows, so a
# draft that lasts a second is seen however the test's polling falls.
WATCH = """() => {
  const chat = document.querySelector('#chat');
  const seen = window.__seen = {loading: '', draft: '', draftText: ''};
  new MutationObserver(() => {
    const loading = chat.querySelector('.model-loading');
    if (loading) seen.loading = loading.innerText;
    const label = chat.querySelector('.draft-label');
    const text = chat.querySelector('.answer.draft');
    if (label && text && text.innerText.trim() && text.innerText.trim() !== '…') {
      seen.draft = label.innerText; seen.draftText = text.innerText;
    }
  }).observe(chat, {childList: true, subtree: true, characterData: true});
}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("ui-local") / "home"
    with running_app(home, home.parent / "ui.log") as url:
        yield url


def light(pg: Any) -> tuple[str, str]:
    dot = pg.locator("#backend-status .light")
    return str(dot.get_attribute("class")), str(pg.inner_text("#backend-status"))


def test_local_loads_visibly_then_drafts_then_answers(page: Any) -> None:
    page.click("#backend input")
    page.get_by_role("option", name="local").click()
    page.wait_for_function(
        "document.querySelector('#backend-status').innerText.includes('Loading the model')",
        timeout=20_000,
    )
    colour, text = light(page)
    assert "amber" in colour and "(~30 s)" in text  # picked: loading, not green
    shot(page, "local-01-loading-light")

    page.evaluate(WATCH)
    before = page.locator("#chat .answer.final").count()
    page.fill("#question textarea", QUESTION)
    page.press("#question textarea", "Enter")
    page.wait_for_function(
        f"document.querySelectorAll('#chat .answer.final').length > {before}", timeout=LOAD_MS
    )
    seen = page.evaluate("window.__seen")
    assert seen["loading"] == "Loading the model (~30 s)…", seen
    assert seen["draft"] == DRAFT_LABEL and seen["draftText"].strip(), seen
    # the checked answer took the draft's place
    assert page.locator("#chat .draft-label").count() == 0
    assert page.locator("#chat .answer.draft").count() == 0
    final = page.locator("#chat .answer.final").last
    assert "14 March 2021" in final.inner_text()
    assert final.locator(".cite").count() >= 1
    note = page.locator("#chat .note")
    if note.count():  # the model's sentence was not kept: the answer says why
        assert "showing the extractive answer instead" in note.last.inner_text()
    shot(page, "local-02-checked-answer")

    colour, text = light(page)
    assert "green" in colour and "loaded and ready" in text, text
