"""A hostile policy file is an ERROR for its scenarios, never a crashed run (cedarpy's
parser overflows its stack on deep nesting, which would kill the process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCENARIO = """apiVersion: nhilint/v1
kind: PolicyTest
name: deep
cedar:
  policies: [p.cedar]
scenarios:
  - name: deeply nested policy
    principal: User::"a"
    action: Action::"b"
    resource: R::"c"
    expect: allow
"""


def test_deeply_nested_policy_is_an_error_result(tmp_path: Path) -> None:
    (tmp_path / "p.cedar").write_text(
        "permit(principal, action, resource) when { " + "(" * 3000 + "true" + ")" * 3000 + " };")
    (tmp_path / "t.nhitest.yaml").write_text(SCENARIO)
    proc = subprocess.run([sys.executable, "-m", "nhilint", "test", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "nested more than 100 levels deep; not evaluated" in proc.stdout
    assert proc.stdout.splitlines()[-1] == "0 passed, 0 failed, 1 errors"
