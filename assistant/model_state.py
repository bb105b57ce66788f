"""A model loaded once per process, and what the app may truthfully say about it.

A model that runs in this process (SmolLM2) is usable only once it has really loaded here:
its extra's modules and its weights found on disk prove nothing about the import of
accelerate or the dequantizing of the weights. So a ``ModelLoader`` keeps the state of that
one load: ``unavailable`` (something is not installed: the cause and the install to run),
``not loaded``, ``loading``, ``ready``, or ``failed`` (remembered with its cause and remedy,
so a broken install is not retried, silently and slowly, on every question).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from corpus.errors import BackendError, MissingExtraError

T = TypeVar("T")
RESTART = "then restart Dossier (a running process does not see a new install)"


class Phase(StrEnum):
    UNAVAILABLE = "unavailable"
    NOT_LOADED = "not loaded"
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True)
class LoadState:
    """Where the load stands; ``cause`` and ``remedy`` say why it cannot be used and what to
    do (unavailable or failed)."""

    phase: Phase
    what: str  # "SmolLM2-135M-Instruct"
    cause: str = ""
    remedy: str = ""
    eta: str = ""  # how long a load takes, for the loading message: "~30 s"

    @property
    def ready(self) -> bool:
        return self.phase is Phase.READY

    @property
    def waiting(self) -> bool:
        """A question now would wait for the load (or start it)."""
        return self.phase in (Phase.NOT_LOADED, Phase.LOADING)

    def message(self) -> str:
        if self.phase is Phase.READY:
            return f"{self.what}: loaded and ready"
        if self.phase is Phase.LOADING:
            return f"Loading the model ({self.eta})…"
        if self.phase is Phase.NOT_LOADED:
            return f"{self.what}: installed, not loaded yet (loads on first use, {self.eta})"
        verb = "not installed" if self.phase is Phase.UNAVAILABLE else "failed to load"
        return f"{self.what}: {verb} ({self.cause}); {self.remedy}"


class ModelLoader(Generic[T]):
    """Loads one model at most once per process, and remembers how that went.

    ``check`` raises MissingExtraError when something is plainly missing (cheap: no heavy
    import); ``load`` does the real work and returns the model; ``explain`` turns a failure
    into (cause, remedy). A failed load is not retried: ``get`` raises the remembered failure
    at once, as a BackendError naming the remedy.
    """

    def __init__(
        self, what: str, check: Callable[[], None], load: Callable[[], T], *, eta: str,
        explain: Callable[[BaseException], tuple[str, str]],
    ) -> None:  # fmt: skip
        self.what = what
        self.eta = eta
        self._check = check
        self._load = load
        self._explain = explain
        self._lock = threading.Lock()  # one load at a time; a second caller waits for it
        self._value: T | None = None
        self._loading = False
        self._failure: LoadState | None = None

    def state(self) -> LoadState:
        if self._value is not None:
            return LoadState(Phase.READY, self.what, eta=self.eta)
        if self._failure is not None:
            return self._failure
        if self._loading:
            return LoadState(Phase.LOADING, self.what, eta=self.eta)
        try:
            self._check()
        except MissingExtraError as err:
            return self._failed(Phase.UNAVAILABLE, err)
        return LoadState(Phase.NOT_LOADED, self.what, eta=self.eta)

    def get(self) -> T:
        """The model, loading it now if need be (blocking); BackendError if it cannot be."""
        if self._value is not None:
            return self._value
        with self._lock:
            if self._value is None and self._failure is None:
                self._loading = True
                try:
                    self._check()
                    self._value = self._load()
                except MissingExtraError as err:
                    self._failure = self._failed(Phase.UNAVAILABLE, err)
                except Exception as err:  # any failure to load is remembered, not retried
                    self._failure = self._failed(Phase.FAILED, err)
                finally:
                    self._loading = False
            if self._value is None:  # the remembered failure
                raise BackendError(self.state().message())
            return self._value

    def start(self) -> LoadState:
        """Load in the background (a warm-up when the user picks the model); the state now."""
        now = self.state()
        if now.phase is Phase.NOT_LOADED:
            self._loading = True  # shown as loading before the thread gets the lock
            threading.Thread(target=self._quietly, name=f"load-{self.what}", daemon=True).start()
            return LoadState(Phase.LOADING, self.what, eta=self.eta)
        return now

    def _quietly(self) -> None:
        with contextlib.suppress(BackendError):  # remembered in the state the caller reads
            self.get()

    def _failed(self, phase: Phase, err: BaseException) -> LoadState:
        cause, remedy = self._explain(err)
        return LoadState(phase, self.what, cause[:300], remedy, self.eta)
