"""benchmarks/complexity.py runs: every family generates its input, lints or tests it, and
prints its line. Timing is not asserted (a tiny, noisy run says nothing about complexity):
the status must be OK or SUPERLINEAR, never NOT EXERCISED, which does not depend on time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_complexity_benchmark_runs_every_family() -> None:
    script = str(REPO / "benchmarks" / "complexity.py")
    names = subprocess.run([sys.executable, script, "--list"], capture_output=True, text=True, check=True)
    families = [line.split()[0] for line in names.stdout.splitlines()]
    run = subprocess.run([sys.executable, script, "--fraction", "0.02", "--scale", "2", "--runs", "1"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode in (0, 1), run.stderr
    rows = {line.split()[0]: line for line in run.stdout.splitlines()[2:] if line.split()[0] in families}
    assert sorted(rows) == sorted(families), run.stdout
    for line in rows.values():
        assert line.endswith(("OK", "SUPERLINEAR")), line
        assert line.split()[-2].endswith("x"), line  # the ratio column
