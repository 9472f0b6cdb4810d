"""The layers are kept by tools, not by goodwill: the import-linter contracts in
pyproject.toml hold, they fail when broken, and no module below the CLI prints."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "nhilint"
CONTRACTS = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
LINT_IMPORTS = shutil.which("lint-imports", path=sysconfig.get_path("scripts")) or shutil.which("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` over the nhilint package found at `root` (its own copy, not the installed one)."""
    assert LINT_IMPORTS, "import-linter is in the test extra"
    env = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "300"}  # one contract a line
    return subprocess.run([LINT_IMPORTS, "--no-cache", "--config", str(root / "pyproject.toml")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)


def top_level_modules() -> set[str]:
    return {f"nhilint.{p.stem}" for p in PACKAGE.iterdir()
            if (p.suffix == ".py" and p.stem not in ("__init__", "__main__"))
            or (p.is_dir() and (p / "__init__.py").exists())}


def contract(name_start: str) -> dict:
    return next(c for c in CONTRACTS["contracts"] if c["name"].startswith(name_start))


def test_the_contracts_hold() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(("module", "line", "broken"), [
    ("nhilint/model.py", "import nhilint.rules", "model imports nothing of nhilint"),
    ("nhilint/rules/privilege.py", "import nhilint.config", "Rules are pure functions over the model"),
    ("nhilint/reporters/text.py", "import nhilint.linter", "Reporters render results"),
    ("nhilint/linter.py", "import click", "Only the CLI imports click"),
    ("nhilint/sources/a2a.py", "import cedarpy", "engines/ is the one door"),
    ("nhilint/sources/spire.py", "import nhilint.rules.privilege", "Sources turn files into the model"),
    ("nhilint/cli.py", "import nhilint.config", "The CLI reaches the rest of nhilint only through api"),
    ("nhilint/sources/manifest.py", "import nhilint.linter", "Layers point one way"),
])
def test_a_forbidden_import_breaks_its_contract(tmp_path: Path, module: str, line: str, broken: str) -> None:
    scratch = tmp_path / "repo"
    shutil.copytree(PACKAGE, scratch / "nhilint", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", scratch / "pyproject.toml")
    target = scratch / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # a forbidden import\n", encoding="utf-8")
    result = lint_imports(scratch)
    assert result.returncode == 1, result.stdout + result.stderr
    broken_lines = [text for text in result.stdout.splitlines() if " BROKEN" in text]
    assert any(text.startswith(broken) for text in broken_lines), result.stdout


@pytest.mark.parametrize("name", ["model imports nothing of nhilint", "Only the CLI imports click"])
def test_a_new_module_is_covered_by_the_contracts_that_list_every_module(name: str) -> None:
    """These two contracts name every other top-level module; a module added later must join them."""
    listed = contract(name)
    named = set(listed["forbidden_modules"] if name.startswith("model") else listed["source_modules"])
    expected = top_level_modules() - {"nhilint.model" if name.startswith("model") else "nhilint.cli"}
    if name.startswith("Only"):
        expected -= {"nhilint.grammars"}  # holds no Python
    assert named == expected


def test_nothing_below_the_cli_prints() -> None:
    """Only cli.py writes to the terminal: a library caller or the pytest plugin would get
    stray output otherwise."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "cli.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}: print()")
            if (isinstance(node, ast.Attribute) and node.attr in ("stdout", "stderr")
                    and isinstance(node.value, ast.Name) and node.value.id == "sys"):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}: sys.{node.attr}")
    assert offenders == []
