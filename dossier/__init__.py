"""Dossier: the wiring edge (settings, command line) over corpus, index, assistant and eval."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dossier")  # one source: pyproject.toml
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
