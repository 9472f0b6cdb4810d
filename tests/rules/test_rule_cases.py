"""Per-rule cases as data: <RULE>.yaml in tests/rules/cases (manifest and input rules),
tests/cedar/cases and tests/rego/cases.

Each case writes its files into a temporary project, lints it, and expects exactly the
listed findings of that rule (file, line, and column when given); `pass_*` cases expect
none. Run one rule's cases with `pytest -k NHI201`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nhilint.api import lint_paths
from nhilint.config import default_settings
from nhilint.rules import all_rules
from tests.conftest import TODAY

TESTS = Path(__file__).resolve().parents[1]
SPECS = [yaml.safe_load(case_file.read_text(encoding="utf-8"))
         for case_file in sorted(TESTS.glob("*/cases/NHI*.yaml"))]


@pytest.mark.parametrize(("rule_id", "case"), [
    pytest.param(spec["rule"], case, id=f"{spec['rule']}_{case['name']}")
    for spec in SPECS for case in spec["cases"]])
def test_rule_case(rule_id: str, case: dict, tmp_path: Path) -> None:
    for name, text in case["files"].items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    settings = default_settings()
    rule = all_rules()[rule_id]
    for name, value in (case.get("params") or {}).items():
        settings.rules[rule_id].params[name] = rule.param(name).convert(value)
    result = lint_paths([str(tmp_path)], settings, today=TODAY)
    found = [f for f in result.findings if f.rule == rule_id and f.suppressed is None]
    actual = [(Path(f.location.path).name, f.location.line, f.location.column) for f in found]
    expected = [(e["file"], e["line"], e.get("column")) for e in case["expect"]]
    comparable = [(file, line, col if want_col is not None else None)
                  for (file, line, col), (_, _, want_col) in zip(actual, expected)]
    assert len(actual) == len(expected) and comparable == expected, (
        f"{rule_id} {case['name']}: expected {expected}, got {actual}: "
        + "; ".join(f.message for f in found))


def test_every_rule_has_failing_and_passing_cases() -> None:
    covered = {spec["rule"]: {c["name"].split("_")[0] for c in spec["cases"]} for spec in SPECS}
    missing = [rule_id for rule_id in all_rules() if not covered.get(rule_id, set()) >= {"fail", "pass"}]
    assert missing == []
