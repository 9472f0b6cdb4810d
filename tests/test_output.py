"""Text and JSON output: shape, order, determinism, and no secret in any of it."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from nhilint.cli import main
from tests.conftest import EXAMPLES

SECRET = "ghp_EXAMPLE0000000000000000000000000000fake"


def _lint(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["lint", "--today", "2026-11-22", *args])
    return result.exit_code, result.output


def test_json_is_one_sorted_document() -> None:
    code, out = _lint("--format", "json", str(EXAMPLES / "insecure"))
    assert code == 1
    doc = json.loads(out)
    assert list(doc) == ["version", "findings", "summary"]
    first = doc["findings"][0]
    assert list(first) == ["rule", "severity", "message", "location", "identity", "references"]
    assert list(first["location"]) == ["path", "line", "column", "end_line", "end_column"]
    keys = [(f["location"]["path"], f["location"]["line"], f["location"]["column"], f["rule"])
            for f in doc["findings"]]
    assert keys == sorted(keys)
    assert doc["summary"]["findings"] == len(doc["findings"]) == doc["summary"]["errors"] + doc["summary"]["warnings"]


def test_output_is_byte_identical_across_runs() -> None:
    for fmt in ("text", "json"):
        runs = {subprocess.run([sys.executable, "-m", "nhilint", "lint", "-f", fmt, "--today", "2026-11-22",
                                str(EXAMPLES)], capture_output=True).stdout for _ in range(2)}
        assert len(runs) == 1


def test_no_output_contains_a_secret() -> None:
    assert SECRET in (EXAMPLES / "insecure/agents/support-agent.yaml").read_text()
    for fmt in ("text", "json"):
        _code, out = _lint("-f", fmt, str(EXAMPLES))
        assert "ghp_****" in out
        assert SECRET not in out and SECRET[4:12] not in out


def test_fail_on_threshold() -> None:
    warnings_only = str(EXAMPLES / "insecure/agents/web-searcher.yaml")
    assert _lint(warnings_only)[0] == 1
    assert _lint("--fail-on", "error", warnings_only)[0] == 0
    assert _lint(str(EXAMPLES / "fixed"))[0] == 0


def test_text_output_names_file_line_rule_and_fix() -> None:
    _code, out = _lint(str(EXAMPLES / "insecure/agents/writer.yaml"))
    assert out.splitlines()[0].endswith(
        "examples/insecure/agents/writer.yaml:17:5: error NHI202 credential 'docs-token' has ttl 8h, "
        "above the maximum 1h; lower it [ttl-above-maximum]")
    # alone, the writer's delegate (research-lead) is not in sight: NHI406 says so
    assert out.splitlines()[-1] == "4 findings (4 errors, 0 warnings, 0 info) in 1 file"


def test_terminal_escapes_from_a_file_are_shown_not_obeyed(tmp_path) -> None:
    (tmp_path / "agent.yaml").write_text(
        'apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n  name: "evil\\e[2J\\e[31m"\n')
    _code, out = _lint(str(tmp_path))
    assert "\x1b" not in out and "evil\\x1b[2J" in out
