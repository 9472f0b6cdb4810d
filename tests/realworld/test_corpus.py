"""nhilint on ~2,200 files from public repositories: every finding reviewed, kept as a golden.

`golden.txt` is the whole text report on `../shared/corpus/realworld/` (read in place), and
`REVIEW.md` beside it gives the judgement of each rule's findings there (true, false or
debatable). A change that adds, drops or rewords a finding fails here: review the diff, then
regenerate with `NHILINT_UPDATE_GOLDEN=1 pytest tests/realworld` and update REVIEW.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TODAY

GOLDEN = Path(__file__).with_name("golden.txt")


@pytest.fixture(scope="module")
def corpus_report(request: pytest.FixtureRequest) -> subprocess.CompletedProcess[str]:
    from tests.conftest import SHARED

    corpus = SHARED / "corpus" / "realworld"
    if not corpus.is_dir():
        pytest.skip(f"the real-world corpus is absent ({corpus}); it sits beside the repository in CI")
    # From inside the corpus, so the report names files as the corpus does, wherever it lies.
    return subprocess.run([sys.executable, "-m", "nhilint", "lint", "--today", TODAY.isoformat(),
                           "--fail-on", "error", "."], cwd=corpus, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "NO_COLOR": "1"})


def test_no_crash_and_no_traceback(corpus_report: subprocess.CompletedProcess[str]) -> None:
    assert corpus_report.returncode in (0, 1), corpus_report.stderr
    assert "Traceback" not in corpus_report.stdout + corpus_report.stderr
    assert corpus_report.stderr == ""


def test_every_finding_is_the_reviewed_one(corpus_report: subprocess.CompletedProcess[str]) -> None:
    if os.environ.get("NHILINT_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(corpus_report.stdout)
    assert corpus_report.stdout == GOLDEN.read_text(), (
        "findings on the real-world corpus changed: review the diff against tests/realworld/golden.txt, "
        "then regenerate with NHILINT_UPDATE_GOLDEN=1 and update REVIEW.md")
