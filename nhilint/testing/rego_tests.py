"""Rego `test_*` rules, run as `opa test PATHS` runs them.

The modules are the `.rego` files under PATHS (and beside the modules of Rego scenario
files); `data.json`/`data.yaml` files load at their directory's path. Each test file runs
with the modules it needs: its own package and every package it refers to by a `data.`
path, and theirs in turn (any package at all when it indexes `data` by a variable). When
several directories define one package with rules of the same names, they are copies
(gatekeeper-library carries a copy of its `lib` packages in every template, and two
templates share `package k8spspseccomp`): the copy nearest the test file is used. Test
files whose modules overlap share one engine, every module parsed once; the others get
their own, so a module that does not compile breaks only the tests that use it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from nhilint.engines import EngineFailure, attempt, failure_text, is_engine_failure, rego
from nhilint.engines.isolation import Interrupted, StderrCapture, run_calls
from nhilint.engines.rego import normalize
from nhilint.model import Location
from nhilint.testing.coverage import CoverageTracker
from nhilint.testing.rego_scan import ModuleFacts, TestRule, scan
from nhilint.testing.rego_scenarios import query_value
from nhilint.testing.results import ERROR, FAIL, PASS, SKIP, UNDEFINED, TestResult
from nhilint.testing.scenarios import REGO_TEST_SUFFIX, Source, read_text

DATA_FILES = ("data.json", "data.yaml", "data.yml")  # loaded at their directory's path, as OPA does
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class _Group:
    """Test files that share one engine, and the modules it loads."""

    modules: set[str] = field(default_factory=set)
    chosen: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)  # package -> files
    tests: list[str] = field(default_factory=list)

    def accepts(self, modules: set[str], chosen: dict[tuple[str, ...], tuple[str, ...]]) -> bool:
        """Shares a module with these, and takes no package from other files than they do."""
        return bool(self.modules & modules) and all(self.chosen[p] == files for p, files in chosen.items()
                                                     if p in self.chosen)


class _Modules:
    """The scanned modules of a run, and which of them each test file needs."""

    def __init__(self, facts: dict[str, ModuleFacts]) -> None:
        self.facts = facts
        self.packages: dict[str, dict[tuple[str, ...], list[str]]] = {}  # first name -> package -> files
        for path, module in sorted(facts.items()):
            if module.package:
                self.packages.setdefault(module.package[0], {}).setdefault(module.package, []).append(path)

    def needed(self, test: str, dynamic: bool = True) -> tuple[set[str], dict[tuple[str, ...], tuple[str, ...]]]:
        """The modules `test` needs, and the files each package was taken from. Without
        `dynamic`, only those it needs by fixed `data.` paths (it surely needs those), not
        those a variable picks (`data.rules[name]`)."""
        selected: set[str] = set()
        chosen: dict[tuple[str, ...], tuple[str, ...]] = {}
        queue = [test]
        while queue:
            path = queue.pop()
            if path in selected:
                continue
            selected.add(path)
            for package in self._referred(self.facts[path], dynamic):
                if package not in chosen:
                    chosen[package] = self._copy(package, test)
                    queue.extend(chosen[package])
        return selected, chosen

    def _referred(self, module: ModuleFacts, dynamic: bool) -> Iterator[tuple[str, ...]]:
        if module.dynamic and dynamic:
            for packages in self.packages.values():
                yield from packages
            return
        refs = module.refs | (module.open_refs if dynamic else set())
        for ref in refs | ({module.package} if module.package else set()):
            for package in self.packages.get(ref[0], {}):
                if package[:len(ref)] == ref or ref[:len(package)] == package:
                    yield package

    def _copy(self, package: tuple[str, ...], test: str) -> tuple[str, ...]:
        """The files of `package` for `test`: those of the nearest directory, and those of
        other directories that define none of the same rules (a package split across
        directories, not a copy)."""
        by_dir: dict[str, list[str]] = {}
        for path in self.packages[package[0]][package]:
            by_dir.setdefault(os.path.dirname(path), []).append(path)
        here = Path(os.path.abspath(test)).parent.parts
        taken: list[str] = []
        names: set[str] = set()
        for directory in sorted(by_dir, key=lambda d: (-_shared_parts(here, d), d)):
            rules = set().union(*(self.facts[path].rules for path in by_dir[directory]))
            if not taken or not rules & names:
                taken.extend(by_dir[directory])
                names |= rules
        return tuple(sorted(taken))


def _shared_parts(here: tuple[str, ...], directory: str) -> int:
    shared = 0
    for mine, theirs in zip(here, Path(os.path.abspath(directory)).parts):
        if mine != theirs:
            break
        shared += 1
    return shared


def rule_path(package: tuple[str, ...], name: str) -> str:
    """`data.a.b.test_x`, with brackets for a part that is not an identifier: `data.rules["no-op"].test_x`."""
    steps = "".join(f".{part}" if _IDENTIFIER.fullmatch(part) else f"[{json.dumps(part)}]" for part in package)
    return f"data{steps}.{name}"


def data_documents(roots: Iterable[str]) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(data file, the path in `data` it loads at) under each root directory."""
    from nhilint.discovery import SKIP_DIRS

    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            for name in sorted(filenames):
                if name in DATA_FILES:
                    relative = os.path.relpath(dirpath, root)
                    pointer = () if relative == "." else tuple(Path(relative).parts)
                    yield os.path.normpath(os.path.join(dirpath, name)), pointer


def _nest(pointer: tuple[str, ...], value: Any) -> Any:
    for part in reversed(pointer):
        value = {part: value}
    return value


def _load_error(path: str, message: str, output: str = "") -> TestResult:
    """A file that could not be loaded, located at the line the engine names when it does."""
    where = re.search(rf"{re.escape(path)}:(\d+):(\d+):", message)
    location = Location(path, int(where.group(1)), int(where.group(2))) if where else Location(path)
    return TestResult(location, f"load {os.path.basename(path)}", ERROR, errors=(message,),
                      kind="rego-test", output=tuple(output.splitlines()))


@dataclass(frozen=True)
class _Job:
    engine: int
    path: str  # the test file
    test: TestRule
    query: str
    # modules that do not load which the test may need (it indexes `data` by a variable):
    # named with a result that does not pass, as a likely reason
    broken: tuple[str, ...] = ()


def run_test_rules(modules: list[str], tests: list[str], data_roots: list[str],
                   coverage: CoverageTracker | None, timeout: float,
                   progress: Callable[[int, int], None] | None = None) -> list[TestResult]:
    """Run the `test_*` rules of `tests` (a subset of `modules`)."""
    results: list[TestResult] = []
    texts: dict[str, str] = {}
    for path in modules:
        try:
            texts[path] = attempt(f"cannot read {path}", read_text, path)
        except EngineFailure as exc:
            results.append(_load_error(path, str(exc)))
    scanned = _Modules({path: scan(path, text) for path, text in texts.items()})
    groups: list[_Group] = []
    for test in (t for t in tests if t in texts):
        needed, chosen = scanned.needed(test)
        group = next((g for g in groups if g.accepts(needed, chosen)), None)
        if group is None:
            group = _Group()
            groups.append(group)
        group.modules |= needed
        group.chosen.update(chosen)
        group.tests.append(test)
    loader = _Loader(texts, coverage is not None, data_roots)
    engines = [loader.engine(group.modules) for group in groups]
    loader.check(set(texts) - set().union(*(g.modules for g in groups)))
    results.extend(loader.results)
    jobs: list[_Job] = []
    for index, group in enumerate(groups):
        for test in group.tests:
            broken = sorted(scanned.needed(test, dynamic=False)[0] & loader.broken)
            maybe = tuple(sorted(scanned.needed(test)[0] & loader.broken))
            for rule in scanned.facts[test].tests:
                location = Location(test, rule.line)
                if rule.name.startswith("todo_"):
                    results.append(TestResult(location, rule.name, SKIP, kind="rego-test"))
                elif broken:
                    results.append(TestResult(location, rule.name, ERROR, True, kind="rego-test", errors=tuple(
                        f"not run: {path}, which this test needs, does not load" for path in broken)))
                else:
                    jobs.append(_Job(index, test, rule, rule_path(scanned.facts[test].package, rule.name), maybe))
    outcomes, reports = run_calls(jobs, lambda job: _evaluate(engines[job.engine], job),
                                  lambda: _coverage_reports(engines, coverage is not None), timeout,
                                  (lambda done: progress(done, len(jobs))) if progress else lambda done: None)
    for job, outcome in zip(jobs, outcomes):
        results.extend(r if r.status == PASS or not job.broken else replace(r, errors=r.errors + (
            _may_need(job.broken),)) for r in _results(job, outcome))
    if coverage is not None:
        for report in (r for rs in reports for r in rs):
            coverage.rego_report(report, lambda path: path.endswith(REGO_TEST_SUFFIX))
    return results


class _Loader:
    """Builds engines; each module that does not load, or data that does not, is one ERROR."""

    def __init__(self, texts: dict[str, str], coverage: bool, data_roots: list[str]) -> None:
        self.texts = texts
        self.coverage = coverage
        self.results: list[TestResult] = []
        self.broken: set[str] = set()
        self.capture = StderrCapture()
        self.data: list[Any] = []
        for path, pointer in data_documents(data_roots):
            try:
                self.data.append(_nest(pointer, attempt(f"cannot read {path}", Source(path=path).load)))
            except EngineFailure as exc:
                self._broken(path, str(exc))

    def engine(self, modules: set[str]) -> Any:
        engine = rego.new_engine(self.coverage, prints=True)
        for path in sorted(modules - self.broken):
            self._add(engine, path)
        for value in self.data:
            try:
                attempt("loading the data files", rego.add_data, engine, value)
            except EngineFailure as exc:
                self._broken("data", str(exc))
        return engine

    def check(self, modules: set[str]) -> None:
        """Parse the modules no test needs: one that does not parse is still an ERROR, as
        `opa test` refuses to run at all with one."""
        if modules:
            self.engine(modules)

    def _add(self, engine: Any, path: str) -> None:
        def add() -> EngineFailure | None:
            try:
                rego.add_module(engine, path, self.texts[path])
            except EngineFailure as exc:
                return exc
            return None

        failure, output = self.capture.call(add)  # what the parser writes goes with its error, if any
        if failure is not None:
            self._broken(path, str(failure), output)

    def _broken(self, path: str, message: str, output: str = "") -> None:
        if path not in self.broken:
            self.broken.add(path)
            self.results.append(_load_error(path, message, output))


_captures: dict[int, StderrCapture] = {}  # by process id: each worker process keeps its own


def _evaluate(engine: Any, job: _Job) -> tuple[str, Any, tuple[str, ...]]:
    """(`value` or `error`, the value or the message, what the engine printed)."""
    capture = _captures.get(os.getpid())
    if capture is None:
        capture = _captures[os.getpid()] = StderrCapture()

    def call() -> tuple[str, Any]:
        try:
            if job.test.levels >= 2:  # regorus' eval_rule refuses a path that stops short of a rule's full ref
                value = query_value(engine, job.query)
                return "value", None if value == UNDEFINED else value
            return "value", rego.eval_rule(engine, job.query)
        except BaseException as exc:
            if not is_engine_failure(exc):
                raise
            return "error", failure_text(exc)

    (kind, value), written = capture.call(call)
    return kind, value, tuple(rego.take_prints(engine)) + tuple(written.splitlines())


def _may_need(broken: tuple[str, ...]) -> str:
    named = ", ".join(broken[:3]) + (f" and {len(broken) - 3} more" if len(broken) > 3 else "")
    return f"this test may need modules that do not load: {named}"


def _coverage_reports(engines: list[Any], coverage: bool) -> list[str]:
    return [rego.coverage_report(engine) for engine in engines] if coverage else []


def _results(job: _Job, outcome: Any) -> list[TestResult]:
    location, name = Location(job.path, job.test.line), job.test.name
    if isinstance(outcome, Interrupted):
        return [TestResult(location, name, ERROR, True, errors=(outcome.message,), kind="rego-test")]
    kind, value, output = outcome
    if kind == "error":
        return [TestResult(location, name, ERROR, True, errors=(value,), kind="rego-test", output=output)]
    if value is None:
        return [TestResult(location, name, FAIL, True, UNDEFINED, kind="rego-test", output=output)]
    cases = _cases(value, job.test.levels)
    if not cases:  # a parameterised test with no case at all
        return [TestResult(location, name, FAIL, True, normalize(value), kind="rego-test", output=output)]
    return [TestResult(location, f"{name}{suffix}", FAIL if leaf is False else PASS, True, normalize(leaf),
                       kind="rego-test", output=output) for suffix, leaf in cases]


def _cases(value: Any, levels: int) -> list[tuple[str, Any]]:
    """A parameterised test's value as (`["a"]`, its value) per case, named as `opa test`
    names them; one case ("", value) for a plain test."""
    if levels == 0:
        return [("", value)]
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, (set, frozenset, list)) and levels == 1:  # `test_x contains case`
        items = [(member, True) for member in value]
    else:
        return [("", value)]
    cases: list[tuple[str, Any]] = []
    for key, inner in items:
        step = f"[{json.dumps(normalize(key), sort_keys=True, ensure_ascii=False)}]"
        cases.extend((step + suffix, leaf) for suffix, leaf in _cases(inner, levels - 1))
    return sorted(cases, key=lambda case: case[0])
