"""Human-readable lint output: one line per finding, `path:line:col: severity RULE message`."""

from __future__ import annotations

from nhilint.reporters import RenderOptions, visible

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_RESET = "\033[0m"
_DIM = "\033[2m"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(result) -> str:
    counts = result.counts()
    active = sum(counts.values())
    suppressed = sum(1 for f in result.findings if f.suppressed is not None)
    parts = [_plural(counts["error"], "error"), _plural(counts["warning"], "warning"),
             f"{counts['info']} info"]
    line = f"{_plural(active, 'finding')} ({', '.join(parts)}) in {_plural(len(result.files), 'file')}"
    if suppressed:
        line += f"; {suppressed} suppressed"
    return line


def render(result, options: RenderOptions) -> str:
    from nhilint.rules import all_rules

    rules = all_rules()
    lines: list[str] = []
    for finding in result.findings:
        if finding.suppressed is not None:
            continue
        loc = finding.location
        severity = finding.severity.value
        if options.color:
            severity = f"{_COLORS[severity]}{severity}{_RESET}"
        name = rules[finding.rule].name
        tail = f"{_DIM}[{name}]{_RESET}" if options.color else f"[{name}]"
        lines.append(f"{visible(loc.path)}:{loc.line}:{loc.column}: {severity} {finding.rule} "
                     f"{visible(finding.message)} {tail}")
    if lines:
        lines.append("")
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"
