"""Shared test helpers: the repository, the shared corpus, and a fixed 'today'."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLES = REPO / "examples"
TODAY = dt.date(2026, 11, 22)  # expiry dates in fixtures are judged as of this day


@pytest.fixture
def shared_corpus() -> Path:
    """../shared/corpus, read in place; tests that need it skip where it is absent."""
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        pytest.skip(f"the shared corpus is absent ({corpus}); it sits beside the repository in CI")
    return corpus
