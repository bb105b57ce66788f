"""A real ``chroma run`` server on a loopback port, for the tests that run against one.

``make pytest`` (and so ``.ci/run``) starts one for the whole run and hands its URL to the
tests in ``TEST_CHROMA_URL``::

    python -m tests.chroma_server python -m pytest

Without that variable the tests start their own (``tests/conftest.py``, a session fixture).
The server is the ``chroma`` command of the installed chromadb wheel; nothing is downloaded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.processes import free_port, stop

URL_VARIABLE = "TEST_CHROMA_URL"
START_TIMEOUT = 60.0  # seconds; it starts in about 5 on a busy 2-core machine


def chroma_command() -> str:
    """The ``chroma`` script beside this Python (the venv's), else one on PATH."""
    beside = Path(sys.executable).parent / "chroma"
    found = str(beside) if beside.exists() else shutil.which("chroma")
    if found is None:
        raise RuntimeError("no 'chroma' command: install chromadb (make dev)")
    return found


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False


@contextmanager
def chroma_server(path: Path | None = None) -> Iterator[str]:
    """Start ``chroma run`` on a free loopback port; yield its URL; stop it (and its data)."""
    with tempfile.TemporaryDirectory(prefix="dossier-chroma-") as tmp:
        data = path or Path(tmp) / "data"
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115 - closed below
        cmd = [chroma_command(), "run", "--path", str(data), "--host", "127.0.0.1",
               "--port", str(port)]  # fmt: skip
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not _ready(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    tail = (Path(tmp) / "server.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"chroma run did not start on {url}:\n{tail}")
                time.sleep(0.2)
            yield url
        finally:
            stop(proc)
            log.close()


def main(argv: list[str]) -> int:
    """Run ``argv`` with a server started for it and its URL in ``TEST_CHROMA_URL``."""
    if not argv:
        print("usage: python -m tests.chroma_server COMMAND...", file=sys.stderr)
        return 2
    with chroma_server() as url:
        print(f"chroma server for the tests: {url}", file=sys.stderr)
        return subprocess.call(argv, env={**os.environ, URL_VARIABLE: url})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
