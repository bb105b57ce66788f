"""The browser app (Gradio): chat with clickable citations, library, settings, briefings and
evaluation. ``dossier ui`` (or ``python ui.py``) serves it.

One module per tab (``chat``, ``library``, ``settings``, ``briefing``, ``evaluation``), all
HTML in ``html`` (markupsafe templates), the shared caches in ``engine``, and ``app`` ties
them together. Importing this package is cheap; Gradio loads with ``build`` or ``launch``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dossier.web.app import build, launch, parse_auth
    from dossier.web.engine import Engine

__all__ = ["CONCURRENCY", "Engine", "build", "launch", "parse_auth"]

# Questions answered at once (``dossier ui --concurrency``); on a small CPU more would only
# wait inside the models rather than in Gradio's queue, which shows users their place.
CONCURRENCY = 8


def __getattr__(name: str) -> Any:
    if name == "Engine":
        from dossier.web.engine import Engine

        return Engine
    if name in __all__:
        from dossier.web import app

        return getattr(app, name)
    raise AttributeError(f"module 'dossier.web' has no attribute {name!r}")
