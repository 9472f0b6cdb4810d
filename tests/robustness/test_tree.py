"""What the walk must not read (issue 13, kind 7): a symlink loop (a RuntimeError from
Path.resolve for a path outside the working directory), a symlink out of the linted tree
(as root, to /etc/shadow), a FIFO (blocks forever) and a device such as /dev/zero (never
ends). Each is skipped with its reason in --list-files, and the rest is linted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.robustness.conftest import MANIFEST, findings, lint, write


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    write(tmp_path, {"outside/secret.yaml": MANIFEST.replace("name: a", "name: secret"),
                     "repo/a.yaml": MANIFEST, "repo/agents/b.yaml": MANIFEST.replace("name: a", "name: b")})
    repo = tmp_path / "repo"
    os.symlink("self.yaml", repo / "self.yaml")
    os.symlink("loop-b.yaml", repo / "loop-a.yaml")
    os.symlink("loop-a.yaml", repo / "loop-b.yaml")
    os.symlink("../outside/secret.yaml", repo / "leak.yaml")
    os.symlink("/etc/passwd", repo / "passwd.yaml")
    os.symlink("/dev/zero", repo / "zero.yaml")
    os.symlink("agents/b.yaml", repo / "inside.yaml")  # stays in the tree: read
    os.mkfifo(repo / "fifo.yaml")
    return repo


def test_list_files_gives_each_reason(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    result = lint("--list-files")
    assert (result.exit_code, result.output) == (0, (
        "a.yaml         agent-manifest\n"
        "agents/b.yaml  agent-manifest\n"
        "fifo.yaml      skipped: not a regular file (a FIFO, socket or device), not read\n"
        "inside.yaml    agent-manifest\n"
        "leak.yaml      skipped: symlink to a file outside the linted tree, not followed (--follow-symlinks follows it)\n"
        "loop-a.yaml    skipped: symlink loop\n"
        "loop-b.yaml    skipped: symlink loop\n"
        "passwd.yaml    skipped: symlink to a file outside the linted tree, not followed (--follow-symlinks follows it)\n"
        "self.yaml      skipped: symlink loop\n"
        "zero.yaml      skipped: symlink to a file outside the linted tree, not followed (--follow-symlinks follows it)\n"
        "\n"
        "3 files read as a known format, 0 configuration files, 7 skipped\n"))


def test_linting_the_tree_reads_only_its_regular_files(tree: Path) -> None:
    code, found = findings(tree)  # an absolute path outside the working directory
    assert code == 1
    assert {path for path, _, _ in found} == {"a.yaml", "agents/b.yaml", "inside.yaml"}
    assert [f for f in found if f[2] == "NHI101"] == [
        ("a.yaml", 3, "NHI101"), ("agents/b.yaml", 3, "NHI101"), ("inside.yaml", 3, "NHI101")]


@pytest.mark.parametrize("name", ["self.yaml", "loop-a.yaml", "leak.yaml", "passwd.yaml", "zero.yaml",
                                  "fifo.yaml"])
def test_a_named_file_that_must_not_be_read(tree: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Named on the command line (pre-commit passes the changed files), from inside the
    repository and from outside it: skipped, exit 0, nothing read."""
    for cwd, argument in ((tree, name), (tree.parent.parent, str(tree / name))):
        monkeypatch.chdir(cwd)
        result = lint(argument)
        assert (result.exit_code, result.output) == (
            0, "0 findings (0 errors, 0 warnings, 0 info) in 0 files; 1 skipped (--list-files says why)\n")


def test_files_read_beside_the_linted_ones_are_never_read_endlessly(tmp_path: Path) -> None:
    """A Cedar schema or a custom rule's module named as /dev/zero was read whole (forever)."""
    write(tmp_path, {"p.cedar": "permit(principal, action, resource);\n",
                     ".nhilint.yaml": "cedar: {schema: /dev/zero}\n"})
    result = lint("--select", "NHI605", tmp_path)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("/dev/zero:1:1: error NHI605 schema /dev/zero cannot be read: not a regular "
                                    f"file; the policies of {tmp_path}/p.cedar were not validated")
    write(tmp_path, {".nhilint.yaml": "custom_rules:\n  - id: ACME100\n    name: x\n    summary: s\n"
                                      "    file: /dev/zero\n"})
    result = lint(tmp_path)
    assert result.exit_code == 2
    assert f"{tmp_path}/.nhilint.yaml:5: cannot read /dev/zero: not a regular file" in result.output


def test_follow_symlinks_reads_a_symlinked_file_outside_the_tree_when_asked(tmp_path: Path) -> None:
    write(tmp_path, {"outside.yaml": "apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata: {name: a}\n"})
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "agent.yaml").symlink_to(tmp_path / "outside.yaml")
    assert lint("--select", "NHI101", tmp_path / "tree").output.endswith(
        "0 findings (0 errors, 0 warnings, 0 info) in 0 files; 1 skipped (--list-files says why)\n")
    result = lint("--select", "NHI101", "--follow-symlinks", tmp_path / "tree")
    assert result.exit_code == 1
    assert result.output.startswith(f"{tmp_path}/tree/agent.yaml:3:1: error NHI101 identity 'a' has no owner")
