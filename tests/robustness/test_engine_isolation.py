"""Engine isolation (issue 13): a native crash, a runaway recursion, an allocation bomb or an
endless loop in a policy under test or in a custom rule is an ERROR result (or a finding of
the custom rule at its declaration) with a clear message, and the run goes on. Each case runs
the real CLI in a subprocess: a crash would show as a signal, a Python error as exit 3."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nhilint.engines import cedar
from nhilint.testing.results import ERROR, PASS
from nhilint.testing.runner import run_tests
from tests.robustness.conftest import MANIFEST, lint, write

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="isolation needs fork")

STACK_OVERFLOW = "the engine crashed (signal SIGSEGV), most likely a stack overflow"
OUT_OF_MEMORY = "the engine ran out of memory, over the"
RECURSIVE = "f(x) := y if {\n\ty := f(x + 1)\n}\n"


def nhilint(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nhilint", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def _chain(count: int) -> list[dict]:
    """Entities G::"g0".."g<count-1>", each the parent of the one before."""
    return [{"uid": {"type": "G", "id": f"g{i}"}, "attrs": {},
             "parents": [{"type": "G", "id": f"g{i + 1}"}] if i < count - 1 else []} for i in range(count)]


def test_a_cedar_parent_chain_of_100000_entities_is_an_error_naming_the_file(tmp_path: Path) -> None:
    chain = _chain(100_000)
    scenario = ("apiVersion: nhilint/v1\nkind: PolicyTest\ncedar:\n  policies: [p.cedar]\n  entities: {entities}\n"
                "scenarios:\n  - name: {name}\n    principal: G::\"g0\"\n    action: Action::\"a\"\n"
                "    resource: G::\"g1\"\n    expect: allow\n")
    write(tmp_path, {"entities.json": json.dumps(chain), "small.json": json.dumps(chain[-3:]),
                     "p.cedar": "permit(principal, action, resource);\n",
                     "deep.nhitest.yaml": scenario.format(entities="entities.json", name="deep"),
                     "fine.nhitest.yaml": scenario.format(entities="small.json", name="fine")})
    proc = nhilint("test", tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert (f"error: {tmp_path}/entities.json: the entity hierarchy is 100,000 levels deep (from G::\"g0\"), "
            f"more than the 100 nhilint evaluates; not evaluated") in proc.stdout
    assert proc.stdout.splitlines()[-1] == "1 passed, 0 failed, 1 errors"


def test_without_the_hierarchy_check_the_cedar_crash_is_an_error_for_its_setup(tmp_path: Path, monkeypatch) -> None:
    """The check stops cedarpy's stack overflow; were one to get past it, the worker takes it."""
    monkeypatch.setattr(cedar, "MAX_HIERARCHY_DEPTH", 10 ** 9)
    chain = _chain(100_000)
    write(tmp_path, {"entities.json": json.dumps(chain), "p.cedar": "permit(principal, action, resource);\n",
                     "t.nhitest.yaml": "apiVersion: nhilint/v1\nkind: PolicyTest\ncedar:\n  policies: [p.cedar]\n"
                     "  entities: entities.json\nscenarios:\n  - name: deep\n    principal: G::\"g0\"\n"
                     "    action: Action::\"a\"\n    resource: G::\"g1\"\n    expect: allow\n"})
    run, _ = run_tests([str(tmp_path)])
    [result] = run.results
    assert result.status == ERROR
    assert result.errors[0].startswith(STACK_OVERFLOW) and result.errors[0].endswith(f", evaluating {tmp_path}/p.cedar")


REGO_SCENARIOS = """apiVersion: nhilint/v1
kind: PolicyTest
rego:
  modules: [p.rego]
  query: data.p.r
scenarios:
  - name: runaway recursion
    expect: 1
  - name: fine
    query: "1 + 1"
    expect: 2
  - name: a range of a billion
    query: "count(numbers.range(1, 1000000000))"
    expect: 1000000000
  - name: a billion-digit sprintf
    query: 'sprintf("%01000000000d", [1])'
    expect: "1"
  - name: fine after
    query: "1 + 2"
    expect: 3
"""


def test_recursion_and_allocation_bombs_in_rego_tests_are_errors_and_the_rest_pass(tmp_path: Path) -> None:
    write(tmp_path, {"p.rego": f"package p\n\n{RECURSIVE}\nr := f(1)\n", "s.nhitest.yaml": REGO_SCENARIOS,
                     "p_test.rego": "package p\n\ntest_ok if { true }\n\ntest_recursion if { f(1) == 2 }\n\n"
                                    "test_range if { count(numbers.range(1, 1000000000)) > 0 }\n\n"
                                    "test_after if { true }\n"})
    # A generous time limit: the memory cap, not the clock of a loaded CI machine, must end the bombs.
    proc = nhilint("test", "--format", "json", "--timeout", "120", tmp_path)
    assert proc.returncode == 1, proc.stderr
    results = {r["name"]: r for r in json.loads(proc.stdout)["results"]}
    assert {name: r["status"] for name, r in results.items()} == {
        "test_ok": PASS, "test_recursion": ERROR, "test_range": ERROR, "test_after": PASS,
        "runaway recursion": ERROR, "fine": PASS, "a range of a billion": ERROR, "a billion-digit sprintf": ERROR,
        "fine after": PASS}
    for name in ("test_recursion", "runaway recursion"):
        assert results[name]["errors"][0].startswith(STACK_OVERFLOW)
    for name in ("a range of a billion", "a billion-digit sprintf"):
        assert results[name]["errors"][0].startswith(OUT_OF_MEMORY)
    # under a test rule's own stderr capture the abort's reason is not seen: the signal says it
    assert results["test_range"]["errors"][0].startswith("the engine aborted (signal SIGABRT): most likely out "
                                                         "of memory, over the")
    assert "memory allocation of" not in proc.stderr


ENDLESS = "every a in numbers.range(1, 100000) {\n  every b in numbers.range(1, 100000) { a != b + 100000 }\n}"


def test_an_endless_rego_scenario_overruns_the_timeout(tmp_path: Path) -> None:
    write(tmp_path, {"p.rego": "package p\n\nimport rego.v1\n\nr if {\n" + ENDLESS + "\n}\n",
                     "s.nhitest.yaml": REGO_SCENARIOS.replace("runaway recursion", "endless").split("  - name: a range")[0]})
    proc = nhilint("test", "--timeout", "0.5", tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "error: did not finish within 0.5 s (--timeout)" in proc.stdout
    assert proc.stdout.splitlines()[-1] == "1 passed, 0 failed, 1 errors"


def _custom_rule(rule_id: str, index: int, body: str) -> str:
    lines = [f"  - id: {rule_id}", f"    name: rule-{index}", "    summary: s", "    rego: |",
             f"      package acme.r{index}", "      import rego.v1"]
    return "\n".join(lines + ["      " + line for line in body.splitlines()]) + "\n"


def test_hostile_custom_rules_are_findings_at_their_declaration_and_the_others_run(tmp_path: Path,
                                                                                   monkeypatch) -> None:
    violation = 'violation contains {"msg": "%s", "location": input.identities[0].location} if '
    rules = [("ACME101", RECURSIVE + violation % "m" + "{ f(1) == 2 }"),
             ("ACME102", violation % "m" + "{ count(numbers.range(1, 1000000000)) > 1 }"),
             ("ACME103", violation % "m" + '{ sprintf("%01000000000d", [1]) != "" }'),
             ("ACME104", violation % "m" + "{\n" + ENDLESS + "\n}"),
             ("ACME105", violation % "still evaluated" + "{ true }")]
    config = "custom_rules:\n" + "".join(_custom_rule(rule_id, i, body) for i, (rule_id, body) in enumerate(rules))
    write(tmp_path, {".nhilint.yaml": config, "agent.yaml": MANIFEST})
    lines = {rule_id: n + 1 for n, line in enumerate(config.splitlines()) for rule_id, _ in rules
             if line == f"  - id: {rule_id}"}
    # the time limit of custom rules, shortened for the test (it applies in the child too: fork),
    # and a small memory cap, so the allocation bombs meet it long before that limit, however
    # loaded the machine
    monkeypatch.setattr("nhilint.custom_rules.TIMEOUT", 3.0)
    monkeypatch.setattr("nhilint.engines.isolation.DEFAULT_MEMORY", 256 * 1024 * 1024)
    monkeypatch.chdir(tmp_path)
    result = lint("--format", "json", ".")
    assert result.exit_code == 1, result.output
    found = {f["rule"]: f for f in json.loads(result.output)["findings"] if f["rule"].startswith("ACME")}
    assert {rule_id: (f["location"]["path"], f["location"]["line"]) for rule_id, f in found.items()} == {
        **{rule_id: (".nhilint.yaml", lines[rule_id]) for rule_id in ("ACME101", "ACME102", "ACME103", "ACME104")},
        "ACME105": ("agent.yaml", 3)}
    assert found["ACME101"]["message"].startswith(f"custom rule ACME101 failed to evaluate: {STACK_OVERFLOW}")
    for rule_id in ("ACME102", "ACME103"):
        assert found[rule_id]["message"].startswith(f"custom rule {rule_id} failed to evaluate: {OUT_OF_MEMORY}")
    assert found["ACME104"]["message"] == ("custom rule ACME104 failed to evaluate: did not finish within 3 s "
                                           "(the time limit of custom rules)")
    assert found["ACME105"]["message"] == "still evaluated"


DEEP = "{" * 20 + "1" + "}" * 20  # 20 levels: about 40 s in regorus' parser


def test_rego_nested_deeper_than_regorus_parses_in_time_is_refused(tmp_path: Path) -> None:
    """In a tested policy: an ERROR for its scenarios, at the bracket, at once; the rest run."""
    write(tmp_path, {"deep/p.rego": f"package p\n\nr := {DEEP}\n",
                     "deep/s.nhitest.yaml": REGO_SCENARIOS.split("  - name: fine\n")[0].replace("runaway recursion",
                                                                                               "deep"),
                     "fine/p.rego": "package p\n\nr := 1\n",
                     "fine/s.nhitest.yaml": REGO_SCENARIOS.split("  - name: fine\n")[0].replace("runaway recursion",
                                                                                               "fine")})
    proc = nhilint("test", tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert (f"error: Rego parse error: {tmp_path}/deep/p.rego:3:22: brackets nested more than 16 levels deep; "
            "not evaluated (regorus' parser takes exponential time on such text)") in proc.stdout
    assert proc.stdout.splitlines()[-1] == "1 passed, 0 failed, 1 errors"


def test_a_custom_rule_nested_too_deep_is_a_config_error_at_its_declaration(tmp_path: Path) -> None:
    body = 'violation contains {"msg": "m", "location": input.identities[0].location} if { x := ' + DEEP + " }"
    write(tmp_path, {".nhilint.yaml": "custom_rules:\n" + _custom_rule("ACME106", 6, body),
                     "agent.yaml": MANIFEST})
    proc = subprocess.run([sys.executable, "-m", "nhilint", "lint", "."], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr == ("nhilint: .nhilint.yaml:2: custom rule ACME106: the Rego does not compile: "
                           ".nhilint.yaml#ACME106:3:100: brackets nested more than 16 levels deep; not evaluated "
                           "(regorus' parser takes exponential time on such text)\n")
