"""The small interface every scenario backend implements, and the helpers they share.

A backend takes one setup (policies, schema, data...) and every scenario that uses it,
prepares the setup once through its engine (`nhilint.engines`), and returns one
TestResult per scenario. An exception or a panic inside the engine becomes an ERROR
result for the test it hit; it never ends the run.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any, Protocol

from nhilint.testing.coverage import CoverageTracker
from nhilint.testing.results import ERROR, TestResult
from nhilint.testing.scenarios import Scenario, ScenarioFile

BACKENDS = {"cedar": "nhilint.testing.cedar_scenarios", "rego": "nhilint.testing.rego_scenarios"}


class Engine(Protocol):
    def run(self, setup: Any, files: list[ScenarioFile], coverage: CoverageTracker | None,
            timeout: float = 0) -> list[TestResult]: ...


def engine(name: str) -> Engine:
    """The backend module for `name`; imported on first use (cedarpy and regorus load slowly)."""
    return importlib.import_module(BACKENDS[name])


def scenarios_of(files: Iterable[ScenarioFile]) -> list[Scenario]:
    return [scenario for file in files for scenario in file.scenarios]


def all_errors(scenarios: Iterable[Scenario], message: str, kind: str) -> list[TestResult]:
    """The results when a setup could not be prepared: every scenario is an ERROR saying why."""
    return [TestResult(s.location, s.name, ERROR, expected=s.expect, errors=(message,), kind=kind)
            for s in scenarios]
