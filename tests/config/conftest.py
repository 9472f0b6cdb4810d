"""Helpers for configuration, ruleset, suppression and baseline tests.

Each test builds a small project in a temporary folder, runs there (so paths in findings
and messages are relative, as a user sees them) and checks exact rule ids, lines and
exit codes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nhilint.api import lint_paths
from nhilint.cli import main
from nhilint.config import Configuration
from nhilint.model import Finding
from tests.conftest import TODAY

# A manifest with no finding under the recommended ruleset; tests change one thing in it.
GOOD_MANIFEST = """\
apiVersion: nhilint/v1
kind: AgentManifest
metadata:
  name: {name}
  owner: support-platform@example.com
  purpose: Answer customer tickets from the helpdesk queue
  expires: 2028-06-30
identity:
  type: spiffe
  id: spiffe://prod.example.com/agents/{name}
credentials:
  - name: helpdesk-token
    type: oauth-token
    issuance: jit
    ttl: {ttl}
    source: vault://kv/support/{name}
    scopes: [tickets:read, tickets:comment]
tools:
  - name: helpdesk
    actions: [read, comment]
    resources: ["tickets/*"]
    risk: medium
audit:
  sink: immutable
  binds: [initiator, workload, action]
revocation:
  on_task_complete: true
  max_session: 1h
"""
TTL_LINE = 15  # the line of `ttl:` in GOOD_MANIFEST


def manifest(name: str = "support-agent", ttl: str = "15m") -> str:
    return GOOD_MANIFEST.format(name=name, ttl=ttl)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Write files (name -> text, dedented) under a temporary folder and work from there."""
    monkeypatch.chdir(tmp_path)

    def write(files: dict[str, str]) -> Path:
        for name, text in files.items():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(text), encoding="utf-8")
        return tmp_path

    return write


def lint(*paths: str, **options: Any) -> list[Finding]:
    """Findings of a run with discovered configuration, as of the fixed test day."""
    return lint_paths(list(paths) or ["."], Configuration(**options), today=TODAY).findings


def active(findings: list[Finding]) -> list[tuple[str, str, int]]:
    return [(f.rule, f.location.path, f.location.line) for f in findings if f.suppressed is None]


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))
