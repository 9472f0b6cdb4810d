"""The command line: help, usage errors (exit 2), rules, explain, lazy start-up."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from nhilint.cli import main
from tests.conftest import EXAMPLES


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_help_explains_commands_and_exit_codes() -> None:
    out = run("--help").output
    assert "lint" in out and "explain" in out and "Exit codes" in out
    assert "--fail-on" in run("lint", "--help").output


def test_usage_errors_exit_2() -> None:
    assert run("lint", "--format", "yaml").exit_code == 2
    assert run("lint", "--fail-on", "fatal").exit_code == 2
    assert run("explain", "NHI999").exit_code == 2
    missing = run("lint", "no/such/path")
    assert missing.exit_code == 2 and "path not found: no/such/path" in missing.output


def test_rules_lists_every_rule() -> None:
    out = run("rules").output
    assert out.splitlines()[0].split()[:4] == ["id", "name", "category", "severity"]
    assert "NHI404  delegation-cycle" in out


def test_explain_by_id_and_name() -> None:
    by_id = run("explain", "nhi202")
    assert by_id.exit_code == 0
    assert by_id.output.startswith("NHI202 ttl-above-maximum (credentials, default severity error)")
    assert "max_ttl = 1h" in by_id.output and "Bad:" in by_id.output and "Good:" in by_id.output
    assert "OWASP-NHI7: OWASP NHI Top 10: NHI7 Long-Lived Secrets" in by_id.output
    assert run("explain", "ttl-above-maximum").output == by_id.output


def test_python_m_and_version() -> None:
    out = subprocess.run([sys.executable, "-m", "nhilint", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("nhilint, version ")


def test_linting_a_manifest_imports_no_policy_engine() -> None:
    """Start-up stays lazy: a manifest run loads nothing for Cedar, Rego or lark."""
    code = (
        "import sys\n"
        "from nhilint.api import lint_paths\n"
        f"lint_paths([{str(EXAMPLES / 'insecure/agents/support-agent.yaml')!r}])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('cedarpy', 'regorus', 'lark')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_rule_registry_loads_no_policy_ast() -> None:
    """The Cedar and Rego rule modules name their AST types lazily: listing or running the
    rules on manifests must not import the ASTs (about 40 ms of class creation)."""
    code = ("import sys; from nhilint.rules import all_rules; all_rules(); "
            "print(sorted(m for m in ('nhilint.cedar.ast', 'nhilint.rego.ast') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
