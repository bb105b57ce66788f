"""Runs ``dossier ingest`` in forked child processes, killing some with SIGKILL (test_crash).

A fresh Python with Dossier and Chroma imported takes seconds to start on a busy machine;
forking this process (which has imported everything but opened no store, so no Chroma
engine or thread runs here) starts an ingest in milliseconds, and so a test can kill
dozens. Protocol: one JSON object a line on stdin, one answer a line on stdout::

    {"argv": ["ingest", ...], "env": {...}, "kill_after": 0.4}
    -> {"killed": true, "code": null, "elapsed": 0.41}

``kill_after`` null: the child runs to its end (``code`` is its exit status).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time


def _preload() -> None:
    """Everything an ingest imports, and the tokenizer, loaded before any fork."""
    import chromadb.api.rust  # noqa: F401

    import dossier.commands  # noqa: F401
    import index.check
    import index.ingest  # noqa: F401
    from corpus.tokens import count_tokens

    count_tokens("warm the tokenizer")


def _child(argv: list[str], env: dict[str, str]) -> None:
    from dossier.cli import main

    os.environ.update(env)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # the protocol's stdout is the parent's
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
        _child(argv, env)
    killed = False
    if kill_after is not None:
        deadline = start + float(kill_after)  # type: ignore[arg-type]
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.005)
        else:
            os.kill(pid, signal.SIGKILL)
            killed = True
            _, status = os.waitpid(pid, 0)
    else:
        _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return {"killed": killed, "code": None if killed else code,
            "elapsed": time.monotonic() - start}  # fmt: skip


def main() -> int:
    _preload()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(run(json.loads(line))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
