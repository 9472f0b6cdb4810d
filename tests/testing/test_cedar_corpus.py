"""The 72 requests of ../shared/corpus/cedar-examples, written as scenario files and run as
upstream's run.sh runs them (SOURCE.md): the policies validate against the schema in every
case; the schema also goes to authorization only where upstream passes it; `linked` files
are template links. All pass; with every expectation flipped, all fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from nhilint.reporters import RenderOptions
from nhilint.reporters.results_text import render
from nhilint.testing.results import FAIL, PASS
from nhilint.testing.runner import run_tests

# Case dirs whose requests upstream authorizes without --schema (their entities do not
# conform to their own schemas); the schema still validates their policies.
SCHEMA_LESS = {"document_cloud", "github_example", "PhotoApp", "GitApp"}
FLIP = {"allow": "deny", "deny": "allow"}


def _case_dirs(corpus: Path) -> list[Path]:
    return sorted(p.parent for p in (corpus / "cedar-examples").rglob("ALLOW"))


def _scenario_file(case: Path, flip: bool) -> dict:
    def one(pattern: str) -> str:
        (found,) = case.glob(pattern)
        return str(found)

    cedar = {"policies": one("*.cedar"), "schema": one("*.cedarschema"),
             "entities": one("*entities.json"), "validate_requests": case.name not in SCHEMA_LESS}
    if (case / "linked").exists():
        cedar["links"] = str(case / "linked")
    scenarios = []
    for decision in ("ALLOW", "DENY"):
        for request_file in sorted((case / decision).glob("*.json")):
            request = json.loads(request_file.read_text(encoding="utf-8"))
            expect = decision.lower()
            scenarios.append({"name": f"{decision}/{request_file.name}",  # names repeat across folders
                              **{k: request[k] for k in ("principal", "action", "resource", "context")
                                 if k in request},
                              "expect": FLIP[expect] if flip else expect})
    return {"apiVersion": "nhilint/v1", "kind": "PolicyTest", "name": case.name,
            "cedar": cedar, "scenarios": scenarios}


def _write_corpus(corpus: Path, out: Path, flip: bool) -> None:
    for case in _case_dirs(corpus):
        name = case.relative_to(corpus / "cedar-examples").as_posix().replace("/", "__")
        (out / f"{name}.nhitest.yaml").write_text(yaml.safe_dump(_scenario_file(case, flip)),
                                                  encoding="utf-8")


@pytest.mark.parametrize("flip", [False, True], ids=["as-upstream", "flipped"])
def test_all_72_requests(shared_corpus: Path, tmp_path: Path, flip: bool) -> None:
    _write_corpus(shared_corpus, tmp_path, flip)
    run, plan = run_tests([str(tmp_path)])
    assert plan.usage_errors() == []
    assert len(plan.files) == 11
    assert [r.errors for r in run.results if r.errors] == []
    assert len(run.results) == 72
    assert {r.status for r in run.results} == ({FAIL} if flip else {PASS})
    assert run.summary_line() == ("0 passed, 72 failed, 0 errors" if flip else "72 passed, 0 failed, 0 errors")


FLIPPED_TAX_PREPARER = """\
FAIL TMP/cedar-example-use-cases__tax_preparer.nhitest.yaml:11: ALLOW/alice_read_ABC.json
    expected: deny
    actual:   allow
    determined by: policy0
FAIL TMP/cedar-example-use-cases__tax_preparer.nhitest.yaml:25: ALLOW/alice_read_DEF.json
    expected: deny
    actual:   allow
    determined by: AliceView
FAIL TMP/cedar-example-use-cases__tax_preparer.nhitest.yaml:39: ALLOW/bob_read_DEF.json
    expected: deny
    actual:   allow
    determined by: policy0
FAIL TMP/cedar-example-use-cases__tax_preparer.nhitest.yaml:53: DENY/alice_read_ABC.json
    expected: allow
    actual:   deny
    determined by: policy2
FAIL TMP/cedar-example-use-cases__tax_preparer.nhitest.yaml:66: DENY/bob_read_ABC.json
    expected: allow
    actual:   deny
    determined by: none (no policy matched: default deny)

0 passed, 5 failed, 0 errors
"""


def test_a_failing_scenario_names_it_and_shows_expected_and_actual(shared_corpus: Path,
                                                                    tmp_path: Path) -> None:
    """The deciding policies are named by @id when they have one (AliceView is a template
    link), else as Cedar names them (policy0)."""
    _write_corpus(shared_corpus, tmp_path, flip=True)
    run, _ = run_tests([str(tmp_path / "cedar-example-use-cases__tax_preparer.nhitest.yaml")])
    assert render(run, RenderOptions()).replace(str(tmp_path), "TMP") == FLIPPED_TAX_PREPARER
