"""Scenario files and the files they name (issue 13): an integer key, links nested too deep,
a FIFO or an oversized file are a located problem or an ERROR, never a traceback or a hang."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner, Result

from nhilint.cli import main
from nhilint.testing import scenarios
from tests.robustness.conftest import write

POLICY = "permit(principal, action, resource);\n"
SCENARIO = ('  - {name: x, principal: A::"a", action: Action::"a", resource: A::"r", expect: allow}\n')


def cedar_test(extra: str = "", scenario: str = SCENARIO) -> str:
    return f"apiVersion: nhilint/v1\nkind: PolicyTest\ncedar:\n  policies: [p.cedar]\n{extra}scenarios:\n{scenario}"


def nhilint_test(root: Path) -> Result:
    return CliRunner().invoke(main, ["test", str(root)])


def test_an_integer_key_in_a_scenario_is_a_located_usage_error(tmp_path: Path) -> None:
    write(tmp_path, {"p.cedar": POLICY, "s.nhitest.yaml": cedar_test(scenario=SCENARIO.replace("name: x,",
                                                                                                "name: x, 1: y,"))})
    result = nhilint_test(tmp_path)
    assert result.exit_code == 2, result.output
    assert result.output == f"nhilint: {tmp_path}/s.nhitest.yaml:6:15: key 1 is not a string; quote it or rename it\n"


def test_template_links_nested_too_deep_are_an_error_for_the_scenarios(tmp_path: Path) -> None:
    write(tmp_path, {"p.cedar": POLICY, "links.json": "[" * 100_000,
                     "s.nhitest.yaml": cedar_test("  links: links.json\n")})
    result = nhilint_test(tmp_path)
    assert result.exit_code == 1, result.output
    assert f"error: cannot read the template links {tmp_path}/links.json: JSON nested too deeply" in result.output
    assert result.output.splitlines()[-1] == "0 passed, 0 failed, 1 errors"


def test_a_fifo_named_as_entities_does_not_block(tmp_path: Path) -> None:
    write(tmp_path, {"p.cedar": POLICY, "s.nhitest.yaml": cedar_test("  entities: e.json\n")})
    os.mkfifo(tmp_path / "e.json")
    result = nhilint_test(tmp_path)
    assert result.exit_code == 2, result.output
    assert "e.json" in result.output


def test_an_oversized_scenario_file_is_refused_unread(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(scenarios, "MAX_SOURCE_BYTES", 100)
    write(tmp_path, {"p.cedar": POLICY, "s.nhitest.yaml": cedar_test() + "#" * 200 + "\n"})
    result = nhilint_test(tmp_path)
    assert result.exit_code == 2, result.output
    assert result.output == (f"nhilint: {tmp_path}/s.nhitest.yaml:1:1: the file is 368 bytes, over the 100-byte "
                             "bound; split it\n")
