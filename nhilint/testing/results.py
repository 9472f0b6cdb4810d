"""What a test run produces: one TestResult per scenario or Rego `test_*` rule, and coverage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nhilint.model import Location

PASS, FAIL, ERROR = "pass", "fail", "error"
SKIP = "skip"  # a Rego `todo_test_*` rule: written down, not yet run (as `opa test` skips it)
UNDEFINED = "undefined"  # a Rego query with no value, as scenario files write it


@dataclass(frozen=True)
class TestResult:
    """The verdict on one scenario (or Rego test rule), with what a reader needs to act on it."""

    location: Location  # the scenario item, or the test rule's head
    name: str
    status: str  # PASS | FAIL | ERROR | SKIP
    expected: Any = None
    actual: Any = None
    determined_by: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    kind: str = "cedar"  # cedar | rego | rego-test: what ran it
    output: tuple[str, ...] = ()  # what the engine printed (Rego `print`, its warnings) meanwhile

    __test__ = False  # not a pytest class, despite the name


@dataclass(frozen=True)
class Uncovered:
    """A policy no scenario decided, or Rego lines no test evaluated."""

    location: Location
    what: str  # "policy 'approver-pay'", "lines 12-14"


@dataclass
class Coverage:
    cedar_total: int = 0  # policies (templates count once, whatever their links)
    cedar_uncovered: list[Uncovered] = field(default_factory=list)
    rego_total: int = 0  # evaluable lines
    rego_uncovered_lines: int = 0
    rego_uncovered: list[Uncovered] = field(default_factory=list)

    @property
    def percent(self) -> float:
        """Covered share of Cedar policies and Rego lines together (100 when there is nothing)."""
        total = self.cedar_total + self.rego_total
        missed = len(self.cedar_uncovered) + self.rego_uncovered_lines
        return 100.0 if total == 0 else round(100.0 * (total - missed) / total, 1)


@dataclass
class TestRun:
    results: list[TestResult] = field(default_factory=list)
    coverage: Coverage | None = None
    files: list[str] = field(default_factory=list)  # scenario and *_test.rego files that ran

    __test__ = False

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def ok(self) -> bool:
        return self.count(FAIL) == 0 and self.count(ERROR) == 0

    def summary_line(self) -> str:
        line = f"{self.count(PASS)} passed, {self.count(FAIL)} failed, {self.count(ERROR)} errors"
        skipped = self.count(SKIP)
        return f"{line}, {skipped} skipped" if skipped else line
