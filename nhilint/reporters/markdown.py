"""Markdown for a pull-request comment or a job summary: counts per rule, then the findings.

GitHub caps a comment at 65,536 characters, so the findings table stops after
MAX_ROWS rows and says how many it left out.
"""

from __future__ import annotations

from collections import Counter

from nhilint.model import LintResult
from nhilint.reporters import RenderOptions, repository_path, visible
from nhilint.reporters.text import summary_line

MAX_ROWS = 200
SEVERITY_ORDER = ("error", "warning", "info")


def cell(text: str) -> str:
    """Text safe inside a table cell: no pipe or newline breaks the row."""
    text = text.replace("\r", " ").replace("\n", " ")
    return visible(text).replace("\\", "\\\\").replace("|", "\\|")


def render(result: LintResult, options: RenderOptions) -> str:
    from nhilint.rules import all_rules

    known = all_rules()
    active = [f for f in result.findings if f.suppressed is None]
    suppressed = len(result.findings) - len(active)
    out = ["## nhilint", "", summary_line(result), ""]
    if not active:
        out += ["No findings." if not suppressed else "No findings besides the suppressed ones.", ""]
        return "\n".join(out)

    per_rule = Counter((f.rule, f.severity.value) for f in active)
    out += ["| rule | name | severity | findings |", "| --- | --- | --- | ---: |"]
    for (rule_id, severity), count in sorted(
            per_rule.items(), key=lambda item: (SEVERITY_ORDER.index(item[0][1]), item[0][0])):
        name = known[rule_id].name if rule_id in known else ""
        out.append(f"| {rule_id} | {name} | {severity} | {count} |")
    out += ["", "| severity | location | rule | message |", "| --- | --- | --- | --- |"]
    for finding in active[:MAX_ROWS]:
        loc = finding.location
        where = f"{repository_path(loc.path, options.root)}:{loc.line}:{loc.column}"
        out.append(f"| {finding.severity.value} | `{cell(where)}` | {finding.rule} | "
                   f"{cell(finding.message)} |")
    if len(active) > MAX_ROWS:
        out += ["", f"… and {len(active) - MAX_ROWS} more findings; run `nhilint lint` to see them all."]
    if suppressed:
        out += ["", f"Suppressed findings, not listed: {suppressed}."]
    out.append("")
    return "\n".join(out)
