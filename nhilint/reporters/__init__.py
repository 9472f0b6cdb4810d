"""Reporters: pure renderers from results to text. Only the CLI prints.

Each module named here defines `render(result, options) -> str`. None of them ever sees a
secret value: the model holds only masked hints.
"""

from __future__ import annotations

import importlib
import json
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

# Control characters (C0 and C1, tab and newline included: a newline in a file name could forge a
# result line), the Unicode line and paragraph separators (a line break to many readers),
# bidirectional overrides (text shown in another order than it is read), lone
# surrogates (the bytes of a file name that is not UTF-8) and non-characters.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
# A name that is not UTF-8 reaches us with each undecodable byte as a lone surrogate
# (Python's surrogateescape, U+DC80-U+DCFF); no lone surrogate can be written as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    point = ord(match.group())
    if 0xDC80 <= point <= 0xDCFF:  # the byte a file name held
        return f"\\x{point - 0xDC00:02x}"
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


def visible(text: str) -> str:
    """`text` on one line with nothing hidden: control characters, bidi overrides and the
    bytes of a name that is not UTF-8 written as \\xNN (\\uNNNN). They break XML, and in a log
    or a terminal an escape sequence or a newline from a file could rewrite what the reader sees."""
    return _CONTROL.sub(_escape, text)


def json_text(document: object) -> str:
    """A JSON report, valid UTF-8 whatever the file names: lone surrogates (a name that is
    not UTF-8) are written as the text \\xNN, everything else as itself."""
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return _SURROGATE.sub(lambda match: _escape(match).replace("\\", "\\\\"), text)


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
