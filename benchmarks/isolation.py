"""What engine isolation costs (issue 13): `nhilint test` over 10,000 Cedar scenarios
(benchmarks/scenarios.py's suite) and over the gatekeeper-library's Rego tests in the shared
corpus, with the engine calls in a forked, limited worker (as shipped) and in the process
(`nhilint.engines.isolation.CAN_FORK = False`, as on a platform without fork). CPU time is
the process's and its reaped children's, so the worker's work counts. Goal: <= 1.10x.

    python benchmarks/isolation.py [--repeat 5] [--scenarios 10000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import scenarios  # noqa: E402  (the 10,000-scenario suite)

from nhilint.api import run_tests  # noqa: E402
from nhilint.engines import isolation  # noqa: E402

GATEKEEPER = REPO.parent / "shared" / "corpus" / "realworld" / "open-policy-agent+gatekeeper-library"
GOAL = 1.10


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _run(path: Path, forked: bool) -> str:
    isolation.CAN_FORK = forked
    try:
        run, plan = run_tests([str(path)], timeout=0)
    finally:
        isolation.CAN_FORK = True
    assert not plan.usage_errors(), plan.usage_errors()
    return run.summary_line()


def compare(name: str, path: Path, repeat: int) -> float:
    """Best CPU seconds of each mode, run in turns; prints them and returns the ratio."""
    best = {True: float("inf"), False: float("inf")}
    summaries: dict[bool, str] = {}
    for _ in range(repeat):
        for forked in (True, False):
            start = _cpu()
            summaries[forked] = _run(path, forked)
            best[forked] = min(best[forked], _cpu() - start)
    assert summaries[True] == summaries[False], summaries  # the same results either way
    ratio = best[True] / best[False]
    print(f"{name:28} in-process {best[False]:7.3f} s  isolated {best[True]:7.3f} s  {ratio:5.2f}x  "
          f"({summaries[True]})", flush=True)
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scenarios", type=int, default=10_000)
    args = parser.parse_args()
    started = time.perf_counter()
    ratios = []
    with tempfile.TemporaryDirectory() as work:
        scenarios.write_suite(Path(work), 200, args.scenarios)
        ratios.append(compare(f"{args.scenarios} Cedar scenarios", Path(work), args.repeat))
    if GATEKEEPER.is_dir():
        ratios.append(compare("gatekeeper-library tests", GATEKEEPER, args.repeat))
    else:
        print(f"gatekeeper-library tests: skipped ({GATEKEEPER} is absent)")
    worst = max(ratios)
    print(f"worst {worst:.2f}x (goal <= {GOAL:.2f}x) in {time.perf_counter() - started:.0f} s")
    return 0 if worst <= GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
