"""Rego through regorus: scenario queries, and `test_*` rules run as `opa test` runs them.

Each module is parsed as Rego v1 first and as v0 when v1 refuses it, so v0 and v1 files
load side by side. Every evaluation is guarded: an engine error or panic is an ERROR
result for that scenario or test rule only.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Iterator

import regorus

from nhilint.discovery import SKIP_DIRS
from nhilint.model import Location
from nhilint.testing.coverage import CoverageTracker
from nhilint.testing.engines import EngineFailure, all_errors, attempt, failure_text, \
    is_engine_failure, scenarios_of
from nhilint.testing.results import ERROR, FAIL, PASS, SKIP, UNDEFINED, TestResult
from nhilint.testing.scenarios import REGO_TEST_SUFFIX, RegoSetup, Scenario, ScenarioFile, Source

DATA_FILES = ("data.json", "data.yaml", "data.yml")  # loaded at their directory's path, as OPA does


def new_engine(coverage: bool) -> Any:
    engine = regorus.Engine()
    engine.set_enable_coverage(coverage)
    return engine


def add_module(engine: Any, path: str) -> None:
    """Parse one module, v1 syntax first, v0 if v1 refuses it; EngineFailure (the v1 error) if neither."""
    text = attempt(f"cannot read {path}", Path(path).read_text, encoding="utf-8")
    try:
        engine.add_policy(path, text)
        return
    except BaseException as exc:  # noqa: BLE001 - Rust panics are BaseExceptions
        if not is_engine_failure(exc):
            raise
        v1_error = failure_text(exc)
    engine.set_rego_v0(True)
    try:
        attempt(f"Rego parse error: {v1_error}", engine.add_policy, path, text)
    except EngineFailure:
        raise EngineFailure(f"Rego parse error: {v1_error}") from None
    finally:
        engine.set_rego_v0(False)


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
    except BaseException as exc:  # noqa: BLE001 - Rust panics are BaseExceptions
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


# --- `test_*` rules, as `opa test` runs them -------------------------------------------------

def _walk_rego(root: str) -> Iterator[str]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            yield os.path.normpath(os.path.join(dirpath, name))


def _data_files(root: str) -> Iterator[tuple[tuple[str, ...], str]]:
    for path in _walk_rego(root):
        if os.path.basename(path) in DATA_FILES:
            relative = os.path.relpath(os.path.dirname(path), root)
            yield (() if relative == "." else tuple(Path(relative).parts)), path


def _nest(pointer: tuple[str, ...], value: Any) -> Any:
    for part in reversed(pointer):
        value = {part: value}
    return value


def _flatten_ref(node: dict) -> list[str]:
    """A package or rule reference from regorus' AST (`Var` / `RefDot` / `RefBrack`) as names."""
    if "Var" in node:
        return [node["Var"]["value"]]
    if "RefDot" in node:
        return _flatten_ref(node["RefDot"]["refr"]) + [node["RefDot"]["field"][1]]
    if "RefBrack" in node:
        index = node["RefBrack"].get("index", {})
        literal = index.get("String", {}).get("value")
        return _flatten_ref(node["RefBrack"]["refr"]) + ([literal] if literal is not None else [])
    return []


def test_rules(ast_json: str, path: str) -> list[tuple[str, str, int]]:
    """(package, rule name, line) of every `test_*` (and `todo_test_*`) rule of the module at
    `path`, in order."""
    found: dict[tuple[str, str], int] = {}
    for module in json.loads(ast_json):
        if module["source"]["file"] != path:
            continue
        package = ".".join(_flatten_ref(module["ast"]["package"]["refr"]))
        for rule in module["ast"]["rules"]:
            head = rule.get("Spec", {}).get("head", {})
            kind, body = next(iter(head.items()), (None, {}))
            if kind in (None, "Func"):
                continue  # a function named test_ is not a test, for OPA either
            names = _flatten_ref(body.get("refr", {}))
            if len(names) == 1 and names[0].startswith(("test_", "todo_test_")):
                found.setdefault((package, names[0]), body["refr"]["Var"]["span"]["line"])
    return [(package, name, line) for (package, name), line in found.items()]


def _test_results(engine: Any, path: str, package: str, name: str, line: int) -> list[TestResult]:
    location = Location(path, line)
    try:
        value = engine.eval_rule(f"data.{package}.{name}")
    except BaseException as exc:  # noqa: BLE001
        if not is_engine_failure(exc):
            raise
        return [TestResult(location, name, ERROR, True, errors=(failure_text(exc),), kind="rego-test")]
    if isinstance(value, dict):  # a parameterised test, `test_x[note]`: one result per case
        return [TestResult(location, f"{name}[{json.dumps(case)}]", PASS if ok is not False else FAIL,
                           True, normalize(ok), kind="rego-test") for case, ok in sorted(value.items())]
    actual = UNDEFINED if value is None else normalize(value)
    status = FAIL if value is None or value is False else PASS
    return [TestResult(location, name, status, True, actual, kind="rego-test")]


def _load_error(path: str, failure: EngineFailure) -> TestResult:
    """A file that could not be loaded, located at the line the engine names when it does."""
    where = re.search(rf"{re.escape(path)}:(\d+):(\d+):", str(failure))
    location = Location(path, int(where.group(1)), int(where.group(2))) if where else Location(path)
    return TestResult(location, f"load {os.path.basename(path)}", ERROR, errors=(str(failure),),
                      kind="rego-test")


def run_test_rules(root: str, test_files: list[str], coverage: CoverageTracker | None) -> list[TestResult]:
    """Load every .rego and data file under `root` (as `opa test ROOT` does) and run the
    `test_*` rules of `test_files`."""
    engine = new_engine(coverage is not None)
    results: list[TestResult] = []
    for path in (p for p in _walk_rego(root) if p.endswith(".rego")):
        try:
            add_module(engine, path)
        except EngineFailure as exc:
            results.append(_load_error(path, exc))
    for pointer, path in _data_files(root):
        try:
            value = attempt(f"cannot read {path}", Source(path=path).load)
            attempt(f"loading {path}", engine.add_data, _nest(pointer, value))
        except EngineFailure as exc:
            results.append(_load_error(path, exc))
    ast_json = engine.get_ast_as_json()
    for path in test_files:
        for package, name, line in test_rules(ast_json, path):
            if name.startswith("todo_"):
                results.append(TestResult(Location(path, line), name, SKIP, kind="rego-test"))
            else:
                results.extend(_test_results(engine, path, package, name, line))
    if coverage is not None:
        coverage.rego_report(engine.get_coverage_report_as_json(), _is_test_file)
    return results
