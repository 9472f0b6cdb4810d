"""`nhilint init`: a commented `.nhilint.yaml` and the pre-commit hook, never over existing files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from nhilint import __version__

REPOSITORY_URL = "https://github.com/nhilint/nhilint"
CONFIG_NAME = ".nhilint.yaml"
PRE_COMMIT_NAME = ".pre-commit-config.yaml"

CONFIG_TEMPLATE = """\
# nhilint configuration. The nearest .nhilint.yaml above the linted files applies.
# `nhilint rules` lists the rules; `nhilint explain NHI202` shows one, with its parameters.

# Rulesets to start from, in order: a preset (minimal, recommended, strict), a file path
# relative to this file, or pkg:NAME (a ruleset an installed package publishes).
extends: [recommended]

# The lowest severity that fails the run (exit 1): error | warning | info.
fail_on: warning

# Per rule, by id (NHI202), id prefix (NHI4) or name (ttl-above-maximum):
# off | on | error | warning | info, or a mapping of severity and parameters. For example:
#   rules:
#     NHI202: {severity: error, max_ttl: 30m}
#     NHI501: off
rules: {}

# Files not to read: globs relative to this file. For example:
#   exclude: ["vendor/**"]
exclude: []

# Rules not reported in matching files (JSON has no comments for inline suppressions).
# For example:
#   per_file_ignores: {"tests/fixtures/**": [NHI204]}
per_file_ignores: {}
"""

PRE_COMMIT_SNIPPET = f"""\
  - repo: {REPOSITORY_URL}
    rev: v{__version__}
    hooks:
      - id: nhilint        # lint the changed manifests, MCP configs and policies
      # - id: nhilint-test # re-run the *.nhitest.yaml scenarios when a policy changes
"""


@dataclass
class InitOutcome:
    written: list[Path] = field(default_factory=list)
    refused: list[Path] = field(default_factory=list)  # already there: left as they are
    pre_commit_snippet: str | None = None  # to add by hand to an existing pre-commit config


def _create(path: Path, text: str) -> bool:
    """Write a new file; False when it already exists (mode "x" never truncates one)."""
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        return False
    return True


def initialize(directory: Path, pre_commit: bool = True) -> InitOutcome:
    """Write the configuration, and the pre-commit config when there is none.

    An existing `.nhilint.yaml` stops everything: nothing is written. An existing
    pre-commit config is not edited (comments and layout are the user's); the snippet to
    add comes back instead.
    """
    outcome = InitOutcome()
    config = directory / CONFIG_NAME
    if not _create(config, CONFIG_TEMPLATE):
        outcome.refused.append(config)
        return outcome
    outcome.written.append(config)
    if pre_commit:
        hooks = directory / PRE_COMMIT_NAME
        if _create(hooks, "repos:\n" + PRE_COMMIT_SNIPPET):
            outcome.written.append(hooks)
        else:
            outcome.refused.append(hooks)
            outcome.pre_commit_snippet = PRE_COMMIT_SNIPPET
    return outcome
