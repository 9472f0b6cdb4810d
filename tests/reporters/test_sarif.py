"""SARIF: valid against the official 2.1.0 schema, and acceptable to GitHub code scanning."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from nhilint.api import lint_paths, repository_offset
from nhilint.model import Finding, Location, Severity
from nhilint.reporters import RenderOptions, render, sarif
from nhilint.rules import all_rules
from tests.conftest import EXAMPLES, SHARED, TODAY
from tests.reporters.test_golden import FIXTURE

SCHEMA = SHARED / "corpus" / "sarif" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    if not SCHEMA.is_file():
        pytest.skip(f"the official SARIF schema is absent ({SCHEMA}); it sits beside the repository in CI")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def sarif_of(paths: list[str], root: str = ".") -> dict:
    return json.loads(render("sarif", lint_paths(paths, today=TODAY), RenderOptions(root=root)))


def schema_errors(validator: Draft4Validator, log: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]


@pytest.mark.parametrize("target", [EXAMPLES, FIXTURE], ids=["examples", "fixture"])
def test_validates_against_the_official_schema(target: Path, validator: Draft4Validator,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(target)
    log = sarif_of(["."], root=repository_offset())
    assert log["runs"][0]["results"], "the examples are meant to have findings"
    assert schema_errors(validator, log) == []


def test_one_descriptor_per_rule_from_its_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURE)
    run = sarif_of(["."])["runs"][0]
    descriptors = run["tool"]["driver"]["rules"]
    assert [d["id"] for d in descriptors] == list(all_rules())
    for descriptor in descriptors:
        rule = all_rules()[descriptor["id"]]
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"] == rule.rationale
        assert descriptor["help"]["text"].startswith(rule.remediation)
        assert descriptor["defaultConfiguration"]["level"] == sarif.LEVELS[rule.severity.value]
        assert len(descriptor["properties"]["tags"]) <= 10  # GitHub shows 10 tags per rule
    for result in run["results"]:
        assert descriptors[result["ruleIndex"]]["id"] == result["ruleId"]


def test_locations_are_repository_relative_with_regions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURE)
    results = sarif_of(["."], root="sub/dir")["runs"][0]["results"]
    where = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
              r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results}
    assert ("NHI202", "sub/dir/agents/ops%20helper.yaml", 17) in where
    assert ("NHI001", "sub/dir/broken.yaml", 6) in where
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        region = location["region"]
        assert region["endLine"] >= region["startLine"] >= 1 and region["startColumn"] >= 1


def test_suppressed_findings_carry_their_justification(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURE)
    results = sarif_of(["."])["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert [(r["ruleId"], r["suppressions"]) for r in suppressed] == [
        ("NHI201", [{"kind": "inSource", "status": "accepted",
                     "justification": "minted per task by the broker, which sets the ttl"}])]


def test_fingerprints_survive_line_shifts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Moving every finding down (a comment block added on top) keeps each alert's identity."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    monkeypatch.chdir(project)

    def fingerprints() -> dict[str, tuple[str, int]]:
        results = sarif_of(["."])["runs"][0]["results"]
        return {r["partialFingerprints"][sarif.FINGERPRINT_KEY]:
                (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
                for r in results}

    before = fingerprints()
    for manifest in (project / "agents").glob("*.yaml"):
        manifest.write_text("# moved\n# down\n# three lines\n" + manifest.read_text(encoding="utf-8"),
                            encoding="utf-8")
    after = fingerprints()
    assert len(before) == len(sarif_of(["."])["runs"][0]["results"])  # all distinct
    assert set(after) == set(before)
    shifted = {key for key in before if before[key][1] + 3 == after[key][1]}
    assert shifted == {key for key, (rule, _) in before.items() if rule != "NHI001"}


def _finding(number: int, severity: Severity, suppressed: str | None = None) -> Finding:
    return Finding(rule="NHI302", severity=severity, message=f"wildcard number {number}",
                   location=Location("a.yaml", number), subject=f"tools[{number}]", suppressed=suppressed)


def test_results_stay_within_githubs_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Over the limit, active findings beat suppressed ones and errors beat warnings."""
    from nhilint.model import LintResult

    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    findings = [_finding(1, Severity.WARNING), _finding(2, Severity.ERROR, suppressed="ok"),
                _finding(3, Severity.ERROR), _finding(4, Severity.WARNING), _finding(5, Severity.ERROR)]
    run = json.loads(render("sarif", LintResult(findings, ["a.yaml"])))["runs"][0]
    assert [r["message"]["text"] for r in run["results"]] == [
        "wildcard number 1", "wildcard number 3", "wildcard number 5"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["message"]["text"].startswith("2 less severe findings left out")


def test_paths_outside_the_repository_stay_valid(validator: Draft4Validator) -> None:
    from nhilint.model import LintResult

    findings = [Finding(rule="NHI201", severity=Severity.ERROR, message="m",
                        location=Location(path, 2)) for path in ("/abs/x.yaml", "../up.yaml")]
    log = json.loads(render("sarif", LintResult(findings, [])))
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]]
    assert uris == [{"uri": "file:///abs/x.yaml"}, {"uri": "../up.yaml"}]
    assert schema_errors(validator, log) == []
