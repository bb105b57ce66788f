"""The Dossier browser app's entry point: ``python ui.py [--collection NAME]`` or
``dossier ui``. The app itself is the package ``dossier.web``."""

from __future__ import annotations

import sys

from dossier.web import build, launch, parse_auth

__all__ = ["build", "launch", "main", "parse_auth"]


def main(argv: list[str] | None = None) -> int:
    """``dossier ui`` with the same options (host, port, collection, auth, home, embedder)."""
    from dossier.cli import main as cli_main

    return cli_main(["ui", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
