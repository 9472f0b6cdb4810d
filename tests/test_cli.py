"""The command line: help, usage errors (exit 2), rules, explain, lazy start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from nhilint.cli import main
from nhilint.rules import all_rules
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


MANIFEST = "apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata: {name: a}\n"


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_list_files_names_each_format_and_each_skip_reason(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, {
        ".nhilint.yaml": "exclude: ['vendor/**']\n",
        "agents/a.yaml": MANIFEST, "vendor/b.yaml": MANIFEST, "generated/c.yaml": MANIFEST,
        "node_modules/m.yaml": MANIFEST, "notes.txt": "hello\n", "data.json": '{"x": 1}\n',
        "chart/templates/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n"
                                   "  name: {{ .Values.name }}\n  {{- if .Values.x }}\n",
        "broken.yaml": "apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata: [\n",
        "policy.rego": "package x\n\ndefault allow := false\n",
    })
    os.symlink("missing.yaml", tmp_path / "dangling.yaml")
    os.symlink("loop-b.yaml", tmp_path / "loop-a.yaml")
    os.symlink("loop-a.yaml", tmp_path / "loop-b.yaml")
    os.symlink("..", tmp_path / "agents" / "up")  # a folder loop: never followed
    (tmp_path / "big.json").write_bytes(b" " * (5 * 1024 * 1024 + 1))
    expected = (
        ".nhilint.yaml            config\n"
        "agents/a.yaml            agent-manifest\n"
        "agents/up/               skipped: symlink to a folder, not followed\n"
        "big.json                 skipped: too large: 5,242,881 bytes, over the 5,242,880-byte "
        "bound (NHI003)\n"
        "broken.yaml              skipped: invalid YAML: did not find expected node content (while "
        "parsing a flow node) (NHI001)\n"
        "chart/templates/sa.yaml  skipped: template ({{ ... }} actions): not YAML until rendered, not read; "
        "lint the rendered output\n"
        "dangling.yaml            skipped: broken symlink (its target is missing)\n"
        "data.json                skipped: not a format nhilint reads\n"
        "generated/c.yaml         skipped: excluded by --exclude 'generated'\n"
        "loop-a.yaml              skipped: symlink loop\n"
        "loop-b.yaml              skipped: symlink loop\n"
        "node_modules/            skipped: folder not walked (version control, dependencies, "
        "caches, builds)\n"
        "notes.txt                skipped: not a format nhilint reads\n"
        "policy.rego              rego\n"
        "vendor/b.yaml            skipped: excluded by pattern 'vendor/**'\n"
        "\n"
        "2 files read as a known format, 1 configuration file, 12 skipped\n")
    for flag in ("--list-files", "--show-files"):
        result = run("lint", flag, "--exclude", "generated")
        assert (result.exit_code, result.output) == (0, expected)
    # Linting the same tree: the dangling symlinks are no finding, and "in N files" counts
    # the manifest, the Rego module and the two files it could not read; the template and
    # the three symlinks it did not read are "skipped".
    lint = run("lint", "--exclude", "generated", "--today", "2026-11-22")
    assert lint.exit_code == 1
    assert [line.split(": ")[0] for line in lint.output.splitlines() if ": " in line][-2:] == [
        "big.json:1:1", "broken.yaml:4:1"]
    assert lint.output.endswith("\n8 findings (4 errors, 4 warnings, 0 info) in 4 files; "
                                "4 skipped (--list-files says why)\n")


def test_a_dangling_symlink_named_on_the_command_line_is_skipped(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    os.symlink("gone.yaml", tmp_path / "agent.yaml")
    assert (run("lint", "--list-files", "agent.yaml").output
            == "agent.yaml  skipped: broken symlink (its target is missing)\n\n"
               "0 files read as a known format, 0 configuration files, 1 skipped\n")
    result = run("lint", "agent.yaml")
    assert (result.exit_code, result.output) == (
        0, "0 findings (0 errors, 0 warnings, 0 info) in 0 files; 1 skipped (--list-files says why)\n")


def test_list_files_of_a_missing_path_is_a_usage_error() -> None:
    result = run("lint", "--list-files", "no/such/path")
    assert (result.exit_code, result.output) == (2, "nhilint: path not found: no/such/path\n")


def test_rules_json_is_every_rules_full_record() -> None:
    result = run("rules", "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert [r["id"] for r in document["rules"]] == list(all_rules())
    assert next(r for r in document["rules"] if r["id"] == "NHI202") == {
        "id": "NHI202", "name": "ttl-above-maximum", "category": "credentials",
        "severity": "error", "enabled_by_default": True,
        "summary": "A credential's TTL is longer than the ruleset allows.",
        "rationale": "The TTL bounds how long a stolen token works and how long an agent keeps "
                     "access after its task; past an hour it behaves like a standing secret.",
        "remediation": "Lower `ttl` to the maximum or below, and re-issue per task.",
        "parameters": [{"name": "max_ttl", "kind": "duration", "default": "1h",
                        "description": "The longest TTL a credential may have."}],
        "references": [
            {"id": "OWASP-NHI7", "title": "OWASP NHI Top 10: NHI7 Long-Lived Secrets"},
            {"id": "NIST-CSF-PR.AA-01",
             "title": "NIST CSF 2.0: PR.AA-01 identities and credentials are managed"}],
    }


def test_list_files_names_where_companion_files_are_read(tmp_path: Path) -> None:
    (tmp_path / "p.cedar").write_text("permit (principal, action, resource) when { false };\n")
    (tmp_path / "p.cedarschema").write_text("entity User;\n")
    (tmp_path / "a.nhitest.yaml").write_text("scenarios: []\n")
    result = CliRunner().invoke(main, ["lint", "--list-files", str(tmp_path)])
    assert result.exit_code == 0
    lines = {line.split()[0].rsplit("/", 1)[-1]: line.split(None, 1)[1] for line in result.output.splitlines()
             if line.startswith(str(tmp_path))}
    assert lines["p.cedarschema"] == "skipped: Cedar schema: read with the policies it validates"
    assert lines["a.nhitest.yaml"] == "skipped: scenario file: run by `nhilint test`"
