"""The library surface: what the CLI, the pre-commit hook and other programs call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from nhilint.config import Configuration, Settings, as_configuration
from nhilint.discovery import discover
from nhilint.linter import PROJECT_MARKERS, LintResult, lint, project_root


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
    paths = list(paths)
    context = project_files(paths) if project_context else []
    accepted = None
    if baseline is not None:
        from nhilint import baseline as baselines

        accepted = baselines.load(baseline)
    configuration = as_configuration(settings)
    configuration.load_explicit()
    result = lint(paths, configuration, today, context)
    if accepted is not None:
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
              progress=None):  # -> (TestRun, Plan)
    """Run the scenario files and Rego `test_*` rules under `paths` (`nhilint test`).

    When the returned plan has usage errors (a bad scenario file, a missing path, nothing
    to run), the run is empty and nothing was evaluated. `timeout` bounds each Rego test
    rule in seconds (0: no bound); `progress(done, total)` is called as they finish.
    """
    from nhilint.testing.runner import run_tests as run

    return run(paths, with_coverage, timeout, progress)
