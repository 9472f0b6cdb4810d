"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request's diff.

`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`, with info findings as
`::notice`. Paths are relative to the repository root, as GitHub matches them against the
checkout. Suppressed findings are not annotated; the summary line counts them.
"""

from __future__ import annotations

from nhilint.model import LintResult
from nhilint.reporters import RenderOptions, repository_path, visible
from nhilint.reporters.text import summary_line

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: LintResult, options: RenderOptions) -> str:
    from nhilint.rules import all_rules

    known = all_rules()
    lines = []
    for finding in result.findings:
        if finding.suppressed is not None:
            continue
        loc = finding.location
        title = f"{finding.rule} {known[finding.rule].name}" if finding.rule in known else finding.rule
        properties = {
            "file": repository_path(loc.path, options.root),
            "line": loc.line, "col": loc.column, "endLine": loc.end_line,
            "endColumn": loc.end_column, "title": title,
        }
        joined = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
        lines.append(f"::{COMMANDS[finding.severity.value]} {joined}::{escape_data(finding.message)}")
    lines.append("nhilint: " + summary_line(result))
    return "\n".join(lines) + "\n"
