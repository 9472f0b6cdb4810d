"""Cedar scenarios through `nhilint.engines.cedar`: one parse and one `is_authorized_batch` per setup.

cedarpy names policies positionally (`policy0`, `policy1`... across the files in the order
read) and template-linked policies by their link id; results and messages use each
policy's `@id` annotation instead, when it has one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from nhilint.cedar.parser import CedarSyntaxError, parse
from nhilint.engines import EngineFailure, attempt, cedar
from nhilint.engines.isolation import Interrupted, isolated
from nhilint.model import Location
from nhilint.testing.backends import all_errors, scenarios_of
from nhilint.testing.coverage import CoverageTracker
from nhilint.testing.results import ERROR, FAIL, PASS, TestResult
from nhilint.testing.scenarios import CedarSetup, Scenario, ScenarioFile, read_text


@dataclass(frozen=True)
class Policy:
    cedar_id: str  # policyN, or a link id
    name: str  # the @id annotation, or the Cedar id
    location: Location
    template: str | None = None  # for a linked policy: the template's Cedar id


def split_policies(path: str, text: str, first_index: int) -> list[Policy]:
    """The policies of one Cedar file in order, each with its Cedar id, @id and location,
    as the linter's Cedar reader sees them."""
    try:
        parsed = parse(path, text)
    except CedarSyntaxError as exc:
        raise EngineFailure(f"{path}:{exc.line}:{exc.column}: {exc.message}") from None
    policies = []
    for policy in parsed.policies:
        cedar_id = f"policy{first_index + policy.index}"
        name = next((a.value for a in policy.annotations if a.key == "id" and a.value), cedar_id)
        policies.append(Policy(cedar_id, name, Location(path, policy.location.line, policy.location.column)))
    return policies


@dataclass
class Prepared:
    policies: Any
    entities: Any
    schema: Any  # passed to authorization (None when requests are not validated)
    table: dict[str, Policy] = field(default_factory=dict)  # cedar id -> policy
    problems: list[str] = field(default_factory=list)  # policy validation errors

    def name(self, cedar_id: str) -> str:
        policy = self.table.get(cedar_id)
        return policy.name if policy else cedar_id

    def rename(self, message: str) -> str:
        """An engine message with `policyN` replaced by the policy's name."""
        return re.sub(r"`(policy\d+)`", lambda m: f"`{self.name(m.group(1))}`", message)


def prepare(setup: CedarSetup) -> Prepared:
    table: dict[str, Policy] = {}
    policy_set = None
    texts: list[str] = []
    for path in setup.policies:
        text = attempt(f"cannot read {path}", read_text, path)
        texts.append(text)
        if policy_set is None:
            policy_set = _load(path, "Cedar parse error", cedar.policy_set, text)
        else:
            policy_set = _load(path, "Cedar parse error", cedar.add_policies, policy_set, text)
        for policy in split_policies(path, text, len(table)):
            table[policy.cedar_id] = policy
    if policy_set is None:
        raise EngineFailure("no Cedar policy file to load")
    schema = None
    problems: list[str] = []
    if setup.schema:
        schema = _schema(setup.schema)
        errors = attempt(f"validating the policies against {setup.schema}",
                         cedar.validate, "\n".join(texts), schema)
        problems = [f"{setup.schema}: policy '{_name(table, e.policy_id)}' does not validate: {e.error}"
                    for e in errors]
    request_schema = schema if setup.validate_requests else None
    entities = attempt("loading the entities", _entities, setup, request_schema)
    if setup.links is not None:
        links = attempt(f"cannot read the template links {setup.links.path or ''}".rstrip(), setup.links.load)
        policy_set = attempt("linking the templates", _link, policy_set, links, table)
    prepared = Prepared(policy_set, entities, request_schema, table, problems)
    return prepared


def _name(table: dict[str, Policy], cedar_id: str) -> str:
    return table[cedar_id].name if cedar_id in table else cedar_id


def _load(path: str, step: str, call: Any, *args: Any) -> Any:
    """One engine call on the text of `path`; its failure is `<path>: <step>: ...`. A file
    nested too deep for cedarpy (whose parsers overflow their stack on it) is an error for
    its scenarios, never handed to cedarpy."""
    try:
        return attempt(f"{path}: {step}", call, *args)
    except cedar.NestedTooDeep as exc:
        raise EngineFailure(f"{path}: {exc}; not evaluated") from None


def _schema(path: str) -> Any:
    text = attempt(f"cannot read {path}", read_text, path)
    if path.endswith(".json"):
        return _load(path, "invalid Cedar JSON schema", cedar.schema, text, True)
    return _load(path, "invalid Cedar schema", cedar.schema, text)


def _entities(setup: CedarSetup, schema: Any) -> Any:
    source = setup.entities
    text = source.text() if source.path and source.path.endswith(".json") else json.dumps(source.load())
    try:
        return cedar.entities(text, schema)
    except cedar.HierarchyTooLarge as exc:
        raise EngineFailure(f"{source.path or 'the entities'}: {exc}; not evaluated") from None


def _link(policy_set: Any, links: list[dict], table: dict[str, Policy]) -> Any:
    """Apply the Cedar CLI's --template-linked entries; each link is named by its link id."""
    by_annotation = {p.name: p.cedar_id for p in table.values()}
    batch = []
    for link in links:
        template = link["template_id"]
        batch.append({"template_id": template, "new_id": link["link_id"], "values": link["args"]})
        cedar_id = template if template in table else by_annotation.get(template, template)
        location = table[cedar_id].location if cedar_id in table else Location("<links>")
        table[link["link_id"]] = Policy(link["link_id"], link["link_id"], location, cedar_id)
    return cedar.link(policy_set, batch)


def verdict(scenario: Scenario, response: Any, prepared: Prepared) -> TestResult:
    expected = scenario.expect
    if isinstance(response, EngineFailure):
        return TestResult(scenario.location, scenario.name, ERROR, expected, errors=(str(response),))
    errors = tuple(prepared.rename(e) for e in response.diagnostics.errors)
    decision = response.decision.value
    if decision == "NoDecision":
        return TestResult(scenario.location, scenario.name, ERROR, expected, errors=errors)
    actual = "allow" if decision == "Allow" else "deny"
    annotations = response.diagnostics.id_annotations_by_reason
    deciding = [_deciding(r, annotations, prepared.table) for r in response.diagnostics.reasons]
    names = tuple(sorted(name for name, _ in deciding))
    status = PASS if actual == expected else FAIL
    if status == PASS and scenario.determined_by is not None:
        status = PASS if _same_policies(scenario.determined_by, [a for _, a in deciding]) else FAIL
    return TestResult(scenario.location, scenario.name, status, expected, actual, names, errors)


def _deciding(reason: str, annotations: dict[str, str], table: dict[str, Policy]) -> tuple[str, set[str]]:
    """A deciding policy's name and the names `determined_by` may use for it: its @id as
    cedarpy reads it, else its Cedar id; a template link is named by its link id, or by its
    template's @id."""
    annotation = annotations.get(reason) or None  # `@id("")` names nothing
    policy = table.get(reason)
    if policy is not None and policy.template is not None:
        return reason, {reason} | ({annotation} if annotation else set())
    name = annotation or reason
    return name, {reason, name}


def _same_policies(expected: tuple[str, ...], deciding: list[set[str]]) -> bool:
    """Every expected name matches a deciding policy and every deciding policy is expected."""
    return all(any(name in aliases for aliases in deciding) for name in expected) and \
        all(aliases & set(expected) for aliases in deciding)


def run(setup: CedarSetup, files: list[ScenarioFile], coverage: CoverageTracker | None,
        timeout: float = 0) -> list[TestResult]:
    """The results of every scenario of one setup, evaluated in a worker process
    (`nhilint.engines.isolation`) with `timeout` seconds for each 1,000 scenarios (at least
    `timeout`; 0: no limit): a crash, an overrun or exhausted memory is an ERROR for each."""
    scenarios = scenarios_of(files)
    limit = timeout * max(1.0, len(scenarios) / 1000)
    outcome = isolated(lambda: _evaluate(setup, scenarios, coverage is not None), limit)
    if isinstance(outcome, Interrupted):
        return all_errors(scenarios, f"{outcome.message}, evaluating {', '.join(setup.policies)}", "cedar")
    results, tracker = outcome
    if coverage is not None and tracker is not None:
        coverage.merge(tracker)
    return results


def _evaluate(setup: CedarSetup, scenarios: list[Scenario],
              with_coverage: bool) -> tuple[list[TestResult], CoverageTracker | None]:
    try:
        prepared = prepare(setup)
    except EngineFailure as exc:
        return all_errors(scenarios, str(exc), "cedar"), None
    # a response per scenario, or an EngineFailure for one whose request cannot be evaluated
    responses = cedar.authorize([s.request for s in scenarios], prepared.policies, prepared.entities,
                                prepared.schema)
    results = [verdict(s, r, prepared) for s, r in zip(scenarios, responses)]
    problems = _validation_problems(setup, prepared)
    if problems:  # no verdict stands
        results = [replace(r, status=ERROR, errors=problems + r.errors) for r in results]
    coverage = CoverageTracker() if with_coverage else None
    if coverage is not None:
        _record_coverage(prepared, responses, coverage)
    return results, coverage


def _validation_problems(setup: CedarSetup, prepared: Prepared) -> tuple[str, ...]:
    """Why the verdicts do not stand: policies that break the schema they should follow, or
    (`should_validate: false`) policies that follow the schema they were expected to break."""
    if setup.should_validate:
        return tuple(prepared.problems)
    if setup.schema and not prepared.problems:
        return (f"should_validate is false, but the policies validate against {setup.schema}",)
    return ()


def _record_coverage(prepared: Prepared, responses: list[Any], coverage: CoverageTracker) -> None:
    decided: set[str] = set()
    for response in responses:
        if not isinstance(response, EngineFailure):
            for reason in response.diagnostics.reasons:
                policy = prepared.table.get(reason)
                decided.add(policy.template if policy and policy.template else reason)
    for policy in prepared.table.values():
        if policy.template is None:  # a template counts once, covered by any of its links
            coverage.cedar_policy(policy.location, policy.name, policy.cedar_id in decided)
