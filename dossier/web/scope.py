"""Which documents a question may use: the ticked documents, a folder and a tag, chosen in
the Library, shown as a chip above the question box, and honoured by /ask too."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from assistant.service import Assistant
from corpus.errors import NotFoundError
from index.catalog import DocumentInfo
from index.types import SearchFilter


@dataclass(frozen=True)
class Scope:
    """Kept in the page's session; empty means the whole collection."""

    doc_ids: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    folder: str = ""
    tag: str = ""

    @classmethod
    def of(cls, ticked: Iterable[str], docs: Sequence[DocumentInfo], folder: str = "",
           tag: str = "") -> Scope:  # fmt: skip
        """The ticked ids that still name a document, with their titles."""
        wanted = set(ticked)
        kept = [d for d in docs if d.doc_id in wanted]
        return cls(tuple(d.doc_id for d in kept), tuple(d.title or d.source for d in kept),
                   (folder or "").strip().strip("/"), (tag or "").strip())  # fmt: skip

    @classmethod
    def named(cls, names: Iterable[str], docs: Sequence[DocumentInfo], folder: str = "",
              tag: str = "") -> Scope:  # fmt: skip
        """A scope from document ids or paths (the /ask API); an unknown name is an error."""
        by_name = {d.doc_id: d.doc_id for d in docs} | {d.source: d.doc_id for d in docs}
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise NotFoundError(
                f"no document {', '.join(map(repr, unknown))} in the collection "
                "(give document ids or paths, as `dossier documents` lists)"
            )
        return cls.of([by_name[n] for n in names], docs, folder, tag)

    @property
    def active(self) -> bool:
        return bool(self.doc_ids or self.folder or self.tag)

    def search_filter(self) -> SearchFilter | None:
        if not self.active:
            return None
        return SearchFilter(source=f"{self.folder}/*" if self.folder else None,
                            tag=self.tag or None, doc_ids=frozenset(self.doc_ids))  # fmt: skip

    def describe(self) -> str:
        parts = []
        if self.doc_ids:
            shown = ", ".join(f"“{t}”" for t in self.titles[:3])
            more = f" and {len(self.titles) - 3} more" if len(self.titles) > 3 else ""
            n = len(self.doc_ids)
            parts.append(f"{n} document{'s' * (n != 1)}: {shown}{more}")
        if self.folder:
            parts.append(f"folder {self.folder}/")
        if self.tag:
            parts.append(f"tag “{self.tag}”")
        return " · ".join(parts)

    def chip(self) -> str:
        """The chip above the question box (empty: the whole collection)."""
        if not self.active:
            return str(Markup('<div class="scope-chip all">Searching all documents. Tick '
                              "documents in the Library to narrow it.</div>"))  # fmt: skip
        return str(Markup('<div class="scope-chip" role="status"><span class="chip">Only '
                          "{}</span></div>").format(self.describe()))  # fmt: skip


def scoped(helper: Assistant, scope: Scope | None) -> Assistant:
    """The cached assistant, restricted to ``scope`` (a shallow copy: models stay shared)."""
    filters = scope.search_filter() if scope else None
    if filters is None:
        return helper
    narrowed = copy.copy(helper)
    narrowed.filters = filters
    return narrowed
