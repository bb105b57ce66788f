"""What every tab of the app shares: the header controls, the two concurrency groups, errors
shown as one message where the user acted, and long work run with progress."""

from __future__ import annotations

import functools
import inspect
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ParamSpec, TypedDict, TypeVar

import gradio as gr
from markupsafe import escape

from corpus.errors import DossierError

log = logging.getLogger("dossier.ui")
P = ParamSpec("P")
T = TypeVar("T")


class Group(TypedDict, total=False):
    """An event's concurrency keywords: ``click(fn, ins, outs, **QUESTIONS)``."""

    concurrency_id: str
    concurrency_limit: int


# Questions (chat, the /ask API, briefings) run side by side, as many at once as the app's
# limit (``dossier ui --concurrency``, the queue's default limit), sharing the embedder and
# models, which guard themselves. Writes (ingest, removal, evaluation) run one at a time and
# never hold up a question: readers see the catalog's last committed state meanwhile.
QUESTIONS: Group = {"concurrency_id": "questions"}
WRITES: Group = {"concurrency_id": "writes", "concurrency_limit": 1}


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


def message_of(exc: BaseException) -> str:
    """What the page says about a failure: a DossierError's own words, else one neutral line."""
    return str(exc) if isinstance(exc, DossierError) else unexpected(exc)


def guarded(outputs: int) -> Callable[[Callable[P, Any]], Callable[P, Any]]:
    """For a page event whose outputs end with a note (``html.note``): a failure leaves the
    ``outputs`` before it as they were (nothing blanked, nothing locked) and says why in the
    note, beside the control the user used (``outputs=0``: the note is the only output, a
    plain value). Generators (progress) are guarded as they run."""

    def failed(exc: BaseException) -> Any:
        from dossier.web.html import note

        message = note(message_of(exc), "error")
        return (*[gr.skip()] * outputs, message) if outputs else message

    def wrap(fn: Callable[P, Any]) -> Callable[P, Any]:
        if inspect.isgeneratorfunction(fn):

            @functools.wraps(fn)
            def steps(*args: P.args, **kwargs: P.kwargs) -> Iterator[Any]:
                try:
                    yield from fn(*args, **kwargs)
                except Exception as exc:
                    yield failed(exc)

            return steps

        @functools.wraps(fn)
        def call(*args: P.args, **kwargs: P.kwargs) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                return failed(exc)

        return call

    return wrap


Tick = Callable[[int, int, str], None]  # (done, total, what)
PROGRESS_EVERY_S = 0.15


@dataclass(frozen=True)
class Step:
    """Progress of work in the background: ``done`` of ``total`` units, doing ``what``."""

    done: int
    total: int
    what: str


def in_background(work: Callable[[Tick], T]) -> Iterator[Step | T]:
    """Run ``work(tick)`` in a thread; yield its progress as Steps (at most every
    PROGRESS_EVERY_S, and the last one always), then its result. Its exception is raised
    here. The generator handlers use this to show progress that moves."""
    events: queue.Queue[tuple[str, Any]] = queue.Queue()

    def run() -> None:
        try:
            events.put(("done", work(lambda d, t, w: events.put(("tick", Step(d, t, w))))))
        except BaseException as exc:  # handed to the waiting generator
            events.put(("error", exc))

    threading.Thread(target=run, name="dossier-work", daemon=True).start()
    last, shown = 0.0, None
    while True:
        kind, value = events.get()
        if kind == "tick":
            shown = value
            if time.monotonic() - last >= PROGRESS_EVERY_S:
                last = time.monotonic()
                yield value
            continue
        if kind == "error":
            raise value
        if shown is not None:
            yield shown  # the final count, even when it came quickly
        yield value
        return


def unexpected(exc: BaseException) -> str:
    """A bug: logged with its traceback on the server, one neutral line in the page."""
    log.error("unexpected error", exc_info=exc)
    return f"Unexpected error ({type(exc).__name__}); see the server log."


def info(message: str) -> None:
    gr.Info(str(escape(message)))


def warn(message: str) -> None:
    gr.Warning(str(escape(message)))
