"""The library surface: what the CLI, the pre-commit hook and other programs call."""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from nhilint.config import Settings, default_settings
from nhilint.linter import LintResult, lint


def lint_paths(paths: Iterable[str], settings: Settings | None = None,
               today: dt.date | None = None) -> LintResult:
    """Lint every file under `paths`; findings come back sorted by path, line, column, rule."""
    return lint(list(paths), settings or default_settings(), today)
