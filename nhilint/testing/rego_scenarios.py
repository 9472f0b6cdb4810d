"""Rego scenarios through `nhilint.engines.rego` (`test_*` rules: rego_tests.py).

Each module is parsed as Rego v1 first and as v0 when v1 refuses it, so v0 and v1 files
load side by side. Every evaluation is guarded: an engine error or panic is an ERROR
result for that scenario or test rule only.
"""

from __future__ import annotations

import json
from typing import Any

from nhilint.engines import EngineFailure, attempt, failure_text, is_engine_failure, rego
from nhilint.engines.isolation import Interrupted, run_calls
from nhilint.testing.backends import all_errors, scenarios_of
from nhilint.testing.coverage import CoverageTracker
from nhilint.testing.results import ERROR, FAIL, PASS, UNDEFINED, TestResult
from nhilint.testing.scenarios import REGO_TEST_SUFFIX, RegoSetup, Scenario, ScenarioFile, Source, read_text


def query_value(engine: Any, query: str) -> Any:
    """The query's value; UNDEFINED when it has none; a list of values when it has several."""
    values = rego.query_values(engine, query)
    if not values:
        return UNDEFINED
    return values[0] if len(values) == 1 else values


def same(expected: Any, actual: Any) -> bool:
    """JSON equality: `true` is not `1`, and a set equals the list of its members in any order."""
    return json.dumps(rego.normalize(expected), sort_keys=True) == json.dumps(rego.normalize(actual), sort_keys=True)


def _scenario_result(engine: Any, scenario: Scenario) -> TestResult:
    try:
        if "input" in scenario.request:
            rego.set_input(engine, scenario.request["input"])
        actual = query_value(engine, scenario.query or "")
    except BaseException as exc:
        if not is_engine_failure(exc):
            raise
        return TestResult(scenario.location, scenario.name, ERROR, scenario.expect,
                          errors=(failure_text(exc),), kind="rego")
    status = PASS if same(scenario.expect, actual) else FAIL
    return TestResult(scenario.location, scenario.name, status, scenario.expect, actual, kind="rego")


def _load_data(engine: Any, data: Source) -> None:
    value = attempt(f"cannot read the data {data.path or ''}".rstrip(), data.load)
    if not isinstance(value, dict):
        raise EngineFailure(f"the data {data.path or ''} must be a mapping (it becomes `data`)")
    attempt("loading the data", rego.add_data, engine, value)


def run(setup: RegoSetup, files: list[ScenarioFile], coverage: CoverageTracker | None,
        timeout: float = 0) -> list[TestResult]:
    """The results of every scenario of one setup: the modules load here, the queries run in
    a worker process (`nhilint.engines.isolation`), `timeout` seconds each (0: no limit); a
    query that crashes the engine, overruns or exhausts its memory is an ERROR for it alone."""
    scenarios = scenarios_of(files)
    base = rego.new_engine(coverage is not None)
    try:
        for module in setup.modules:
            rego.add_module(base, module, attempt(f"cannot read {module}", read_text, module))
        if setup.data is not None:
            _load_data(base, setup.data)
    except EngineFailure as exc:
        return all_errors(scenarios, str(exc), "rego")
    without_input = rego.clone(base)  # `input` stays undefined for scenarios that give none
    engines = (base, without_input)

    def reports() -> list[str]:
        return [rego.coverage_report(engine) for engine in engines] if coverage is not None else []

    outcomes, finished = run_calls(
        scenarios, lambda s: _scenario_result(base if "input" in s.request else without_input, s), reports, timeout)
    results = [TestResult(s.location, s.name, ERROR, s.expect, errors=(o.message,), kind="rego")
               if isinstance(o, Interrupted) else o for s, o in zip(scenarios, outcomes)]
    if coverage is not None:
        for report in (r for rs in finished for r in rs):
            coverage.rego_report(report, _is_test_file)
    return results


def _is_test_file(path: str) -> bool:
    return path.endswith(REGO_TEST_SUFFIX)
