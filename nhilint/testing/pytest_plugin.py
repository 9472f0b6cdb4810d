"""pytest plugin (entry point `pytest11`): each scenario of a `*.nhitest.yaml` file is a test item.

A file's scenarios are evaluated together, once, by the same engines as `nhilint test`, so
both give the same verdicts. A scenario file that breaks the format is a collection error
naming the file, line and problem. Turn the plugin off with `-p no:nhilint`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from nhilint.testing.scenarios import is_scenario_file


def pytest_collect_file(file_path: Path, parent: Any) -> Any:
    if is_scenario_file(file_path.name):
        return ScenarioFileCollector.from_parent(parent, path=file_path)
    return None


class ScenarioFailure(Exception):
    """A scenario that failed or errored; carries its TestResult for the report."""


class ScenarioFileCollector(pytest.File):
    _results: dict[tuple[int, str], Any] | None = None

    def collect(self) -> Iterator[pytest.Item]:
        from nhilint.discovery import display_path
        from nhilint.testing.scenarios import load

        self.loaded, problems = load(display_path(self.path))
        if problems:
            raise self.CollectError("invalid scenario file:\n" + "\n".join(map(str, problems)))
        for index, test_file in enumerate(self.loaded):
            for scenario in test_file.scenarios:
                yield ScenarioItem.from_parent(self, name=scenario.name, document=index,
                                               scenario=scenario)

    def result(self, document: int, name: str) -> Any:
        """The verdict on one scenario; the first call evaluates the whole file."""
        if self._results is None:
            from nhilint.testing.backends import engine

            self._results = {}
            for index, test_file in enumerate(self.loaded):
                for result in engine(test_file.engine).run(test_file.setup, [test_file], None):
                    self._results[(index, result.name)] = result
        return self._results[(document, name)]


class ScenarioItem(pytest.Item):
    def __init__(self, *, document: int, scenario: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.document = document
        self.scenario = scenario

    def runtest(self) -> None:
        from nhilint.testing.results import PASS

        result = cast(ScenarioFileCollector, self.parent).result(self.document, self.scenario.name)
        if result.status != PASS:
            raise ScenarioFailure(result)

    def repr_failure(self, excinfo: Any, style: Any = None) -> Any:
        if isinstance(excinfo.value, ScenarioFailure):
            from nhilint.reporters.results_text import details, headline

            result = excinfo.value.args[0]
            return "\n".join([headline(result)] + ["    " + line for line in details(result)])
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.scenario.location.line - 1, f"scenario: {self.name}"
