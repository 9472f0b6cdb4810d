"""Run scenario files and Rego `test_*` rules in one pass: discover, load, batch per setup, report.

Scenario files that share a setup (the same policies, schema, entities and links, or the
same modules and data) are evaluated together: Cedar in one `is_authorized_batch` call,
Rego in one engine.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from nhilint.secrets import mask_text
from nhilint.testing.backends import engine
from nhilint.testing.coverage import CoverageTracker
from nhilint.testing.results import TestResult, TestRun
from nhilint.testing.scenarios import REGO_TEST_SUFFIX, LoadProblem, RegoSetup, ScenarioFile, discover, load

DEFAULT_TIMEOUT = 5.0  # seconds a `test_*` rule may run, as `opa test --timeout` defaults
Progress = Callable[[int, int], None]  # (tests done, tests in all)


@dataclass
class Plan:
    """What a run will execute, or why it cannot (problems: exit 2)."""

    files: list[ScenarioFile] = field(default_factory=list)
    rego_modules: list[str] = field(default_factory=list)  # the .rego files `test_*` rules run with
    rego_tests: list[str] = field(default_factory=list)  # the *_test.rego files among them
    data_roots: list[str] = field(default_factory=list)  # directories whose data files load
    problems: list[LoadProblem] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.files and not self.rego_tests

    def usage_errors(self) -> list[str]:
        """Why this plan cannot run (exit 2): bad scenario files, missing paths, nothing to run;
        a value quoted from a file or an argument passes the secret mask."""
        errors = [mask_text(str(problem)) for problem in self.problems]
        errors.extend(f"path not found: {mask_text(path)}" for path in self.missing)
        if self.empty and not errors:
            errors.append("no scenario files (*.nhitest.yaml) or Rego tests (*_test.rego) found")
        return errors


def plan(paths: Iterable[str]) -> Plan:
    """As `opa test PATHS`: the Rego under PATHS, plus the directories of the modules Rego
    scenario files name (so the tests beside those modules run too)."""
    found = discover(paths)
    result = Plan(missing=found.missing, data_roots=found.directories)
    for path in found.scenarios:
        loaded, problems = load(path)
        result.files.extend(loaded)
        result.problems.extend(problems)
    modules = set(found.rego_modules)
    for module_dir in sorted({os.path.dirname(m) or "." for f in result.files if isinstance(f.setup, RegoSetup)
                              for m in f.setup.modules}):
        modules.update(os.path.normpath(os.path.join(module_dir, name)) for name in os.listdir(module_dir)
                       if name.endswith(".rego"))
        if not any(_within(module_dir, root) for root in found.directories):
            result.data_roots.append(module_dir)
    result.rego_modules = sorted(modules)
    result.rego_tests = [path for path in result.rego_modules if path.endswith(REGO_TEST_SUFFIX)]
    return result


def _within(path: str, directory: str) -> bool:
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(directory))
    return relative == "." or not relative.startswith("..")


def execute(work: Plan, with_coverage: bool = False, timeout: float = DEFAULT_TIMEOUT,
            progress: Progress | None = None) -> TestRun:
    """Run a plan that has no problems; results come back sorted by file, line and name.
    `timeout` bounds each `test_*` rule and Rego scenario, and each 1,000 Cedar scenarios of
    a setup (0: no bound); `progress(done, total)` follows the `test_*` rules."""
    tracker = CoverageTracker() if with_coverage else None
    groups: dict[tuple[str, object], list[ScenarioFile]] = {}
    for file in work.files:
        groups.setdefault((file.engine, file.setup), []).append(file)
    results: list[TestResult] = []
    for (name, setup), files in groups.items():
        results.extend(engine(name).run(setup, files, tracker, timeout))
    if work.rego_tests:
        from nhilint.testing.rego_tests import run_test_rules

        results.extend(run_test_rules(work.rego_modules, work.rego_tests, work.data_roots, tracker,
                                      timeout, progress))
    results.sort(key=lambda r: (r.location.path, r.location.line, r.name))
    ran = sorted({f.path for f in work.files} | set(work.rego_tests))
    return TestRun([_masked(r) for r in results], tracker.result() if tracker else None, ran)


def _masked(result: TestResult) -> TestResult:
    """The result as every report shows it: each string that came from a policy, a scenario or
    an engine (values, errors, printed output, the test's name) through the secret mask, once
    its verdict is decided on the real values."""
    return replace(result, name=mask_text(result.name), expected=_masked_value(result.expected),
                   actual=_masked_value(result.actual), errors=tuple(map(mask_text, result.errors)),
                   output=tuple(map(mask_text, result.output)),
                   determined_by=tuple(map(mask_text, result.determined_by)))


def _masked_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {mask_text(str(k)): _masked_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked_value(v) for v in value]
    return value


def run_tests(paths: Iterable[str], with_coverage: bool = False, timeout: float = DEFAULT_TIMEOUT,
              progress: Progress | None = None) -> tuple[TestRun, Plan]:
    """The library entry point: plan and, when the files are valid, execute."""
    work = plan(paths)
    if work.problems:
        return TestRun(), work
    return execute(work, with_coverage, timeout, progress), work
