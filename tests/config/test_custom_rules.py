"""Custom rules in Rego, carried by a ruleset, behave like built-in rules."""

from __future__ import annotations

import json
import re
import textwrap

import pytest

from nhilint.custom_rules import MODEL_VERSION, model_input
from nhilint.linter import read_file
from nhilint.model import Inventory
from nhilint.sources import SourceOutput
from tests.config.conftest import cli, lint, manifest
from tests.conftest import REPO

NO_STAGING = """\
custom_rules:
  - id: ACME201
    name: no-production-vault-path-in-staging
    severity: warning
    summary: A staging agent reads production secrets.
    remediation: Point the credential at the staging vault mount.
    rego: |
      package acme.staging
      import rego.v1

      violation contains {"msg": msg, "location": c.locations.source, "identity": i.name} if {
        some i in input.identities
        i.environment == "staging"
        some c in i.credentials
        contains(c.source, "/prod/")
        msg := sprintf("credential '%s' of staging agent '%s' reads %s", [c.name, i.name, c.source])
      }
"""
STAGING = manifest().replace("  expires: 2028-06-30\n", "  expires: 2028-06-30\n  environment: staging\n").replace(
    "vault://kv/support/support-agent", "vault://kv/prod/support")


def test_custom_rule_fires_with_its_id_at_the_right_location(project) -> None:
    project({".nhilint.yaml": NO_STAGING, "agent.yaml": STAGING})
    [finding] = lint()
    assert (finding.rule, finding.severity.value, finding.identity) == ("ACME201", "warning", "support-agent")
    assert (finding.location.path, finding.location.line, finding.location.column) == ("agent.yaml", 17, 5)
    assert finding.message == ("credential 'helpdesk-token' of staging agent 'support-agent' reads "
                               "vault://kv/prod/support")


def test_custom_rule_in_every_output_format(project) -> None:
    project({".nhilint.yaml": NO_STAGING, "agent.yaml": STAGING})
    text = cli("lint", "--today", "2026-11-22")
    assert text.exit_code == 1
    assert text.output.startswith("agent.yaml:17:5: warning ACME201 credential 'helpdesk-token' of "
                                  "staging agent 'support-agent' reads vault://kv/prod/support "
                                  "[no-production-vault-path-in-staging]\n")
    as_json = json.loads(cli("lint", "-f", "json", "--today", "2026-11-22").output)
    assert [f["rule"] for f in as_json["findings"]] == ["ACME201"]
    sarif = json.loads(cli("lint", "-f", "sarif", "--today", "2026-11-22").output)
    run = sarif["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["ACME201"]
    assert "ACME201" in {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    for fmt in ("junit", "github", "markdown"):
        result = cli("lint", "-f", fmt, "--today", "2026-11-22")
        assert result.exit_code == 1 and "ACME201" in result.output, fmt


def test_custom_rule_is_tuned_and_suppressed_like_a_builtin(project) -> None:
    project({".nhilint.yaml": NO_STAGING + "rules:\n  ACME201: error\n", "agent.yaml": STAGING})
    assert [f.severity.value for f in lint()] == ["error"]
    project({".nhilint.yaml": NO_STAGING + "rules:\n  ACME: off\n"})
    assert lint() == []
    project({".nhilint.yaml": NO_STAGING, "agent.yaml": STAGING.replace(
        "    source: vault://kv/prod/support\n",
        "    source: vault://kv/prod/support  # nhilint: ignore[ACME201] shared read-only mount\n")})
    assert [(f.rule, f.suppressed) for f in lint()] == [("ACME201", "shared read-only mount")]


def test_rules_and_explain_list_custom_rules(project) -> None:
    project({".nhilint.yaml": NO_STAGING})
    assert "ACME201  no-production-vault-path-in-staging" in cli("rules").output
    assert "## ACME201 no-production-vault-path-in-staging" in cli("rules", "-f", "markdown").output


def test_a_malformed_violation_is_reported_at_the_rule(project) -> None:
    project({".nhilint.yaml": textwrap.dedent("""\
        custom_rules:
          - id: ACME301
            name: no-location
            summary: Forgets the location.
            rego: |
              package acme.broken
              import rego.v1
              violation contains {"msg": "found one"} if some _ in input.identities
        """), "agent.yaml": manifest()})
    [finding] = lint()
    assert (finding.rule, finding.location.path, finding.location.line) == ("ACME301", ".nhilint.yaml", 2)
    assert finding.message.startswith("custom rule ACME301 returned a violation without a 'msg' string "
                                      "and a 'location' in a linted file")


def test_an_evaluation_error_is_a_finding_not_a_dead_run(project) -> None:
    project({".nhilint.yaml": textwrap.dedent("""\
        custom_rules:
          - id: ACME302
            name: conflicting
            summary: A complete rule with two values.
            query: data.acme.conflict.violation
            rego: |
              package acme.conflict
              import rego.v1
              violation := "a" if input.version
              violation := "b" if input.version
        """), "agent.yaml": manifest(ttl="4h")})
    findings = lint()
    assert sorted((f.rule, f.location.path) for f in findings) == [
        ("ACME302", ".nhilint.yaml"), ("NHI202", "agent.yaml")]
    assert "failed to evaluate" in next(f.message for f in findings if f.rule == "ACME302")


def test_rule_file_relative_to_the_ruleset(project) -> None:
    project({"policy/acme.yaml": "custom_rules:\n  - id: ACME401\n    name: any\n    summary: s\n"
                                 "    file: rules/any.rego\n",
             "policy/rules/any.rego": "package acme.any\nimport rego.v1\nviolation contains "
                                      '{"msg": "x", "location": i.location} if some i in input.identities\n',
             ".nhilint.yaml": "extends: [./policy/acme.yaml]\n", "agent.yaml": manifest()})
    assert [(f.rule, f.location.line) for f in lint("agent.yaml")] == [("ACME401", 3)]


def test_model_input_shape(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The documented, versioned shape (docs/custom-rules.md)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "agent.yaml").write_text(STAGING, encoding="utf-8")
    out, inventory = SourceOutput(), Inventory(files=["agent.yaml"])
    read_file(tmp_path / "agent.yaml", "agent.yaml", out)
    for identity in out.identities:
        inventory.add_identity(identity)
    data = model_input(inventory)
    assert (data["version"], data["files"], MODEL_VERSION) == ("1", ["agent.yaml"], "1")
    [identity] = data["identities"]
    assert identity["name"] == "support-agent" and identity["environment"] == "staging"
    assert identity["location"] == {"path": "agent.yaml", "line": 3, "column": 1, "end_line": 3, "end_column": 8}
    [credential] = identity["credentials"]
    assert credential["ttl"] == "15m" and credential["scopes"] == ["tickets:read", "tickets:comment"]
    assert credential["locations"]["ttl"]["line"] == 16
    assert identity["tools"][0]["actions"] == ["read", "comment"]
    assert identity["audit"]["binds"] == ["initiator", "workload", "action"]
    assert data["secrets"] == []


def test_the_worked_example_of_the_docs(project) -> None:
    """docs/custom-rules.md: its files, linted, print exactly the output it shows."""
    doc = (REPO / "docs" / "custom-rules.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^`([^`\s]+)`[^\n]*:\n\n```\w+\n(.*?)^```", doc, re.MULTILINE | re.DOTALL)
    files = dict(blocks)
    assert sorted(files) == [".nhilint.yaml", "agents/triage.yaml", "policy/acme.yaml",
                             "policy/rules/staging.rego"]
    project(files)
    console = re.search(r"```console\n\$ nhilint lint\n(.*?)```", doc, re.DOTALL).group(1)
    result = cli("lint", "--today", "2026-11-22")
    assert (result.exit_code, result.output) == (1, console)
