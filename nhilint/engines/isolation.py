"""Run engine calls one after another with a time limit on each, and keep what the engine
writes to stderr for the result it belongs to.

regorus holds the GIL while it evaluates and has no time limit of its own, so a test that
never ends can only be stopped by ending the process it runs in. Where the platform can
fork, the calls run in a forked child (the engine, already loaded, comes with it for
free) that sends each outcome back as soon as it has it; a call that overruns the limit,
or crashes the child (a stack overflow in the engine), is an `Interrupted` outcome, and a
new child takes over from the next call. Without fork, or with no limit, the calls run
in this process.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

_LENGTH = struct.Struct("!I")
_DONE = -1  # the index of the last message of a child: what `finish` returned
_INTERRUPTED = object()


@dataclass(frozen=True)
class Interrupted:
    """A call that did not return: it ran out of time, or took its process down."""

    message: str


class StderrCapture:
    """What is written to file descriptor 2 (Rust's eprintln! included) during each call."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        self._read = 0

    def call(self, function: Callable[[], Any]) -> tuple[Any, str]:
        saved = os.dup(2)
        os.dup2(self._file.fileno(), 2)
        try:
            value = function()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        size = os.fstat(self._file.fileno()).st_size
        written = os.pread(self._file.fileno(), size - self._read, self._read) if size > self._read else b""
        self._read = size
        return value, written.decode("utf-8", "replace")


def run_calls(jobs: Sequence[Any], evaluate: Callable[[Any], Any], finish: Callable[[], Any],
              timeout: float, progress: Callable[[int], None] = lambda done: None) -> tuple[list[Any], list[Any]]:
    """(evaluate(job) for each job, in order, or Interrupted; what `finish()` returned in
    each process that ran to the end, e.g. its coverage)."""
    if timeout <= 0 or not hasattr(os, "fork") or not jobs:
        outcomes: list[Any] = []
        for job in jobs:
            outcomes.append(evaluate(job))
            progress(len(outcomes))
        return outcomes, [finish()]
    outcomes = []
    finished: list[Any] = []
    while len(outcomes) < len(jobs):
        done = _run_child(jobs, len(outcomes), evaluate, finish, timeout, outcomes, progress)
        if done is not _INTERRUPTED:
            finished.append(done)
    return outcomes, finished


def _run_child(jobs: Sequence[Any], start: int, evaluate: Callable[[Any], Any], finish: Callable[[], Any],
               timeout: float, outcomes: list[Any], progress: Callable[[int], None]) -> Any:
    """Fork a child for jobs[start:]; append the outcomes it sends. Return what its `finish`
    returned, or _INTERRUPTED (the interrupted job, if any, then has its outcome)."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        os.close(reader)
        try:
            for index in range(start, len(jobs)):
                _send(writer, index, evaluate(jobs[index]))
            _send(writer, _DONE, finish())
        finally:
            os._exit(0)
    os.close(writer)
    try:
        return _receive(reader, pid, timeout, len(jobs), outcomes, progress)
    finally:
        os.close(reader)


def _send(fd: int, index: int, value: Any) -> None:
    payload = pickle.dumps((index, value), protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LENGTH.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int, pid: int, timeout: float, total: int, outcomes: list[Any],
             progress: Callable[[int], None]) -> Any:
    buffer = b""
    deadline = time.monotonic() + timeout
    while True:
        ready, _, _ = select.select([fd], [], [], max(deadline - time.monotonic(), 0))
        if not ready:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            _interrupted(outcomes, total, f"did not finish within {timeout:g} s (--timeout)", progress)
            return _INTERRUPTED
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            _, status = os.waitpid(pid, 0)
            _interrupted(outcomes, total, f"the engine crashed ({_how_it_ended(status)})", progress)
            return _INTERRUPTED
        buffer += chunk
        while len(buffer) >= _LENGTH.size and len(buffer) >= _LENGTH.size + _LENGTH.unpack_from(buffer)[0]:
            end = _LENGTH.size + _LENGTH.unpack_from(buffer)[0]
            index, value = pickle.loads(buffer[_LENGTH.size:end])  # noqa: S301 - sent by our own fork
            buffer = buffer[end:]
            if index == _DONE:
                os.waitpid(pid, 0)
                return value
            outcomes.append(value)
            progress(len(outcomes))
            deadline = time.monotonic() + timeout


def _interrupted(outcomes: list[Any], total: int, message: str, progress: Callable[[int], None]) -> None:
    if len(outcomes) < total:  # else it was `finish` that did not return: no job to blame
        outcomes.append(Interrupted(message))
        progress(len(outcomes))


def _how_it_ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            return f"signal {signal.Signals(number).name}"
        except ValueError:
            return f"signal {number}"
    return f"exit status {os.WEXITSTATUS(status)}"
