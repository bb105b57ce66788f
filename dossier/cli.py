"""The ``dossier`` command line: argument parsing, and DossierErrors turned into exit codes.

Exit codes: 0 success; 1 an unexpected error; 2 bad usage or settings; 3 an ingest in which
some files failed (the others were ingested); 4 a collection built with other settings;
5 a collection or document that does not exist; 6 a missing optional extra (or a broken
install); 7 a model backend failure; 8 the vector store (a Chroma server) cannot be reached;
9 the Chroma collection belongs to another home's catalog; 10 another process is writing
(when told not to wait); 11 'dossier check' found disagreements it did not repair;
130 interrupted.

``main`` is, with ``ui.py``, the only place that sets process environment variables.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Sequence

from corpus.errors import BusyError, DossierError
from dossier.cli_parser import build_parser

# Defaults for the libraries underneath, set before any of them is imported.
ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",  # models are packaged: never ask the Hub
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TOKENIZERS_PARALLELISM": "false",  # no fork warning from the tokenizers library
    "ANONYMIZED_TELEMETRY": "False",  # Chroma: no usage reports
    "GRADIO_ANALYTICS_ENABLED": "False",  # the app: none either
}


def main(argv: Sequence[str] | None = None) -> int:
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    args = build_parser().parse_args(argv)
    from dossier import commands

    try:
        if args.command == "ui":  # set before Gradio loads: its copies of uploads go under home
            os.environ.setdefault("GRADIO_TEMP_DIR", str(commands.settings_from(args).home / "tmp"))
        code = commands.run(args)
        sys.stdout.flush()  # a reader that left shows here, inside these handlers
        return code
    except DossierError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader left (`dossier ask … | head`): as other tools do
        # stdout still holds unflushed bytes for the closed pipe; drop them silently
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a tool the pipe stopped
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if os.environ.get("DOSSIER_DEBUG"):
            raise
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            busy = BusyError(f"another process holds a database locked ({exc}): try again")
            print(f"error: {busy}", file=sys.stderr)  # SQLite gave up waiting: not a bug
            return busy.exit_code
        print(f"unexpected error: {type(exc).__name__}: {exc} "
              "(set DOSSIER_DEBUG=1 to see the traceback)", file=sys.stderr)  # fmt: skip
        return 1


if __name__ == "__main__":
    sys.exit(main())
