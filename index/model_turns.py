"""Turns at a shared model: one caller at a time, a question's call before a waiting bulk
call (an ingest's batch), but a bulk call never waits longer than ``patience``."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

PATIENCE_S = 0.5


class ModelTurns:
    """Mutual exclusion with two classes of caller. A foreground caller (a question) waits
    only for the call in progress. A background caller (an ingest, marked per thread with
    ``background()``) also lets foreground callers that are waiting go first, for at most
    ``patience`` seconds, so an ingest slows down under questions but always moves on."""

    def __init__(self, patience: float = PATIENCE_S) -> None:
        self.patience = patience
        self._cond = threading.Condition()
        self._busy = False
        self._waiting = 0  # foreground callers waiting for a turn
        self._overdue = 0  # background callers whose patience ran out: they go next
        self._local = threading.local()

    @contextmanager
    def background(self) -> Iterator[None]:
        """Calls made by this thread meanwhile are background calls."""
        before = getattr(self._local, "background", False)
        self._local.background = True
        try:
            yield
        finally:
            self._local.background = before

    @contextmanager
    def turn(self, *, urgent: bool = False) -> Iterator[None]:
        """Hold the model. ``urgent`` calls never defer, even from a background thread
        (a quick tokenizer count in the middle of an ingest's chunking)."""
        with self._cond:
            if urgent or not getattr(self._local, "background", False):
                self._waiting += 1
                while self._busy or self._overdue:
                    self._cond.wait()
                self._waiting -= 1
            else:
                self._wait_in_background()
            self._busy = True
        try:
            yield
        finally:
            with self._cond:
                self._busy = False
                self._cond.notify_all()

    def _wait_in_background(self) -> None:
        """Let waiting foreground callers go first until ``patience`` runs out; from then
        on this caller goes before them (called with the condition held)."""
        deadline = time.monotonic() + self.patience
        overdue = False
        while True:
            late = time.monotonic() >= deadline
            if late and not overdue:
                overdue = True
                self._overdue += 1
            if not self._busy and (late or not self._waiting):
                break
            self._cond.wait(None if self._busy or late else deadline - time.monotonic())
        if overdue:
            self._overdue -= 1
