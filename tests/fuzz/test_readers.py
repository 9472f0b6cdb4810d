"""Property tests over every reader (issue 13, "Fuzzing in CI"): structure-aware documents
of each format, mutated, read the way `nhilint.api.lint_paths` and `run_tests` read them.

No exception escapes but the documented usage errors of configuration and baseline files;
every finding has a path and a line >= 1; no planted secret is in a message. Deterministic
(derandomized, no example database); NHILINT_FUZZ_EXAMPLES=N runs N examples a reader.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.harness import READER_EXAMPLES, check_in_process, examples
from tests.fuzz.strategies import READERS, Case, baseline_case, config_case, scenario_case


def fuzz_settings(count: int) -> settings:
    return settings(derandomize=True, database=None, deadline=None, max_examples=examples(count),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much], print_blob=False)


@pytest.mark.parametrize("reader", sorted(READERS))
@fuzz_settings(READER_EXAMPLES)
@given(data=st.data())
def test_reader_never_raises_and_locates_every_finding(reader: str, data: st.DataObject) -> None:
    case: Case = data.draw(READERS[reader](), label="case")
    check_in_process(case)


@fuzz_settings(READER_EXAMPLES * 2)
@given(case=config_case())
def test_configuration_is_read_or_a_config_error(case: Case) -> None:
    check_in_process(case)


@fuzz_settings(READER_EXAMPLES)
@given(case=baseline_case())
def test_baseline_is_read_or_a_baseline_error(case: Case) -> None:
    check_in_process(case)


@fuzz_settings(READER_EXAMPLES)
@given(case=scenario_case())
def test_scenario_file_runs_or_is_a_usage_error(case: Case) -> None:
    check_in_process(case)
