"""SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, IDE viewers).

One `reportingDescriptor` per rule, from the rule metadata; one result per finding, with a
physical location relative to the repository root (`%SRCROOT%`). Suppressed findings stay in
the log with a `suppressions` entry carrying the justification, so a viewer shows them as
dismissed instead of losing them.

`partialFingerprints` hash the rule, the path, the identity and the finding's line-independent
subject, never a line number: moving a manifest's keys around keeps an alert's identity.

GitHub rejects a run with more than 25,000 results (and shows 5,000, by severity), or a rule
with more than 20 tags (showing 10): the log stays under both, keeping the most severe
findings and saying in the run's notifications how many it left out.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections import Counter
from typing import Any
from urllib.parse import quote

from nhilint import __version__
from nhilint.model import Finding, LintResult
from nhilint.reporters import RenderOptions, json_text, repository_path

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/nhilint/nhilint"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "nhilintFindingHash/v1"
MAX_RESULTS = 25_000  # GitHub's hard limit per run
MAX_TAGS = 10  # GitHub accepts 20 tags per rule and shows 10

LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# GitHub ranks security alerts by this score (0.1-10): critical >= 9, high >= 7, medium >= 4.
SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "info": "2.0"}


def _utf8(text: str) -> bytes:
    """`text` as UTF-8, a file name's undecodable bytes as they were."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no byte stands for (not from a POSIX file name)
        return text.encode("utf-8", "backslashreplace")


def artifact_location(path: str, root: str) -> dict[str, str]:
    """A path as SARIF wants it: relative to %SRCROOT% (the repository root) when it is inside.
    A URI percent-encodes bytes, so a file name that is not UTF-8 keeps its own (%FF)."""
    uri = quote(_utf8(repository_path(path, root)), safe="/")
    if posixpath.isabs(uri):
        return {"uri": "file://" + uri}
    if uri.startswith("../"):
        return {"uri": uri}
    return {"uri": uri, "uriBaseId": SRCROOT}


def _region(finding: Finding) -> dict[str, int]:
    loc = finding.location
    # SARIF's endColumn is the column after the region; ours is the last character's.
    return {"startLine": loc.line, "startColumn": loc.column,
            "endLine": loc.end_line, "endColumn": loc.end_column + 1}


def _descriptor(rule: Any) -> dict[str, Any]:
    from nhilint.rules.references import REFERENCES

    help_lines = [rule.remediation]
    if rule.references:
        help_lines += ["", "References:"] + [f"- {ref}: {REFERENCES.get(ref, ref)}"
                                             for ref in rule.references]
    help_markdown = [f"**{rule.summary}**", "", rule.rationale, "", "**How to fix it:** "
                     + rule.remediation]
    if rule.bad_example:
        help_markdown += ["", "Bad:", "", f"```{rule.example_language}", rule.bad_example, "```"]
    if rule.good_example:
        help_markdown += ["", "Good:", "", f"```{rule.example_language}", rule.good_example, "```"]
    if rule.references:
        help_markdown += ["", "References: " + ", ".join(rule.references)]
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": "\n".join(help_lines), "markdown": "\n".join(help_markdown)},
        "defaultConfiguration": {"level": LEVELS[rule.severity.value],
                                 "enabled": rule.enabled_by_default},
        "properties": {
            "tags": ["security", rule.category, *rule.references][:MAX_TAGS],
            "precision": "high",
            "security-severity": SECURITY_SEVERITY[rule.severity.value],
        },
    }


def fingerprints(findings: list[Finding]) -> list[str]:
    """A line-independent hash per finding; repeats of the same key get an ordinal."""
    seen: Counter[str] = Counter()
    hashes = []
    for finding in findings:
        key = "\0".join((finding.rule, finding.location.path, finding.identity or "",
                         finding.subject or finding.message))
        seen[key] += 1
        digest = hashlib.sha256(_utf8(f"{key}\0{seen[key]}")).hexdigest()[:32]
        hashes.append(digest)
    return hashes


def _result(finding: Finding, rule_index: int, fingerprint: str, root: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity.value],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": artifact_location(finding.location.path, root),
            "region": _region(finding),
        }}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if finding.suppressed is not None:
        result["suppressions"] = [{"kind": finding.suppression_kind, "status": "accepted",
                                   "justification": finding.suppressed}]
    properties: dict[str, Any] = {}
    if finding.identity:
        properties["identity"] = finding.identity
    if finding.references:
        properties["references"] = list(finding.references)
    if properties:
        result["properties"] = properties
    return result


def _within_limit(findings: list[Finding]) -> list[int]:
    """Indexes of at most MAX_RESULTS findings: active before suppressed, then the most severe."""
    ranked = sorted(range(len(findings)), key=lambda i: (
        findings[i].suppressed is not None, -findings[i].severity.rank, i))
    return sorted(ranked[:MAX_RESULTS])


def render(result: LintResult, options: RenderOptions) -> str:
    from nhilint.rules import all_rules

    known = all_rules()
    descriptors = [_descriptor(rule) for rule in known.values()]
    # A rule a ruleset added at run time has no metadata here: it still gets a descriptor.
    descriptors += [{"id": rule_id} for rule_id in sorted({f.rule for f in result.findings} - known.keys())]
    index = {descriptor["id"]: number for number, descriptor in enumerate(descriptors)}
    hashes = fingerprints(result.findings)
    kept = _within_limit(result.findings)
    invocation: dict[str, Any] = {"executionSuccessful": True}
    omitted = len(result.findings) - len(kept)
    if omitted:
        invocation["toolExecutionNotifications"] = [{
            "level": "warning",
            "message": {"text": f"{omitted} less severe findings left out: code scanning accepts "
                                f"at most {MAX_RESULTS} results per run"},
        }]
    run = {
        "tool": {"driver": {
            "name": "nhilint",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": INFORMATION_URI,
            "rules": descriptors,
        }},
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "The repository root."}}},
        "columnKind": "unicodeCodePoints",
        "invocations": [invocation],
        "results": [_result(result.findings[i], index[result.findings[i].rule], hashes[i], options.root)
                    for i in kept],
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json_text(log)
