"""The long fuzzing campaign (issue 13): the strategies of tests/fuzz, for minutes or hours.

    python benchmarks/fuzz.py --minutes 60 --workers 2 --out fuzz-crashers
    python benchmarks/fuzz.py --minutes 120 --inputs 1000000 --out fuzz-million  # stops at a million

Each worker process draws cases of every reader (round robin) from tests/fuzz/strategies.py
and checks each in-process (tests/fuzz/harness.py: no escaped exception, located findings,
no secret in a message), with a 5 s alarm per input and the peak RSS watched (over 1 GB is
a crash). Every `--cli-every`-th case also runs `nhilint lint -f FORMAT` (a random format),
or `nhilint test` for scenario files, as a child process with a 5 s timeout and an
address-space limit (one in SPAWN_EVERY a new `python -m nhilint`, the others a fork of the
worker calling the same entry point, a hundred times cheaper); exit 3, a signal, a hang or an RSS over 1 GB is a crash. A worker killed by a native
crash is restarted; the input it was reading is saved from its `current` file.

Crashes are deduplicated by signature (reader, kind, exception, the innermost nhilint
frame); the first inputs of each are written under --out, with what happened. At the end
the counts per reader and every signature are printed (and saved as summary.json).
With `--atheris` and atheris importable, a byte-level atheris mutator over the same seed
documents runs besides (libFuzzer's coverage guidance); hypothesis otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fuzz import harness, strategies  # noqa: E402  (the same strategies the suite uses)
from tests.fuzz.strategies import Case  # noqa: E402

HANG_SECONDS = 5.0
RSS_LIMIT = 1 << 30  # 1 GiB
CHILD_ADDRESS_SPACE = 4 << 30  # a safety net for CLI children; RSS over 1 GiB is the finding
CLI_ENV = {"PYTHONUTF8": "1", "NO_COLOR": "1", "COLUMNS": "200"}
KEEP_PER_SIGNATURE = 3
SPAWN_EVERY = 10  # of the CLI runs, one in ten starts a new interpreter; the rest fork the worker


class Hang(Exception):
    """An in-process input ran past HANG_SECONDS."""


def _alarm(signum: int, frame: Any) -> None:
    raise Hang(f"over {HANG_SECONDS:.0f} s")


def _innermost(tb_text: str) -> str:
    frames = [line.strip() for line in tb_text.splitlines() if line.strip().startswith('File "')]
    ours = [f for f in frames if "/nhilint/" in f] or frames
    return ours[-1] if ours else ""


def _generic(text: str) -> str:
    """`text` without what varies between inputs of one bug: temporary paths, the secrets."""
    text = re.sub(r"/tmp/nhilint-fuzz-[^/\s]+/", "", text)
    for secret in strategies.SECRETS:
        text = text.replace(secret, "<secret>")
    return re.sub(r"<secret>[^\s'\"`]*", "<secret>", text)


def _signature(reader: str, kind: str, detail: str) -> str:
    return hashlib.sha1(f"{reader}|{kind}|{detail}".encode()).hexdigest()[:12]


class Recorder:
    def __init__(self, out: Path, worker: int) -> None:
        self.out = out
        self.worker = worker
        self.counts: Counter[str] = Counter()
        self.cli_counts: Counter[str] = Counter()
        self.spawned: Counter[str] = Counter()  # of cli_counts, those run as `python -m nhilint`
        self.cli_runs = 0
        self.crashes: dict[str, dict[str, Any]] = {}

    def crash(self, case: Case, kind: str, detail: str, text: str) -> None:
        signature = _signature(case.reader, kind, detail)
        entry = self.crashes.setdefault(signature, {"reader": case.reader, "kind": kind, "detail": detail,
                                                    "count": 0, "last_line": text.strip().splitlines()[-1:]})
        entry["count"] += 1
        if entry["count"] <= KEEP_PER_SIGNATURE:
            folder = self.out / "crashers" / f"{signature}-{entry['count']}"
            harness.materialise(case, folder / "tree")
            (folder / "crash.txt").write_text(f"reader: {case.reader}\nkind: {kind}\ndetail: {detail}\n\n{text}\n",
                                              "utf-8", errors="replace")
            (folder / "secrets.json").write_text(json.dumps(case.secrets))

    def save(self, elapsed: float) -> None:
        (self.out / f"worker-{self.worker}.json").write_text(json.dumps(
            {"counts": self.counts, "cli_counts": self.cli_counts, "spawned": self.spawned, "crashes": self.crashes,
             "seconds": elapsed},
            indent=1))


def check_in_process(case: Case, recorder: Recorder) -> None:
    signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
    start = time.perf_counter()
    try:
        harness.check_in_process(case)
    except Hang:
        recorder.crash(case, "hang", "in-process", traceback.format_exc())
    except AssertionError as exc:
        recorder.crash(case, "property", _generic(str(exc).splitlines()[0])[:70], traceback.format_exc())
    except MemoryError:
        recorder.crash(case, "memory", "MemoryError", traceback.format_exc())
    except RecursionError:
        recorder.crash(case, "exception", "RecursionError " + _innermost(traceback.format_exc()),
                       traceback.format_exc())
    except Exception as exc:  # any escaped exception is the finding
        text = traceback.format_exc()
        recorder.crash(case, "exception", f"{type(exc).__name__} {_innermost(text)}", text)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if time.perf_counter() - start > HANG_SECONDS:
        recorder.crash(case, "hang", "in-process (native code)", f"{time.perf_counter() - start:.1f} s")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if rss > RSS_LIMIT:
        recorder.crash(case, "memory", "worker RSS over 1 GiB", f"peak RSS {rss >> 20} MiB")
        os._exit(75)  # the peak cannot go down: restart the worker


def _child_limits() -> None:  # runs in the CLI child
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_ADDRESS_SPACE, CHILD_ADDRESS_SPACE))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_cli(args: list[str], cwd: Path, spawn: bool) -> tuple[int | None, int, str, str, float]:
    """(exit code or -signal, None for a hang; peak RSS bytes; stdout; stderr; seconds).

    `spawn`: a new interpreter, `python -m nhilint`, as a user runs it (about 0.3 s of CPU,
    most of it the start). Otherwise a fork of this worker runs the same entry point,
    `nhilint.cli.main`, with its own stdout, stderr, limits and exit code, in a few ms."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        sys.stdout.flush()
        sys.stderr.flush()
        if spawn:
            child = subprocess.Popen([sys.executable, "-m", "nhilint", *args], cwd=cwd, stdout=out, stderr=err,
                                     env={**os.environ, **CLI_ENV}, preexec_fn=_child_limits)
            pid = child.pid
        else:
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child
                _forked_cli(args, cwd, out.fileno(), err.fileno())
        code: int | None = None
        rss = 0
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
                rss = usage.ru_maxrss * 1024
                break
            if time.perf_counter() - start > HANG_SECONDS:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                break
            time.sleep(0.002)
        if spawn:
            child.returncode = code if code is not None else -9
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return code, rss, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"), seconds


def _forked_cli(args: list[str], cwd: Path, out: int, err: int) -> None:  # pragma: no cover - the child
    code = 3
    try:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        _child_limits()
        os.environ.update(CLI_ENV)
        os.chdir(cwd)
        os.dup2(out, 1)
        os.dup2(err, 2)
        from nhilint.cli import main as cli_main

        try:
            cli_main.main(args, prog_name="nhilint")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # what would be a traceback from `python -m nhilint`
        traceback.print_exc()
        code = 3
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def check_cli(case: Case, recorder: Recorder, rng: random.Random) -> None:
    with harness.tree(case) as root:
        if case.reader == "scenario":
            fmt, args = "text", ["test", "t"]
        else:
            fmt = rng.choice(harness.FORMATS)
            args = ["lint", "--today", "2026-11-22", "-f", fmt, "."]
            if case.reader == "baseline":
                args[-1:] = ["--baseline", "baseline.json", "agents"]
        spawn = recorder.cli_runs % SPAWN_EVERY == 0
        recorder.cli_runs += 1
        code, rss, stdout, stderr, _seconds = run_cli(args, root, spawn)
    recorder.cli_counts[case.reader] += 1
    if spawn:
        recorder.spawned[case.reader] += 1
    label = " ".join(args[:1] + args[3:5])
    if code is None:
        recorder.crash(case, "cli-hang", label, f"killed after {HANG_SECONDS:.0f} s\n{stderr[-2000:]}")
    elif code < 0:
        recorder.crash(case, "cli-signal", f"{label} signal {-code}", stderr[-4000:])
    elif code not in (0, 1, 2):
        last = stderr.strip().splitlines()[-1:] or [""]
        recorder.crash(case, "cli-exit", f"{label} exit {code} {_generic(last[0])[:100]}", stderr[-4000:])
    elif rss > RSS_LIMIT:
        recorder.crash(case, "cli-memory", label, f"peak RSS {rss >> 20} MiB")
    else:
        try:
            if code != 2:
                harness.check_output_parses(fmt, stdout)
            shown = strategies.leaked(case.secrets, stdout + stderr)
            assert not shown, f"secret printed: {shown[0][:4]}..."
        except (AssertionError, ValueError) as exc:
            recorder.crash(case, "cli-property", f"{label} {_generic(str(exc))[:60]}", f"{exc}\n---\n{stdout[-3000:]}")


def generators() -> dict[str, Any]:
    gens: dict[str, Any] = {name: make() for name, make in strategies.READERS.items()}
    gens.update(config=strategies.config_case(), baseline=strategies.baseline_case(),
                scenario=strategies.scenario_case())
    return gens


def worker(args: argparse.Namespace) -> None:
    from hypothesis import HealthCheck, Phase, given, seed, settings

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGALRM, _alarm)
    out = Path(args.out)
    recorder = Recorder(out, args.worker)
    previous = out / f"worker-{args.worker}.json"
    if previous.exists():  # a restart after a native crash: keep counting
        data = json.loads(previous.read_text())
        recorder.counts.update(data["counts"])
        recorder.cli_counts.update(data["cli_counts"])
        recorder.spawned.update(data.get("spawned", {}))
        recorder.crashes = data["crashes"]
    gens = generators()
    names = sorted(gens)
    deadline = args.deadline
    rng = random.Random(args.seed * 1000 + args.worker)
    current = out / f"current-{args.worker}.json"
    start = time.time()
    state = {"n": 0}

    class Done(Exception):
        pass

    def body(reader: str, case: Case) -> None:
        if time.time() > deadline or (args.quota and sum(recorder.counts.values()) >= args.quota):
            raise Done
        state["n"] += 1
        current.write_text(json.dumps({"reader": case.reader, "secrets": case.secrets,
                                       "files": {k: v.decode("latin-1") for k, v in case.files.items()}}))
        recorder.counts[reader] += 1
        check_in_process(case, recorder)
        if args.cli_every and state["n"] % args.cli_every == 0:
            check_cli(case, recorder, rng)
        if state["n"] % 500 == 0:
            recorder.save(time.time() - start)

    def bound(reader: str) -> Any:
        def run(case: Case) -> None:
            body(reader, case)
        return run

    run_settings = settings(database=None, deadline=None, max_examples=args.batch, phases=[Phase.generate],
                            suppress_health_check=list(HealthCheck), print_blob=False)
    round_ = rng.randrange(len(names))
    while time.time() < deadline:
        reader = names[round_ % len(names)]  # one reader a hypothesis run, in turn
        test = seed(rng.getrandbits(64))(run_settings(given(case=gens[reader])(bound(reader))))
        try:
            test()
        except Done:
            break
        except Exception as exc:  # a failure in the harness itself: report, go on
            print(f"worker {args.worker}: {reader}: {type(exc).__name__}: {exc}"[:300], file=sys.stderr)
        round_ += 1
    recorder.save(time.time() - start)
    current.unlink(missing_ok=True)


def campaign(args: argparse.Namespace) -> int:
    out = Path(args.out)
    (out / "crashers").mkdir(parents=True, exist_ok=True)
    for stale in out.glob("worker-*.json"):
        stale.unlink()
    deadline = time.time() + args.minutes * 60
    procs: dict[int, subprocess.Popen[bytes]] = {}
    restarts: Counter[int] = Counter()

    def spawn(k: int) -> None:
        procs[k] = subprocess.Popen([sys.executable, __file__, "--worker", str(k), "--deadline", str(deadline),
                                     "--out", str(out), "--seed", str(args.seed + restarts[k] * 7919),
                                     "--cli-every", str(args.cli_every), "--batch", str(args.batch),
                                     "--quota", str(-(-args.inputs // args.workers) if args.inputs else 0)])

    for k in range(args.workers):
        spawn(k)
    while procs:
        time.sleep(1)
        for k, proc in list(procs.items()):
            code = proc.poll()
            if code is None:
                continue
            del procs[k]
            current = out / f"current-{k}.json"
            if code != 0 and current.exists():  # killed in the middle of an input
                data = json.loads(current.read_text())
                case = Case({n: v.encode("latin-1") for n, v in data["files"].items()}, data["reader"],
                            data["secrets"])
                rec = Recorder(out, 1000 + k * 100 + restarts[k])
                rec.crash(case, "worker-died", f"exit {code}", f"worker {k} exited {code} on this input")
                rec.save(0)
            if code != 0 and time.time() < deadline - 5:
                restarts[k] += 1
                spawn(k)
    return summarise(out, args.minutes)


def summarise(out: Path, minutes: float) -> int:
    counts: Counter[str] = Counter()
    cli: Counter[str] = Counter()
    spawned: Counter[str] = Counter()
    crashes: dict[str, dict[str, Any]] = {}
    for path in sorted(out.glob("worker-*.json")):
        data = json.loads(path.read_text())
        counts.update(data["counts"])
        cli.update(data["cli_counts"])
        spawned.update(data.get("spawned", {}))
        for sig, entry in data["crashes"].items():
            if sig in crashes:
                crashes[sig]["count"] += entry["count"]
            else:
                crashes[sig] = dict(entry)
    width = max((len(r) for r in counts), default=10)
    print(f"fuzz campaign: {minutes:g} min, {sum(counts.values())} inputs in-process, {sum(cli.values())} of them "
          f"also via the CLI ({sum(spawned.values())} as `python -m nhilint`, the rest in a fork of the worker)")
    print(f"{'reader':<{width}}  in-process        cli    spawned")
    for reader in sorted(counts):
        print(f"{reader:<{width}}  {counts[reader]:>10}  {cli[reader]:>9}  {spawned[reader]:>9}")
    print(f"\n{len(crashes)} crash signatures" + (":" if crashes else ""))
    for sig, entry in sorted(crashes.items(), key=lambda kv: (kv[1]["reader"], -kv[1]["count"])):
        print(f"  {sig}  {entry['reader']:<{width}} {entry['kind']:<12} x{entry['count']:<6} {entry['detail'][:150]}")
    (out / "summary.json").write_text(json.dumps({"counts": counts, "cli_counts": cli, "spawned": spawned,
                                                  "crashes": crashes}, indent=1))
    return 1 if crashes else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="how long to run (default 60)")
    parser.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 1))
    parser.add_argument("--out", default="fuzz-crashers", help="where crashers and the summary go")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cli-every", type=int, default=20,
                        help="run every Nth case through the CLI as well (0: never)")
    parser.add_argument("--inputs", type=int, default=0,
                        help="stop once this many inputs are read in-process, shared by the workers "
                             "(default: run for --minutes)")
    parser.add_argument("--batch", type=int, default=200, help="examples per hypothesis run (one reader each)")
    parser.add_argument("--atheris", action="store_true", help="use atheris (byte-level, coverage-guided) too")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--deadline", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--quota", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--summary", action="store_true", help="only print the summary of --out")
    args = parser.parse_args(argv)
    if args.summary:
        return summarise(Path(args.out), 0)
    if args.worker is not None:
        if args.atheris and args.worker == 0 and _atheris_available():
            atheris_worker(args)
        else:
            worker(args)
        return 0
    return campaign(args)


def _atheris_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("atheris") is not None


def atheris_worker(args: argparse.Namespace) -> None:  # pragma: no cover - needs atheris
    """libFuzzer over the seed documents: atheris picks a reader and mutates its bytes."""
    import atheris  # type: ignore[import-not-found, unused-ignore]

    seeds = [(name, strategies.encode(serialise(seed))) for name, (_, seed, serialise) in
             strategies.STRUCTURED.items()]
    seeds += [(name, strategies.encode(text)) for name, (_, text) in strategies.TEXT_FORMATS.items()]
    names = {**{n: f for n, (f, _, _) in strategies.STRUCTURED.items()},
             **{n: f for n, (f, _) in strategies.TEXT_FORMATS.items()}}
    recorder = Recorder(Path(args.out), args.worker)
    signal.signal(signal.SIGALRM, _alarm)

    def one(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        reader, seed = seeds[fdp.ConsumeIntInRange(0, len(seeds) - 1)]
        body = fdp.ConsumeBytes(fdp.remaining_bytes()) or seed
        recorder.counts["atheris:" + reader] += 1
        check_in_process(Case({names[reader]: body}, reader), recorder)
        if time.time() > args.deadline:
            recorder.save(0)
            raise SystemExit(0)

    atheris.Setup([sys.argv[0], "-rss_limit_mb=1024", f"-timeout={HANG_SECONDS:.0f}"], one)
    atheris.Fuzz()


if __name__ == "__main__":
    sys.exit(main())
