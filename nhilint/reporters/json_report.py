"""Machine-readable lint output: one JSON document `{"version", "findings", "summary"}`."""

from __future__ import annotations

from nhilint import __version__
from nhilint.model import LintResult
from nhilint.reporters import RenderOptions, json_text


def render(result: LintResult, options: RenderOptions) -> str:
    counts = result.counts()
    document = {
        "version": __version__,
        "findings": [finding.to_dict() for finding in result.findings],
        "summary": {
            "files": result.checked_files(),
            "findings": sum(counts.values()),
            "errors": counts["error"],
            "warnings": counts["warning"],
            "info": counts["info"],
            "suppressed": sum(1 for f in result.findings if f.suppressed is not None),
        },
    }
    return json_text(document)
