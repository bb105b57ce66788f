"""Imports point one way: corpus <- index <- assistant <- eval <- dossier <- ui.py.

Every module of the layers is parsed (nothing is imported), and every import in it counts:
at module level, inside functions, under ``if TYPE_CHECKING``, and
``importlib.import_module("...")`` with a literal name. A lower layer never imports a higher
one, so each layer can be read, tested and reused without the ones above it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("corpus", "index", "assistant", "eval", "dossier", "ui")  # lowest first
RANK = {name: i for i, name in enumerate(LAYERS)}


def modules() -> Iterator[tuple[str, Path]]:
    """(dotted module name, file) for every module of every layer."""
    for layer in LAYERS[:-1]:
        for path in sorted((ROOT / layer).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path
    yield "ui", ROOT / "ui.py"


def imported(module: str, source: str, is_package: bool = False) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for each import in ``source``."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module.split(".") if node.module else []
            if node.level:  # relative: resolve against the importing package
                parts = package.split(".")
                base = parts[: len(parts) - (node.level - 1)] + base
            if node.module:
                yield node.lineno, ".".join(base)
            else:  # "from . import x": x is a module of that package
                yield from ((node.lineno, ".".join([*base, a.name])) for a in node.names)
        elif isinstance(node, ast.Call) and (name := _import_module_arg(node)):
            yield node.lineno, name


def _import_module_arg(call: ast.Call) -> str | None:
    """The literal module name of ``importlib.import_module("...")``, else None."""
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if called != "import_module" or not call.args:
        return None
    arg = call.args[0]
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def violations(module: str, source: str, is_package: bool = False) -> list[str]:
    """Imports in ``source`` (of ``module``) of a layer above the module's own."""
    own = RANK[module.split(".")[0]]
    return [
        f"{module}:{line} imports {name}"
        for line, name in imported(module, source, is_package)
        if RANK.get(name.split(".")[0], -1) > own
    ]


def test_no_layer_imports_a_higher_one() -> None:
    found = [
        v
        for module, path in modules()
        for v in violations(module, path.read_text(encoding="utf-8"), path.name == "__init__.py")
    ]
    assert not found, "imports against the layers:\n" + "\n".join(found)


def test_every_layer_is_checked() -> None:
    names = {m for m, _ in modules()}
    assert {"corpus.readers", "index.ingest", "assistant.service", "eval.metrics"} <= names
    assert {"dossier.cli", "dossier.commands", "ui"} <= names
    assert all(p.is_file() for _, p in modules())


def test_the_check_sees_every_kind_of_import() -> None:
    source = """
import dossier.render
from ui import main
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from eval.metrics import percentile
def late():
    import assistant.service
    from .. import dossier
    importlib.import_module("ui")
from . import types
import numpy
from corpus.text import clip
"""
    assert sorted(violations("index.collection", source)) == [
        "index.collection:10 imports ui",
        "index.collection:2 imports dossier.render",
        "index.collection:3 imports ui",
        "index.collection:6 imports eval.metrics",
        "index.collection:8 imports assistant.service",
        "index.collection:9 imports dossier",
    ]
    assert violations("dossier.commands", "def run():\n    import ui\n") == [
        "dossier.commands:2 imports ui"
    ]
    assert violations("ui", "import dossier.web\nfrom corpus import text\n") == []
