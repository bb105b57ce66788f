"""The DossierError family: every error a user can cause, with a message meant for them.

They live in the lowest package so that every layer can raise them; the CLI and the
app turn them into messages (and exit codes) at the edges only.
"""

from __future__ import annotations


class DossierError(Exception):
    """Base class: ``str(err)`` is a complete, user-facing message."""

    exit_code = 1


class ReadError(DossierError):
    """A document could not be read (corrupt, empty, no text, unsupported)."""

    exit_code = 3

    def __init__(self, path: object, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class UsageError(DossierError):
    """Bad command-line input or settings (a missing path, an unknown option value)."""

    exit_code = 2


class IndexMismatchError(DossierError):
    """A collection was built with other embedder or chunker settings."""

    exit_code = 4


class NotFoundError(DossierError):
    """A collection, document or conversation that does not exist."""

    exit_code = 5


class MissingDependencyError(DossierError):
    """A package Dossier always installs is missing: the install is broken."""

    exit_code = 6

    def __init__(self, package: str, what: str) -> None:
        self.package = package
        super().__init__(
            f"{what} needs '{package}', which Dossier installs with itself but is missing: "
            "reinstall Dossier (pip install --force-reinstall dossier, or make install)"
        )


class MissingExtraError(DossierError):
    """An optional dependency is not installed; the message names the extra."""

    exit_code = 6

    def __init__(self, extra: str, what: str) -> None:
        self.extra = extra
        super().__init__(
            f"{what} needs the optional extra '{extra}': pip install 'dossier[{extra}]'"
        )


class BackendError(DossierError):
    """A language-model backend failed (unreachable, timed out, returned garbage)."""

    exit_code = 7


class VectorStoreError(DossierError):
    """The vector store cannot be reached (a Chroma server that is down or elsewhere)."""

    exit_code = 8


class OwnershipError(DossierError):
    """A Chroma collection belongs to another Dossier catalog (another home or machine)."""

    exit_code = 9


class BusyError(DossierError):
    """Another process is writing to the collection, and this one was told not to wait."""

    exit_code = 10
