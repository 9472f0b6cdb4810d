"""`nhilint test` shows no secret (issue 13): expected and actual values, engine errors and
what a policy prints pass the secret mask in every format, after the verdict is decided."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from nhilint.cli import main
from tests.robustness.conftest import write

TOKEN = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"
OTHER = "ghp_zzcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"
POLICY = (f'package p\nimport rego.v1\nr := "{TOKEN}"\n'
          'test_print if { print("token https://ci:hunter2secret@x.io/a"); r == 1 }\n')
SCENARIOS = ("apiVersion: nhilint/v1\nkind: PolicyTest\nrego:\n  modules: [p_test.rego]\n  query: data.p.r\n"
             f'scenarios:\n  - {{name: differs, expect: "{OTHER}"}}\n  - {{name: same, expect: "{TOKEN}"}}\n')


@pytest.mark.parametrize("kind", ["text", "json", "junit"])
def test_no_secret_in_any_test_report(tmp_path: Path, kind: str) -> None:
    write(tmp_path, {"p_test.rego": POLICY, "s.nhitest.yaml": SCENARIOS})
    result = CliRunner().invoke(main, ["test", "-v", "-f", kind, str(tmp_path)])
    assert result.exit_code == 1, result.output
    for secret in (TOKEN, OTHER, "hunter2secret"):
        assert secret[:12] not in result.output
    assert "ghp_****" in result.output and "https://***@x.io/a" in result.output


def test_the_verdict_is_decided_on_the_real_values(tmp_path: Path) -> None:
    write(tmp_path, {"p_test.rego": POLICY, "s.nhitest.yaml": SCENARIOS})
    lines = CliRunner().invoke(main, ["test", "-v", str(tmp_path)]).output.splitlines()
    assert f"FAIL {tmp_path}/s.nhitest.yaml:7: differs" in lines
    assert f"PASS {tmp_path}/s.nhitest.yaml:8: same" in lines
