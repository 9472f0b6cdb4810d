"""Coverage: the Cedar policies that decided no scenario, and the Rego lines no test evaluated.

Engines report what they saw; a policy or line is covered when any setup covered it (the
same module may be loaded by a scenario file and by a `*_test.rego` run).
"""

from __future__ import annotations

import json
from typing import Any

from nhilint.model import Location
from nhilint.testing.results import Coverage, Uncovered


class CoverageTracker:
    def __init__(self) -> None:
        self._policies: dict[tuple[str, int], tuple[str, bool]] = {}  # (path, line) -> (name, decided)
        self._lines: dict[str, tuple[set[int], set[int]]] = {}  # path -> (covered, not covered)

    def cedar_policy(self, location: Location, name: str, decided: bool) -> None:
        key = (location.path, location.line)
        _, before = self._policies.get(key, (name, False))
        self._policies[key] = (name, before or decided)

    def merge(self, other: CoverageTracker) -> None:
        """Add what another tracker saw (one filled in a worker process)."""
        for (path, line), (name, decided) in other._policies.items():
            self.cedar_policy(Location(path, line), name, decided)
        for path, (covered, missed) in other._lines.items():
            mine = self._lines.setdefault(path, (set(), set()))
            mine[0].update(covered)
            mine[1].update(missed)

    def rego_report(self, report_json: str, skip: Any = lambda path: False) -> None:
        """Merge a regorus coverage report (`get_coverage_report_as_json`), leaving out `skip(path)`."""
        for entry in json.loads(report_json).get("files", []):
            if skip(entry["path"]):
                continue
            covered, missed = self._lines.setdefault(entry["path"], (set(), set()))
            covered.update(entry.get("covered", ()))
            missed.update(entry.get("not_covered", ()))

    def result(self) -> Coverage:
        coverage = Coverage(cedar_total=len(self._policies))
        for (path, line), (name, decided) in sorted(self._policies.items()):
            if not decided:
                coverage.cedar_uncovered.append(Uncovered(Location(path, line), f"policy '{name}'"))
        for path in sorted(self._lines):
            covered, missed = self._lines[path]
            missed = missed - covered
            coverage.rego_total += len(covered | missed)
            coverage.rego_uncovered_lines += len(missed)
            for first, last in _ranges(sorted(missed)):
                what = f"line {first}" if first == last else f"lines {first}-{last}"
                coverage.rego_uncovered.append(Uncovered(Location(path, first, 1, last, 1), what))
        return coverage


def _ranges(lines: list[int]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for line in lines:
        if spans and line == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], line)
        else:
            spans.append((line, line))
    return spans
