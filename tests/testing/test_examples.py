"""The bundled scenario files pass, with the Rego test rules beside their modules."""

from __future__ import annotations

from nhilint.testing.results import PASS
from nhilint.testing.runner import run_tests
from tests.conftest import EXAMPLES


def test_example_scenarios_and_rego_tests_all_pass() -> None:
    run, plan = run_tests([str(EXAMPLES / "tests")], with_coverage=True)
    assert plan.usage_errors() == []
    assert [(r.name, r.errors) for r in run.results if r.status != PASS] == []
    kinds = [r.kind for r in run.results]
    assert (kinds.count("cedar"), kinds.count("rego"), kinds.count("rego-test")) == (13, 6, 11)
    # the fixed set is fully exercised; the insecure one has permits shadowed by allow-all
    assert {u.location.path.rsplit("/", 2)[-2] for u in run.coverage.cedar_uncovered} == {"insecure"}
    assert run.coverage.rego_uncovered == []
