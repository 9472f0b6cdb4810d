"""The small interface every policy engine implements, and the helpers they share.

An engine takes one setup (policies, schema, data...) and every scenario that uses it,
prepares the setup once, and returns one TestResult per scenario. An exception or a
panic inside the engine becomes an ERROR result for the test it hit; it never ends the run.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from nhilint.testing.coverage import CoverageTracker
from nhilint.testing.results import ERROR, TestResult
from nhilint.testing.scenarios import Scenario, ScenarioFile

T = TypeVar("T")

ENGINES = {"cedar": "nhilint.testing.cedar_engine", "rego": "nhilint.testing.rego_engine"}


class Engine(Protocol):
    def run(self, setup: Any, files: list[ScenarioFile],
            coverage: CoverageTracker | None) -> list[TestResult]: ...


def engine(name: str) -> Engine:
    """The engine module for `name`; imported on first use (cedarpy and regorus load slowly)."""
    return importlib.import_module(ENGINES[name])  # type: ignore[return-value]


class EngineFailure(Exception):
    """A setup step failed (a policy does not parse, a schema is invalid...): `message` says which."""


def is_engine_failure(exc: BaseException) -> bool:
    """True for anything an engine may raise, including Rust panics (pyo3's PanicException
    derives from BaseException), but not for Ctrl-C or interpreter exit."""
    return not isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit))


_BACKTRACE = re.compile(r"\n\s*Stack backtrace:.*", re.S)
_RUST_POINTER = re.compile(r"-->\s*(?P<where>\S+)")
_RUST_ERROR = re.compile(r"^error:\s*(?P<message>.*)$", re.M)


def failure_text(exc: BaseException) -> str:
    """One readable line for an engine exception: `file:line:col: message` when it says where."""
    text = _BACKTRACE.sub("", str(exc)).strip()
    pointer, error = _RUST_POINTER.search(text), _RUST_ERROR.search(text)
    if pointer and error:
        return f"{pointer.group('where')}: {error.group('message').strip()}"
    text = " ".join(text.split())
    return text or type(exc).__name__


def attempt(step: str, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one engine call; an engine failure becomes EngineFailure('<step>: <what went wrong>')."""
    try:
        return call(*args, **kwargs)
    except BaseException as exc:
        if not is_engine_failure(exc):
            raise
        raise EngineFailure(f"{step}: {failure_text(exc)}") from None


def scenarios_of(files: Iterable[ScenarioFile]) -> list[Scenario]:
    return [scenario for file in files for scenario in file.scenarios]


def all_errors(scenarios: Iterable[Scenario], message: str, kind: str) -> list[TestResult]:
    """The results when a setup could not be prepared: every scenario is an ERROR saying why."""
    return [TestResult(s.location, s.name, ERROR, expected=s.expect, errors=(message,), kind=kind)
            for s in scenarios]
