"""Reporters: pure renderers from results to text. Only the CLI prints.

Each module named here defines `render(result, options) -> str`. None of them ever sees a
secret value: the model holds only masked hints.
"""

from __future__ import annotations

import importlib
import posixpath
import re
from dataclasses import dataclass
from typing import Any

LINT_FORMATS: dict[str, str] = {
    "text": "nhilint.reporters.text",
    "json": "nhilint.reporters.json_report",
    "sarif": "nhilint.reporters.sarif",
    "junit": "nhilint.reporters.junit",
    "github": "nhilint.reporters.github",
    "markdown": "nhilint.reporters.markdown",
}

# `nhilint test` results (a TestRun), not lint findings
TEST_FORMATS: dict[str, str] = {
    "text": "nhilint.reporters.results_text",
    "json": "nhilint.reporters.results_json",
    "junit": "nhilint.reporters.results_junit",
}


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    # The directory finding paths are relative to (the working directory), as a path from the
    # repository root ("." at the root): SARIF's %SRCROOT% and GitHub annotations need
    # repository-relative paths.
    root: str = "."
    verbose: bool = False  # also list what passed (`nhilint test -v`)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def visible(text: str) -> str:
    """Control characters from the input written as \\xNN: they break XML, and in a log or a
    terminal an escape sequence from a file could rewrite what the reader sees."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def repository_path(path: str, root: str) -> str:
    """A finding's path relative to the repository root (absolute paths stay absolute)."""
    if posixpath.isabs(path):
        return path
    return posixpath.normpath(posixpath.join(root, path))


def render(kind: str, result: Any, options: RenderOptions | None = None) -> str:
    module = importlib.import_module(LINT_FORMATS[kind])
    return module.render(result, options or RenderOptions())


def render_test_run(kind: str, run: Any, options: RenderOptions | None = None) -> str:
    module = importlib.import_module(TEST_FORMATS[kind])
    return module.render(run, options or RenderOptions())
