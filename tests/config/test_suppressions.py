"""Every suppression form, and the findings about suppressions (NHI004-NHI007)."""

from __future__ import annotations

import json

import pytest

from nhilint import suppressions
from tests.config.conftest import TTL_LINE, active, cli, lint, manifest

NO_TTL = manifest().replace("    ttl: 15m\n", "")  # NHI201 on the credential item, line 12


def suppressed(findings) -> list[tuple[str, int, str]]:
    return [(f.rule, f.location.line, f.suppressed) for f in findings if f.suppressed is not None]


def test_trailing_comment_on_the_findings_line(project) -> None:
    project({"agent.yaml": manifest(ttl="4h").replace(
        "    ttl: 4h\n", "    ttl: 4h  # nhilint: ignore[NHI202] nightly batch, fixed in Q3\n")})
    findings = lint()
    assert active(findings) == []
    assert suppressed(findings) == [("NHI202", TTL_LINE, "nightly batch, fixed in Q3")]


def test_comment_on_the_line_above(project) -> None:
    project({"agent.yaml": manifest(ttl="4h").replace(
        "    ttl: 4h\n", "    # nhilint: ignore[NHI202] nightly batch -- until=2027-03-31\n    ttl: 4h\n")})
    assert suppressed(lint()) == [("NHI202", TTL_LINE + 1, "nightly batch")]


def test_yaml_item_scope_covers_findings_inside_the_item(project) -> None:
    """Above a list item: every finding inside it, on the item's own lines or below them."""
    text = manifest(ttl="4h").replace(
        "credentials:\n", "credentials:\n  # nhilint: ignore[NHI2] legacy token, replaced in Q3\n")
    text = text.replace("    issuance: jit\n", "    issuance: standing\n")  # NHI203: no rotation
    project({"agent.yaml": text})
    findings = lint()
    assert active(findings) == []
    assert sorted((rule, line) for rule, line, _ in suppressed(findings)) == [("NHI202", 16), ("NHI203", 15)]


def test_yaml_item_scope_stops_at_the_item_end(project) -> None:
    text = NO_TTL.replace("credentials:\n", "credentials:\n  # nhilint: ignore[NHI201] legacy token\n")
    text = text.replace("tools:\n", "  - name: second-token\n    source: vault://kv/x\ntools:\n")
    project({"agent.yaml": text})
    findings = lint()
    assert suppressed(findings) == [("NHI201", 13, "legacy token")]
    assert active(findings) == [("NHI201", "agent.yaml", 18)]


def test_yaml_item_scope_for_a_mapping_entry(project) -> None:
    """Above `audit:` (a mapping entry): its missing `initiator` bind is covered."""
    text = manifest().replace("audit:\n", "# nhilint: ignore[NHI502] the gateway binds the initiator\naudit:\n")
    project({"agent.yaml": text.replace("  binds: [initiator, workload, action]\n", "  binds: [workload]\n")})
    assert active(lint()) == []


def test_file_level(project) -> None:
    project({"agent.yaml": "# nhilint: ignore-file[NHI201, NHI202] fixtures for the scanner tests\n"
                           + manifest(ttl="4h")})
    assert [(rule, line) for rule, line, _ in suppressed(lint())] == [("NHI202", TTL_LINE + 1)]


def test_json_in_band(project) -> None:
    doc = {"apiVersion": "nhilint/v1", "kind": "AgentManifest",
           "metadata": {"name": "a", "owner": "o@example.com", "purpose": "p", "expires": "2028-01-01"},
           "identity": {"type": "spiffe", "id": "spiffe://x/a"},
           "credentials": [
               {"name": "legacy", "source": "vault://kv/a",
                "x-nhilint-ignore": [{"rule": "NHI201", "reason": "batch job", "until": "2027-03-31"}]},
               {"name": "other", "source": "vault://kv/b", "ttl": "4h"}],
           "audit": {"sink": "immutable", "binds": ["initiator", "workload"]},
           "revocation": {"on_task_complete": True}}
    project({"agent.json": json.dumps(doc, indent=2) + "\n"})
    findings = lint()
    assert suppressed(findings) == [("NHI201", 15, "batch job")]
    assert active(findings) == [("NHI202", "agent.json", 29)]  # the next object is not covered


def test_rego_and_cedar_comment_syntax() -> None:
    rego = "package authz\n\n# nhilint: ignore[NHI701] demo policy -- until=2027-01-01\ndefault allow := true\n"
    cedar = "// nhilint: ignore[NHI601] break-glass account, reviewed monthly\npermit(principal, action, resource);\n"
    [in_rego] = suppressions.parse("authz.rego", rego)
    [in_cedar] = suppressions.parse("policy.cedar", cedar)
    assert (in_rego.rules, in_rego.reason, str(in_rego.until), in_rego.covers_line(4)) == (
        ("NHI701",), "demo policy", "2027-01-01", True)
    assert (in_cedar.rules, in_cedar.covers_line(2), in_cedar.covers_line(3)) == (("NHI601",), True, False)


def test_nhi004_reason_required(project) -> None:
    project({"agent.yaml": manifest(ttl="4h").replace("    ttl: 4h\n", "    ttl: 4h  # nhilint: ignore[NHI202]\n")})
    assert sorted(active(lint())) == [("NHI004", "agent.yaml", TTL_LINE), ("NHI202", "agent.yaml", TTL_LINE)]


def test_nhi005_expired_stops_suppressing(project) -> None:
    project({"agent.yaml": manifest(ttl="4h").replace(
        "    ttl: 4h\n", "    ttl: 4h  # nhilint: ignore[NHI202] migration -- until=2026-11-21\n")})
    findings = [f for f in lint() if f.suppressed is None]
    assert sorted((f.rule, f.location.line) for f in findings) == [("NHI005", TTL_LINE), ("NHI202", TTL_LINE)]
    assert "expired on 2026-11-21" in next(f.message for f in findings if f.rule == "NHI005")


def test_until_today_still_suppresses(project) -> None:
    project({"agent.yaml": manifest(ttl="4h").replace(
        "    ttl: 4h\n", "    ttl: 4h  # nhilint: ignore[NHI202] migration -- until=2026-11-22\n")})
    assert active(lint()) == []


def test_unused_suppression_is_info(project) -> None:
    project({"agent.yaml": manifest().replace("    ttl: 15m\n", "    ttl: 15m  # nhilint: ignore[NHI202] was 4h\n")})
    [finding] = lint()
    assert (finding.rule, finding.severity.value, finding.location.line) == ("NHI006", "info", TTL_LINE)
    assert cli("lint", "--today", "2026-11-22").exit_code == 0  # info does not fail the default gate


def test_no_inline_ignores(project) -> None:
    project({"agent.yaml": manifest(ttl="4h").replace(
        "    ttl: 4h\n", "    ttl: 4h  # nhilint: ignore[NHI202] nightly batch\n"),
        ".nhilint.yaml": "per_file_ignores: {'agent.yaml': [NHI102]}\n"})
    assert active(lint(inline_ignores=False)) == [("NHI202", "agent.yaml", TTL_LINE)]
    assert cli("lint", "--today", "2026-11-22").exit_code == 0
    result = cli("lint", "--today", "2026-11-22", "--no-inline-ignores")
    assert result.exit_code == 1 and "NHI202" in result.output


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_suppressed_findings_stay_in_machine_output(fmt: str, project) -> None:
    project({"agent.yaml": manifest(ttl="4h").replace(
        "    ttl: 4h\n", "    ttl: 4h  # nhilint: ignore[NHI202] nightly batch\n")})
    out = json.loads(cli("lint", "--format", fmt, "--today", "2026-11-22").output)
    if fmt == "json":
        [finding] = out["findings"]
        assert (finding["rule"], finding["suppressed"]) == ("NHI202", {"reason": "nightly batch"})
    else:
        [result] = out["runs"][0]["results"]
        assert result["suppressions"][0]["justification"] == "nightly batch"
