"""Run scenario files and Rego `test_*` rules in one pass: discover, load, batch per setup, report.

Scenario files that share a setup (the same policies, schema, entities and links, or the
same modules and data) are evaluated together: Cedar in one `is_authorized_batch` call,
Rego in one engine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from nhilint.discovery import display_path
from nhilint.linter import PROJECT_MARKERS, project_root

from nhilint.testing.coverage import CoverageTracker
from nhilint.testing.engines import engine
from nhilint.testing.results import TestResult, TestRun
from nhilint.testing.scenarios import REGO_TEST_SUFFIX, LoadProblem, RegoSetup, ScenarioFile, \
    discover, load


@dataclass
class Plan:
    """What a run will execute, or why it cannot (problems: exit 2)."""

    files: list[ScenarioFile] = field(default_factory=list)
    rego_tests: dict[str, list[str]] = field(default_factory=dict)  # root -> *_test.rego files
    problems: list[LoadProblem] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.files and not self.rego_tests

    def usage_errors(self) -> list[str]:
        """Why this plan cannot run (exit 2): bad scenario files, missing paths, nothing to run."""
        errors = [str(problem) for problem in self.problems]
        errors.extend(f"path not found: {path}" for path in self.missing)
        if self.empty and not errors:
            errors.append("no scenario files (*.nhitest.yaml) or Rego tests (*_test.rego) found")
        return errors


def plan(paths: Iterable[str]) -> Plan:
    scenario_paths, test_paths, missing = discover(paths)
    result = Plan(missing=missing)
    for path in scenario_paths:
        loaded, problems = load(path)
        result.files.extend(loaded)
        result.problems.extend(problems)
    result.rego_tests = _rego_test_roots(test_paths, result.files)
    return result


def _rego_test_roots(found: list[str], files: list[ScenarioFile]) -> dict[str, list[str]]:
    """Group *_test.rego files (those found under PATHS and those beside a Rego scenario
    file's modules) by the directory whose modules load with them: their project (the
    nearest .nhilint.yaml, pyproject.toml or .git, as for linting), as `opa test PROJECT`
    would; a test outside any project loads its own directory."""
    tests = set(map(os.path.normpath, found))
    for file in files:
        if isinstance(file.setup, RegoSetup):
            for module_dir in {os.path.dirname(m) or "." for m in file.setup.modules}:
                tests.update(os.path.normpath(os.path.join(module_dir, name))
                             for name in os.listdir(module_dir) if name.endswith(REGO_TEST_SUFFIX))
    roots: dict[str, list[str]] = {}
    cache: dict[Path, Path] = {}
    for test in sorted(tests):
        project = project_root(Path(test), cache)
        marked = any((project / marker).exists() for marker in PROJECT_MARKERS)
        root = display_path(project) if marked else (os.path.dirname(test) or ".")
        roots.setdefault(root, []).append(test)
    return roots


def execute(work: Plan, with_coverage: bool = False) -> TestRun:
    """Run a plan that has no problems; results come back sorted by file, line and name."""
    tracker = CoverageTracker() if with_coverage else None
    groups: dict[tuple[str, object], list[ScenarioFile]] = {}
    for file in work.files:
        groups.setdefault((file.engine, file.setup), []).append(file)
    results: list[TestResult] = []
    for (name, setup), files in groups.items():
        results.extend(engine(name).run(setup, files, tracker))
    if work.rego_tests:
        from nhilint.testing.rego_engine import run_test_rules

        for root, tests in sorted(work.rego_tests.items()):
            results.extend(run_test_rules(root, tests, tracker))
    results.sort(key=lambda r: (r.location.path, r.location.line, r.name))
    ran = sorted({f.path for f in work.files} | {t for ts in work.rego_tests.values() for t in ts})
    return TestRun(results, tracker.result() if tracker else None, ran)


def run_tests(paths: Iterable[str], with_coverage: bool = False) -> tuple[TestRun, Plan]:
    """The library entry point: plan and, when the files are valid, execute."""
    work = plan(paths)
    if work.problems:
        return TestRun(), work
    return execute(work, with_coverage), work
