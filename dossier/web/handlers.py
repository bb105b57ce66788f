"""What every tab of the app shares: the header controls, one concurrency group, and errors
shown as messages."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

import gradio as gr
from markupsafe import escape

from corpus.errors import DossierError

log = logging.getLogger("dossier.ui")
P = ParamSpec("P")
T = TypeVar("T")

# One concurrency group: chat, ingest, remove, briefings, evaluations and /ask never overlap
# (they share the collection caches and the embedding model).
CORE = "core"


@dataclass(frozen=True)
class Header:
    """The controls above the tabs, which every tab reads."""

    collection: gr.Dropdown
    backend: gr.Dropdown
    light: gr.HTML


def friendly(fn: Callable[P, T]) -> Callable[P, T]:
    """DossierErrors become readable messages in the page; never a stack trace."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(*args, **kwargs)
        except DossierError as err:
            raise gr.Error(str(escape(err)), print_exception=False) from None
        except gr.Error:
            raise
        except Exception as exc:
            raise gr.Error(str(escape(unexpected(exc))), print_exception=False) from None

    return wrapper


def unexpected(exc: BaseException) -> str:
    """A bug: logged with its traceback on the server, one neutral line in the page."""
    log.error("unexpected error", exc_info=exc)
    return f"Unexpected error ({type(exc).__name__}); see the server log."


def info(message: str) -> None:
    gr.Info(str(escape(message)))


def warn(message: str) -> None:
    gr.Warning(str(escape(message)))
