"""Rego through regorus: scenario queries (`test_*` rules: rego_tests.py).

Each module is parsed as Rego v1 first and as v0 when v1 refuses it, so v0 and v1 files
load side by side. Every evaluation is guarded: an engine error or panic is an ERROR
result for that scenario or test rule only.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import regorus

from nhilint.testing.coverage import CoverageTracker
from nhilint.testing.engines import EngineFailure, all_errors, attempt, failure_text, is_engine_failure, scenarios_of
from nhilint.testing.results import ERROR, FAIL, PASS, UNDEFINED, TestResult
from nhilint.testing.scenarios import REGO_TEST_SUFFIX, RegoSetup, Scenario, ScenarioFile, Source


def new_engine(coverage: bool) -> Any:
    engine = regorus.Engine()
    engine.set_enable_coverage(coverage)
    return engine


def add_module(engine: Any, path: str, text: str | None = None) -> None:
    """Parse one module, v1 syntax first, v0 if v1 refuses it; EngineFailure if neither, with
    the error of the parse that got further into the file (a v0 file fails v1 on its first
    rule, so its v0 error is the one that says what is wrong)."""
    if text is None:
        text = attempt(f"cannot read {path}", Path(path).read_text, encoding="utf-8")
    try:
        engine.add_policy(path, text)
        return
    except BaseException as exc:
        if not is_engine_failure(exc):
            raise
        v1_error = failure_text(exc)
    engine.set_rego_v0(True)
    try:
        attempt("", engine.add_policy, path, text)
    except EngineFailure as v0_failure:
        v0_error = str(v0_failure).removeprefix(": ")
        further = max((v1_error, v0_error), key=lambda error: _position(path, error))
        raise EngineFailure(f"Rego parse error: {further}") from None
    finally:
        engine.set_rego_v0(False)


def _position(path: str, error: str) -> tuple[int, int]:
    where = re.match(rf"{re.escape(path)}:(\d+):(\d+):", error)
    return (int(where.group(1)), int(where.group(2))) if where else (0, 0)


def normalize(value: Any) -> Any:
    """A Rego value as JSON sees it: sets as sorted lists, integral floats as ints."""
    if isinstance(value, (set, frozenset)):
        return sorted((normalize(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, dict):
        return {str(k): normalize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def same(expected: Any, actual: Any) -> bool:
    """JSON equality: `true` is not `1`, and a set equals the list of its members in any order."""
    return json.dumps(normalize(expected), sort_keys=True) == json.dumps(normalize(actual), sort_keys=True)


def query_value(engine: Any, query: str) -> Any:
    """The query's value; UNDEFINED when it has none; a list of values when it has several."""
    answer = engine.eval_query(query)
    values = [normalize(r["expressions"][0]["value"]) for r in answer.get("result", []) if r["expressions"]]
    if not values:
        return UNDEFINED
    return values[0] if len(values) == 1 else values


def _scenario_result(engine: Any, scenario: Scenario) -> TestResult:
    try:
        if "input" in scenario.request:
            engine.set_input(scenario.request["input"])
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
    attempt("loading the data", engine.add_data, value)


def run(setup: RegoSetup, files: list[ScenarioFile], coverage: CoverageTracker | None) -> list[TestResult]:
    scenarios = scenarios_of(files)
    base = new_engine(coverage is not None)
    try:
        for module in setup.modules:
            add_module(base, module)
        if setup.data is not None:
            _load_data(base, setup.data)
    except EngineFailure as exc:
        return all_errors(scenarios, str(exc), "rego")
    without_input = base.clone()  # `input` stays undefined for scenarios that give none
    results = [_scenario_result(base if "input" in s.request else without_input, s) for s in scenarios]
    if coverage is not None:
        for engine in (base, without_input):
            coverage.rego_report(engine.get_coverage_report_as_json(), _is_test_file)
    return results


def _is_test_file(path: str) -> bool:
    return path.endswith(REGO_TEST_SUFFIX)
