"""A progress line for long `nhilint test` runs, on a terminal only.

It goes to stderr, only when stderr is a terminal and not in CI, appears once a run has
taken a second, redraws at most ten times a second, and is erased when the run ends, so
neither reports nor logs ever contain it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

_DELAY = 1.0  # seconds before the line appears: short runs never show it
_INTERVAL = 0.1


@contextmanager
def terminal_progress(stream: TextIO) -> Iterator[Callable[[int, int], None] | None]:
    """A progress(done, total) callback drawing on `stream`, or None where it must not draw."""
    if not stream.isatty() or os.environ.get("CI"):
        yield None
        return
    started = time.monotonic()
    drawn_at, width = 0.0, 0  # when last drawn, and the width drawn

    def progress(done: int, total: int) -> None:
        nonlocal drawn_at, width
        now = time.monotonic()
        if now - started < _DELAY or (now - drawn_at < _INTERVAL and done < total):
            return
        line = f"nhilint test: {done}/{total} Rego tests"
        stream.write("\r" + line.ljust(width))
        stream.flush()
        drawn_at, width = now, len(line)

    try:
        yield progress
    finally:
        if width:
            stream.write("\r" + " " * width + "\r")
            stream.flush()
