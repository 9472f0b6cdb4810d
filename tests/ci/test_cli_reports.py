"""`nhilint lint` as CI runs it: formats, --output with a terminal summary, colour, project context."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nhilint.cli import _use_color, lint, main
from nhilint.reporters import LINT_FORMATS
from tests.conftest import EXAMPLES
from tests.reporters.test_golden import FIXTURE

ESC = "\033["


def run_lint(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["lint", "--today", "2026-11-22", *args])
    return result.exit_code, result.output


def test_format_choices_are_the_registered_formats() -> None:
    option = next(p for p in lint.params if p.name == "output_format")
    assert list(option.type.choices) == list(LINT_FORMATS)
    assert {"text", "json", "sarif", "junit", "github", "markdown"} <= set(LINT_FORMATS)


@pytest.mark.parametrize("output_format", sorted(LINT_FORMATS))
def test_output_file_gets_the_report_and_the_terminal_a_summary(
        output_format: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURE)
    report = tmp_path / f"report.{output_format}"
    code, terminal = run_lint("-f", output_format, "-o", str(report), ".")
    assert code == 1
    assert terminal == (f"nhilint: 8 findings (7 errors, 1 warning, 0 info) in 3 files; 1 suppressed; "
                        f"{output_format} report written to {report}\n")
    printed = run_lint("-f", output_format, ".")[1]
    assert report.read_text(encoding="utf-8") == printed


def test_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    code, out = run_lint("-o", str(tmp_path / "missing-dir" / "r.sarif"), str(FIXTURE))
    assert code == 2
    assert "cannot write" in out and "--output" in out


@pytest.mark.parametrize(("env", "tty", "expected"), [
    ({}, True, True), ({}, False, False), ({"NO_COLOR": "1"}, True, False),
    ({"NO_COLOR": ""}, True, True),  # no-color.org: an empty NO_COLOR does not count
])
def test_colour_only_on_a_tty_and_never_with_no_color(env: dict, tty: bool, expected: bool,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    class Stream:
        def isatty(self) -> bool:
            return tty

    assert _use_color(Stream()) is expected


def _on_a_terminal(args: list[str], env: dict[str, str], cwd: Path) -> str:
    """Run nhilint with its stdout on a pseudo-terminal; returns what it printed there."""
    leader, follower = pty.openpty()
    try:
        subprocess.run([sys.executable, "-m", "nhilint", *args], stdout=follower,
                       stderr=subprocess.DEVNULL, cwd=cwd, env=env, timeout=60)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal is drained
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    return b"".join(chunks).decode()


def test_a_real_terminal_gets_colour_unless_no_color(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    args = ["lint", "--today", "2026-11-22", "."]
    assert ESC in _on_a_terminal(args, env, FIXTURE)
    assert ESC not in _on_a_terminal(args, {**env, "NO_COLOR": "1"}, FIXTURE)
    report = tmp_path / "report.txt"
    terminal = _on_a_terminal([*args, "-o", str(report)], env, FIXTURE)
    assert "report written to" in terminal
    assert ESC not in report.read_text(encoding="utf-8")


def test_project_context_sees_the_rest_of_the_project() -> None:
    """Alone, writer.yaml's delegate is unknown (NHI406); with its project, writer.yaml gets
    exactly the findings a run over the whole project gives it, and nothing else is reported."""
    writer = str(EXAMPLES / "insecure/agents/writer.yaml")
    alone = json.loads(run_lint("-f", "json", writer)[1])
    together = json.loads(run_lint("-f", "json", "--project-context", writer)[1])
    assert "NHI406" in {f["rule"] for f in alone["findings"]}
    rules = {f["rule"] for f in together["findings"]}
    assert "NHI406" not in rules
    assert {f["location"]["path"] for f in together["findings"]} == {
        os.path.relpath(writer).replace(os.sep, "/")}
    assert together["summary"]["files"] == 1
    everything = json.loads(run_lint("-f", "json", str(EXAMPLES / "insecure"))[1])
    assert sorted(f["rule"] for f in together["findings"]) == sorted(
        f["rule"] for f in everything["findings"] if f["location"]["path"].endswith("/writer.yaml"))


def test_project_context_needs_a_project_marker(tmp_path: Path) -> None:
    """Without a config or .git above it, a file has no project: nothing else is read."""
    lone = tmp_path / "lone.yaml"
    lone.write_text((EXAMPLES / "insecure/agents/writer.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "other.yaml").write_text("apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n"
                                         "  name: research-lead\n", encoding="utf-8")
    rules = {f["rule"] for f in json.loads(run_lint("-f", "json", "--project-context", str(lone))[1])["findings"]}
    assert "NHI406" in rules
