"""examples/repo, an ordinary repository slice (MCP configs, Kubernetes manifests, a
workflow, no manifest): the whole `nhilint lint` output is golden, and the README shows it."""

from __future__ import annotations

from click.testing import CliRunner

from nhilint.cli import main
from nhilint.rules import platform
from tests.conftest import REPO

GOLDEN = REPO / "tests" / "formats" / "golden" / "example-repo.txt"


def _lint_output(monkeypatch) -> tuple[int, str]:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("NO_COLOR", "1")
    result = CliRunner().invoke(main, ["lint", "examples/repo", "--today", "2026-11-22"])
    return result.exit_code, result.output


def test_whole_output_is_golden(monkeypatch) -> None:
    exit_code, output = _lint_output(monkeypatch)
    assert exit_code == 1
    assert output == GOLDEN.read_text(encoding="utf-8")


def test_fires_every_platform_rule(monkeypatch) -> None:
    _, output = _lint_output(monkeypatch)
    assert all(f" {rule.id} " in output for rule in platform.RULES)


def test_readme_shows_it() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for line in GOLDEN.read_text(encoding="utf-8").splitlines():
        assert line in readme, line
