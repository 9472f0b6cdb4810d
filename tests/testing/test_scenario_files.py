"""A scenario file that breaks the format is a located error (exit 2), never a traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from nhilint.cli import main

POLICY = '@id("read-own")\npermit (principal, action == Action::"read", resource);\n'

GOOD = """\
apiVersion: nhilint/v1
kind: PolicyTest
cedar:
  policies: [p.cedar]
scenarios:
  - name: reads
    principal: User::"a"
    action: Action::"read"
    resource: Doc::"d"
    expect: allow
"""

# (what is wrong, the file's text, the one error line nhilint prints)
CASES = [
    ("unknown key, with a suggestion", GOOD.replace("expect: allow", "expected: allow"),
     "t.nhitest.yaml:10:5: unknown key 'expected' in 'scenarios[0]'; did you mean 'expect'? "
     "expected one of: action, context, determined_by, expect, name, principal, resource "
     "(or an x- extension key)\nnhilint: t.nhitest.yaml:6:5: 'scenarios[0]' is missing the required "
     "key 'expect'"),
    ("missing required key", GOOD.replace('    resource: Doc::"d"\n', ""),
     "t.nhitest.yaml:6:5: 'scenarios[0]' is missing the required key 'resource'"),
    ("cedar decision not allow/deny", GOOD.replace("expect: allow", "expect: permit"),
     "t.nhitest.yaml:10:5: 'scenarios[0].expect' is 'permit'; expected one of: allow, deny"),
    ("wrong kind", GOOD.replace("kind: PolicyTest", "kind: Test"),
     "t.nhitest.yaml:2:1: 'kind' must be 'PolicyTest', not 'Test'"),
    ("policy file missing", GOOD.replace("[p.cedar]", "[missing.cedar]"),
     "t.nhitest.yaml:4:14: file not found: 'missing.cedar' (resolved to missing.cedar); "
     "paths are relative to the scenario file"),
    ("glob matching nothing", GOOD.replace("[p.cedar]", "[policies/*.cedar]"),
     "t.nhitest.yaml:4:14: 'policies/*.cedar' matches no file (relative to .)"),
    ("both engines", GOOD.replace("cedar:\n", "rego: {modules: [p.cedar], query: data.x}\ncedar:\n"),
     "t.nhitest.yaml:1:1: a scenario file needs exactly one of `cedar:` (Cedar policies) or "
     "`rego:` (Rego modules)"),
    ("duplicate scenario names", GOOD + GOOD[GOOD.index("  - name"):],
     "t.nhitest.yaml:11:5: scenario name 'reads' is used twice (also line 6); names identify "
     "results in reports and pytest"),
    ("invalid YAML", GOOD.replace("expect: allow", "expect: [allow"),
     "t.nhitest.yaml:11:1: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence)"),
    ("not a mapping", "- just a list\n",
     "t.nhitest.yaml:1:1: the document must be a mapping, not a list"),
]


@pytest.mark.parametrize(("text", "error"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_scenario_file_exits_2_naming_file_line_and_problem(write_tree, text: str, error: str) -> None:
    write_tree({"p.cedar": POLICY, "t.nhitest.yaml": text})
    result = CliRunner().invoke(main, ["test", "t.nhitest.yaml"])
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"nhilint: {error}\n")


def test_the_good_file_passes(write_tree) -> None:
    write_tree({"p.cedar": POLICY, "t.nhitest.yaml": GOOD})
    result = CliRunner().invoke(main, ["test", "t.nhitest.yaml"])
    assert (result.exit_code, result.stdout) == (0, "1 passed, 0 failed, 0 errors\n")


@pytest.mark.parametrize(("args", "error"), [
    (["nowhere"], "nhilint: path not found: nowhere\n"),
    (["."], "nhilint: no scenario files (*.nhitest.yaml) or Rego tests (*_test.rego) found\n"),
])
def test_nothing_to_run_is_a_usage_error(write_tree, args: list[str], error: str) -> None:
    write_tree({"p.cedar": POLICY})
    result = CliRunner().invoke(main, ["test", *args])
    assert (result.exit_code, result.stderr) == (2, error)


def _schema_accepts(scenario: dict, engine: str) -> bool:
    from nhilint.schema_errors import problems

    setup = {"cedar": {"policies": "p.cedar"}} if engine == "cedar" else \
        {"rego": {"modules": "p.rego", "query": "data.p.allow"}}
    document = {"apiVersion": "nhilint/v1", "kind": "PolicyTest", **setup, "scenarios": [scenario]}
    return not list(problems("scenario.schema.json", document))


CEDAR_OK = {"name": "n", "principal": 'User::"a"', "action": {"type": "Action", "id": "read"},
            "resource": 'Doc::"d"', "context": {"x": 1}, "expect": "allow", "determined_by": ["p"]}
REGO_OK = {"name": "n", "input": [1], "query": "data.q", "expect": None}
# each variant breaks the schema in one way
VARIANTS = [
    ("cedar", CEDAR_OK), ("cedar", {**CEDAR_OK, "x-note": 1}),
    ("cedar", {**CEDAR_OK, "expect": "permit"}), ("cedar", {**CEDAR_OK, "expect": True}),
    ("cedar", {**CEDAR_OK, "name": ""}), ("cedar", {**CEDAR_OK, "principal": ""}),
    ("cedar", {**CEDAR_OK, "principal": {"type": "User"}}),
    ("cedar", {**CEDAR_OK, "principal": {"type": "User", "id": "a", "x": 1}}),
    ("cedar", {**CEDAR_OK, "principal": {"type": "", "id": "a"}}),
    ("cedar", {**CEDAR_OK, "context": []}), ("cedar", {**CEDAR_OK, "determined_by": "p"}),
    ("cedar", {**CEDAR_OK, "determined_by": [1]}), ("cedar", {**CEDAR_OK, "input": {}}),
    ("cedar", {k: v for k, v in CEDAR_OK.items() if k != "resource"}),
    ("rego", REGO_OK), ("rego", {**REGO_OK, "query": ""}), ("rego", {**REGO_OK, "principal": "x"}),
    ("rego", {k: v for k, v in REGO_OK.items() if k != "expect"}), ("rego", {**REGO_OK, "name": 3}),
]


@pytest.mark.parametrize(("engine", "scenario"), VARIANTS)
def test_the_fast_scenario_check_agrees_with_the_schema(engine: str, scenario: dict) -> None:
    """Large files skip JSON Schema for scenarios the plain check accepts: it must accept
    exactly what the schema accepts."""
    from nhilint.testing.scenarios import plain_cedar_scenario, plain_rego_scenario

    plain = plain_cedar_scenario if engine == "cedar" else plain_rego_scenario
    assert plain(scenario) == _schema_accepts(scenario, engine)
