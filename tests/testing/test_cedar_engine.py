"""Cedar engine details: @id naming, template links, extension values, inline entities, and
failures pinned on the scenario that caused them."""

from __future__ import annotations

import cedarpy
import pytest

from nhilint.engines import cedar as cedar_engine
from nhilint.testing import cedar_scenarios
from nhilint.testing.results import ERROR, FAIL, PASS
from nhilint.testing.runner import run_tests

POLICIES = """
    // a comment with a ; and @id("not-this") in it
    @id("readers")
    permit (principal in Group::"readers", action == Action::"read", resource)
    when { resource.label != "secret;" };

    @id("viewer-template")
    permit (principal == ?principal, action == Action::"view", resource == ?resource);

    forbid (principal, action, resource)
    when { context has at && context.at > datetime("2030-01-01T00:00:00Z") };
"""

ENTITIES = """
      - {uid: {type: User, id: ann}, attrs: {}, parents: [{type: Group, id: readers}]}
      - {uid: {type: Group, id: readers}, attrs: {}, parents: []}
      - {uid: {type: Doc, id: d1}, attrs: {label: public}, parents: []}
"""


def scenario_file(scenarios: str, links: str = "") -> str:
    return f"""
        apiVersion: nhilint/v1
        kind: PolicyTest
        cedar:
          policies: [p.cedar]
          entities:
{ENTITIES}
{links}
        scenarios:
{scenarios}
    """.replace("\n      - {uid", "\n          - {uid")


def test_policies_are_split_with_their_ids_and_lines() -> None:
    import textwrap

    text = textwrap.dedent(POLICIES).lstrip("\n")
    assert [(p.cedar_id, p.name, p.location.line) for p in cedar_scenarios.split_policies("p.cedar", text, 0)] == [
        ("policy0", "readers", 2), ("policy1", "viewer-template", 6), ("policy2", "policy2", 9)]


READ = """
          - name: reader reads
            principal: User::"ann"
            action: Action::"read"
            resource: Doc::"d1"
            expect: allow
            determined_by: [readers]
          - name: the future is forbidden
            principal: User::"ann"
            action: Action::"read"
            resource: Doc::"d1"
            context: {at: {__extn: {fn: datetime, arg: "2031-05-01T00:00:00Z"}}}
            expect: deny
            determined_by: [policy2]
          - name: linked view
            principal: User::"ann"
            action: Action::"view"
            resource: Doc::"d1"
            expect: allow
            determined_by: [ann-views-d1]
          - name: linked view, named by its template
            principal: User::"ann"
            action: Action::"view"
            resource: Doc::"d1"
            expect: allow
            determined_by: [viewer-template]
"""

LINKS = """
          links:
            - {template_id: viewer-template, link_id: ann-views-d1, args: {"?principal": 'User::"ann"', "?resource": {type: Doc, id: d1}}}
"""


def test_ids_links_and_extension_values(write_tree) -> None:
    write_tree({"p.cedar": POLICIES, "t.nhitest.yaml": scenario_file(READ, LINKS)})
    run, plan = run_tests(["t.nhitest.yaml"])
    assert plan.usage_errors() == []
    assert [(r.name, r.status, r.determined_by, r.errors) for r in run.results] == [
        ("reader reads", PASS, ("readers",), ()),
        ("the future is forbidden", PASS, ("policy2",), ()),
        ("linked view", PASS, ("ann-views-d1",), ()),
        ("linked view, named by its template", PASS, ("ann-views-d1",), ()),
    ]


def test_a_policy_that_does_not_parse_makes_every_scenario_an_error(write_tree) -> None:
    write_tree({"p.cedar": "permit (principal, action, resource) when { ", "t.nhitest.yaml": scenario_file(READ)})
    run, _ = run_tests(["t.nhitest.yaml"])
    assert {r.status for r in run.results} == {ERROR}
    assert run.results[0].errors == ("p.cedar: Cedar parse error: unexpected end of input",)


def test_policies_that_break_their_schema_make_the_verdicts_errors(write_tree) -> None:
    schema = "entity User; entity Doc; action read appliesTo { principal: User, resource: Doc };"
    text = scenario_file(READ.split("          - name: the future")[0]).replace(
        "          entities:", "          schema: s.cedarschema\n          validate_requests: false\n          entities:")
    write_tree({"p.cedar": POLICIES, "s.cedarschema": schema, "t.nhitest.yaml": text})
    run, _ = run_tests(["t.nhitest.yaml"])
    (result,) = run.results
    assert (result.status, result.actual) == (ERROR, "allow")
    assert result.errors[0].startswith("s.cedarschema: policy 'readers' does not validate: ")


def test_policies_expected_not_to_validate_are_still_evaluated(write_tree) -> None:
    """`should_validate: false`, as Cedar's corpus marks its tests with shouldValidate:
    the verdicts stand; policies that validate after all make them errors."""
    schema = "entity User; entity Doc; action read appliesTo { principal: User, resource: Doc };"
    text = scenario_file(READ.split("          - name: the future")[0]).replace(
        "          entities:", "          schema: s.cedarschema\n          validate_requests: false\n"
                               "          should_validate: false\n          entities:")
    write_tree({"p.cedar": POLICIES, "s.cedarschema": schema, "t.nhitest.yaml": text})
    run, _ = run_tests(["t.nhitest.yaml"])
    assert [(r.status, r.actual, r.errors) for r in run.results] == [(PASS, "allow", ())]
    write_tree({"p.cedar": "permit (principal, action, resource);"})
    run, _ = run_tests(["t.nhitest.yaml"])
    assert [(r.status, r.errors) for r in run.results] == [
        (ERROR, ("should_validate is false, but the policies validate against s.cedarschema",))]


def test_a_request_the_batch_cannot_take_is_an_error_of_its_own(write_tree, monkeypatch) -> None:
    """If the batch call fails as a whole, each request runs alone: the failure lands on the
    scenario that caused it and the others keep their verdicts."""
    real = cedarpy.is_authorized_batch

    def fragile(requests, *args):
        if any(r.get("context", {}).get("poison") for r in requests):
            raise BaseException("simulated panic")  # pyo3's PanicException is a BaseException
        return real(requests, *args)

    monkeypatch.setattr(cedar_engine.cedarpy, "is_authorized_batch", fragile)
    poisoned = READ.replace("            expect: allow\n            determined_by: [readers]",
                            "            context: {poison: true}\n            expect: allow")
    write_tree({"p.cedar": POLICIES, "t.nhitest.yaml": scenario_file(poisoned, LINKS)})
    run, _ = run_tests(["t.nhitest.yaml"])
    assert [(r.name, r.status, r.errors) for r in run.results] == [
        ("reader reads", ERROR, ("cannot evaluate the request: simulated panic",)),
        ("the future is forbidden", PASS, ()),
        ("linked view", PASS, ()),
        ("linked view, named by its template", PASS, ()),
    ]


@pytest.mark.parametrize(("expected", "status"), [
    ("[readers]", PASS), ("[]", FAIL), ("[readers, policy2]", FAIL), ("[policy0]", PASS), ("[other]", FAIL)])
def test_determined_by_must_name_exactly_the_deciding_policies(write_tree, expected: str, status: str) -> None:
    write_tree({"p.cedar": POLICIES,
                "t.nhitest.yaml": scenario_file(READ.split("          - name: the future")[0].replace(
                    "determined_by: [readers]", f"determined_by: {expected}"))})
    run, _ = run_tests(["t.nhitest.yaml"])
    assert run.results[0].status == status


def test_the_policy_splitter_agrees_with_cedar_on_every_corpus_and_example_file(shared_corpus) -> None:
    """Names in coverage and error messages come from split_policies: it must number and name
    the policies exactly as Cedar does (checked against cedarpy's typed tree)."""
    from pathlib import Path

    from tests.conftest import EXAMPLES

    files = sorted((shared_corpus / "cedar-examples").rglob("*.cedar")) + sorted(EXAMPLES.rglob("*.cedar"))
    assert len(files) > 12
    for path in files:
        text = Path(path).read_text(encoding="utf-8")
        tree = cedarpy.PolicySet.from_str(text).to_pst()
        cedar = {**tree.static_policies, **tree.templates}
        expected = sorted((pid, p.annotations.get("id", pid)) for pid, p in cedar.items())
        policies = cedar_scenarios.split_policies(str(path), text, 0)
        assert sorted((p.cedar_id, p.name) for p in policies) == expected, path
