"""What a fuzz case is checked against, shared by tests/fuzz and benchmarks/fuzz.py.

In-process (`check_in_process`): the case's files are written to a fresh directory and read
the way `nhilint.api.lint_paths` / `run_tests` read them; no exception escapes except the
documented usage errors of configuration and baseline files, every finding has a path and
a line >= 1, and no planted secret is in a finding's message.

As a subprocess (`run_cli`): the exit code is 0, 1 or 2 (never 3, never a signal), the output
of the format asked for parses, and no planted secret is on stdout or stderr.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.fuzz.strategies import Case, leaked

TODAY = dt.date(2026, 11, 22)
READER_EXAMPLES = 40  # the CI budget of each reader property (tests/fuzz under 60 s)
FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")


def examples(default: int) -> int:
    """The example count of a property whose CI budget is `default`. NHILINT_FUZZ_EXAMPLES=N
    sets the reader properties' count to N and scales the others alike (their defaults are
    in proportion to READER_EXAMPLES)."""
    wanted = os.environ.get("NHILINT_FUZZ_EXAMPLES")
    if not wanted:
        return default
    return max(1, int(wanted) * default // READER_EXAMPLES)


def materialise(case: Case, root: Path) -> None:
    for name, data in case.files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@contextlib.contextmanager
def tree(case: Case) -> Iterator[Path]:
    """The case's files in a fresh temporary directory, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="nhilint-fuzz-") as tmp:
        root = Path(tmp)
        materialise(case, root)
        yield root


def check_findings(case: Case, findings: list) -> None:
    for finding in findings:
        location = finding.location
        assert location.path, f"a finding without a path: {finding}"
        assert isinstance(location.line, int) and location.line >= 1, f"a finding at line {location.line}: {finding}"
        shown = leaked(case.secrets, finding.message)
        assert not shown, f"secret in a message: {finding.rule} {finding.message!r}"


def check_in_process(case: Case) -> None:
    """Read `case` with the library; raise AssertionError (or the escaped exception)."""
    from nhilint import api

    with tree(case) as root:
        if case.reader == "scenario":
            run, plan = api.run_tests([str(root / "t")], timeout=5.0)
            for test_result in run.results:
                assert test_result.location.line >= 1, test_result
            for problem in plan.usage_errors():
                assert not leaked(case.secrets, problem), f"secret in a usage error: {problem!r}"
            return
        try:
            if case.reader == "baseline":
                result = api.lint_paths([str(root / "agents")], today=TODAY, baseline=str(root / "baseline.json"))
            else:
                result = api.lint_paths([str(root)], today=TODAY)
        except (api.ConfigError, api.SelectionError) as exc:
            assert case.reader == "config", f"{type(exc).__name__} from a {case.reader} input: {exc}"
            assert not leaked(case.secrets, str(exc)), f"secret in a config error: {exc}"
            return
        except api.BaselineError as exc:
            assert case.reader == "baseline", f"BaselineError from a {case.reader} input: {exc}"
            assert not leaked(case.secrets, str(exc)), f"secret in a baseline error: {exc}"
            return
        check_findings(case, result.findings)


@dataclass
class CliOutcome:
    returncode: int | None  # None: the run was killed for a hang
    stdout: str
    stderr: str
    seconds: float


def _limits(memory: int) -> None:  # pragma: no cover - runs in the child
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_cli(args: list[str], cwd: Path, timeout: float = 30.0, memory: int | None = None) -> CliOutcome:
    """`python -m nhilint ARGS` in `cwd`, with a wall-clock timeout and an optional
    address-space limit (bytes)."""
    import time

    env = {**os.environ, "PYTHONUTF8": "1", "NO_COLOR": "1", "COLUMNS": "200"}
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "nhilint", *args], cwd=cwd, capture_output=True, env=env,
                              timeout=timeout, check=False,
                              preexec_fn=(lambda: _limits(memory)) if memory else None)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode("utf-8", "replace") if isinstance(exc.stdout, bytes) else ""
        return CliOutcome(None, out, "", time.perf_counter() - start)
    return CliOutcome(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"),
                      time.perf_counter() - start)


def check_output_parses(output_format: str, text: str) -> None:
    if output_format in ("json", "sarif"):
        data = json.loads(text)
        if output_format == "sarif":
            assert data["version"] == "2.1.0" and isinstance(data["runs"], list)
    elif output_format == "junit":
        ET.fromstring(text)
    elif output_format == "github":
        for line in text.splitlines():
            assert line.startswith(("::", "nhilint")) or not line.strip(), f"not a workflow command: {line!r}"


def check_cli(case: Case, outcome: CliOutcome, output_format: str, text: str | None = None) -> None:
    assert outcome.returncode is not None, "hang: killed after the timeout"
    assert outcome.returncode in (0, 1, 2), (
        f"exit {outcome.returncode}\nstderr tail: {outcome.stderr[-2000:]}")
    if outcome.returncode != 2:
        check_output_parses(output_format, outcome.stdout if text is None else text)
    shown = leaked(case.secrets, outcome.stdout + outcome.stderr + (text or ""))
    assert not shown, f"secret printed: {shown}"
