"""What an installed dossier holds: a wheel built here as pip builds it (no network), then
installed into a folder of its own, outside this checkout."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "corpus" / "samples"

pytestmark = pytest.mark.slow


def _pip(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", *args, "--no-deps", "--no-index", "-q"],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # built from a copy: building in the checkout would leave build/ and egg-info behind
    src = tmp_path_factory.mktemp("src")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    for name in ["pyproject.toml", "README.md", "LICENSE"]:
        shutil.copy(ROOT / name, src / name)
    for module in config.get("py-modules", []):
        shutil.copy(ROOT / f"{module}.py", src)
    for top in {p.split(".")[0] for p in config["packages"]}:
        shutil.copytree(ROOT / top, src / top, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    _pip("wheel", "--no-build-isolation", "-w", str(out), str(src))
    return next(out.glob("dossier-*.whl"))


def test_the_wheel_ships_the_demo_corpus(wheel: Path) -> None:
    shipped = set(zipfile.ZipFile(wheel).namelist())
    demo = {p.relative_to(ROOT).as_posix() for p in SAMPLES.rglob("*") if p.is_file()}
    assert len(demo) > 70 and "corpus/samples/whitehouse-ai-questions.txt" in demo
    assert demo <= shipped, sorted(demo - shipped)[:5]


def test_an_installed_dossier_finds_its_demo_corpus(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    _pip("install", "--target", str(target), str(wheel))
    probe = (
        "import dossier.commands as c; "
        "print(c.__file__); print(c.DEMO_CORPUS); "
        "print(sum(1 for _ in c.DEMO_CORPUS.rglob('*.md'))); print(len(c.demo_questions()))"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                          text=True, env={"PYTHONPATH": str(target)})  # fmt: skip
    assert done.returncode == 0, done.stderr
    module, corpus, documents, questions = done.stdout.split("\n")[:4]
    assert module.startswith(str(target)) and corpus.startswith(str(target))
    assert int(documents) == sum(1 for _ in (SAMPLES / "whitehouse-ai").rglob("*.md"))
    assert int(questions) >= 10


def test_the_wheel_ships_the_app_and_the_briefing_templates(wheel: Path) -> None:
    shipped = set(zipfile.ZipFile(wheel).namelist())
    app = {p.relative_to(ROOT).as_posix() for p in (ROOT / "dossier" / "web").glob("*.py")}
    templates = {p.relative_to(ROOT).as_posix()
                 for p in (ROOT / "assistant" / "templates").glob("*.j2")}  # fmt: skip
    assert "dossier/web/app.py" in app and "assistant/templates/briefing.html.j2" in templates
    assert app | templates <= shipped, sorted((app | templates) - shipped)
