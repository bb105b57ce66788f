"""Markdown YAML front matter as flat metadata, safely.

YAML aliases are refused: a few hundred bytes of nested aliases expand to millions of
values (a 328-byte ``tags`` took 10 s to read and made a 312 MB catalog). The block's size
is capped, and anything YAML itself raises (bad dates, deep nesting, huge integers) makes
the front matter ignored with a warning rather than failing the file.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Any

from corpus.decoding import clean

_KEPT_LISTS = {"tags"}
MAX_LIST_ITEMS = 100  # tags kept per document
MAX_VALUE_CHARS = 1000  # a longer value (or tag) is cut to this


def load_front_matter(block: str, warnings: list[str], max_bytes: int) -> dict[str, Any] | None:
    """The front matter as metadata, or None (with a warning) when it is not usable."""
    size = len(block.encode("utf-8", errors="replace"))
    if size > max_bytes:
        warnings.append(f"front matter too large ({math.ceil(size / 1024)} KB; limit "
                        f"{max_bytes / 1024:g} KB); ignored")  # fmt: skip
        return None
    try:
        loaded = _load(block)
    except Exception as err:  # anything YAML raises means: not usable front matter
        first_line = str(err).splitlines()[0] if str(err) else type(err).__name__
        warnings.append(f"malformed YAML front matter ignored: {first_line[:200]}")
        return None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        warnings.append("front matter is not a key/value mapping; ignored")
        return None
    return _normalise(loaded)


def _load(block: str) -> Any:
    import yaml

    return yaml.load(block, Loader=_no_alias_loader())  # a SafeLoader subclass


@functools.cache
def _no_alias_loader() -> type:
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        """SafeLoader that refuses aliases (``*name``) instead of expanding them."""

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not allowed", mark
                )
            return super().compose_node(parent, index)

    return NoAliasLoader


def _normalise(raw: dict[Any, Any]) -> dict[str, Any]:
    """Keep scalar values (dates as ISO strings) and ``tags`` as a list of strings.

    Nested values are dropped: vector stores accept only flat scalar metadata.
    """
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = _clip(str(key))
        if name in _KEPT_LISTS:
            out[name] = _string_list(value)
        elif isinstance(value, dt.date):  # datetime is a date subclass
            out[name] = value.isoformat()
        elif isinstance(value, str):
            out[name] = _clip(value)
        elif _storable_number(value):
            out[name] = value
    if "title" in out:
        out["title"] = " ".join(str(out["title"]).split())
    return out


def _storable_number(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)  # JSON has no inf or nan
    return isinstance(value, bool | int) and abs(value) < 2**63  # SQLite's integers


def _string_list(value: Any) -> list[str]:
    # "tags: a, b" is a common hand-written form of a list.
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        items = [items]
    kept = (_clip(str(item).strip()) for item in items if item is not None)
    return [item for item in kept if item][:MAX_LIST_ITEMS]


def _clip(text: str) -> str:
    # YAML escapes can make NULs and lone surrogates, which SQLite cannot store.
    text = clean(text)[:MAX_VALUE_CHARS]
    return text.encode("utf-8", errors="replace").decode("utf-8")
