"""Per-rule cases for the Rego rules, as data: tests/rego/cases/<RULE>.yaml, in the format
and with the runner of tests/rules/cases (each case lints its files in a temporary project
and expects exactly the listed findings of its rule: file, line, column)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhilint.rules import all_rules
from tests.rules.test_rule_cases import covered_kinds, load_cases
from tests.rules.test_rule_cases import test_rule_case as run_case

CASES_DIR = Path(__file__).parent / "cases"


@pytest.mark.parametrize(("rule_id", "case"), load_cases(CASES_DIR))
def test_rego_rule_case(rule_id: str, case: dict, tmp_path: Path) -> None:
    run_case(rule_id, case, tmp_path)


def test_every_rego_rule_has_failing_and_passing_cases() -> None:
    covered = covered_kinds(CASES_DIR)
    for rule_id in (r for r in all_rules() if r.startswith("NHI7")):
        assert covered.get(rule_id, set()) >= {"fail", "pass"}, rule_id
