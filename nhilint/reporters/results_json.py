"""Machine-readable `nhilint test` output: `{"version", "results", "summary", "coverage"}`."""

from __future__ import annotations

from typing import Any

from nhilint import __version__
from nhilint.reporters import RenderOptions, json_text
from nhilint.testing.results import ERROR, FAIL, PASS, SKIP, Coverage, TestRun


def _coverage(coverage: Coverage | None) -> Any:
    if coverage is None:
        return None
    return {
        "percent": coverage.percent,
        "cedar": {"policies": coverage.cedar_total,
                  "uncovered": [{"path": u.location.path, "line": u.location.line, "what": u.what}
                                for u in coverage.cedar_uncovered]},
        "rego": {"lines": coverage.rego_total, "uncovered_lines": coverage.rego_uncovered_lines,
                 "uncovered": [{"path": u.location.path, "line": u.location.line,
                                "end_line": u.location.end_line} for u in coverage.rego_uncovered]},
    }


def render(run: TestRun, options: RenderOptions) -> str:
    document = {
        "version": __version__,
        "results": [{
            "file": r.location.path,
            "line": r.location.line,
            "name": r.name,
            "kind": r.kind,
            "status": r.status,
            "expected": r.expected,
            "actual": r.actual,
            "determined_by": list(r.determined_by),
            "errors": list(r.errors),
            "output": list(r.output),
        } for r in run.results],
        "summary": {"passed": run.count(PASS), "failed": run.count(FAIL), "errors": run.count(ERROR),
                    "skipped": run.count(SKIP)},
        "coverage": _coverage(run.coverage),
    }
    return json_text(document)
