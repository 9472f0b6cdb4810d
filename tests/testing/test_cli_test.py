"""`nhilint test`: whole outputs in each format, exit codes, coverage, and the pytest plugin."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nhilint.cli import main

PAYOUT = """
    @id("approver-pay")
    permit (principal == Agent::"payout-runner", action == Action::"pay", resource)
    when { context.human_approved && context.amount <= 1000 };

    @id("no-weekend-pay")
    forbid (principal, action == Action::"pay", resource)
    when { context has weekend && context.weekend };

    // no @id: named as Cedar names it
    permit (principal == Agent::"auditor", action == Action::"read", resource);
"""

SCENARIOS = """
    apiVersion: nhilint/v1
    kind: PolicyTest
    name: payout approvals
    cedar:
      policies: [payout.cedar]
    scenarios:
      - name: approved small payout is allowed
        principal: Agent::"payout-runner"
        action: Action::"pay"
        resource: Account::"acme"
        context: {human_approved: true, amount: 100}
        expect: allow
        determined_by: [approver-pay]
      - name: unapproved payout is denied
        principal: {type: Agent, id: payout-runner}
        action: Action::"pay"
        resource: Account::"acme"
        context: {human_approved: false, amount: 100}
        expect: deny
        determined_by: []
      - name: weekend payout is denied
        principal: Agent::"payout-runner"
        action: Action::"pay"
        resource: Account::"acme"
        context: {human_approved: true, amount: 100, weekend: true}
        expect: allow
      - name: the wrong policy decides
        principal: Agent::"payout-runner"
        action: Action::"pay"
        resource: Account::"acme"
        context: {human_approved: true, amount: 5}
        expect: allow
        determined_by: [policy2]
      - name: a context the policy cannot evaluate
        principal: Agent::"payout-runner"
        action: Action::"pay"
        resource: Account::"acme"
        context: {human_approved: "yes", amount: 100}
        expect: allow
"""

TEXT = """\
FAIL t.nhitest.yaml:21: weekend payout is denied
    expected: allow
    actual:   deny
    determined by: no-weekend-pay
FAIL t.nhitest.yaml:27: the wrong policy decides
    expected: allow
    actual:   allow
    determined by: approver-pay
FAIL t.nhitest.yaml:34: a context the policy cannot evaluate
    expected: allow
    actual:   deny
    determined by: none (no policy matched: default deny)
    error: error while evaluating policy `approver-pay`: type error: expected bool, got string
coverage: 66.7% (2 of 3 Cedar policies decided a scenario)
  payout.cedar:10: policy 'policy2' decided no scenario

2 passed, 3 failed, 0 errors
"""


@pytest.fixture
def payout(write_tree) -> Path:
    return write_tree({"payout.cedar": PAYOUT, "t.nhitest.yaml": SCENARIOS})


def test_text_output_and_exit_1(payout: Path) -> None:
    result = CliRunner().invoke(main, ["test", "--coverage"])
    assert (result.exit_code, result.stdout) == (1, TEXT)


def test_verbose_lists_passes(payout: Path) -> None:
    result = CliRunner().invoke(main, ["test", "-v", "t.nhitest.yaml"])
    assert result.stdout.splitlines()[:2] == ["PASS t.nhitest.yaml:7: approved small payout is allowed",
                                              "PASS t.nhitest.yaml:14: unapproved payout is denied"]


def test_json_output(payout: Path) -> None:
    result = CliRunner().invoke(main, ["test", "--format", "json", "--coverage"])
    document = json.loads(result.stdout)
    assert document["summary"] == {"passed": 2, "failed": 3, "errors": 0, "skipped": 0}
    assert document["results"][2] == {
        "file": "t.nhitest.yaml", "line": 21, "name": "weekend payout is denied", "kind": "cedar",
        "status": "fail", "expected": "allow", "actual": "deny", "determined_by": ["no-weekend-pay"],
        "errors": [], "output": []}
    assert document["coverage"]["cedar"] == {
        "policies": 3, "uncovered": [{"path": "payout.cedar", "line": 10, "what": "policy 'policy2'"}]}


JUNIT_HEAD = """\
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nhilint test" tests="5" failures="3" errors="0" skipped="0">
  <testsuite name="t.nhitest.yaml" tests="5" failures="3" errors="0" skipped="0">
    <testcase classname="t.nhitest.yaml" name="approved small payout is allowed" file="t.nhitest.yaml" line="7" />
    <testcase classname="t.nhitest.yaml" name="unapproved payout is denied" file="t.nhitest.yaml" line="14" />
    <testcase classname="t.nhitest.yaml" name="weekend payout is denied" file="t.nhitest.yaml" line="21">
      <failure message="expected allow, got deny">expected: allow
actual:   deny
determined by: no-weekend-pay</failure>
    </testcase>
"""


def test_junit_to_a_file(payout: Path) -> None:
    result = CliRunner().invoke(main, ["test", "-f", "junit", "-o", "report.xml"])
    assert (result.exit_code, result.stdout) == (
        1, "nhilint: 2 passed, 3 failed, 0 errors; junit report written to report.xml\n")
    report = (payout / "report.xml").read_text(encoding="utf-8")
    assert report.startswith(JUNIT_HEAD)
    import xml.etree.ElementTree as ET

    assert ET.fromstring(report).get("tests") == "5"


def test_output_is_byte_identical_across_runs(payout: Path) -> None:
    runs = {CliRunner().invoke(main, ["test", "-f", fmt, "--coverage"]).stdout
            for fmt in ("json", "json")}
    assert len(runs) == 1


@pytest.mark.parametrize(("threshold", "code"), [("30", 0), ("40", 1)])
def test_min_coverage(write_tree, threshold: str, code: int) -> None:
    passing = SCENARIOS.split("      - name: weekend")[0]
    write_tree({"payout.cedar": PAYOUT, "t.nhitest.yaml": passing})
    result = CliRunner().invoke(main, ["test", "--min-coverage", threshold])
    assert result.exit_code == code
    if code:
        assert result.stderr == f"nhilint: coverage 33.3% is below --min-coverage {threshold}%\n"


def test_pytest_collects_the_same_verdicts(payout: Path) -> None:
    """The plugin (entry point pytest11) makes each scenario a test item."""
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rf",
                           "t.nhitest.yaml"], capture_output=True, text=True, cwd=payout, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAILED t.nhitest.yaml::weekend payout is denied" in proc.stdout
    assert "FAILED t.nhitest.yaml::the wrong policy decides" in proc.stdout
    assert "FAILED t.nhitest.yaml::a context the policy cannot evaluate" in proc.stdout
    assert "    determined by: no-weekend-pay" in proc.stdout
    assert proc.stdout.rstrip().splitlines()[-1].startswith("3 failed, 2 passed")


def test_pytest_reports_a_bad_file_as_a_collection_error(write_tree) -> None:
    root = write_tree({"payout.cedar": PAYOUT, "t.nhitest.yaml": SCENARIOS.replace("expect: deny", "expect: maybe")})
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "t.nhitest.yaml"],
                          capture_output=True, text=True, cwd=root, timeout=120)
    assert proc.returncode == 2
    assert "t.nhitest.yaml:19:5: 'scenarios[1].expect' is 'maybe'; expected one of: allow, deny" in proc.stdout


def test_an_unwritable_output_file_is_a_usage_error(payout: Path) -> None:
    result = CliRunner().invoke(main, ["test", "-o", "missing-dir/report.xml"])
    assert result.exit_code == 2
    assert "cannot write missing-dir/report.xml: No such file or directory" in result.stderr


def test_a_hostile_scenario_file_is_a_located_error(write_tree) -> None:
    from tests.test_bad_input import BILLION_LAUGHS

    write_tree({"bomb.nhitest.yaml": BILLION_LAUGHS})
    result = CliRunner().invoke(main, ["test", "bomb.nhitest.yaml"])
    assert result.exit_code == 2
    assert result.stderr.startswith("nhilint: bomb.nhitest.yaml:")
    assert "billion laughs" in result.stderr
