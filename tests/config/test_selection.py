"""--select, --extend-select, --ignore and --exclude: the command line on top of the
configuration, as ruff and flake8 take them."""

from __future__ import annotations

import json

import pytest

from tests.config.conftest import cli, manifest

# Without an owner or a ttl, and with a 4h ttl elsewhere: NHI101, NHI201 and NHI202 fire.
AGENTS = {
    "agents/a.yaml": manifest("a").replace("  owner: support-platform@example.com\n", ""),
    "agents/b.yaml": manifest("b", ttl="4h"),
}


def fired(*args: str) -> list[str]:
    result = cli("lint", "--today", "2026-11-22", "-f", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return [f"{f['rule']} {f['severity']}" for f in json.loads(result.output)["findings"]]


def test_without_flags_the_configuration_decides(project) -> None:
    project({**AGENTS, ".nhilint.yaml": "rules:\n  NHI101: warning\n"})
    assert fired() == ["NHI101 warning", "NHI202 error"]


@pytest.mark.parametrize("args", [
    ("--select", "NHI2"),
    ("--select", "ttl-above-maximum,NHI201"),
    ("--select", "nhi202", "--select", "NHI201"),
])
def test_select_replaces_the_configurations_choice(args: tuple[str, ...], project) -> None:
    project({**AGENTS, ".nhilint.yaml": "rules:\n  NHI101: warning\n"})
    assert fired(*args) == ["NHI202 error"]


def test_select_turns_on_a_rule_the_configuration_turned_off_and_keeps_its_severity(project) -> None:
    project({**AGENTS, ".nhilint.yaml": "rules:\n  NHI101: {enabled: false, severity: info}\n"})
    assert fired() == ["NHI202 error"]
    assert fired("--select", "NHI101") == ["NHI101 info"]


def test_extend_select_adds_and_ignore_removes_last(project) -> None:
    project({**AGENTS, ".nhilint.yaml": "rules:\n  NHI101: off\n"})
    assert fired("--extend-select", "no-owner") == ["NHI101 error", "NHI202 error"]
    assert fired("--ignore", "NHI202") == []
    assert fired("--select", "NHI1,NHI2", "--ignore", "NHI202,NHI1") == []
    assert fired("--extend-select", "NHI101", "--ignore", "NHI101") == ["NHI202 error"]


def test_a_file_nhilint_cannot_read_is_reported_whatever_select_says(project) -> None:
    project({**AGENTS, "broken.yaml": "apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata: [\n"})
    assert fired("--select", "NHI202") == ["NHI202 error", "NHI001 error"]
    assert fired("--select", "NHI202", "--ignore", "NHI001") == ["NHI202 error"]


@pytest.mark.parametrize(("args", "option", "message"), [
    (("--select", "NHI2O2"), "--select",
     "unknown rule 'NHI2O2'; did you mean 'NHI202'? expected a rule id (NHI202), an id prefix "
     "(NHI2) or a rule name (ttl-above-maximum); `nhilint rules` lists them"),
    (("--select", "NHI202,ttl-above-maxium"), "--select",
     "unknown rule 'ttl-above-maxium'; did you mean 'ttl-above-maximum'? expected a rule id "
     "(NHI202), an id prefix (NHI2) or a rule name (ttl-above-maximum); `nhilint rules` lists them"),
    (("--ignore", "bogus"), "--ignore",
     "unknown rule 'bogus'; expected a rule id (NHI202), an id prefix (NHI2) or a rule name "
     "(ttl-above-maximum); `nhilint rules` lists them"),
    (("--extend-select", "zzz"), "--extend-select",
     "unknown rule 'zzz'; expected a rule id (NHI202), an id prefix (NHI2) or a rule name "
     "(ttl-above-maximum); `nhilint rules` lists them"),
])
@pytest.mark.parametrize("command", [["lint"], ["baseline", "-o", "base.json"], ["config"]])
def test_an_unknown_rule_is_a_usage_error(args: tuple[str, ...], option: str, message: str,
                                          command: list[str], project) -> None:
    project({})  # no file to lint: the flag is still checked
    result = cli(*command, *args)
    assert result.exit_code == 2
    assert result.output.endswith(f"\n\nError: Invalid value for '{option}': {message}\n")


def test_select_knows_the_configurations_custom_rules(project) -> None:
    project({**AGENTS, ".nhilint.yaml": "custom_rules:\n  - id: ACME101\n    name: never\n"
                                         "    summary: s\n    rego: |\n      package acme\n"
                                         "      violation := []\n"})
    assert fired("--select", "ACME") == []


def test_config_shows_what_the_command_line_selected(project) -> None:
    project({".nhilint.yaml": "rules:\n  NHI101: off\n"})
    rules = json.loads(cli("config", "-f", "json", "--select", "NHI1", "--ignore", "NHI104").output)["rules"]
    assert [(rules[i]["enabled"], rules[i]["origins"]["enabled"]) for i in ("NHI101", "NHI104", "NHI202")] == [
        (True, "--select"), (False, "--ignore"), (False, "--select")]
    assert (rules["NHI001"]["enabled"], rules["NHI001"]["origins"]["enabled"]) == (True, "default")


def test_baseline_records_only_the_selected_rules(project) -> None:
    project(AGENTS)
    result = cli("baseline", "-o", "base.json", "--select", "NHI202", "--today", "2026-11-22")
    assert result.output == "nhilint: 1 finding in 2 files written to base.json\n"


def test_exclude_adds_to_the_configurations_exclude(project) -> None:
    project({**AGENTS, "vendor/c.yaml": manifest("c", ttl="4h"),
             ".nhilint.yaml": "exclude: ['vendor/**']\n"})
    assert fired() == ["NHI101 error", "NHI202 error"]
    assert fired("--exclude", "agents/a.yaml") == ["NHI202 error"]
    assert fired("--exclude", "agents", "--exclude", "*.json") == []


def test_exclude_globs_are_relative_to_the_working_directory(project, monkeypatch) -> None:
    root = project({"sub/" + name: text for name, text in AGENTS.items()})
    monkeypatch.chdir(root / "sub")
    assert fired("--exclude", "agents/b.yaml") == ["NHI101 error"]
    assert fired("--exclude", "sub/agents/b.yaml") == ["NHI101 error", "NHI202 error"]

