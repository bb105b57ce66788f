"""Reading files into Documents and cutting them into Chunks."""

from corpus.errors import DossierError, ReadError
from corpus.types import Chunk, Document, Heading

__all__ = ["Chunk", "Document", "DossierError", "Heading", "ReadError"]
