"""The pre-commit hooks, for real: pre-commit installs this repository into its own
environment (pip, from the local path) and runs the hook in a throwaway git repository.

The hook repository is a snapshot of this working tree (tracked and untracked, not ignored,
files) committed into a temporary git repository: pre-commit installs from a commit, and the
snapshot makes that commit the code under test even before it is committed here. In CI the
snapshot equals the checkout. `try-repo` installs into a throwaway store every time, and
`run` once into PRE_COMMIT_HOME: two pip installs of about 15 s each for the module.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

pytestmark = pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None,
                                reason="pre-commit is not installed (pip install -e '.[test]')")

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
GIT_IDENTITY = ["-c", "user.name=nhilint tests", "-c", "user.email=tests@example.com",
                "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *GIT_IDENTITY, *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def snapshot_of_this_repository(target: Path) -> str:
    """Commit this working tree into a new repository at `target`; returns the revision."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():  # a file deleted but not yet staged is listed and absent
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git(target, "init", "-q")
    git(target, "add", ".")
    git(target, "commit", "-q", "-m", "snapshot")
    return git(target, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def hook_repository(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    target = tmp_path_factory.mktemp("nhilint-hooks")
    return target, snapshot_of_this_repository(target)


@pytest.fixture(scope="module")
def pre_commit_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_"))}
    env["PRE_COMMIT_HOME"] = str(tmp_path_factory.mktemp("pre-commit-home"))
    env["NO_COLOR"] = "1"
    return env


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A git repository with two committed manifests, lead (bad: no ttl) delegating to writer,
    and a Rego policy with its scenario test."""
    (tmp_path / "agents").mkdir()
    shutil.copy(FIXTURES / "writer.yaml", tmp_path / "agents" / "writer.yaml")
    break_lead(tmp_path)
    shutil.copytree(FIXTURES / "policies", tmp_path / "policies")
    shutil.copytree(FIXTURES / "tests", tmp_path / "tests")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "agents")
    return tmp_path


def break_lead(project: Path) -> None:
    text = (FIXTURES / "lead.yaml").read_text(encoding="utf-8")
    assert "    ttl: 15m\n" in text
    (project / "agents" / "lead.yaml").write_text(text.replace("    ttl: 15m\n", ""), encoding="utf-8")


def fix_lead(project: Path) -> None:
    shutil.copy(FIXTURES / "lead.yaml", project / "agents" / "lead.yaml")


def pre_commit(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*PRE_COMMIT, *args], cwd=project, env=env, capture_output=True,
                          text=True, timeout=600)


BAD_LINE = "agents/lead.yaml:13:5: error NHI201 credential 'docs-token' has no ttl"


def test_hooks_manifest_is_valid(pre_commit_env: dict[str, str]) -> None:
    done = pre_commit(REPO, pre_commit_env, "validate-manifest", ".pre-commit-hooks.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["nhilint-test"]["pass_filenames"] is False
    assert hooks["nhilint-test"]["entry"] == "nhilint test"


def test_try_repo_fails_on_the_bad_manifest(
        project: Path, hook_repository: tuple[Path, str], pre_commit_env: dict[str, str]) -> None:
    repository, _ = hook_repository
    bad = pre_commit(project, pre_commit_env, "try-repo", str(repository), "nhilint",
                     "--files", "agents/lead.yaml")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert BAD_LINE in bad.stdout
    # Only lead.yaml was passed: its delegate lives in writer.yaml, which the hook reads for
    # context, so there is no "delegate not found" (NHI406).
    assert "NHI406" not in bad.stdout
    # The fix is checked with `run` below, which reuses its environment (try-repo would
    # install again).


def test_pre_commit_run_and_the_commit_hook(
        project: Path, hook_repository: tuple[Path, str], pre_commit_env: dict[str, str]) -> None:
    repository, revision = hook_repository
    config = {"repos": [{"repo": str(repository), "rev": revision,
                         "hooks": [{"id": "nhilint"}, {"id": "nhilint-test"}]}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    git(project, "add", ".pre-commit-config.yaml")

    everything = pre_commit(project, pre_commit_env, "run", "--all-files")
    assert everything.returncode == 1, everything.stdout + everything.stderr
    assert BAD_LINE in everything.stdout

    fix_lead(project)
    git(project, "add", "agents/lead.yaml")
    staged = pre_commit(project, pre_commit_env, "run")  # the staged files, as on commit
    assert staged.returncode == 0, staged.stdout + staged.stderr

    # Installed as the git hook, it blocks a commit that breaks the manifest again.
    assert pre_commit(project, pre_commit_env, "install").returncode == 0
    git(project, "commit", "-q", "-m", "fixed lead")
    break_lead(project)
    git(project, "add", "agents/lead.yaml")
    blocked = subprocess.run(["git", *GIT_IDENTITY, "commit", "-m", "break lead"], cwd=project,
                             env=pre_commit_env, capture_output=True, text=True, timeout=600)
    assert blocked.returncode != 0
    assert BAD_LINE in blocked.stdout + blocked.stderr


def test_the_scenario_hook_reruns_the_tests_when_a_policy_changes(
        project: Path, hook_repository: tuple[Path, str], pre_commit_env: dict[str, str]) -> None:
    repository, revision = hook_repository
    config = {"repos": [{"repo": str(repository), "rev": revision, "hooks": [{"id": "nhilint-test"}]}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    policy = project / "policies" / "tools.rego"
    policy.write_text(policy.read_text().replace("default allow := false", "default allow := true"))
    git(project, "add", ".")

    opened = pre_commit(project, pre_commit_env, "run")
    assert opened.returncode == 1, opened.stdout + opened.stderr
    assert "FAIL tests/tools.nhitest.yaml:12: an unregistered agent is refused" in opened.stdout

    shutil.copy(FIXTURES / "policies" / "tools.rego", policy)
    git(project, "add", ".")
    closed = pre_commit(project, pre_commit_env, "run")
    assert closed.returncode == 0, closed.stdout + closed.stderr
    # A manifest change alone does not re-run the scenarios.
    fix_lead(project)
    git(project, "add", ".")
    assert "(no files to check)Skipped" in pre_commit(project, pre_commit_env, "run").stdout
