"""ruff and mypy, configured in pyproject.toml, pass on the whole tree: the suite (and so
.ci/run, on a fresh clone) runs them, so a change that breaks them does not land."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_tool(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], cwd=REPO, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "NO_COLOR": "1"})


def test_ruff_passes() -> None:
    result = run_tool("ruff", "check", "--no-cache", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_passes() -> None:
    """Every function of nhilint/ typed (pyproject.toml: disallow_untyped_defs), bodies checked."""
    result = run_tool("mypy", "--cache-dir", os.devnull)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_pre_commit_hooks_run_the_versions_the_test_extra_pins() -> None:
    """.pre-commit-config.yaml and the test extra name the same checker versions, so a commit
    hook and CI never disagree."""
    import yaml

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    extra = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"]["test"]
    pinned = {spec for spec in extra if "==" in spec}
    hooks = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    used = {spec for repo in hooks["repos"] for hook in repo["hooks"]
            for spec in hook.get("additional_dependencies", [])}
    assert used and used <= pinned
