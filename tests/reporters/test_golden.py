"""Every lint format against a golden file: the whole output, byte for byte.

Regenerate after an intended change with `NHILINT_UPDATE_GOLDEN=1 pytest tests/reporters`,
then review the diff of tests/reporters/golden/ like any other change.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nhilint import rules as registry
from nhilint.api import lint_paths
from nhilint.reporters import LINT_FORMATS, RenderOptions, render
from tests.conftest import TODAY

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "repo"
GOLDEN = HERE / "golden"
UPDATE = os.environ.get("NHILINT_UPDATE_GOLDEN") == "1"
SUFFIXES = {"text": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "github": "txt",
            "markdown": "md"}
SECRET = "ghp_EXAMPLE0000000000000000000000000000fake"
# What the fixture's repository-relative location would be: SARIF and GitHub paths carry it.
ROOT = "project"


def render_fixture(output_format: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The fixture's report in one format, with the rule registry narrowed to the rules that
    fired, so a rule added elsewhere changes no golden file here."""
    monkeypatch.chdir(FIXTURE)
    result = lint_paths(["."], today=TODAY)
    fired = {finding.rule for finding in result.findings}
    every_rule = registry.all_rules()
    monkeypatch.setattr(registry, "all_rules", lambda: {k: v for k, v in every_rule.items() if k in fired})
    narrowed = dataclasses.replace(result, rules=tuple(sorted(fired)))
    return render(output_format, narrowed, RenderOptions(root=ROOT))


@pytest.mark.parametrize("output_format", sorted(LINT_FORMATS))
def test_format_matches_its_golden_file(output_format: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert output_format in SUFFIXES, f"add a golden file suffix for the new format {output_format}"
    golden = GOLDEN / f"lint.{output_format}.{SUFFIXES[output_format]}"
    out = render_fixture(output_format, monkeypatch)
    if UPDATE:
        golden.write_text(out, encoding="utf-8", newline="\n")
    assert golden.exists(), f"no golden file {golden.name}: run with NHILINT_UPDATE_GOLDEN=1"
    assert out == golden.read_text(encoding="utf-8"), (
        f"{output_format} output differs from {golden.name}; if the change is intended, "
        "regenerate with NHILINT_UPDATE_GOLDEN=1 and review the diff")
    assert SECRET not in out and SECRET[4:14] not in out


def test_every_format_is_byte_identical_across_processes() -> None:
    """Two interpreters with different hash seeds print the same bytes, in every format."""
    script = ("import sys; from nhilint.cli import main\n"
              "for fmt in sys.argv[1:]:\n"
              "    try: main(['lint', '--today', '2026-11-22', '-f', fmt, '.'])\n"
              "    except SystemExit: pass\n")
    outputs = {subprocess.run([sys.executable, "-c", script, *sorted(LINT_FORMATS)], cwd=FIXTURE,
                              capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2")}
    assert len(outputs) == 1
    assert next(iter(outputs)).count(b"NHI404") >= len(LINT_FORMATS)
