"""Property tests over the CLI as a subprocess (issue 13, "Fuzzing in CI"): for generated
trees of every reader, `nhilint lint -f FORMAT` exits 0, 1 or 2 (never 3, never a signal),
its output parses in every format, and no planted secret is printed, whole or as a
12-character prefix. A few examples only: each run is a new interpreter (~150 ms).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.harness import FORMATS, check_cli, examples, run_cli, tree
from tests.fuzz.strategies import READERS, Case, config_case, scenario_case

CLI_SETTINGS = settings(derandomize=True, database=None, deadline=None, max_examples=examples(4),
                        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                        print_blob=False)


@pytest.mark.parametrize("output_format", FORMATS)
@CLI_SETTINGS
@given(case=st.one_of(*[make() for make in READERS.values()]))
def test_lint_exits_0_1_2_parses_and_prints_no_secret(output_format: str, case: Case) -> None:
    with tree(case) as root:
        outcome = run_cli(["lint", "--today", "2026-11-22", "-f", output_format, "."], root)
        check_cli(case, outcome, output_format)


@CLI_SETTINGS
@given(case=config_case())
def test_config_command_and_lint_with_a_generated_configuration(case: Case) -> None:
    with tree(case) as root:
        for args in (["config", "."], ["lint", "--today", "2026-11-22", "-f", "json", "."]):
            outcome = run_cli(args, root)
            check_cli(case, outcome, "json" if args[0] == "lint" else "text")


@CLI_SETTINGS
@given(case=scenario_case())
def test_test_command_exits_0_1_2_and_prints_no_secret(case: Case) -> None:
    with tree(case) as root:
        outcome = run_cli(["test", "t"], root)
        check_cli(case, outcome, "text")


@CLI_SETTINGS
@given(case=st.one_of(READERS["agent-manifest.yaml"](), READERS["mcp-cursor"](), READERS["cedar"]()))
def test_baseline_written_then_applied(case: Case) -> None:
    with tree(case) as root:
        written = run_cli(["baseline", "--today", "2026-11-22", "-o", "b.json", "."], root)
        check_cli(case, written, "text")
        text = (root / "b.json").read_text("utf-8") if (root / "b.json").exists() else None
        if text is not None:
            check_cli(case, written, "json", text)
            applied = run_cli(["lint", "--today", "2026-11-22", "--baseline", "b.json", "-f", "sarif", "."], root)
            check_cli(case, applied, "sarif")
