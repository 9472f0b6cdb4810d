"""A bad configuration is exit 2 with one line per problem naming the file, the line and
the valid choices; never a traceback."""

from __future__ import annotations

import re

import pytest

from tests.config.conftest import cli
from tests.conftest import REPO

CASES = {
    "unknown_key": (".nhilint.yaml", "extends: [recommended]\nrulez: {}\n",
                    ".nhilint.yaml:2: unknown key 'rulez' in the document; did you mean 'rules'? "
                    "expected one of: cedar, custom_rules, description, exclude, extends, fail_on, name, "
                    "per_file_ignores, rules, version (or an x- extension key)"),
    "unknown_rule": (".nhilint.yaml", "rules:\n  NHI202: on\n  NHI2O2: off\n",
                     ".nhilint.yaml:3: unknown rule 'NHI2O2'; did you mean 'NHI202'? expected a "
                     "rule id (NHI202), an id prefix (NHI2) or a rule name (ttl-above-maximum); "
                     "`nhilint rules` lists them"),
    "unknown_parameter": (".nhilint.yaml", "rules:\n  NHI202:\n    max_tll: 10m\n",
                          ".nhilint.yaml:3: NHI202 (ttl-above-maximum) has no parameter 'max_tll'; "
                          "did you mean 'max_ttl'? expected one of: severity, enabled, max_ttl"),
    "bad_duration": (".nhilint.yaml", "rules:\n  NHI202: {max_ttl: ten minutes}\n",
                     ".nhilint.yaml:2: NHI202 max_ttl: 'ten minutes' is not a duration; use 30s, "
                     "15m, 1h, 7d, 2w or ISO-8601 such as PT15M"),
    "duration_without_unit": (".nhilint.yaml", "rules:\n  NHI202: {max_ttl: 10}\n",
                              ".nhilint.yaml:2: NHI202 max_ttl: '10' has no unit; write a duration "
                              "such as 30s, 15m, 1h, 7d, 2w or ISO-8601 such as PT15M"),
    "quoted_duration_without_unit": (".nhilint.yaml", "rules:\n  NHI203:\n    max_rotation: '90'\n",
                                     ".nhilint.yaml:3: NHI203 max_rotation: '90' has no unit; write "
                                     "a duration such as 30s, 15m, 1h, 7d, 2w or ISO-8601 such as "
                                     "PT15M"),
    "bad_severity": (".nhilint.yaml", "rules:\n  NHI202: {severity: fatal}\n",
                     ".nhilint.yaml:2: severity 'fatal' of NHI202; expected one of: error, warning, info"),
    "bad_rule_setting": (".nhilint.yaml", "rules:\n  NHI202: sometimes\n",
                         ".nhilint.yaml:2: 'sometimes' is not a rule setting; expected one of: off, "
                         "on, error, warning, info, or a mapping of severity and parameters"),
    "bad_fail_on": (".nhilint.yaml", "fail_on: warn\n",
                    ".nhilint.yaml:1: 'fail_on' is 'warn'; expected one of: error, warning, info"),
    "params_on_a_prefix": (".nhilint.yaml", "rules:\n  NHI2: {max_ttl: 10m}\n",
                           ".nhilint.yaml:2: 'max_ttl': parameters belong to one rule, and 'NHI2' "
                           "selects "),
    "unknown_preset": (".nhilint.yaml", "extends: [recomended]\n",
                       ".nhilint.yaml:1: unknown ruleset 'recomended' in extends; expected a "
                       "preset (minimal, recommended, strict), a file path, or pkg:NAME"),
    "missing_file": (".nhilint.yaml", "extends:\n  - recommended\n  - ./team.yaml\n",
                     ".nhilint.yaml:3: extends './team.yaml': no such file (team.yaml)"),
    "missing_package": (".nhilint.yaml", "extends: [pkg:nonesuch-rules]\n",
                        ".nhilint.yaml:1: no installed package publishes the ruleset "
                        "'pkg:nonesuch-rules' (entry point group nhilint.rulesets); available: "),
    "invalid_yaml": (".nhilint.yaml", "rules:\n  NHI202: {max_ttl: 10m\n",
                     ".nhilint.yaml:3: invalid YAML"),
    "not_a_mapping": (".nhilint.yaml", "- recommended\n",
                      ".nhilint.yaml:1: a configuration file is a mapping of keys (extends, rules, "
                      "exclude, ...)"),
    "wrong_type": (".nhilint.yaml", "exclude: vendor/**\n",
                   ".nhilint.yaml:1: 'exclude' must be a list, not a string"),
    "number_key": (".nhilint.yaml", "rules:\n  202: off\n",
                   ".nhilint.yaml:2: key 202 is not a string; quote it, or use a rule id, name or prefix"),
    "toml_syntax": ("pyproject.toml", "[tool.nhilint]\nfail_on = \n",
                    "pyproject.toml:2: invalid TOML"),
    "toml_unknown_rule": ("pyproject.toml", "[project]\nname = 'x'\n\n[tool.nhilint.rules]\n"
                                            "NHI999 = 'off'\n",
                          "pyproject.toml:5: unknown rule 'NHI999'"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_configuration_is_exit_2_naming_file_and_line(case: str, project) -> None:
    name, text, expected = CASES[case]
    project({name: text, "agent.yaml": "apiVersion: nhilint/v1\nkind: AgentManifest\n"
                                       "metadata: {name: a}\n"})
    for args in (["lint"], ["config"], ["baseline", "-o", "base.json"]):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
        first = result.output.splitlines()[0]
        assert first.startswith("nhilint: " + expected), first


def test_every_problem_of_a_file_is_listed(project) -> None:
    project({".nhilint.yaml": "fail_on: warn\nrulez: {}\nexclude: 3\n"})
    lines = cli("lint").output.splitlines()
    assert [line.split(": ")[1] for line in lines] == [".nhilint.yaml:1", ".nhilint.yaml:2",
                                                       ".nhilint.yaml:3"]


def test_every_problem_across_the_chain_is_listed(project) -> None:
    project({".nhilint.yaml": "extends: [./team.yaml, ./gone.yaml]\nrules:\n  NHI999: off\n"
                              "  NHI202: {max_ttl: soon}\n  NHI501: off\n",
             "team.yaml": "rules:\n  no-such-rule: error\n"})
    lines = cli("lint").output.splitlines()
    assert [line.split(": ")[1] for line in lines] == [".nhilint.yaml:1", ".nhilint.yaml:3",
                                                       ".nhilint.yaml:4", "team.yaml:2"]


def config_errors(project, config: str, command: str = "lint") -> str:
    """What `nhilint COMMAND` prints for a project of this .nhilint.yaml alone (exit 2)."""
    project({".nhilint.yaml": config})
    result = cli(command)
    assert result.exit_code == 2, result.output
    return result.output


def test_every_bad_key_of_one_rule_entry_is_listed(project) -> None:
    assert config_errors(project, "rules:\n  NHI202:\n    severity: fatal\n    max_tll: 10m\n"
                                  "    enabled: maybe\n  NHI203: {max_rotation: 90, severity: high}\n") == (
        "nhilint: .nhilint.yaml:3: severity 'fatal' of NHI202; expected one of: error, warning, info\n"
        "nhilint: .nhilint.yaml:4: NHI202 (ttl-above-maximum) has no parameter 'max_tll'; did you "
        "mean 'max_ttl'? expected one of: severity, enabled, max_ttl\n"
        "nhilint: .nhilint.yaml:5: enabled of NHI202 must be true or false\n"
        "nhilint: .nhilint.yaml:6: NHI203 max_rotation: '90' has no unit; write a duration such as "
        "30s, 15m, 1h, 7d, 2w or ISO-8601 such as PT15M\n"
        "nhilint: .nhilint.yaml:6: severity 'high' of NHI203; expected one of: error, warning, info\n")


def test_a_misshapen_file_is_still_checked_for_its_other_mistakes(project) -> None:
    assert config_errors(project, "fail_on: warn\nrules:\n  NHI202: 5\n  NHI2O3: off\n"
                                  "  NHI204: {severity: high}\nper_file_ignores:\n  a: NHI2\n"
                                  "  b: [NHI2x4]\n") == (
        "nhilint: .nhilint.yaml:1: 'fail_on' is 'warn'; expected one of: error, warning, info\n"
        "nhilint: .nhilint.yaml:3: 'rules.NHI202' must be true or false or a string or a mapping, "
        "not an integer\n"
        "nhilint: .nhilint.yaml:4: unknown rule 'NHI2O3'; did you mean 'NHI203'? expected a rule id "
        "(NHI202), an id prefix (NHI2) or a rule name (ttl-above-maximum); `nhilint rules` lists them\n"
        "nhilint: .nhilint.yaml:5: severity 'high' of NHI204; expected one of: error, warning, info\n"
        "nhilint: .nhilint.yaml:7: 'per_file_ignores.a' must be a list, not a string\n"
        "nhilint: .nhilint.yaml:8: unknown rule 'NHI2x4'; did you mean 'NHI204'? expected a rule id "
        "(NHI202), an id prefix (NHI2) or a rule name (ttl-above-maximum); `nhilint rules` lists them\n")


def test_every_non_string_key_is_listed(project) -> None:
    assert config_errors(project, "rules:\n  202: off\n  501: off\n") == (
        "nhilint: .nhilint.yaml:2: key 202 is not a string; quote it, or use a rule id, name or prefix\n"
        "nhilint: .nhilint.yaml:3: key 501 is not a string; quote it, or use a rule id, name or prefix\n")


def test_missing_config_flag_file(project) -> None:
    project({})
    result = cli("lint", "--config", "nope.yaml")
    assert result.exit_code == 2
    assert result.output == "nhilint: nope.yaml:1: --config: no such file\n"


def test_bad_custom_rule_rego_is_a_config_error(project) -> None:
    project({".nhilint.yaml": """\
        custom_rules:
          - id: ACME101
            name: broken
            summary: Does not compile.
            rego: |
              package acme
              violation contains x if {
        """})
    result = cli("lint")
    assert result.exit_code == 2
    assert result.output.startswith("nhilint: .nhilint.yaml:2: custom rule ACME101: the Rego does "
                                    "not compile: ")


@pytest.mark.parametrize(("rule_id", "message"), [
    ("NHI101", "custom rule id 'NHI101': use capital letters then three digits, not starting with NHI"),
    ("acme1", "custom rule id 'acme1': use capital letters then three digits"),
])
def test_custom_rule_ids_cannot_take_builtin_ones(rule_id: str, message: str, project) -> None:
    project({".nhilint.yaml": f"custom_rules:\n  - id: {rule_id}\n    name: x\n    summary: x\n"
                              "    rego: 'package x'\n"})
    result = cli("config")
    assert result.exit_code == 2
    assert result.output.startswith(f"nhilint: .nhilint.yaml:2: {message}")


def test_a_custom_rules_bad_id_and_bad_name_are_both_listed(project) -> None:
    assert config_errors(project, "custom_rules:\n  - id: acme1\n    name: No Passwords\n"
                                  "    summary: x\n    rego: 'package x'\n", "config") == (
        "nhilint: .nhilint.yaml:2: custom rule id 'acme1': use capital letters then three digits, "
        "not starting with NHI (reserved for nhilint's own rules), e.g. ACME101\n"
        "nhilint: .nhilint.yaml:3: custom rule name 'No Passwords': use lowercase words joined by "
        "hyphens, e.g. no-password-credentials\n")


def test_a_rego_file_that_is_not_rego_is_not_echoed(project) -> None:
    """A config pointing `file:` at a secret must not print it (a pull request could do that)."""
    secret_line = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"
    project({"id_key": f"-----BEGIN OPENSSH PRIVATE KEY-----\n{secret_line}\n",
             ".nhilint.yaml": "custom_rules:\n  - id: ACME101\n    name: x\n    summary: s\n"
                              "    query: data.x.violation\n    file: id_key\n"})
    result = cli("lint")
    assert result.exit_code == 2
    assert result.output.startswith("nhilint: .nhilint.yaml:2: custom rule ACME101: the Rego does not "
                                    "compile: --> id_key:1:1 error: expecting `package`")
    assert secret_line not in result.output and "OPENSSH" not in result.output


def test_the_error_example_of_the_docs_is_real(project) -> None:
    doc = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    config, console = re.search(r"shows everything to fix\. With\n\n```yaml\n(.*?)```\n\n"
                                r"```console\n\$ nhilint lint\n(.*?)```", doc, re.DOTALL).groups()
    project({".nhilint.yaml": config})
    result = cli("lint")
    assert (result.exit_code, result.output) == (2, console)
