"""The one interface to the policy engines: cedarpy (`engines.cedar`) and regorus
(`engines.rego`), and running their calls in a process of their own (`engines.isolation`).

No module outside this package imports cedarpy or regorus. This module holds what both
engines share: how an engine failure is recognised, and how it becomes one readable line.
It imports neither engine (they load slowly): `nhilint.engines.cedar` and
`nhilint.engines.rego` are imported only where an engine is needed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["EngineFailure", "attempt", "failure_text", "is_engine_failure"]

T = TypeVar("T")


class EngineFailure(Exception):
    """A setup step failed (a policy does not parse, a schema is invalid...): `message` says which."""


def is_engine_failure(exc: BaseException) -> bool:
    """True for anything an engine may raise, including Rust panics (pyo3's PanicException
    derives from BaseException), but not for Ctrl-C or interpreter exit."""
    return not isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit))


_BACKTRACE = re.compile(r"\n\s*Stack backtrace:.*", re.S)
_RUST_POINTER = re.compile(r"-->\s*(?P<where>\S+)")
_RUST_ERROR = re.compile(r"^error:\s*(?P<message>.*)$", re.M)


def failure_text(exc: BaseException) -> str:
    """One readable line for an engine exception: `file:line:col: message` when it says where."""
    if isinstance(exc, MemoryError):  # empty, or the size it failed to allocate
        return "out of memory"
    text = _BACKTRACE.sub("", str(exc)).strip()
    pointer, error = _RUST_POINTER.search(text), _RUST_ERROR.search(text)
    if pointer and error:
        return f"{pointer.group('where')}: {error.group('message').strip()}"
    text = " ".join(text.split())
    return text or type(exc).__name__


def attempt(step: str, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one engine call; an engine failure becomes EngineFailure('<step>: <what went wrong>').
    An EngineFailure the call raises itself (a guard of this package) already says what went
    wrong, and passes unchanged."""
    try:
        return call(*args, **kwargs)
    except EngineFailure:
        raise
    except BaseException as exc:
        if not is_engine_failure(exc):
            raise
        raise EngineFailure(f"{step}: {failure_text(exc)}") from None
