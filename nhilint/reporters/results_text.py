"""Human-readable `nhilint test` output: failures and errors with expected vs actual, then coverage
and the summary line `N passed, N failed, N errors`."""

from __future__ import annotations

import json
from typing import Any

from nhilint.reporters import RenderOptions, visible
from nhilint.testing.results import ERROR, FAIL, PASS, SKIP, UNDEFINED, TestResult, TestRun

_COLORS = {PASS: "\033[32m", FAIL: "\033[31m", ERROR: "\033[35m", SKIP: "\033[33m"}
_RESET = "\033[0m"


def show(value: Any) -> str:
    """A decision or a Rego value as a reader expects it: `allow`, `undefined`, JSON otherwise."""
    if isinstance(value, str) and value in ("allow", "deny", UNDEFINED):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def details(result: TestResult) -> list[str]:
    """What a failed or errored test needs to be understood: expected, actual, deciding policies, errors."""
    lines = []
    if result.expected is not None or result.kind == "rego":  # a Rego value may be null
        lines.append(f"expected: {show(result.expected)}")
    if result.status != ERROR or result.actual is not None:
        lines.append(f"actual:   {show(result.actual)}")
    if result.kind == "cedar" and result.actual is not None:
        deciding = ", ".join(result.determined_by) or "none (no policy matched: default deny)"
        lines.append(f"determined by: {deciding}")
    lines.extend(f"error: {error}" for error in result.errors)
    lines.extend(f"output: {line}" for line in result.output)
    return lines


def headline(result: TestResult, color: bool = False) -> str:
    label = result.status.upper()
    if color:
        label = f"{_COLORS[result.status]}{label}{_RESET}"
    where = result.location
    return f"{label} {visible(where.path)}:{where.line}: {visible(result.name)}"


def coverage_lines(run: TestRun) -> list[str]:
    coverage = run.coverage
    if coverage is None:
        return []
    parts = []
    if coverage.cedar_total:
        decided = coverage.cedar_total - len(coverage.cedar_uncovered)
        parts.append(f"{decided} of {coverage.cedar_total} Cedar policies decided a scenario")
    if coverage.rego_total:
        evaluated = coverage.rego_total - coverage.rego_uncovered_lines
        parts.append(f"{evaluated} of {coverage.rego_total} Rego lines evaluated")
    lines = [f"coverage: {coverage.percent:.1f}%" + (f" ({'; '.join(parts)})" if parts else "")]
    for item in coverage.cedar_uncovered:
        lines.append(f"  {item.location.path}:{item.location.line}: {item.what} decided no scenario")
    for item in coverage.rego_uncovered:
        lines.append(f"  {item.location.path}:{item.location.line}: {item.what} never evaluated")
    return lines


def render(run: TestRun, options: RenderOptions) -> str:
    lines: list[str] = []
    for result in run.results:
        if result.status in (PASS, SKIP):
            if options.verbose:
                lines.append(headline(result, options.color))
            continue
        lines.append(headline(result, options.color))
        lines.extend("    " + visible(line) for line in details(result))
    lines.extend(visible(line) for line in coverage_lines(run))
    if lines:
        lines.append("")
    lines.append(run.summary_line())
    return "\n".join(lines) + "\n"
