"""Configuration: discovery, precedence, rule selection, parameters, exclude and per-file ignores."""

from __future__ import annotations

import json

from nhilint.model import Severity
from tests.config.conftest import TTL_LINE, active, cli, lint, manifest

TODAY_TEXT = "2026-11-22"


def test_parameter_override_makes_a_30m_ttl_a_finding(project) -> None:
    project({"agent.yaml": manifest(ttl="30m")})
    assert active(lint()) == []
    project({".nhilint.yaml": "rules:\n  NHI202: {max_ttl: 10m}\n"})
    findings = lint()
    assert active(findings) == [("NHI202", "agent.yaml", TTL_LINE)]
    assert "10m" in findings[0].message


def test_severity_override(project) -> None:
    project({"agent.yaml": manifest().replace("  purpose: Answer customer tickets from the helpdesk queue\n", ""),
             ".nhilint.yaml": "rules:\n  NHI102: error\n  NHI202: {severity: info}\n"})
    [finding] = lint()
    assert (finding.rule, finding.severity) == ("NHI102", Severity.ERROR)


def test_off_by_id_and_by_name(project) -> None:
    bare = manifest().replace("audit:\n  sink: immutable\n  binds: [initiator, workload, action]\n", "")
    project({"agent.yaml": bare})
    assert [r for r, _, _ in active(lint())] == ["NHI501"]
    project({".nhilint.yaml": "rules:\n  NHI501: off\n"})
    assert active(lint()) == []
    project({".nhilint.yaml": "rules:\n  no-audit-sink: off\n"})
    assert active(lint()) == []


def test_prefix_selection_and_a_specific_rule_wins_over_its_prefix(project) -> None:
    text = manifest(ttl="4h").replace("revocation:\n  on_task_complete: true\n", "revocation:\n")
    project({"agent.yaml": text})
    assert sorted(r for r, _, _ in active(lint())) == ["NHI202", "NHI206"]
    project({".nhilint.yaml": "rules:\n  NHI2: off\n"})
    assert active(lint()) == []
    # the order in the file does not matter: the id is more specific than the prefix
    project({".nhilint.yaml": "rules:\n  NHI206: on\n  NHI2: off\n"})
    assert [r for r, _, _ in active(lint())] == ["NHI206"]


def test_exclude_and_per_file_ignores_are_relative_to_the_config(project) -> None:
    secret = manifest().replace("    source: vault://kv/support/support-agent\n",
                                "    value: ghp_abcdefghijklmnopqrstuvwxyz0123456789\n")
    project({"app/vendor/agent.yaml": secret, "app/fixtures/agent.yaml": secret.replace(
        "support-agent", "fixture-agent"), "app/agent.yaml": manifest(name="main-agent"),
        "app/.nhilint.yaml": """\
            exclude: ["vendor/**"]
            per_file_ignores:
              "fixtures/*.yaml": [NHI204]
            """})
    assert active(lint("app")) == []
    assert active(lint("app/vendor/agent.yaml")) == []  # named explicitly, still excluded


def test_nearest_config_per_project(project) -> None:
    """Each folder with its own .nhilint.yaml is a project with its own settings."""
    project({"a/agent.yaml": manifest(ttl="30m"), "b/agent.yaml": manifest(ttl="30m"),
             "a/.nhilint.yaml": "rules:\n  NHI202: {max_ttl: 10m}\n",
             "b/.nhilint.yaml": "extends: [recommended]\n"})
    assert active(lint()) == [("NHI202", "a/agent.yaml", TTL_LINE)]


def test_config_found_above_the_linted_path(project) -> None:
    project({"repo/.nhilint.yaml": "rules:\n  NHI202: {max_ttl: 10m}\n",
             "repo/agents/prod/agent.yaml": manifest(ttl="30m")})
    assert active(lint("repo/agents/prod/agent.yaml")) == [
        ("NHI202", "repo/agents/prod/agent.yaml", TTL_LINE)]


def test_pyproject_tool_section(project) -> None:
    project({"pyproject.toml": """\
        [project]
        name = "agents"

        [tool.nhilint]
        extends = ["recommended"]

        [tool.nhilint.rules]
        NHI202 = { max_ttl = "10m" }
        """, "agent.yaml": manifest(ttl="30m")})
    assert active(lint()) == [("NHI202", "agent.yaml", TTL_LINE)]
    shown = json.loads(cli("config", "--format", "json").output)
    assert shown["rules"]["NHI202"]["origins"]["max_ttl"] == "pyproject.toml:8"


def test_pyproject_without_tool_section_is_not_a_config(project) -> None:
    project({".nhilint.yaml": "rules:\n  NHI202: {max_ttl: 10m}\n",
             "sub/pyproject.toml": "[project]\nname = 'x'\n", "sub/agent.yaml": manifest(ttl="30m")})
    assert active(lint("sub")) == [("NHI202", "sub/agent.yaml", TTL_LINE)]


def test_config_flag_replaces_discovery(project) -> None:
    project({".nhilint.yaml": "rules:\n  NHI202: {max_ttl: 10m}\n",
             "ci.yaml": "rules:\n  NHI202: {max_ttl: 20m}\n", "agent.yaml": manifest(ttl="15m")})
    assert active(lint(config_file="ci.yaml")) == []
    assert cli("lint", "--config", "ci.yaml", "--today", TODAY_TEXT).exit_code == 0
    assert cli("lint", "--today", TODAY_TEXT).exit_code == 1


def test_precedence_cli_over_project_over_ruleset(project) -> None:
    project({"team.yaml": "fail_on: warning\nrules:\n  NHI102: warning\n",
             ".nhilint.yaml": "extends: [./team.yaml]\nfail_on: error\n",
             "agent.yaml": manifest().replace("  purpose: Answer customer tickets from the helpdesk queue\n", "")})
    # the project's fail_on: error lets a warning pass; --fail-on warning on the command line fails it
    assert cli("lint", "--today", TODAY_TEXT).exit_code == 0
    assert cli("lint", "--today", TODAY_TEXT, "--fail-on", "warning").exit_code == 1
    shown = json.loads(cli("config", "--format", "json", "--config", ".nhilint.yaml").output)
    assert shown["fail_on"] == {"value": "error", "origin": ".nhilint.yaml:2"}
    assert shown["rules"]["NHI102"]["origins"]["severity"] == "team.yaml:3"


def test_config_command_shows_values_and_origins(project) -> None:
    project({".nhilint.yaml": """\
        # tighter limits for the payments agents
        extends: [strict]
        rules:
          NHI202: {max_ttl: 10m}
          NHI501: off
        exclude: ["vendor/**"]
        """})
    result = cli("config")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "configuration: .nhilint.yaml"
    assert lines[1] == "applied, base first: preset recommended, preset strict, .nhilint.yaml"
    assert "exclude: vendor/**  [.nhilint.yaml:6]" in lines
    row = next(line for line in lines if line.startswith("NHI202"))
    assert row.split()[:5] == ["NHI202", "ttl-above-maximum", "on", "error", "max_ttl=10m"]
    assert row.endswith(".nhilint.yaml:4, preset strict:9")
    assert next(line for line in lines if line.startswith("NHI501")).split()[2] == "off"


def test_config_command_without_any_file(project) -> None:
    project({})
    result = cli("config")
    assert result.exit_code == 0
    assert result.output.splitlines()[:2] == ["configuration: none found (the recommended defaults)",
                                              "applied, base first: the defaults"]
