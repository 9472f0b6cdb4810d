"""Per-rule cases for the Rego rules, as data: tests/rego/cases/<RULE>.yaml.

Same format and runner as tests/rules/cases: each case lints its files in a temporary
project and expects exactly the listed findings of its rule (file, line, column).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nhilint.rules import all_rules
from tests.rules.test_rule_cases import test_rule_case as run_case

CASES_DIR = Path(__file__).parent / "cases"
SPECS = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
         for path in sorted(CASES_DIR.glob("*.yaml"))}


@pytest.mark.parametrize(("rule_id", "case"), [
    pytest.param(spec["rule"], case, id=f"{spec['rule']}_{case['name']}")
    for spec in SPECS.values() for case in spec["cases"]])
def test_rego_rule_case(rule_id: str, case: dict, tmp_path: Path) -> None:
    run_case(rule_id, case, tmp_path)


def test_every_rego_rule_has_failing_and_passing_cases() -> None:
    for rule_id in (r for r in all_rules() if r.startswith("NHI7")):
        names = {case["name"].split("_")[0] for case in SPECS[rule_id]["cases"]}
        assert names >= {"fail", "pass"}, rule_id
