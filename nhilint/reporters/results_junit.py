"""JUnit XML for `nhilint test`, as Jenkins, GitLab and GitHub test reporters read it.

One <testsuite> per scenario or `*_test.rego` file, one <testcase> per scenario or test
rule; a wrong decision is a <failure>, an engine error an <error>, each with expected
vs actual in its text. No timestamps or durations: the output is byte-identical across runs.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from nhilint.reporters import RenderOptions
from nhilint.reporters.results_text import details, show
from nhilint.testing.results import ERROR, FAIL, SKIP, TestResult, TestRun


def _counts(results: list[TestResult]) -> dict[str, str]:
    return {"tests": str(len(results)),
            "failures": str(sum(r.status == FAIL for r in results)),
            "errors": str(sum(r.status == ERROR for r in results)),
            "skipped": str(sum(r.status == SKIP for r in results))}


def _message(result: TestResult) -> str:
    if result.status == ERROR:
        return result.errors[0] if result.errors else "error"
    return f"expected {show(result.expected)}, got {show(result.actual)}"


def render(run: TestRun, options: RenderOptions) -> str:
    by_file: dict[str, list[TestResult]] = {}
    for result in run.results:
        by_file.setdefault(result.location.path, []).append(result)
    root = ET.Element("testsuites", {"name": "nhilint test", **_counts(run.results)})
    for path, results in by_file.items():
        suite = ET.SubElement(root, "testsuite", {"name": path, **_counts(results)})
        for result in results:
            case = ET.SubElement(suite, "testcase", {
                "classname": path, "name": result.name, "file": path,
                "line": str(result.location.line)})
            if result.status in (FAIL, ERROR):
                tag = "failure" if result.status == FAIL else "error"
                element = ET.SubElement(case, tag, {"message": _message(result)})
                element.text = "\n".join(details(result))
            elif result.status == SKIP:
                ET.SubElement(case, "skipped", {"message": "todo: not run yet"})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
