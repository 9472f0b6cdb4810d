"""Baselines: findings fingerprinted by content survive line shifts; new ones are reported."""

from __future__ import annotations

import json

from nhilint.api import lint_paths
from tests.config.conftest import TTL_LINE, active, cli, manifest
from tests.conftest import TODAY


def new_findings(baseline: str = "base.json") -> list[tuple[str, str, int]]:
    return active(lint_paths(["."], today=TODAY, baseline=baseline).findings)


def test_baseline_survives_a_line_shift_and_catches_a_new_finding(project) -> None:
    project({"agent.yaml": manifest(ttl="4h")})
    written = cli("baseline", ".", "-o", "base.json", "--today", "2026-11-22")
    assert (written.exit_code, written.output) == (0, "nhilint: 1 finding in 1 files written to base.json\n")
    assert new_findings() == []
    assert cli("lint", "--baseline", "base.json", "--today", "2026-11-22").exit_code == 0

    # lines added above and the key moved within its item: still the accepted finding
    shifted = manifest(ttl="4h").replace("# ", "").replace(
        "metadata:\n", "# Reviewed by the platform team.\n\nmetadata:\n").replace(
        "    issuance: jit\n    ttl: 4h\n", "    ttl: 4h\n    issuance: jit\n")
    project({"agent.yaml": shifted})
    assert new_findings() == []

    # a new violation of the same rule elsewhere is reported
    project({"other.yaml": manifest(name="billing-agent", ttl="8h")})
    assert new_findings() == [("NHI202", "other.yaml", TTL_LINE)]
    result = cli("lint", "--baseline", "base.json", "--today", "2026-11-22")
    assert result.exit_code == 1 and "other.yaml" in result.output and "agent.yaml:" not in result.output


def test_a_changed_value_is_a_new_finding(project) -> None:
    project({"agent.yaml": manifest(ttl="4h")})
    cli("baseline", "-o", "base.json", "--today", "2026-11-22")
    project({"agent.yaml": manifest(ttl="12h")})
    assert new_findings() == [("NHI202", "agent.yaml", TTL_LINE)]


def test_a_second_identical_violation_is_new(project) -> None:
    """Fingerprints are counted: the baseline accepts one wildcard, not every wildcard."""
    project({"agent.yaml": manifest().replace("    actions: [read, comment]\n", "    actions: ['*']\n")})
    cli("baseline", "-o", "base.json", "--today", "2026-11-22")
    text = manifest().replace("    actions: [read, comment]\n", "    actions: ['*']\n")
    text = text.replace("audit:\n", "  - name: admin-console\n    actions: ['*']\n"
                                    "    resources: [console]\n    risk: low\naudit:\n")
    project({"agent.yaml": text})
    assert new_findings() == [("NHI302", "agent.yaml", 24)]


def test_baselined_findings_are_marked_not_dropped(project) -> None:
    project({"agent.yaml": manifest(ttl="4h")})
    cli("baseline", "-o", "base.json", "--today", "2026-11-22")
    out = json.loads(cli("lint", "--baseline", "base.json", "-f", "json", "--today", "2026-11-22").output)
    assert [(f["rule"], f["suppressed"]) for f in out["findings"]] == [
        ("NHI202", {"reason": "in the baseline base.json"})]


def test_baseline_file_is_deterministic_and_holds_no_snippet(project) -> None:
    project({"agent.yaml": manifest(ttl="4h")})
    cli("baseline", "-o", "a.json", "--today", "2026-11-22")
    cli("baseline", "-o", "b.json", "--today", "2026-11-22")
    first = (project({}) / "a.json").read_text(encoding="utf-8")
    assert first == (project({}) / "b.json").read_text(encoding="utf-8")
    data = json.loads(first)
    assert data["version"] == 1
    [entry] = data["findings"]
    assert sorted(entry) == ["fingerprint", "identity", "message", "path", "rule"]
    assert "ttl: 4h" not in first


def test_bad_baseline_is_a_usage_error(project) -> None:
    project({"agent.yaml": manifest(), "base.json": "{not json", "old.json": '{"version": 9}'})
    for name, expected in (("base.json", "nhilint: base.json is not a baseline (invalid JSON"),
                           ("old.json", "nhilint: old.json is not an nhilint baseline of version 1"),
                           ("none.json", "nhilint: cannot read the baseline none.json")):
        result = cli("lint", "--baseline", name)
        assert result.exit_code == 2 and result.output.startswith(expected), result.output


def test_sarif_marks_baseline_acceptance_as_an_external_suppression(project) -> None:
    project({"agent.yaml": manifest(ttl="4h")})
    cli("baseline", ".", "-o", "base.json", "--today", "2026-11-22")
    sarif = json.loads(cli("lint", "--baseline", "base.json", "--today", "2026-11-22", "-f", "sarif").output)
    results = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "NHI202"]
    assert [s["kind"] for r in results for s in r["suppressions"]] == ["external"]
