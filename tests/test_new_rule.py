"""scripts/new_rule.py: a scaffolded rule passes the whole test suite untouched, and bad
arguments are refused with exit code 2 and one line that says why.

The slow test scaffolds NHI899 in a copy of the repository (the files git tracks, as they are
in the working tree) and runs the whole suite there, in a virtual environment of its own with
the copy installed in editable mode, as the README sets one up. A plain PYTHONPATH is not
enough: nhilint.schemas and nhilint.rulesets would still come from this checkout's editable
install, and the suite's packaging and pre-commit tests build environments that must not
inherit the copy from the path. The dependencies are this environment's, linked in.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "new_rule.py"
THIS_TEST = "tests/test_new_rule.py::test_a_scaffolded_rule_passes_the_whole_suite"
GIT = ["git", "-c", "user.name=nhilint tests", "-c", "user.email=tests@example.com",
       "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]


def scaffold(*args: str, cwd: Path = REPO, python: str = sys.executable) -> subprocess.CompletedProcess[str]:
    return subprocess.run([python, str(cwd / "scripts" / "new_rule.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def copy_repository(target: Path) -> None:
    """The files git tracks (this test and the scaffolder even before they are committed),
    as they are in the working tree, committed into a new repository at `target`."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, check=True,
                            capture_output=True).stdout.decode().split("\0")
    names = {*filter(None, listed), "scripts/new_rule.py", "tests/test_new_rule.py"}
    for name in sorted(names):
        source = REPO / name
        if source.is_file() and not source.is_symlink():  # a file deleted but not yet staged is listed
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())
            (target / name).chmod(source.stat().st_mode)
    subprocess.run([*GIT, "init", "-q"], cwd=target, check=True)
    subprocess.run([*GIT, "add", "."], cwd=target, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "copy"], cwd=target, check=True)


def environment_for(copy: Path, venv: Path) -> Path:
    """A virtual environment with `copy` installed in editable mode; every other package is
    this environment's, linked in (this checkout's own nhilint left out). Returns its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    for site in dict.fromkeys((sysconfig.get_path("purelib"), sysconfig.get_path("platlib"))):
        for entry in Path(site).iterdir():
            ours = (entry.name.startswith(("__editable__", "nhilint")) or entry.name == "__pycache__"
                    or (entry.suffix == ".pth" and str(REPO) in entry.read_text(encoding="utf-8")))
            if not ours and not (Path(purelib) / entry.name).exists():
                (Path(purelib) / entry.name).symlink_to(entry)
    for script in Path(sysconfig.get_path("scripts")).iterdir():  # ruff, lint-imports, ...
        if not (venv / "bin" / script.name).exists() and not script.name.startswith(("nhilint", "activate")):
            (venv / "bin" / script.name).symlink_to(script)
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                              "--no-build-isolation", "-e", str(copy)], capture_output=True, text=True)
    assert install.returncode == 0, install.stdout + install.stderr
    return python


def test_a_scaffolded_rule_passes_the_whole_suite(tmp_path: Path) -> None:
    copy = tmp_path / "main"
    shared = REPO.parent / "shared"  # tests/conftest.py's SHARED: the corpus beside the checkout
    if shared.is_dir():
        (tmp_path / "shared").symlink_to(shared)
    copy_repository(copy)
    python = environment_for(copy, tmp_path / "venv")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    env.update(VIRTUAL_ENV=str(tmp_path / "venv"), PATH=f"{python.parent}{os.pathsep}{env.get('PATH', '')}")

    where = subprocess.run([str(python), "-c", "import nhilint, importlib.resources as r; "
                            "print(nhilint.__file__); print(r.files('nhilint.schemas'))"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert where == [str(copy / "nhilint" / "__init__.py"), str(copy / "schemas")], where

    made = subprocess.run([str(python), "scripts/new_rule.py", "NHI899", "example-scaffolded-rule", "drift"],
                          cwd=copy, env=env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stdout + made.stderr
    for written in ("nhilint/rules/drift.py", "nhilint/rules/__init__.py", "tests/rules/cases/NHI899.yaml",
                    "examples/insecure/agents/example-scaffolded-rule.yaml", "docs/rules/NHI899.md",
                    "docs/rules/README.md"):
        assert f"  {written} " in made.stdout, made.stdout
    assert "TODO" in (copy / "nhilint" / "rules" / "drift.py").read_text(encoding="utf-8")

    suite = subprocess.run([str(python), "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                            "--deselect", THIS_TEST], cwd=copy, env=env, capture_output=True, text=True,
                           timeout=1200)
    summary = suite.stdout.strip().splitlines()[-1] if suite.stdout.strip() else ""
    assert suite.returncode == 0, suite.stdout[-6000:] + suite.stderr[-2000:]
    assert re.search(r"\d+ passed", summary) and not re.search(r"\d+ (failed|errors?)\b", summary), summary
    # The new rule's own tests ran: its cases, its documented examples, its docs page.
    listed = subprocess.run([str(python), "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                             "-k", "NHI899", "tests/rules"], cwd=copy, env=env, capture_output=True,
                            text=True).stdout
    assert "NHI899_fail_marker" in listed and "NHI899_pass_no_marker" in listed, listed


@pytest.mark.parametrize(("args", "message"), [
    (["NHI8", "some-rule", "fresh"], "rule id 'NHI8': use NHI and three digits"),
    (["NHI201", "some-rule", "credentials"], "rule id NHI201 is taken by credential-without-ttl"),
    (["NHI999", "some-rule", "fresh"], "rule id NHI999 is already mentioned in"),
    (["NHI801", "Some_Rule", "fresh"], "rule name 'Some_Rule': use lowercase words joined by hyphens"),
    (["NHI801", "no-owner", "fresh"], "rule name 'no-owner' is taken by NHI101"),
    (["NHI801", "some-rule", "Drift!"], "category 'Drift!': use a lowercase Python identifier"),
    (["NHI801", "some-rule", "oversight"], "rule id NHI801 is outside category oversight's range (NHI5xx)"),
    (["NHI309", "some-rule", "fresh"], "rule id NHI309 is in the NHI3xx range of category privilege"),
    (["NHI801", "some-rule", "platform"], "'platform' is a rule module, not a category"),
    (["NHI799", "some-rule", "rego"], "category rego checks Rego policies"),
    (["NHI801", "some-rule"], "the following arguments are required: CATEGORY"),
])
def test_bad_arguments_exit_2_with_a_message(args: list[str], message: str) -> None:
    result = scaffold(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    # A refused scaffold writes nothing (a new category, 'fresh', is never made here).
    assert not (REPO / "nhilint" / "rules" / "fresh.py").exists()
    assert not list((REPO / "tests").glob("*/cases/NHI801.yaml"))
    assert not (REPO / "examples" / "insecure" / "agents" / "some-rule.yaml").exists()


def test_help_explains_the_arguments() -> None:
    result = scaffold("--help")
    assert result.returncode == 0
    for word in ("RULE_ID", "NAME", "CATEGORY", "kebab-case", "--severity", "examples"):
        assert word in result.stdout, word
