"""JUnit XML for CI test reports (GitLab, Jenkins, Azure DevOps): a suite per file, a testcase per rule.

Every enabled rule is a testcase in every linted file's suite: it fails with the file's
findings of that rule, is skipped when all of them are suppressed (the justification is the
skip message), and passes otherwise, so a report shows what was checked, not only what broke.
No timestamps or host names: the report is byte-identical across runs.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from nhilint.model import Finding, LintResult
from nhilint.reporters import RenderOptions, visible


def _line(finding: Finding) -> str:
    loc = finding.location
    return visible(f"{loc.path}:{loc.line}:{loc.column}: {finding.severity.value} {finding.rule} "
                   f"{finding.message}")


def _testcase(suite: ET.Element, path: str, rule_id: str, name: str, findings: list[Finding]) -> str:
    """Add one testcase; returns its outcome: passed, failed or skipped."""
    case = ET.SubElement(suite, "testcase", {"classname": visible(path), "name": f"{rule_id} {name}".strip()})
    active = [f for f in findings if f.suppressed is None]
    suppressed = [f for f in findings if f.suppressed is not None]
    if active:
        failure = ET.SubElement(case, "failure", {
            "type": rule_id,
            "message": visible(active[0].message) if len(active) == 1 else f"{len(active)} findings of {rule_id}",
        })
        failure.text = "\n".join(_line(f) for f in active)
    elif suppressed:
        ET.SubElement(case, "skipped", {"message": "suppressed: " + "; ".join(
            sorted({visible(f.suppressed or "") for f in suppressed}))})
    if active and suppressed:
        ET.SubElement(case, "system-out").text = "suppressed:\n" + "\n".join(
            f"{_line(f)} ({visible(f.suppressed or '')})" for f in suppressed)
    return "failed" if active else "skipped" if suppressed else "passed"


def render(result: LintResult, options: RenderOptions) -> str:
    from nhilint.rules import all_rules

    known = all_rules()
    by_file_rule: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_file_rule[finding.location.path, finding.rule].append(finding)
    rule_ids = sorted(set(result.rules or known) | {rule for _, rule in by_file_rule})
    # Findings can sit in files that were not linted themselves (a missing-path problem).
    paths = sorted(set(result.files) | {path for path, _ in by_file_rule})

    root = ET.Element("testsuites", {"name": "nhilint"})
    totals = {"tests": 0, "failed": 0, "skipped": 0}
    for path in paths:
        suite = ET.SubElement(root, "testsuite", {"name": visible(path)})
        counts = {"tests": 0, "failed": 0, "skipped": 0, "passed": 0}
        for rule_id in rule_ids:
            name = known[rule_id].name if rule_id in known else ""
            counts[_testcase(suite, path, rule_id, name, by_file_rule.get((path, rule_id), []))] += 1
            counts["tests"] += 1
        suite.attrib.update({"tests": str(counts["tests"]), "failures": str(counts["failed"]),
                             "errors": "0", "skipped": str(counts["skipped"])})
        for key in totals:
            totals[key] += counts[key]
    root.attrib.update({"tests": str(totals["tests"]), "failures": str(totals["failed"]),
                        "errors": "0", "skipped": str(totals["skipped"])})
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
