"""Shared helpers of the robustness regressions (issue 13): each case runs the real CLI on a
small tree and asserts the located finding and the exit code, never a traceback (exit 3)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from nhilint.cli import main

MANIFEST = "apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata: {name: a}\n"


def lint(*args: str | Path) -> Result:
    """`nhilint lint --today 2026-11-22 ARGS`, in-process."""
    return CliRunner().invoke(main, ["lint", "--today", "2026-11-22", *map(str, args)])


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def findings(root: Path, *args: str) -> tuple[int, list[tuple[str, int, str]]]:
    """The exit code and each finding as (path relative to root, line, rule id)."""
    result = lint("--format", "json", *args, root)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    data = json.loads(result.output)
    found = [(Path(f["location"]["path"]).relative_to(root).as_posix(), f["location"]["line"],
              f["rule"]) for f in data["findings"]]
    return result.exit_code, found


def rules_at(found: list[tuple[str, int, str]], prefix: str = "NHI0") -> list[tuple[str, int, str]]:
    """The findings whose rule id starts with `prefix` (the input and parse-error rules)."""
    return [f for f in found if f[2].startswith(prefix)]
