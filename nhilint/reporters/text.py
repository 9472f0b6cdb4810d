"""Human-readable lint output: one line per finding, `path:line:col: severity RULE message`."""

from __future__ import annotations

from nhilint.model import LintResult
from nhilint.reporters import RenderOptions, visible

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_RESET = "\033[0m"
_DIM = "\033[2m"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(result: LintResult) -> str:
    """`N findings (...) in M files`: M counts the files read as one of nhilint's formats and
    those it could not read (their finding says why), not configuration or unknown files;
    then `; K skipped` when nhilint recognised files it did not judge (a Helm template, a
    Kustomize overlay, a broken symlink: `--list-files` lists each with the reason)."""
    counts = result.counts()
    active = sum(counts.values())
    suppressed = sum(1 for f in result.findings if f.suppressed is not None)
    parts = [_plural(counts["error"], "error"), _plural(counts["warning"], "warning"),
             f"{counts['info']} info"]
    line = f"{_plural(active, 'finding')} ({', '.join(parts)}) in {_plural(result.checked_files(), 'file')}"
    if suppressed:
        line += f"; {suppressed} suppressed"
    skipped = sum(1 for outcome in result.outcomes.values() if outcome.unjudged and not outcome.read_as)
    if skipped:
        line += f"; {skipped} skipped (--list-files says why)"
    return line


def render(result: LintResult, options: RenderOptions) -> str:
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


def _outcome(read_as: str, skipped: str) -> str:
    if read_as and skipped:  # read up to a document that stopped it
        return f"{read_as} (the rest skipped: {visible(skipped)})"
    return read_as or f"skipped: {visible(skipped)}"


def file_list(result: LintResult) -> str:
    """`--list-files`: each file with the format it was read as, or why it was skipped, in path
    order, then the totals."""
    width = max((len(visible(path)) for path in result.outcomes), default=0)
    lines = [f"{visible(path):<{width}}  " + _outcome(outcome.read_as, outcome.skipped)
             for path, outcome in result.outcomes.items()]
    outcomes = result.outcomes.values()
    known = sum(1 for outcome in outcomes if outcome.read_as and outcome.checked)
    configs = sum(1 for outcome in outcomes if outcome.read_as and not outcome.checked)
    if lines:
        lines.append("")
    lines.append(f"{_plural(known, 'file')} read as a known format, "
                 f"{_plural(configs, 'configuration file')}, {len(outcomes) - known - configs} skipped")
    return "\n".join(lines) + "\n"
