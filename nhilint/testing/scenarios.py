"""Find and load scenario files (`*.nhitest.yaml`): schema-checked, paths resolved, every problem located.

A file that breaks the format is a `LoadProblem` (file, line, message), never an exception:
`nhilint test` exits 2 naming them, and pytest shows them as collection errors.
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nhilint.discovery import SKIP_DIRS, display_path
from nhilint.model import Location

SCENARIO_SUFFIXES = (".nhitest.yaml", ".nhitest.yml")
REGO_TEST_SUFFIX = "_test.rego"
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class LoadProblem:
    location: Location
    message: str

    def __str__(self) -> str:
        where = self.location
        return f"{where.path}:{where.line}:{where.column}: {self.message}"


@dataclass(frozen=True)
class Source:
    """A value given either as a file (`path`) or inline (`inline`, as canonical JSON text)."""

    path: str | None = None
    inline: str | None = None

    def text(self) -> str:
        """The file's text, at most MAX_SOURCE_BYTES of a regular file (ValueError beyond)."""
        if self.path is None:
            return self.inline or ""
        return read_text(self.path)

    def load(self) -> Any:
        """The value: inline JSON, or a JSON/YAML file parsed with the safe loader. An
        OSError or a ValueError (with a LoadError's location) when it cannot be read."""
        if self.path is None:
            return json.loads(self.inline or "null")
        if self.path.endswith((".yaml", ".yml")):
            from nhilint.sources.yaml_loader import iter_documents

            return next(iter_documents(self.path, self.text())).data
        try:
            return json.loads(self.text())
        except RecursionError:  # json's own stack, far below a file's size bound
            raise ValueError("JSON nested too deeply") from None


MAX_SOURCE_BYTES = 64 * 1024 * 1024  # a scenario file, or the entities, data or links it names


def read_text(path: str) -> str:
    """The text of a regular file of at most MAX_SOURCE_BYTES; OSError or ValueError otherwise
    (a FIFO, /dev/zero, or a 5 GB file is never read whole)."""
    from nhilint.sources.yaml_loader import read_bounded

    raw, size = read_bounded(path, MAX_SOURCE_BYTES)
    if len(raw) > MAX_SOURCE_BYTES:
        raise ValueError(f"{size:,} bytes, over the {MAX_SOURCE_BYTES:,}-byte bound")
    return raw.decode("utf-8")


@dataclass(frozen=True)
class CedarSetup:
    """Everything a Cedar batch depends on; equal setups share one parse and one batch."""

    policies: tuple[str, ...]
    schema: str | None = None
    validate_requests: bool = True
    should_validate: bool = True  # false: the policies are expected to break the schema
    entities: Source = Source(inline="[]")
    links: Source | None = None


@dataclass(frozen=True)
class RegoSetup:
    """Modules and data; equal setups share one engine."""

    modules: tuple[str, ...]
    data: Source | None = None


@dataclass(frozen=True)
class Scenario:
    location: Location
    name: str
    request: dict  # cedar: principal, action, resource, context; rego: input (if any)
    expect: Any
    query: str | None = None  # rego only
    determined_by: tuple[str, ...] | None = None  # cedar only


@dataclass
class ScenarioFile:
    path: str
    setup: CedarSetup | RegoSetup
    scenarios: list[Scenario] = field(default_factory=list)

    @property
    def engine(self) -> str:
        return "cedar" if isinstance(self.setup, CedarSetup) else "rego"


def is_scenario_file(name: str) -> bool:
    return name.endswith(SCENARIO_SUFFIXES)


@dataclass
class Found:
    """What `nhilint test PATHS` found under PATHS, sorted."""

    scenarios: list[str] = field(default_factory=list)
    rego_tests: list[str] = field(default_factory=list)  # *_test.rego
    rego_modules: list[str] = field(default_factory=list)  # every .rego file, tests included
    directories: list[str] = field(default_factory=list)  # the directories given (data files load from them)
    missing: list[str] = field(default_factory=list)


def discover(paths: Iterable[str]) -> Found:
    found = Found()
    scenarios: set[str] = set()
    modules: set[str] = set()

    def consider(path: Path, named: bool) -> None:
        if is_scenario_file(path.name) or (named and path.suffix in (".yaml", ".yml")):
            scenarios.add(display_path(path))
        elif path.suffix == ".rego":
            modules.add(display_path(path))

    for given in paths:
        root = Path(given)
        if root.is_file():
            consider(root, named=True)
        elif root.is_dir():
            found.directories.append(display_path(root))
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS
                                     and not os.path.isfile(os.path.join(dirpath, d, "pyvenv.cfg")))
                for name in filenames:
                    consider(Path(dirpath, name), named=False)
        else:
            found.missing.append(given)
    found.scenarios = sorted(scenarios)
    found.rego_modules = sorted(modules)
    found.rego_tests = [path for path in found.rego_modules if path.endswith(REGO_TEST_SUFFIX)]
    return found


def load(path: str) -> tuple[list[ScenarioFile], list[LoadProblem]]:
    """The test documents of one scenario file, or the problems that make it unusable."""
    from nhilint.sources.yaml_loader import LoadError, decode, iter_documents, read_bounded

    try:
        raw, size = read_bounded(path, MAX_SOURCE_BYTES)
        if len(raw) > MAX_SOURCE_BYTES:
            return [], [LoadProblem(Location(path), f"the file is {size:,} bytes, over the "
                                                    f"{MAX_SOURCE_BYTES:,}-byte bound; split it")]
        text = decode(path, raw)
        documents = list(iter_documents(path, text))
    except LoadError as exc:
        return [], [LoadProblem(Location(path, exc.line, exc.column), exc.message)]
    except OSError as exc:
        return [], [LoadProblem(Location(path), f"cannot read the file: {exc.strerror or exc}")]
    loaded: list[ScenarioFile] = []
    problems: list[LoadProblem] = []
    for doc in documents:
        if doc.data is None:
            continue  # an empty document (a trailing `---`)
        reader = _DocumentReader(doc)
        result = reader.read()
        problems.extend(reader.problems)
        if result is not None and not reader.problems:
            loaded.append(result)
    if not loaded and not problems:
        problems.append(LoadProblem(Location(path), "no test in this file; expected `apiVersion: "
                                                    "nhilint/v1`, `kind: PolicyTest` and `scenarios`"))
    return loaded, problems


_CEDAR_KEYS = frozenset({"name", "principal", "action", "resource", "context", "expect", "determined_by"})
_REGO_KEYS = frozenset({"name", "input", "query", "expect"})


def _known_keys(item: dict, known: frozenset) -> bool:
    return all(key in known or (isinstance(key, str) and key.startswith("x-")) for key in item)


def _nonempty_text(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def _entity(value: Any) -> bool:
    if isinstance(value, dict):
        return value.keys() == {"type", "id"} and _nonempty_text(value["type"]) and isinstance(value["id"], str)
    return _nonempty_text(value)


def plain_cedar_scenario(item: Any) -> bool:
    """True only for a Cedar scenario the schema accepts (never for one it rejects)."""
    return (isinstance(item, dict) and _known_keys(item, _CEDAR_KEYS) and _nonempty_text(item.get("name"))
            and all(_entity(item.get(key)) for key in ("principal", "action", "resource"))
            and isinstance(item.get("context", {}), dict) and item.get("expect") in ("allow", "deny")
            and isinstance(item.get("determined_by", []), list)
            and all(isinstance(name, str) for name in item.get("determined_by", [])))


def plain_rego_scenario(item: Any) -> bool:
    """True only for a Rego scenario the schema accepts (never for one it rejects)."""
    return (isinstance(item, dict) and _known_keys(item, _REGO_KEYS) and _nonempty_text(item.get("name"))
            and "expect" in item and _nonempty_text(item.get("query", "q")))


def _without_plain_scenarios(data: Any) -> Any:
    """The document to validate: when every scenario passes the plain check, without them.

    JSON Schema validation costs about a millisecond a scenario (10,000 scenarios would
    spend more time there than Cedar spends deciding them); the plain checks accept only
    what the schema accepts, and anything else goes through the schema for its messages.
    """
    if not isinstance(data, dict) or not isinstance(data.get("scenarios"), list):
        return data
    plain = plain_cedar_scenario if "cedar" in data else plain_rego_scenario
    return {**data, "scenarios": []} if all(map(plain, data["scenarios"])) else data


class _DocumentReader:
    """Turns one checked YAML document into a ScenarioFile, collecting located problems."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.base = os.path.dirname(doc.path)
        self.problems: list[LoadProblem] = []
        self.default_query: str | None = None  # the rego section's query

    def problem(self, pointer: tuple, message: str) -> None:
        self.problems.append(LoadProblem(self.doc.key_location(pointer), message))

    def read(self) -> ScenarioFile | None:
        from nhilint.schema_errors import problems

        data = self.doc.data
        if isinstance(data, dict) and ("cedar" in data) == ("rego" in data):
            # checked first: without it, each scenario's keys would be reported as unknown
            self.problem((), "a scenario file needs exactly one of `cedar:` (Cedar policies) "
                             "or `rego:` (Rego modules)")
            return None
        for pointer, message in problems("scenario.schema.json", _without_plain_scenarios(data)):
            self.problem(pointer, message)
        if self.problems:
            return None
        setup = self.cedar(data["cedar"]) if "cedar" in data else self.rego(data["rego"])
        scenarios = [self.scenario(i, item, isinstance(setup, CedarSetup))
                     for i, item in enumerate(data["scenarios"])]
        self.check_unique_names(scenarios)
        if self.problems:
            return None
        return ScenarioFile(self.doc.path, setup, scenarios)

    def files(self, pointer: tuple, value: str | list[str]) -> tuple[str, ...]:
        """Paths and globs (relative to the scenario file) -> existing files, in the order given."""
        found: list[str] = []
        for index, pattern in enumerate([value] if isinstance(value, str) else value):
            where = pointer if isinstance(value, str) else pointer + (index,)
            full = os.path.normpath(os.path.join(self.base, pattern))
            if _GLOB_CHARS & set(pattern):
                matches = sorted(glob.glob(full, recursive=True))
                if not matches:
                    self.problem(where, f"'{pattern}' matches no file (relative to {self.base or '.'})")
                found.extend(m for m in matches if os.path.isfile(m))
            elif os.path.isfile(full):
                found.append(full)
            else:
                self.problem(where, f"file not found: '{pattern}' (resolved to {full}); "
                                    "paths are relative to the scenario file")
        return tuple(dict.fromkeys(found))

    def source(self, pointer: tuple, value: Any) -> Source:
        if isinstance(value, str):
            files = self.files(pointer, value)
            return Source(path=files[0] if files else value)
        return Source(inline=json.dumps(value, sort_keys=True))

    def cedar(self, section: dict) -> CedarSetup:
        at = ("cedar",)
        schema = self.files(at + ("schema",), section["schema"]) if "schema" in section else ()
        return CedarSetup(
            policies=self.files(at + ("policies",), section["policies"]),
            schema=schema[0] if schema else None,
            validate_requests=section.get("validate_requests", True),
            should_validate=section.get("should_validate", True),
            entities=self.source(at + ("entities",), section.get("entities", [])),
            links=self.source(at + ("links",), section["links"]) if "links" in section else None,
        )

    def rego(self, section: dict) -> RegoSetup:
        at = ("rego",)
        self.default_query = section["query"]
        data = self.source(at + ("data",), section["data"]) if "data" in section else None
        return RegoSetup(modules=self.files(at + ("modules",), section["modules"]), data=data)

    def scenario(self, index: int, item: dict, cedar: bool) -> Scenario:
        location = self.doc.key_location(("scenarios", index))
        if cedar:  # the schema has checked the shape
            request = {key: item[key] for key in ("principal", "action", "resource", "context")
                       if key in item}
            expected = item.get("determined_by")
            return Scenario(location, item["name"], request, item["expect"],
                            determined_by=tuple(expected) if expected is not None else None)
        request = {"input": item["input"]} if "input" in item else {}
        return Scenario(location, item["name"], request, item["expect"],
                        query=item.get("query", self.default_query))

    def check_unique_names(self, scenarios: list[Scenario]) -> None:
        seen: dict[str, int] = {}
        for index, scenario in enumerate(scenarios):
            if scenario.name in seen:
                self.problem(("scenarios", index, "name"),
                             f"scenario name '{scenario.name}' is used twice (also line "
                             f"{scenarios[seen[scenario.name]].location.line}); names identify "
                             "results in reports and pytest")
            seen.setdefault(scenario.name, index)
