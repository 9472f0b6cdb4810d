"""`*.rego` files through the linter: located NHI705, suppressions on the rule line or the
line above, the examples, and every Rego file of the project parsing cleanly."""

from __future__ import annotations

from pathlib import Path

import yaml

from nhilint.api import lint_paths
from nhilint.rego.parser import parse_module
from nhilint.rules import all_rules
from tests.conftest import EXAMPLES, REPO, TODAY

REGO_EXAMPLES = EXAMPLES / "policies" / "rego"

INSECURE = """package agents.tools

import rego.v1

default allow := true

allow if {
    input.tool == "*"
}
"""


def _lint(tmp_path: Path, text: str, name: str = "tools.rego") -> list[tuple[str, int, int, str | None]]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    findings = lint_paths([str(tmp_path)], today=TODAY).findings
    return [(f.rule, f.location.line, f.location.column, f.suppressed) for f in findings]


def test_parse_error_is_a_located_finding_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "ok.rego").write_text(INSECURE, encoding="utf-8")
    (tmp_path / "broken.rego").write_text("package p\n\nallow if {\n  input.x ==\n}\n", encoding="utf-8")
    findings = lint_paths([str(tmp_path)], today=TODAY).findings
    broken = [f for f in findings if f.location.path.endswith("broken.rego")]
    assert [(f.rule, f.location.line, f.location.column) for f in broken] == [("NHI705", 5, 1)]
    assert broken[0].message == ("Rego parse error: unexpected '}'; expected an expression; fix the "
                                 "syntax here (no rule in this file was checked)")
    assert {"NHI701", "NHI703"} <= {f.rule for f in findings if f.location.path.endswith("ok.rego")}


def test_unreadable_rego_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "binary.rego").write_bytes(b"\x00\xff\xfe package")
    (tmp_path / "empty.rego").write_text("", encoding="utf-8")
    findings = lint_paths([str(tmp_path)], today=TODAY).findings
    assert sorted((Path(f.location.path).name, f.rule) for f in findings) == [
        ("binary.rego", "NHI003"), ("empty.rego", "NHI705")]


def test_suppression_on_the_line_above(tmp_path: Path) -> None:
    text = INSECURE.replace("default allow := true",
                            "# nhilint: ignore[NHI701] bootstrap period, replaced next sprint\n"
                            "default allow := true")
    assert ("NHI701", 6, 1, "bootstrap period, replaced next sprint") in _lint(tmp_path, text)


def test_suppression_on_the_rule_line(tmp_path: Path) -> None:
    text = INSECURE.replace('    input.tool == "*"',
                            '    input.tool == "*" # nhilint: ignore[NHI703] sandbox agents only')
    found = _lint(tmp_path, text)
    assert ("NHI703", 8, 5, "sandbox agents only") in found
    assert ("NHI701", 5, 1, None) in found


def test_suppression_without_reason_suppresses_nothing(tmp_path: Path) -> None:
    text = INSECURE.replace("default allow := true", "default allow := true # nhilint: ignore[NHI701]")
    found = _lint(tmp_path, text)
    assert ("NHI701", 5, 1, None) in found and any(rule == "NHI004" for rule, *_ in found)


def test_deny_by_default_policy_yields_nothing(tmp_path: Path) -> None:
    text = """package agents.tools

import rego.v1

default allow := false

allow if {
    input.agent.id in data.registry.agents
    input.tool in {"read_issue", "comment"}
    input.now_ns < input.token.expires_at_ns
}
"""
    assert _lint(tmp_path, text) == []


def test_insecure_example_fires_every_rego_rule() -> None:
    findings = lint_paths([str(REGO_EXAMPLES / "insecure")], today=TODAY).findings
    assert {f.rule for f in findings} == {r for r in all_rules() if r.startswith("NHI7")}


def test_fixed_example_yields_no_finding() -> None:
    findings = lint_paths([str(REGO_EXAMPLES / "fixed")], today=TODAY).findings
    assert [(f.rule, f.location.path, f.location.line) for f in findings] == []


def test_every_rego_file_of_the_project_parses() -> None:
    """The examples, and every Rego snippet the per-rule cases write, have no syntax error
    (the NHI705 cases aside: reporting one is their point)."""
    files = sorted(REPO.glob("examples/**/*.rego"))
    assert len(files) >= 3
    for path in files:
        parse_module(str(path), path.read_text(encoding="utf-8"))
    for case_file in sorted((REPO / "tests" / "rego" / "cases").glob("*.yaml")):
        if case_file.stem == "NHI705":
            continue
        for case in yaml.safe_load(case_file.read_text(encoding="utf-8"))["cases"]:
            for name, text in case["files"].items():
                parse_module(name, text)


def test_project_config_sets_the_rego_version(tmp_path: Path) -> None:
    legacy = "package legacy\n\nallow {\n    input.tool == \"read_issue\"\n}\n"
    (tmp_path / "legacy.rego").write_text(legacy, encoding="utf-8")
    (tmp_path / ".nhilint.yaml").write_text("rules:\n  NHI705: {rego_version: v1}\n", encoding="utf-8")
    findings = lint_paths([str(tmp_path)], today=TODAY).findings
    assert [(f.rule, f.location.line, f.location.column) for f in findings
            if f.rule == "NHI705"] == [("NHI705", 3, 7)]
