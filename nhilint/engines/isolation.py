"""Run engine calls in a worker process with limits on time and memory, and keep what the
engine writes to stderr for the result it belongs to.

Policies under test and the custom rules of rulesets are untrusted code, and the engines
are native: regorus holds the GIL while it evaluates and has no time, memory or recursion
limit of its own (its only limits are on policy length), and cedarpy overflows its stack on
some inputs. Where the platform can fork, the calls run in a forked child (the engines,
already loaded, and the prepared policies come with it for free, so it is forked once per
batch, not per call) that sends each outcome back as soon as it has it. The child's
address space is capped (`RLIMIT_AS`: what it has at the fork plus `memory`, by default
DEFAULT_MEMORY) and a watchdog (`timeout` seconds for each call) kills it when a call
overruns. A call that overruns, or takes the child down (a stack overflow from runaway
recursion, an abort when an allocation fails under the cap), is an `Interrupted` outcome
saying which, and a new child takes over from the next call. Without fork (Windows), the
calls run in this process, unbounded, as they did before.
"""

from __future__ import annotations

import faulthandler
import gc
import os
import pickle
import select
import signal
import struct
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

_LENGTH = struct.Struct("!I")
_DONE = -1  # the index of the last message of a child: what `finish` returned
_INTERRUPTED = object()
_GIB = 1 << 30
_OUT_OF_MEMORY = 71  # the exit status of a child that ran out of memory in Python code
_WORKER_FAILED = 70  # ...that failed otherwise (a bug of nhilint: its traceback is on stderr)


def _physical_memory() -> int:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return 4 * _GIB


# what an engine call may allocate: 2 GiB, or half the machine's memory if that is less
DEFAULT_MEMORY = min(2 * _GIB, _physical_memory() // 2)


@dataclass(frozen=True)
class Interrupted:
    """A call that did not return: it ran out of time, or took its process down."""

    message: str


# Where the platform cannot fork (Windows), calls run in the process, unbounded.
# benchmarks/isolation.py sets it False to measure what the isolation costs.
CAN_FORK = hasattr(os, "fork")


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


def isolated(call: Callable[[], Any], timeout: float, memory: int | None = None, source: str = "--timeout") -> Any:
    """call(), or Interrupted, in a worker process under the limits of `run_calls`."""
    return run_calls([call], lambda job: job(), lambda: None, timeout, memory=memory, source=source)[0][0]


def run_calls(jobs: Sequence[Any], evaluate: Callable[[Any], Any], finish: Callable[[], Any],
              timeout: float, progress: Callable[[int], None] = lambda done: None,
              memory: int | None = None, source: str = "--timeout") -> tuple[list[Any], list[Any]]:
    """(evaluate(job) for each job, in order, or Interrupted; what `finish()` returned in
    each process that ran to the end, e.g. its coverage). `timeout`: seconds for each call
    (0: no limit), named `source` in the message of an overrun; `memory`: bytes the worker
    may allocate (None: DEFAULT_MEMORY, 0: no limit)."""
    if not CAN_FORK or not jobs:
        outcomes: list[Any] = []
        for job in jobs:
            outcomes.append(evaluate(job))
            progress(len(outcomes))
        return outcomes, [finish()]
    limits = _Limits(timeout, DEFAULT_MEMORY if memory is None else memory, source)
    outcomes = []
    finished: list[Any] = []
    while len(outcomes) < len(jobs):
        done = _run_child(jobs, len(outcomes), evaluate, finish, limits, outcomes, progress)
        if done is not _INTERRUPTED:
            finished.append(done)
    return outcomes, finished


@dataclass(frozen=True)
class _Limits:
    timeout: float  # seconds for each call; 0: none
    memory: int  # bytes; 0: none
    source: str  # where the time limit comes from

    def memory_text(self) -> str:
        return f"{self.memory / _GIB:g} GiB" if self.memory >= _GIB else f"{self.memory >> 20} MiB"


def _run_child(jobs: Sequence[Any], start: int, evaluate: Callable[[Any], Any], finish: Callable[[], Any],
               limits: _Limits, outcomes: list[Any], progress: Callable[[int], None]) -> Any:
    """Fork a child for jobs[start:]; append the outcomes it sends. Return what its `finish`
    returned, or _INTERRUPTED (the interrupted job, if any, then has its outcome)."""
    reader, writer = os.pipe()
    errors = tempfile.TemporaryFile()  # the child's stderr: why it died, else passed on
    # The objects of the parent are frozen for the fork: a collection in the child would
    # otherwise write to each of them and copy every page of the heap it shares.
    gc.freeze()
    pid = os.fork()
    if pid != 0:
        gc.unfreeze()
    if pid == 0:  # the child: never returns into the caller's code
        status = _WORKER_FAILED
        try:
            os.close(reader)
            os.dup2(errors.fileno(), 2)
            faulthandler.disable()  # a crash here is expected, and reported by the parent
            _limit(limits.memory)
            for index in range(start, len(jobs)):
                _send(writer, index, evaluate(jobs[index]))
            _send(writer, _DONE, finish())
            status = 0
        except MemoryError:
            status = _OUT_OF_MEMORY
        except Exception:  # noqa: BLE001 - a bug of ours, not of the policy: say where, for the report
            traceback.print_exc()
        finally:
            os._exit(status)
    os.close(writer)
    try:
        return _receive(reader, pid, limits, len(jobs), outcomes, progress, errors)
    finally:
        os.close(reader)
        errors.close()


def _limit(memory: int) -> None:
    """Cap the address space of this (child) process at what it has now plus `memory`, and
    write no core file when it crashes. Best effort: some platforms refuse RLIMIT_AS."""
    import resource  # POSIX only, as fork is

    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        pass
    if memory <= 0:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _address_space() + memory
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ValueError, OSError):
        pass


def _address_space() -> int:
    """This process's virtual size in bytes (Linux), else 0."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _send(fd: int, index: int, value: Any) -> None:
    payload = pickle.dumps((index, value), protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LENGTH.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int, pid: int, limits: _Limits, total: int, outcomes: list[Any],
             progress: Callable[[int], None], errors: Any) -> Any:
    buffer = bytearray()
    deadline = time.monotonic() + limits.timeout if limits.timeout > 0 else None
    while True:
        wait = None if deadline is None else max(deadline - time.monotonic(), 0)
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            _interrupted(outcomes, total, f"did not finish within {limits.timeout:g} s ({limits.source})", progress)
            return _INTERRUPTED
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            _, status = os.waitpid(pid, 0)
            _interrupted(outcomes, total, _how_it_ended(status, limits, _written(errors)), progress)
            return _INTERRUPTED
        buffer += chunk
        start = 0
        while len(buffer) - start >= _LENGTH.size:
            end = start + _LENGTH.size + _LENGTH.unpack_from(buffer, start)[0]
            if len(buffer) < end:
                break
            index, value = pickle.loads(memoryview(buffer)[start + _LENGTH.size:end])  # noqa: S301 - our own fork
            start = end
            if index == _DONE:
                os.waitpid(pid, 0)
                _pass_on(errors)
                return value
            outcomes.append(value)
            progress(len(outcomes))
            if deadline is not None:
                deadline = time.monotonic() + limits.timeout
        del buffer[:start]


def _interrupted(outcomes: list[Any], total: int, message: str, progress: Callable[[int], None]) -> None:
    if len(outcomes) < total:  # else it was `finish` that did not return: no job to blame
        outcomes.append(Interrupted(message))
        progress(len(outcomes))


def _written(errors: Any) -> str:
    errors.seek(0)
    return str(errors.read(1 << 16).decode("utf-8", "replace"))


def _pass_on(errors: Any) -> None:
    """What a child that ended well wrote to stderr, to ours, as if it had run here."""
    text = _written(errors)
    if text:
        os.write(2, text.encode("utf-8"))


def _how_it_ended(status: int, limits: _Limits, written: str = "") -> str:
    """Why a child died, in words: the likely cause, then the signal or status."""
    cap = f"the {limits.memory_text()} memory limit" if limits.memory > 0 else "the memory available"
    if "memory allocation of" in written or "MemoryError" in written:
        return f"the engine ran out of memory, over {cap}"
    if "has overflowed its stack" in written:
        return "the engine overflowed its stack: runaway recursion, or input nested too deep"
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        if number in (signal.SIGSEGV, getattr(signal, "SIGBUS", signal.SIGSEGV)):
            return (f"the engine crashed (signal {name}), most likely a stack overflow: runaway "
                    "recursion, or input nested too deep")
        if number == signal.SIGABRT:
            return f"the engine aborted (signal {name}): most likely out of memory, over {cap}"
        if number == signal.SIGKILL:
            return f"the engine was killed (signal {name}): most likely out of memory"
        return f"the engine crashed (signal {name})"
    code = os.WEXITSTATUS(status)
    if code == _OUT_OF_MEMORY:
        return f"the engine ran out of memory, over {cap}"
    return f"the engine's worker process failed (exit status {code})"
