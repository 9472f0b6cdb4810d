"""Every regorus call: engines, modules, data, input, queries, coverage.

An engine is regorus' own `Engine` object, passed to the functions here and never called
elsewhere. `add_module` parses a module as Rego v1 first and as v0 when v1 refuses it, so
v0 and v1 files load side by side; `add_policy` is the plain v1 parse. The other calls
raise what regorus raises: callers guard them (`nhilint.engines.attempt`).
"""

from __future__ import annotations

import json
import re
from typing import Any

import regorus

from nhilint.engines import EngineFailure, attempt, failure_text, is_engine_failure
from nhilint.rego.parser import MAX_ENGINE_NESTING, too_deep_for_engine


def new_engine(coverage: bool = False, prints: bool = False) -> Any:
    """An empty engine; recording per-line coverage, and gathering what `print` writes, if asked."""
    engine = regorus.Engine()
    engine.set_enable_coverage(coverage)
    if prints:
        engine.set_gather_prints(True)
    return engine


def clone(engine: Any) -> Any:
    """A copy of the engine, with its modules, data and input."""
    return engine.clone()


class NestedTooDeep(RuntimeError):
    """Text nested deeper than MAX_ENGINE_NESTING: not handed to regorus. A RuntimeError, as
    regorus' own parse errors are, so every caller reports it as one."""


def _refuse_deep_nesting(path: str, text: str) -> None:
    where = too_deep_for_engine(text)
    if where is not None:
        raise NestedTooDeep(f"{path}:{where[0]}:{where[1]}: brackets nested more than {MAX_ENGINE_NESTING} "
                            "levels deep; not evaluated (regorus' parser takes exponential time on such text)")


def add_policy(engine: Any, path: str, text: str) -> None:
    """Parse one module as Rego v1; regorus' exception (a RuntimeError) when it does not parse."""
    _refuse_deep_nesting(path, text)
    engine.add_policy(path, text)


def add_module(engine: Any, path: str, text: str) -> None:
    """Parse one module, v1 syntax first, v0 if v1 refuses it; EngineFailure if neither, with
    the error of the parse that got further into the file (a v0 file fails v1 on its first
    rule, so its v0 error is the one that says what is wrong)."""
    try:
        _refuse_deep_nesting(path, text)
    except NestedTooDeep as exc:
        raise EngineFailure(f"Rego parse error: {exc}") from None
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


def add_data(engine: Any, value: Any) -> None:
    """Merge a document into `data`."""
    engine.add_data(value)


def set_input(engine: Any, value: Any) -> None:
    engine.set_input(value)


def set_input_json(engine: Any, text: str) -> None:
    engine.set_input_json(text)


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


def query_values(engine: Any, query: str) -> list[Any]:
    """The values of the query's first expression, one per result, normalized; [] when it has none."""
    answer = engine.eval_query(query)
    return [normalize(r["expressions"][0]["value"]) for r in answer.get("result", []) if r["expressions"]]


def eval_rule(engine: Any, path: str) -> Any:
    """The value of the rule at `path` (`data.p.rule`), as regorus gives it."""
    return engine.eval_rule(path)


def eval_rule_json(engine: Any, path: str) -> Any:
    """The value of the rule at `path` through JSON; "<undefined>" when the rule has no value."""
    return json.loads(engine.eval_rule_as_json(path))


def take_prints(engine: Any) -> list[str]:
    """What `print` wrote since the last call (an engine made with `prints`)."""
    return list(engine.take_prints())


def coverage_report(engine: Any) -> str:
    """The engine's per-line coverage report, as JSON text."""
    return str(engine.get_coverage_report_as_json())


_SOURCE_EXCERPT = re.compile(r"^\s*\d*\s*\|")


def error_text(exc: BaseException) -> str:
    """The position and the error of a regorus message, on one line. Its Rust backtrace and
    its excerpt of the source (`2 | foo {`) are dropped: a `file:` pointed at something that
    is not Rego (a key file, say) must not have its content echoed into CI logs."""
    text = str(exc).split("Stack backtrace:")[0]
    return " ".join(line.strip() for line in text.splitlines()
                    if line.strip() and not _SOURCE_EXCERPT.match(line))
