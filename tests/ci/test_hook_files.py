"""The `nhilint` hook's `files` pattern covers every file name a format reads, and no other."""

from __future__ import annotations

import re

import yaml

from nhilint.sources import DOCUMENT_FORMATS, FILE_FORMATS, STRUCTURED_SUFFIXES, is_candidate
from tests.conftest import REPO

HOOKS = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}


def example_paths() -> set[str]:
    """A path for every pattern the formats declare, at the root and in a folder."""
    patterns = [f"*{suffix}" for suffix in STRUCTURED_SUFFIXES]
    patterns += [p for fmt in FILE_FORMATS for p in fmt.patterns]
    patterns += [p for fmt in DOCUMENT_FORMATS for p in fmt.file_names]
    names = {pattern.replace("*", "x") for pattern in patterns}
    return names | {f"deploy/{name}" for name in names}


def test_the_lint_hook_sees_every_file_a_format_reads() -> None:
    files = re.compile(HOOKS["nhilint"]["files"])
    for path in sorted(example_paths()):
        assert is_candidate(path), path
        assert files.search(path), f"the nhilint hook's files pattern misses {path}"


def test_the_lint_hook_skips_other_files() -> None:
    files = re.compile(HOOKS["nhilint"]["files"])
    for path in ("README.md", "src/app.py", "config.toml", "server.config", "yaml/notes.txt"):
        assert not files.search(path), path
