"""Rulesets: presets, extends chains (builtin -> file -> package), cycles, and a ruleset an
installed package publishes through the `nhilint.rulesets` entry point group."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.config.conftest import TTL_LINE, active, cli, lint, manifest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ACME = Path(__file__).resolve().parents[1] / "packages" / "acme_nhilint_rules"


@pytest.fixture
def acme_installed(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make tests/packages/acme_nhilint_rules importable with the dist-info `pip install`
    writes for it (METADATA and entry_points.txt from its pyproject.toml), so
    importlib.metadata finds its entry point exactly as it would for an installed package."""
    project = tomllib.loads((ACME / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    site = tmp_path_factory.mktemp("site")
    dist_info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n", encoding="utf-8")
    groups = project["entry-points"]
    (dist_info / "entry_points.txt").write_text("".join(
        f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in entries.items())
        for group, entries in groups.items()), encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(ACME))


def test_presets(project) -> None:
    project({"agent.yaml": manifest(ttl="30m").replace("  binds: [initiator, workload, action]\n",
                                                       "  binds: [action]\n")})
    project({".nhilint.yaml": "extends: [recommended]\n"})
    assert [r for r, _, _ in active(lint())] == ["NHI502"]
    project({".nhilint.yaml": "extends: [minimal]\n"})
    assert active(lint()) == []
    project({".nhilint.yaml": "extends: [strict]\n"})
    findings = [f for f in lint() if f.suppressed is None]
    assert [(f.rule, f.location.line, f.severity.value) for f in findings] == [
        ("NHI202", TTL_LINE, "error"), ("NHI302", 21, "error"), ("NHI502", 25, "error")]


def test_extends_chain_builtin_file_package(project, acme_installed) -> None:
    project({
        ".nhilint.yaml": "extends: [./policy/team.yaml]\nrules:\n  NHI102: info\n",
        "policy/team.yaml": "name: payments\nextends: [pkg:acme]\nrules:\n  NHI202: {max_ttl: 20m}\n",
        "agent.yaml": manifest(ttl="25m"),
    })
    shown = json.loads(cli("config", "--format", "json").output)
    assert shown["applied"] == ["preset recommended", "preset strict", "pkg:acme",
                                "policy/team.yaml", ".nhilint.yaml"]
    origins = {rule: shown["rules"][rule]["origins"] for rule in ("NHI101", "NHI102", "NHI202", "NHI502")}
    assert origins["NHI101"]["severity"] == "preset strict:8"
    assert origins["NHI502"]["severity"] == "pkg:acme:9"
    assert origins["NHI202"]["max_ttl"] == "policy/team.yaml:4"
    assert origins["NHI102"]["severity"] == ".nhilint.yaml:3"
    assert shown["rules"]["ACME101"]["enabled"] is True
    # 25m: above the team's 20m (strict's 15m and ACME's 30m are overridden); strict flags
    # the prefixed wildcard `tickets/*`
    assert active(lint()) == [("NHI202", "agent.yaml", TTL_LINE), ("NHI302", "agent.yaml", 21)]


def test_package_ruleset_carries_a_custom_rego_rule(project, acme_installed) -> None:
    text = manifest().replace("    type: oauth-token\n", "    type: password\n")
    project({".nhilint.yaml": "extends: [pkg:acme]\n", "agent.yaml": text})
    findings = [f for f in lint() if f.rule == "ACME101"]
    assert [(f.rule, f.location.path, f.location.line, f.location.column, f.severity.value, f.identity)
            for f in findings] == [("ACME101", "agent.yaml", 13, 5, "error", "support-agent")]
    assert findings[0].message == ("credential 'helpdesk-token' of 'support-agent' is a password; "
                                   "use a JIT token or an SVID")


def test_unknown_package_lists_the_installed_ones(project, acme_installed) -> None:
    project({".nhilint.yaml": "extends: [pkg:acme-typo]\n"})
    result = cli("lint")
    assert result.exit_code == 2
    assert result.output.endswith("available: acme\n")


def test_extends_cycle_is_an_error_at_the_closing_extends(project) -> None:
    project({".nhilint.yaml": "extends: [./a.yaml]\n", "a.yaml": "extends: [./b.yaml]\n",
             "b.yaml": "rules: {}\nextends:\n  - recommended\n  - ./a.yaml\n"})
    result = cli("lint")
    assert result.exit_code == 2
    assert result.output == ("nhilint: b.yaml:4: extends cycle: a.yaml -> b.yaml -> a.yaml; "
                             "remove one of these extends\n")


def test_a_file_extending_itself(project) -> None:
    project({".nhilint.yaml": "extends: .nhilint.yaml\n"})
    assert re.match(r"nhilint: \.nhilint\.yaml:1: extends cycle: \.nhilint\.yaml -> \.nhilint\.yaml",
                    cli("config").output)


def test_a_ruleset_reached_twice_applies_once(project) -> None:
    project({".nhilint.yaml": "extends: [./a.yaml, ./b.yaml]\n",
             "a.yaml": "extends: [strict]\nrules:\n  NHI202: {max_ttl: 45m}\n",
             "b.yaml": "extends: [strict]\n", "agent.yaml": manifest(ttl="30m")})
    shown = json.loads(cli("config", "--format", "json").output)
    assert shown["applied"] == ["preset recommended", "preset strict", "a.yaml", "b.yaml", ".nhilint.yaml"]
    # strict is not re-applied after a.yaml's 45m: no NHI202 (strict's prefixed wildcard stays)
    assert active(lint()) == [("NHI302", "agent.yaml", 21)]
