"""Rules the code keeps, read from the source: who may set environment variables, no
``assert`` for control flow, one version string, and only extras that exist."""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

from assistant.llm import BACKENDS

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("corpus", "index", "assistant", "eval", "dossier")
ENTRY_POINTS = {"dossier/cli.py", "ui.py"}
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def production_modules() -> Iterator[tuple[str, ast.Module]]:
    files = [ROOT / "ui.py", *(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))]
    for path in sorted(files):
        yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _is_environ(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def environ_writes(tree: ast.Module) -> list[int]:
    """Lines that change os.environ: item assignment or deletion, or a mutating method."""
    lines = []
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
            targets = list(node.targets) if not isinstance(node, ast.AugAssign) else [node.target]
        if any(isinstance(t, ast.Subscript) and _is_environ(t.value) for t in targets):
            lines.append(node.lineno)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner, method = node.func.value, node.func.attr
            mutating = {"setdefault", "update", "pop", "popitem", "clear", "__setitem__"}
            if (_is_environ(owner) and method in mutating) or (
                isinstance(owner, ast.Name)
                and owner.id == "os"
                and method in {"putenv", "unsetenv"}
            ):
                lines.append(node.lineno)
    return sorted(lines)


def test_the_rule_finds_every_kind_of_environ_write() -> None:
    src = (
        "import os\nos.environ['A'] = '1'\nos.environ.setdefault('B', '2')\n"
        "del os.environ['A']\nos.environ.pop('B', None)\nos.putenv('C', '3')\n"
        "x = os.environ.get('D')\n"
    )
    assert environ_writes(ast.parse(src)) == [2, 3, 4, 5, 6]


def test_only_entry_points_write_the_environment() -> None:
    found = {
        name: lines
        for name, tree in production_modules()
        if name not in ENTRY_POINTS and (lines := environ_writes(tree))
    }
    assert found == {}, f"os.environ written outside {sorted(ENTRY_POINTS)}: {found}"


def test_no_assert_in_production_code() -> None:
    """``python -O`` strips asserts: a check that matters raises an error instead."""
    found = {
        name: [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Assert)]
        for name, tree in production_modules()
    }
    assert {k: v for k, v in found.items() if v} == {}


def test_the_version_is_written_once() -> None:
    import dossier

    version = PYPROJECT["project"]["version"]
    assert dossier.__version__ == version
    copies = [
        name
        for name, tree in production_modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and version in node.value
    ]
    assert copies == []  # read from the installed metadata, never repeated


def test_every_extra_named_to_users_exists() -> None:
    """A message saying pip install 'dossier[X]' must name a real extra."""
    extras = set(PYPROJECT["project"]["optional-dependencies"])
    named = {b.extra for b in BACKENDS.values() if b.extra}
    for _, tree in production_modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "MissingExtraError"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                named.add(node.args[0].value)
    assert named and named <= extras, named - extras
