"""Reporters: pure renderers from results to text. Only the CLI prints.

Each module named here defines `render(result, options) -> str`. None of them ever sees a
secret value: the model holds only masked hints.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

LINT_FORMATS: dict[str, str] = {
    "text": "nhilint.reporters.text",
    "json": "nhilint.reporters.json_report",
}


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    root: str = "."  # the directory paths are relative to (SARIF's %SRCROOT%)


def render(kind: str, result: Any, options: RenderOptions | None = None) -> str:
    module = importlib.import_module(LINT_FORMATS[kind])
    return module.render(result, options or RenderOptions())
