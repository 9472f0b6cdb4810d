"""TOML past the bounds (issue 13, kinds 4 and 5): `[` nested 1,000 deep (tomllib recursed
into RecursionError) and integers of 4,301 digits or more, or past 64 bits in hexadecimal
(int() and str() limits). Each is a located NHI001, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhilint.sources.toml_positions import TomlBoundError, loads
from tests.robustness.conftest import MANIFEST, lint, write


@pytest.mark.parametrize(("config", "line"), [
    ("model = 'x'\nx = " + "[" * 1000 + "]" * 1000 + "\n", 2),
    ("model = 'x'\n\n[a]\nx = " + "{b = " * 1000 + "1" + "}" * 1000 + "\n", 4),
    ("model = 'x'\nx = 1" + "0" * 4300 + "\n", 2),
    ("model = 'x'\n[a]\nx = [1, 0x" + "f" * 5000 + "]\n", 3),
    ("x = -9223372036854775809\n", 1),
])
def test_codex_config_past_the_bounds_is_nhi001_at_its_line(tmp_path: Path, config: str, line: int) -> None:
    write(tmp_path, {".codex/config.toml": config})
    result = lint(tmp_path)
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"{tmp_path}/.codex/config.toml:{line}:")
    assert " error NHI001 invalid TOML: " in result.output.splitlines()[0]


def test_brackets_in_strings_and_comments_are_not_nesting(tmp_path: Path) -> None:
    write(tmp_path, {".codex/config.toml": "s = \"" + "[" * 100 + "\" # " + "{" * 100 + "\n"
                                           "t = '''\n" + "[" * 100 + "'''\nu = [[[[1]]], {a = {b = 2}}]\n"
                                           "big = 9223372036854775807\n"})
    assert lint(tmp_path).exit_code == 0


@pytest.mark.parametrize(("text", "says"), [
    ("[tool.nhilint]\nx = " + "[" * 1000 + "]" * 1000 + "\n", "(at line 2, column 69)"),
    ("[tool.nhilint]\n\nx = " + "9" * 5000 + "\n", "(at line 3, column 5)"),
])
def test_bounded_loads_for_pyproject(text: str, says: str) -> None:
    """The reader config/files.py can use for pyproject.toml: a ValueError with the line."""
    with pytest.raises(TomlBoundError, match=says.replace("(", r"\(").replace(")", r"\)")):
        loads(text)


def test_deep_pyproject_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"a.yaml": MANIFEST, "pyproject.toml": "[tool.nhilint]\nx = " + "[" * 1000 + "]" * 1000 + "\n"})
    monkeypatch.chdir(tmp_path)
    result = lint(".")
    assert result.exit_code == 2 and result.output.startswith("nhilint: pyproject.toml:2: ")
