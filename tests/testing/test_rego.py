"""Rego: scenario queries through regorus, and `test_*` rules run as `opa test` runs them."""

from __future__ import annotations

import pytest

from nhilint.testing.results import ERROR, FAIL, PASS, SKIP, UNDEFINED
from nhilint.testing.runner import run_tests

TOOLS = """
    package agents.tools

    import rego.v1

    default allow := false

    allow if {
        registered
        input.action in data.policy.allowed_actions
    }

    registered if {
        some agent in data.registry.agents
        agent.id == input.agent.id
    }

    deny contains msg if {
        not registered
        msg := sprintf("agent %s is not registered", [input.agent.id])
    }
"""

# `not allow with input as ...` and `with data.x as ...`: the forms regopy crashed on
TOOLS_TEST = """
    package agents.tools_test

    import rego.v1

    import data.agents.tools

    registry := [{"id": "agent-7"}]

    test_registered_reader_allowed if {
        tools.allow with input as {"action": "read", "agent": {"id": "agent-7"}}
            with data.registry.agents as registry
            with data.policy.allowed_actions as ["read"]
    }

    test_unregistered_agent_denied if {
        not tools.allow with input as {"action": "read", "agent": {"id": "agent-9"}}
            with data.registry.agents as registry
    }

    test_write_denied if {
        not tools.allow with input as {"action": "write", "agent": {"id": "agent-7"}}
            with data.registry.agents as registry
            with data.policy.allowed_actions as ["read"]
    }

    test_deny_message if {
        msgs := tools.deny with input as {"agent": {"id": "agent-9"}} with data.registry.agents as []
        msgs == {"agent agent-9 is not registered"}
    }
"""

LEGACY_V0 = """
    package legacy

    default allow = false

    allow { input.user == "admin" }
"""

LEGACY_V0_TEST = """
    package legacy

    test_admin_allowed { allow with input as {"user": "admin"} }

    test_guest_denied { not allow with input as {"user": "guest"} }
"""


def test_opa_style_tests_pass_v1_and_v0(write_tree) -> None:
    write_tree({"policies/tools.rego": TOOLS, "policies/tools_test.rego": TOOLS_TEST,
                "legacy/legacy.rego": LEGACY_V0, "legacy/legacy_test.rego": LEGACY_V0_TEST})
    run, plan = run_tests(["."])
    assert plan.usage_errors() == []
    assert [(r.location.path, r.location.line, r.name, r.status) for r in run.results] == [
        ("legacy/legacy_test.rego", 3, "test_admin_allowed", PASS),
        ("legacy/legacy_test.rego", 5, "test_guest_denied", PASS),
        ("policies/tools_test.rego", 9, "test_registered_reader_allowed", PASS),
        ("policies/tools_test.rego", 15, "test_unregistered_agent_denied", PASS),
        ("policies/tools_test.rego", 20, "test_write_denied", PASS),
        ("policies/tools_test.rego", 26, "test_deny_message", PASS),
    ]


BROKEN_TEST = """
    package agents.tools_test

    import rego.v1

    import data.agents.tools

    test_wrongly_expects_allow if {
        tools.allow with input as {"action": "read", "agent": {"id": "agent-9"}}
            with data.registry.agents as [{"id": "agent-7"}]
    }

    test_wrongly_expects_deny if {
        not tools.allow with input as {"action": "read", "agent": {"id": "agent-7"}}
            with data.registry.agents as [{"id": "agent-7"}]
            with data.policy.allowed_actions as ["read"]
    }

    test_engine_error if {
        count(input.items) / 0 > 1 with input as {"items": [1]}
    }

    test_still_runs_after_the_error if {
        not tools.allow with input as {}
    }
"""


def test_failures_and_engine_errors_are_results_not_a_dead_run(write_tree) -> None:
    write_tree({"policies/tools.rego": TOOLS, "policies/tools_test.rego": BROKEN_TEST})
    run, _ = run_tests(["policies"])
    by_name = {r.name: r for r in run.results}
    assert {name: r.status for name, r in by_name.items()} == {
        "test_wrongly_expects_allow": FAIL, "test_wrongly_expects_deny": FAIL,
        "test_engine_error": ERROR, "test_still_runs_after_the_error": PASS}
    assert by_name["test_wrongly_expects_allow"].actual == UNDEFINED
    assert by_name["test_wrongly_expects_deny"].actual == UNDEFINED
    assert by_name["test_engine_error"].errors == ("policies/tools_test.rego:19:24: divide by zero",)
    assert run.summary_line() == "1 passed, 2 failed, 1 errors"


def test_a_module_that_does_not_parse_is_an_error_and_the_rest_runs(write_tree) -> None:
    write_tree({"p/broken.rego": "package broken\n\nallow if {\n", "p/ok_test.rego":
                "package ok\n\ntest_fine if { true }\n"})
    run, _ = run_tests(["p"])
    assert [(r.location.line, r.name, r.status, r.errors) for r in run.results] == [
        (4, "load broken.rego", ERROR, ("Rego parse error: p/broken.rego:4:1: expecting expression",)),
        (3, "test_fine", PASS, ()),
    ]


SCENARIOS = """
    apiVersion: nhilint/v1
    kind: PolicyTest
    name: tool access
    rego:
      modules: [policies/tools.rego]
      data: {registry: {agents: [{id: agent-7}]}, policy: {allowed_actions: [read]}}
      query: data.agents.tools.allow
    scenarios:
      - name: registered reader is allowed
        input: {action: read, agent: {id: agent-7}}
        expect: true
      - name: unregistered agent is refused
        input: {action: read, agent: {id: agent-9}}
        expect: false
      - name: the refusal says why
        input: {action: read, agent: {id: agent-9}}
        query: data.agents.tools.deny
        expect: ["agent agent-9 is not registered"]
      - name: without input nothing is refused
        query: data.agents.tools.deny
        expect: []
      - name: without input, input is undefined
        query: input.action
        expect: undefined
"""


def test_scenario_queries_and_the_tests_beside_the_modules_run_together(write_tree) -> None:
    write_tree({"policies/tools.rego": TOOLS, "policies/tools_test.rego": TOOLS_TEST,
                "tests/tools.nhitest.yaml": SCENARIOS.replace("policies/", "../policies/")})
    run, _ = run_tests(["tests"], with_coverage=True)
    assert [(r.location.path, r.name, r.status) for r in run.results] == [
        ("policies/tools_test.rego", "test_registered_reader_allowed", PASS),
        ("policies/tools_test.rego", "test_unregistered_agent_denied", PASS),
        ("policies/tools_test.rego", "test_write_denied", PASS),
        ("policies/tools_test.rego", "test_deny_message", PASS),
        ("tests/tools.nhitest.yaml", "registered reader is allowed", PASS),
        ("tests/tools.nhitest.yaml", "unregistered agent is refused", PASS),
        ("tests/tools.nhitest.yaml", "the refusal says why", PASS),
        ("tests/tools.nhitest.yaml", "without input nothing is refused", PASS),
        ("tests/tools.nhitest.yaml", "without input, input is undefined", PASS),
    ]
    assert run.coverage is not None and run.coverage.rego_uncovered == []


@pytest.mark.parametrize(("expect", "actual"), [("false", True), ("undefined", True), ("1", True)])
def test_a_wrong_expectation_fails_with_both_values(write_tree, expect: str, actual: object) -> None:
    """`true` is not `1`: values compare as JSON, not as Python."""
    write_tree({"policies/tools.rego": TOOLS, "t.nhitest.yaml": SCENARIOS.replace(
        "expect: true", f"expect: {expect}")})
    run, _ = run_tests(["t.nhitest.yaml"])
    first = run.results[0]
    assert (first.status, first.expected, first.actual) == (FAIL, {"false": False, "1": 1}.get(expect, expect),
                                                            actual)


def test_rego_coverage_names_the_lines_no_test_reached(write_tree) -> None:
    write_tree({"policies/tools.rego": TOOLS, "t.nhitest.yaml": SCENARIOS.split("      - name: unreg")[0]})
    run, _ = run_tests(["t.nhitest.yaml"], with_coverage=True)
    assert [(u.location.path, u.what) for u in run.coverage.rego_uncovered] == [
        ("policies/tools.rego", "lines 17-19")]


def test_data_from_a_yaml_file(write_tree) -> None:
    text = SCENARIOS.replace(
        "data: {registry: {agents: [{id: agent-7}]}, policy: {allowed_actions: [read]}}", "data: data.yaml")
    write_tree({"policies/tools.rego": TOOLS, "t.nhitest.yaml": text,
                "data.yaml": "registry: {agents: [{id: agent-7}]}\npolicy: {allowed_actions: [read]}\n"})
    run, _ = run_tests(["t.nhitest.yaml"])
    assert run.summary_line() == "5 passed, 0 failed, 0 errors"


def test_a_panic_in_one_scenario_is_an_error_for_it_alone(write_tree, monkeypatch) -> None:
    from nhilint.testing import rego_scenarios

    real = rego_scenarios.query_value

    def panicking(engine, query):
        if query.endswith(".deny"):
            raise BaseException("thread panicked")  # pyo3's PanicException is a BaseException
        return real(engine, query)

    monkeypatch.setattr(rego_scenarios, "query_value", panicking)
    write_tree({"policies/tools.rego": TOOLS, "t.nhitest.yaml": SCENARIOS})
    run, _ = run_tests(["t.nhitest.yaml"])
    assert [(r.status, r.errors) for r in run.results] == [
        (PASS, ()), (PASS, ()), (ERROR, ("thread panicked",)), (ERROR, ("thread panicked",)), (PASS, ())]


def test_test_rules_load_the_given_paths_and_the_nearest_copy_of_a_package(write_tree) -> None:
    """Like insecure/ and fixed/ in the examples: one package name in two directories. As
    `opa test PATHS`, only PATHS load; of the two copies of `package t`, the test file uses
    the one beside it, and the broken one is an ERROR of its own."""
    write_tree({"insecure/tools.rego": "package t\nallow {", "fixed/tools.rego": "package t\nallow := true\n",
                "fixed/tools_test.rego": "package t_test\ntest_allow if data.t.allow\n"})
    run, _ = run_tests(["fixed"])
    assert [(r.location.path, r.name, r.status) for r in run.results] == [
        ("fixed/tools_test.rego", "test_allow", PASS)]
    run, _ = run_tests(["."])
    assert [(r.location.path, r.name, r.status) for r in run.results] == [
        ("fixed/tools_test.rego", "test_allow", PASS), ("insecure/tools.rego", "load tools.rego", ERROR)]


TODO_TEST = """
    package agents.tools_test

    import rego.v1

    import data.agents.tools

    todo_test_approval_flow if {
        false
    }

    test_unregistered_agent_denied if {
        not tools.allow with input as {"action": "read", "agent": {"id": "agent-9"}}
    }
"""


def test_todo_tests_are_skipped_not_run(write_tree) -> None:
    """As `opa test` does: a `todo_test_*` rule is reported as skipped, never evaluated."""
    write_tree({"policies/tools.rego": TOOLS, "policies/tools_test.rego": TODO_TEST})
    run, _ = run_tests(["."])
    assert [(r.location.line, r.name, r.status) for r in run.results] == [
        (7, "todo_test_approval_flow", SKIP), (11, "test_unregistered_agent_denied", PASS)]
    assert run.ok and run.summary_line() == "1 passed, 0 failed, 0 errors, 1 skipped"


PARAMETERISED_TEST = """
    package rules["no-op"]

    import rego.v1

    test_cases[name] if {
        some name in ["a", "b"]
    }

    test_table[name] := ok if {
        some name, ok in {"even": true, "odd": false}
    }

    test_members contains name if {
        some name in ["x"]
    }

    test_matrix[role][action] if {
        some role in ["admin"]
        some action in ["read", "write"]
    }

    test_plain if {
        print("checked", 1)
    }

    test_helper(x) if x
"""


def test_every_test_shape_opa_runs(write_tree) -> None:
    """Parameterised tests give one result per case, named as opa names them; a package
    path with a part that is not an identifier runs; a function named test_ is not a test."""
    write_tree({"p/cases_test.rego": PARAMETERISED_TEST})
    run, _ = run_tests(["p"])
    assert [(r.location.line, r.name, r.status) for r in run.results] == [
        (5, 'test_cases["a"]', PASS), (5, 'test_cases["b"]', PASS),
        (9, 'test_table["even"]', PASS), (9, 'test_table["odd"]', FAIL),
        (13, 'test_members["x"]', PASS),
        (17, 'test_matrix["admin"]["read"]', PASS), (17, 'test_matrix["admin"]["write"]', PASS),
        (22, "test_plain", PASS),
    ]
    assert run.results[-1].output == ("p/cases_test.rego:23: checked 1",)


def test_a_broken_file_is_an_error_and_the_others_run(write_tree) -> None:
    """The tests that need the broken module say so; those that do not, run."""
    write_tree({"p/a/policy.rego": "package a\n\nallow if {\n", "p/a/policy_test.rego":
                "package a_test\n\ntest_a if data.a.allow\n",
                "p/b/policy.rego": "package b\n\nallow := true\n", "p/b/policy_test.rego":
                "package b_test\n\ntest_b if data.b.allow\n"})
    run, _ = run_tests(["p"])
    assert [(r.location.path, r.name, r.status, r.errors) for r in run.results] == [
        ("p/a/policy.rego", "load policy.rego", ERROR,
         ("Rego parse error: p/a/policy.rego:4:1: expecting expression",)),
        ("p/a/policy_test.rego", "test_a", ERROR,
         ("not run: p/a/policy.rego, which this test needs, does not load",)),
        ("p/b/policy_test.rego", "test_b", PASS, ()),
    ]


def test_engine_warnings_go_with_the_test_not_to_stderr(write_tree, capfd) -> None:
    write_tree({"p/t_test.rego": "package t\n\ntest_unscheduled if {\n    result := violation with input as {}\n"
                                 "    count(result) == 0\n}\n"})
    run, _ = run_tests(["p"])
    (result,) = run.results
    assert result.status == ERROR and result.output == ("could not schedule all statements []",)
    assert capfd.readouterr().err == ""


LOOPING_TEST = """
    package slow

    test_fast if { true }

    test_endless if {  # 10^10 steps in little memory (a range of 10^8 now meets the memory limit first)
        every a in numbers.range(1, 100000) {
            every b in numbers.range(1, 100000) { a != b + 100000 }
        }
    }

    test_after if { true }
"""


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="timeouts need fork")
def test_a_test_that_overruns_the_timeout_is_an_error_and_the_rest_run(write_tree) -> None:
    write_tree({"p/slow_test.rego": LOOPING_TEST})
    run, _ = run_tests(["p"], timeout=0.5)
    assert [(r.name, r.status, r.errors) for r in run.results] == [
        ("test_fast", PASS, ()), ("test_endless", ERROR, ("did not finish within 0.5 s (--timeout)",)),
        ("test_after", PASS, ())]


def test_gatekeeper_library_gives_what_raw_regorus_gives(shared_corpus) -> None:
    """950 test rules, one engine per template directory as raw regorus needs (each
    template carries its own copy of the lib packages). The 38 that do not pass do not
    pass under raw regorus either: v0 rules with several bodies (`} {`) that regorus does
    not parse, builtin errors where OPA would be undefined (sprintf with a missing
    argument, object.get on null), a newline before `(` read as a call, and statements
    regorus cannot schedule."""
    run, plan = run_tests([str(shared_corpus / "realworld/open-policy-agent+gatekeeper-library/src")])
    assert plan.usage_errors() == []
    assert run.summary_line() == "912 passed, 12 failed, 26 errors"
