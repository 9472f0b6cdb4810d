"""The library surface: what the CLI, the pre-commit hook and other programs call.

The CLI reaches the rest of nhilint only through this module (an import-linter contract in
pyproject.toml keeps it so); what it needs of the configuration, the rules and the baseline
is re-exported or wrapped here. The heavier parts load on first use.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nhilint import baseline as baselines
from nhilint.baseline import BaselineError
from nhilint.config import ConfigError, Configuration, Selection, SelectionError, Settings, as_configuration
from nhilint.discovery import discover
from nhilint.linter import PROJECT_MARKERS, LintResult, lint, project_root
from nhilint.model import Finding, Severity
from nhilint.secrets import mask_text

if TYPE_CHECKING:
    from nhilint.initialize import InitOutcome
    from nhilint.rules import Rule
    from nhilint.testing.results import TestRun
    from nhilint.testing.runner import Plan

__all__ = ["BaselineError", "ConfigError", "Configuration", "LintResult", "Selection", "SelectionError",
           "Settings", "Severity", "baseline_text", "configuration_data", "configuration_text",
           "explain_rule", "initialize", "lint_paths", "list_files", "mask_text", "project_files", "repository_offset",
           "rule_catalogue", "rules", "run_tests"]


# The collector's young-generation threshold while nhilint reads a tree. A run allocates
# many objects that live to its end (the parsed files, the model, the findings); at Python's
# default (700 allocations; 2,000 from 3.13) the collector re-walks them so often that a
# tree ten times larger costs 13-15x the time. At 10,000 it stays linear (10-11x in
# benchmarks/complexity.py: rego-same-named, rego-template-strings, platform) and a run is
# 5-20% cheaper; the garbage waiting for a collection grows by a few MB at most.
COLLECTION_THRESHOLD = 10_000


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """The collector's young threshold raised to COLLECTION_THRESHOLD for a run, then restored."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], COLLECTION_THRESHOLD), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def lint_paths(paths: Iterable[str], settings: Settings | Configuration | None = None,
               today: dt.date | None = None, project_context: bool = False,
               baseline: str | None = None) -> LintResult:
    """Lint every file under `paths`; findings come back sorted by path, line, column, rule.

    Without `settings`, each project uses its nearest .nhilint.yaml (or [tool.nhilint]) and
    the rulesets it extends; a bad one raises `nhilint.config.ConfigError`, a rule the
    configuration's `selection` (--select, --ignore) names that no rule is raises
    `nhilint.config.SelectionError`. Findings the
    `baseline` file accepts come back marked as suppressed (`nhilint.baseline.BaselineError`
    for a bad file).

    With `project_context`, the rest of each named file's project is read too, so cross-file
    rules (delegation graphs, shared credentials) judge a file as a whole-repository run would,
    while only the named files are reported on: what pre-commit needs when it passes the
    changed files alone.
    """
    with _fewer_collections():
        paths = list(paths)
        context = project_files(paths) if project_context else []
        accepted = baselines.load(baseline) if baseline is not None else None
        configuration = as_configuration(settings)
        configuration.load_explicit()
        result = lint(paths, configuration, today, context)
        if baseline is not None and accepted is not None:
            result.findings = baselines.apply(result.findings, accepted, baseline)
        return result


def list_files(paths: Iterable[str], settings: Settings | Configuration | None = None,
               project_context: bool = False) -> LintResult:
    """What `lint_paths` would do with each file under `paths`, without running a rule:
    `result.outcomes` holds the format each file is read as, or why it is skipped."""
    paths = list(paths)
    configuration = as_configuration(settings)
    configuration.load_explicit()
    return lint(paths, configuration, context=project_files(paths) if project_context else [],
                listing=True)


def project_files(paths: list[str]) -> list[Path]:
    """Every file of the projects (nearest config or .git) of the named files.

    A file with no project marker above it has no project to read: walking up to the
    filesystem root would read the whole machine.
    """
    cache: dict[Path, Path] = {}
    roots = {project_root(Path(p), cache) for p in paths if Path(p).is_file()}
    marked = [root for root in sorted(roots)
              if any((root / marker).exists() for marker in PROJECT_MARKERS)]
    return discover([str(root) for root in marked])[0]


def repository_offset(directory: Path | None = None) -> str:
    """Where the working directory is inside its git repository ("." at the root), so reports
    can give repository-relative paths (SARIF, GitHub annotations). "." outside a repository."""
    here = (directory or Path.cwd()).resolve()
    for parent in (here, *here.parents):
        if (parent / ".git").exists():
            return here.relative_to(parent).as_posix()
    return "."


def run_tests(paths: Iterable[str], with_coverage: bool = False, timeout: float = 5.0,
              progress: Callable[[int, int], None] | None = None) -> tuple[TestRun, Plan]:
    """Run the scenario files and Rego `test_*` rules under `paths` (`nhilint test`).

    When the returned plan has usage errors (a bad scenario file, a missing path, nothing
    to run), the run is empty and nothing was evaluated. `timeout` bounds each Rego test
    rule in seconds (0: no bound); `progress(done, total)` is called as they finish.
    """
    from nhilint.testing.runner import run_tests as run

    with _fewer_collections():
        return run(paths, with_coverage, timeout, progress)


def rules(configuration: Configuration, directory: Path | None = None) -> dict[str, Rule]:
    """Every rule by id: the built-in ones and the custom rules of the configuration that
    applies to `directory` (default: the working directory)."""
    from nhilint.rules import all_rules

    configuration.for_directory(directory or Path.cwd())
    return all_rules()


def rule_catalogue(rules: Iterable[Rule], output_format: str) -> str:
    """The rules as one document: "markdown" (docs/rules/README.md) or "json" (full metadata)."""
    if output_format == "markdown":
        from nhilint.rule_docs import catalogue

        return catalogue(rules)
    from nhilint import rule_catalogue as catalogue_json

    return catalogue_json.render(rules)


def explain_rule(rule: Rule) -> str:
    """What `nhilint explain` shows of one rule."""
    from nhilint.explain import explain

    return explain(rule)


def configuration_data(configuration: Configuration, directory: Path) -> dict[str, Any]:
    """The settings that apply to `directory`, each value with the file and line it came from."""
    from nhilint.config import describe

    configuration.load_explicit(directory)
    settings = configuration.for_directory(directory)
    return describe(settings, configuration.project_file(directory))


def configuration_text(data: dict[str, Any]) -> str:
    from nhilint.config import render_description

    return render_description(data)


def baseline_text(findings: list[Finding]) -> str:
    """A baseline file accepting `findings` (`nhilint baseline`)."""
    return baselines.render(findings)


def initialize(directory: Path, pre_commit: bool) -> InitOutcome:
    """Write a commented .nhilint.yaml (and a pre-commit hook) into `directory`, never overwriting."""
    from nhilint.initialize import initialize as start

    return start(directory, pre_commit)
