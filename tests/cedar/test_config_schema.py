"""A Cedar schema named in the configuration (`cedar: {schema: ...}`) validates every policy
file of the project, wherever the schema file sits."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from nhilint.cli import main

SCHEMA = """entity Agent;
entity Tool;
action "invoke" appliesTo { principal: [Agent], resource: [Tool], context: { token_age_seconds: Long } };
"""
POLICY = """@id("agent-invokes-tool")
permit (principal is Agent, action == Action::"invoke", resource is Tool)
when { context.token_age_seconds < 300 && context.task_id == "t1" };
"""


def _project(tmp_path: Path, config: str | None) -> Path:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "agents.cedarschema").write_text(SCHEMA)
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "tools.cedar").write_text(POLICY)
    if config is not None:
        (tmp_path / ".nhilint.yaml").write_text(config)
    return tmp_path


def _lint(path: Path, monkeypatch) -> tuple[int, str]:
    monkeypatch.chdir(path)
    result = CliRunner().invoke(main, ["lint", "-f", "text", "."])
    return result.exit_code, result.output


def test_the_configured_schema_validates_policies_elsewhere(tmp_path: Path, monkeypatch) -> None:
    code, out = _lint(_project(tmp_path, "cedar:\n  schema: schemas/agents.cedarschema\n"), monkeypatch)
    assert code == 1
    assert out.splitlines()[0] == (
        "policies/tools.cedar:1:1: error NHI605 permit 'agent-invokes-tool' fails validation against "
        "schemas/agents.cedarschema: attribute `task_id` in context for Action::\"invoke\" not found; "
        "fix the policy or the schema [cedar-schema-validation]")


def test_without_the_configuration_no_schema_is_found(tmp_path: Path, monkeypatch) -> None:
    _code, out = _lint(_project(tmp_path, None), monkeypatch)
    assert "NHI605" not in out


def test_a_missing_configured_schema_is_reported(tmp_path: Path, monkeypatch) -> None:
    code, out = _lint(_project(tmp_path, "cedar:\n  schema: schemas/missing.cedarschema\n"), monkeypatch)
    assert code == 1
    assert "NHI605 schema schemas/missing.cedarschema cannot be read" in out


def test_config_shows_where_the_schema_came_from(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(_project(tmp_path, "cedar:\n  schema: schemas/agents.cedarschema\n"))
    out = CliRunner().invoke(main, ["config", "."]).output
    assert "cedar_schema: schemas/agents.cedarschema  [.nhilint.yaml:2]" in out


def test_a_bad_value_is_a_located_configuration_error(tmp_path: Path, monkeypatch) -> None:
    code, out = _lint(_project(tmp_path, "cedar:\n  schema: 5\n"), monkeypatch)
    assert code == 2
    assert ".nhilint.yaml:2: 'cedar.schema' must be a string, not an integer" in out
