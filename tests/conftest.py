"""Shared test helpers: the repository, the shared corpus, and a fixed 'today'."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

import nhilint.rules

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLES = REPO / "examples"
TODAY = dt.date(2026, 11, 22)  # expiry dates in fixtures are judged as of this day


@pytest.fixture(autouse=True)
def _forget_custom_rules() -> Iterator[None]:
    """Custom rules register globally (reporters look rules up by id); every test that lints
    a project with a ruleset's custom rules leaves none behind."""
    yield
    nhilint.rules._CUSTOM_RULES.clear()


@pytest.fixture
def shared_corpus() -> Path:
    """../shared/corpus, read in place; tests that need it skip where it is absent."""
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        pytest.skip(f"the shared corpus is absent ({corpus}); it sits beside the repository in CI")
    return corpus
