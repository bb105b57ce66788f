"""Runs ``dossier ingest`` in forked child processes, killing some with SIGKILL (test_crash).

A fresh Python with Dossier and Chroma imported takes seconds to start on a busy machine;
forking this process (which has imported everything but opened no store, so no Chroma
engine or thread runs here) starts an ingest in milliseconds, and so a test can kill
dozens. Protocol: one JSON object a line on stdin, one answer a line on stdout::

    {"argv": ["ingest", ...], "env": {...}, "kill_after": 0.4}
    -> {"killed": true, "code": null, "elapsed": 0.41}

``kill_after`` null: the child runs to its end (``code`` is its exit status). With
``"kill_at_write": [N, DELAY]`` the child kills itself with SIGKILL DELAY seconds after its
Nth store write began (a vector upsert or delete, a catalog swap or removal): a timed kill
can miss the writes when they are a small part of the run, this one cannot. With
``"detach": true`` the answer is ``{"pid": N}`` at once, and ``{"wait": N}`` later waits for
it. ``"stderr": PATH`` sends the child's stderr to a file.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path


class Worker:
    """The client: runs this module in a subprocess, which forks ``dossier`` children."""

    def __init__(self, log: Path) -> None:
        self._log = open(log, "w")  # noqa: SIM115 - closed in close()
        # no DOSSIER_ variable of the test run: each request gives its children theirs
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.crash_worker"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._log, text=True, env=env,
            cwd=Path(__file__).resolve().parents[1],
        )  # fmt: skip
        assert json.loads(self._readline()) == {"ready": True}

    def _readline(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, f"the crash worker died: {Path(self._log.name).read_text()[-2000:]}"
        return line

    def ingest(self, argv: list[str], env: dict[str, str], kill_after: float | None,
               kill_at_write: tuple[int, float] | None = None) -> dict:  # fmt: skip
        """``dossier ingest ARGV``, killed after ``kill_after`` seconds unless None, or
        ``kill_at_write[1]`` seconds after its ``kill_at_write[0]``-th store write began."""
        return self._ask({"argv": ["ingest", *argv], "env": env, "kill_after": kill_after,
                          "kill_at_write": kill_at_write})  # fmt: skip

    def start(self, argv: list[str], env: dict[str, str], stderr: Path) -> int:
        """Start ``dossier ARGV`` and return its pid at once; ``wait`` for its exit code."""
        return int(self._ask({"argv": argv, "env": env, "detach": True,
                              "stderr": str(stderr)})["pid"])  # fmt: skip

    def wait(self, pid: int) -> int:
        return int(self._ask({"wait": pid})["code"])

    def _ask(self, request: dict[str, object]) -> dict[str, object]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return dict(json.loads(self._readline()))

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self._log.close()


def _preload() -> None:
    """Everything an ingest imports, and the tokenizer, loaded before any fork."""
    import chromadb.api.rust  # noqa: F401

    import dossier.commands  # noqa: F401
    import index.check
    import index.ingest  # noqa: F401
    from corpus.tokens import count_tokens

    count_tokens("warm the tokenizer")


def _kill_at_write(nth: int, delay: float) -> None:
    """SIGKILL this child ``delay`` seconds after its ``nth`` store write begins; the write
    itself goes on meanwhile, so the kill lands inside it or just after."""
    from index.catalog import Catalog
    from index.vectors import VectorStore

    calls = 0

    def counting(original: Callable[..., object]) -> Callable[..., object]:
        def write(*args: object, **kwargs: object) -> object:
            nonlocal calls
            calls += 1
            if calls == nth:
                threading.Timer(delay, os.kill, (os.getpid(), signal.SIGKILL)).start()
            return original(*args, **kwargs)

        return write

    for cls, name in ((VectorStore, "upsert"), (VectorStore, "delete"),
                      (Catalog, "replace_document"), (Catalog, "remove_document")):  # fmt: skip
        setattr(cls, name, counting(getattr(cls, name)))


def _child(argv: list[str], env: dict[str, str], stderr: str | None,
           kill_at_write: list[float] | None) -> None:  # fmt: skip
    from dossier.cli import main

    if kill_at_write:
        _kill_at_write(int(kill_at_write[0]), float(kill_at_write[1]))
    os.environ.update(env)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # the protocol's stdout is the parent's
    if stderr:
        os.dup2(os.open(stderr, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644), 2)
    code = 1
    try:
        code = main(argv)
    finally:
        os._exit(code)


def run(request: dict[str, object]) -> dict[str, object]:
    argv = [str(a) for a in request["argv"]]  # type: ignore[attr-defined]
    env = {str(k): str(v) for k, v in dict(request.get("env") or {}).items()}  # type: ignore[call-overload]
    kill_after = request.get("kill_after")
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        stderr = str(request["stderr"]) if request.get("stderr") else None
        _child(argv, env, stderr, request.get("kill_at_write"))  # type: ignore[arg-type]
    if request.get("detach"):
        return {"pid": pid}
    if kill_after is not None:
        deadline = start + float(kill_after)  # type: ignore[arg-type]
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.005)
        else:
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
    else:
        _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    killed = code == -signal.SIGKILL  # by the parent's timer or by the child's own
    return {"killed": killed, "code": None if killed else code,
            "elapsed": time.monotonic() - start}  # fmt: skip


def main() -> int:
    _preload()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        if "wait" in request:
            _, status = os.waitpid(int(request["wait"]), 0)
            answer: dict[str, object] = {"code": os.waitstatus_to_exitcode(status)}
        else:
            answer = run(request)
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
