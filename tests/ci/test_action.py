"""The GitHub Action and the example CI workflows: their shape, and the Action's lint step run
locally with the environment GitHub gives it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.reporters.test_golden import FIXTURE

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
STEPS = {step["name"]: step for step in ACTION["runs"]["steps"]}


def test_the_action_is_composite_with_the_documented_inputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert {"paths", "config", "fail-on", "format", "sarif"} <= set(ACTION["inputs"])
    assert STEPS["Upload SARIF to code scanning"]["uses"].startswith("github/codeql-action/upload-sarif@")
    for step in ACTION["runs"]["steps"]:
        assert "uses" in step or step.get("shell") == "bash", step["name"]  # composite run steps need a shell


def run_lint_step(tmp_path: Path, **inputs: str) -> tuple[int, dict[str, str], str]:
    """Run the action's Lint step as GitHub would, in a fresh copy of the fixture; returns its
    exit code, its outputs (with the log and the checkout) and the job summary."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    run = Path(tempfile.mkdtemp(dir=tmp_path))
    project = run / "checkout"
    shutil.copytree(FIXTURE, project)
    output, summary = run / "output", run / "summary"
    env = {**os.environ, "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for name, spec in ACTION["inputs"].items():
        env[f"INPUT_{name.upper().replace('-', '_')}"] = inputs.get(name, spec.get("default", ""))
    done = subprocess.run(["bash", "-e", "-c", STEPS["Lint"]["run"]], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr  # the verdict is a later step
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    written = summary.read_text() if summary.exists() else ""
    return int(outputs["exit-code"]), {**outputs, "log": done.stdout, "checkout": str(project)}, written


def test_lint_step_annotates_writes_sarif_and_a_summary(tmp_path: Path) -> None:
    code, outputs, summary = run_lint_step(tmp_path, paths="agents broken.yaml")
    assert code == 1
    assert "::error file=agents/ops helper.yaml,line=17,col=5" in outputs["log"]
    sarif = json.loads((Path(outputs["checkout"]) / outputs["sarif-file"]).read_text())
    assert sarif["version"] == "2.1.0" and len(sarif["runs"][0]["results"]) == 9
    assert summary.startswith("## nhilint\n")


def test_lint_step_honours_format_and_sarif_off(tmp_path: Path) -> None:
    code, outputs, summary = run_lint_step(tmp_path, paths=".nhilint.yaml", format="text",
                                           sarif="false", **{"job-summary": "false"})
    assert code == 0
    assert "sarif-file" not in outputs and summary == ""
    # a configuration file is read (for its suppressions) but is no file to lint
    assert outputs["log"] == "0 findings (0 errors, 0 warnings, 0 info) in 0 files\n"


def test_lint_step_passes_fail_on(tmp_path: Path) -> None:
    assert run_lint_step(tmp_path, paths="agents", **{"fail-on": "error"})[0] == 1
    assert run_lint_step(tmp_path, paths="agents", **{"fail-on": "severe"})[0] == 2


def test_lint_step_reports_a_usage_error(tmp_path: Path) -> None:
    code, _, _ = run_lint_step(tmp_path, config="missing.yaml", sarif="false")
    assert code == 2


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
def test_example_workflows_use_real_commands(name: str) -> None:
    """Every nhilint command line in the examples parses: no stale command, flag or format."""
    from nhilint.cli import main

    text = (REPO / "examples" / "ci" / name).read_text(encoding="utf-8")
    assert yaml.safe_load(text)
    lines = [line.split("nhilint ", 1)[1].split(" ||")[0] for line in text.splitlines()
             if "- nhilint " in line or "run: nhilint " in line]
    assert len(lines) >= 2
    for line in lines:
        command, *args = line.split()
        main.commands[command].make_context(command, args)  # raises on a bad flag or choice
