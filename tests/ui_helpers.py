"""Shared pieces of the browser tests: the `dossier ui` subprocess, Chromium, screenshots.

The app runs in a subprocess with the hashing embedder over a pre-ingested temporary
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

from tests.conftest import DATA, FIXTURE_CORPUS

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


@contextlib.contextmanager
def running_app(home: Path, log: Path, **env_extra: str) -> Iterator[str]:
    """`dossier ui` on a free port over ``home`` (pre-ingested into 'test'); yields its URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
    env |= {"DOSSIER_HOME": str(home), "DOSSIER_EMBEDDER": "hashing",
            "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
            "ANONYMIZED_TELEMETRY": "False", **env_extra}  # fmt: skip
    cli = [sys.executable, "-m", "dossier.cli"]
    subprocess.run([*cli, "ingest", str(FIXTURE_CORPUS), str(DATA / "xss.html"), "--embedder",
                    "hashing", "-c", "test"], env=env, check=True, capture_output=True)  # fmt: skip
    port = free_port()
    with log.open("wb") as out:
        argv = [*cli, "ui", "--port", str(port), "--collection", "test", "--embedder", "hashing"]
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=out)
        try:
            wait_for_port(port, proc)
            yield f"http://127.0.0.1:{port}/"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


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
def app_page(browser: Any, url: str) -> Iterator[Any]:
    """A fresh page on the app, loaded; ``page.dialogs`` records every alert it tries."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    try:
        pg = context.new_page()
        pg.dialogs = []  # every alert/confirm/prompt the page tries to open
        pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
        pg.goto(url, wait_until="domcontentloaded")
        pg.wait_for_selector("#question textarea", timeout=60_000)
        pg.wait_for_selector("#backend-status .light", timeout=30_000)
        yield pg
    finally:
        context.close()


def shot(pg: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_tab(pg: Any, name: str) -> None:
    pg.get_by_role("tab", name=name).click()
