"""Dossier: the wiring edge (settings, command line) over corpus, index, assistant and eval."""

__version__ = "0.1.0"
