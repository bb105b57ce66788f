"""The one browser harness, shared by the browser tests and bench/ui_latency.py: the
`dossier ui` subprocess on a free port, Chromium, a loaded page, the in-page latency timer,
screenshots.

In the tests the app runs with the hashing embedder over a pre-ingested temporary
DOSSIER_HOME (the fixture corpus and tests/data/xss.html in the collection 'test');
Playwright drives Debian's Chromium (never `playwright install`).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.processes import free_port, stop

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
CLI = [sys.executable, "-m", "dossier.cli"]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise TimeoutError(f"the app did not open port {port} in {timeout} s")


def app_env(home: Path, **extra: str) -> dict[str, str]:
    """This process's environment without DOSSIER_* settings, offline, state under ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
    return env | {"DOSSIER_HOME": str(home), "GRADIO_ANALYTICS_ENABLED": "False",
                  "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", **extra}  # fmt: skip


@contextlib.contextmanager
def serving(args: list[str], env: dict[str, str], log: Path, timeout: float = 90,
            cwd: Path | None = None) -> Iterator[str]:  # fmt: skip
    """`dossier ui ARGS` on a free loopback port until the block ends; yields its URL."""
    port = free_port()
    with log.open("wb") as out:
        argv = [*CLI, "ui", "--port", str(port), *args]
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=out)
        try:
            wait_for_port(port, proc, timeout)
            yield f"http://127.0.0.1:{port}/"
        finally:
            stop(proc)


@contextlib.contextmanager
def running_app(home: Path, log: Path, extra: tuple[Path, ...] = (),
                allow: tuple[Path, ...] = (), **env_extra: str) -> Iterator[str]:  # fmt: skip
    """`dossier ui` on a free port over ``home`` (the fixture corpus, xss.html and ``extra``
    pre-ingested into 'test'; the folder and evaluation boxes may read ``allow``); yields
    its URL."""
    from tests.conftest import DATA, FIXTURE_CORPUS

    env = app_env(home, DOSSIER_EMBEDDING__NAME="hashing", **env_extra)
    paths = [str(FIXTURE_CORPUS), str(DATA / "xss.html"), *map(str, extra)]
    done = subprocess.run([*CLI, "ingest", *paths, "--embedder", "hashing", "-c", "test"],
                          env=env, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, f"ingest failed ({done.returncode}): {done.stderr[-2000:]}"
    allowed = [a for folder in allow for a in ("--allow-folder", str(folder))]
    with serving(["--collection", "test", "--embedder", "hashing", *allowed], env, log) as url:
        yield url


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright."""
    # no skip: a missing browser is a broken test setup (.ci/run installs it)
    from playwright import sync_api

    assert CHROMIUM.exists(), (
        "the browser tests need Debian's Chromium: apt-get install -y chromium"
    )
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


@contextlib.contextmanager
def app_page(browser: Any, url: str, timeout_ms: float = 60_000,
             viewport: tuple[int, int] = (1500, 1000)) -> Iterator[Any]:  # fmt: skip
    """A fresh page on the app, loaded; ``page.dialogs`` records every alert it tries."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    try:
        pg = context.new_page()
        pg.dialogs = []  # every alert/confirm/prompt the page tries to open
        pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
        pg.goto(url, wait_until="domcontentloaded")
        pg.wait_for_selector("#question textarea", timeout=timeout_ms)
        pg.wait_for_selector("#backend-status .light", timeout=timeout_ms / 2)
        yield pg
    finally:
        context.close()


# Installed before Enter is pressed: t0 at the (real) Enter keydown, then the first text of
# the new answer (streamed, or the final one if nothing streamed) and the complete, checked
# answer with its source cards.
WATCH = """() => {
  const box = document.querySelector('#question textarea');
  const chat = document.querySelector('#chat');
  const before = chat.querySelectorAll('.answer.final').length;
  const out = window.__latency = {t0: null, first_ms: null, complete_ms: null, cards: null};
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && out.t0 === null) out.t0 = performance.now();
  }, {capture: true, once: true});
  const check = () => {
    if (out.t0 === null) return;
    const now = performance.now();
    const streamed = Array.from(chat.querySelectorAll('.answer.streaming'))
      .some(e => e.innerText.trim() && e.innerText.trim() !== '…');
    const finals = chat.querySelectorAll('.answer.final');
    if (out.first_ms === null && (streamed || finals.length > before))
      out.first_ms = now - out.t0;
    if (finals.length > before) {
      const last = finals[finals.length - 1].parentElement;
      out.cards = last ? last.querySelectorAll('.sources .source-card').length : 0;
      out.complete_ms = now - out.t0;
      obs.disconnect();
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(chat, {childList: true, subtree: true, characterData: true});
}"""


def timed_ask(pg: Any, question: str, timeout_ms: float = 30_000) -> dict[str, Any]:
    """Ask in the chat box, timed in the page: ``first_ms`` (Enter to the first answer text),
    ``complete_ms`` (to the checked answer) and ``cards`` (its source cards)."""
    pg.fill("#question textarea", question)
    pg.evaluate(WATCH)
    pg.press("#question textarea", "Enter")
    pg.wait_for_function("window.__latency.complete_ms !== null", timeout=timeout_ms)
    return dict(pg.evaluate("window.__latency"))


def shot(pg: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_tab(pg: Any, name: str) -> None:
    pg.get_by_role("tab", name=name).click()
