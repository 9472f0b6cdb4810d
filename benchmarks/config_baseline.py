"""Cost of configuration and baselines on a generated estate.

Lints 40 projects of 25 manifests each (1,000 files) three ways, in the same process and run:
with no configuration file, with a `.nhilint.yaml` per project that extends a ruleset file
and tunes a rule without changing any finding (so the rules do the same work: the difference
is the cost of discovery, parsing, validation and resolution), and again with a baseline
accepting every finding.
Goals: configuration under 1.15x and a baseline under 1.25x the unconfigured time. On a
shared machine the end-to-end ratios move with other load; the time spent resolving the 40
configurations alone is printed too.

    python benchmarks/config_baseline.py [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

from nhilint import baseline
from nhilint.api import lint_paths
from nhilint.config import Configuration

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = (REPO / "examples" / "insecure" / "agents" / "support-agent.yaml").read_text(encoding="utf-8")
TODAY = dt.date(2026, 11, 22)


def estate(root: Path, configured: bool) -> None:
    (root / "org.yaml").write_text("extends: [recommended]\nrules:\n  NHI501: warning\n  NHI4: on\n")
    for project in range(40):
        folder = root / f"team-{project:02d}"
        folder.mkdir(parents=True)
        if configured:
            (folder / ".nhilint.yaml").write_text("extends: [../org.yaml]\nrules:\n  NHI202: {max_ttl: 45m}\n")
        else:
            (folder / ".git").mkdir()  # the same project boundaries, without a configuration
        for agent in range(25):
            (folder / f"agent-{agent:02d}.yaml").write_text(
                TEMPLATE.replace("support-agent", f"agent-{project}-{agent}"), encoding="utf-8")


def once(folder: str, **options) -> tuple[float, object]:
    os.chdir(folder)
    start = time.perf_counter()
    result = lint_paths(["."], Configuration(), today=TODAY, **options)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as plain_dir, tempfile.TemporaryDirectory() as configured_dir:
        estate(Path(plain_dir), configured=False)
        estate(Path(configured_dir), configured=True)
        _, result = once(configured_dir)  # warm-up: imports, caches
        Path(configured_dir, "base.json").write_text(baseline.render(result.findings), encoding="utf-8")
        once(plain_dir)
        # interleaved, so load from other processes on the machine falls on all three alike
        times: dict[str, list[float]] = {"plain": [], "configured": [], "baseline": []}
        for _ in range(args.runs):
            times["plain"].append(once(plain_dir)[0])
            times["configured"].append(once(configured_dir)[0])
            elapsed, kept = once(configured_dir, baseline="base.json")
            times["baseline"].append(elapsed)
        os.chdir(configured_dir)
        resolving = []
        for _ in range(args.runs):  # configuration alone: discovery, parsing, validation, extends
            start, configuration = time.perf_counter(), Configuration()
            for folder in sorted(Path(configured_dir).glob("team-*")):
                configuration.for_directory(folder)
            resolving.append(time.perf_counter() - start)
        os.chdir(here)
    plain, configured, with_baseline = (statistics.median(times[k]) for k in ("plain", "configured", "baseline"))
    new = sum(1 for f in kept.findings if f.suppressed is None)
    print(f"no configuration       {plain * 1000:8.0f} ms (baseline)")
    print(f"40 x .nhilint.yaml     {configured * 1000:8.0f} ms  ratio {configured / plain:.2f}x  "
          f"goal < 1.15x: {'met' if configured / plain < 1.15 else 'NOT met'}")
    print(f"  of which resolving   {statistics.median(resolving) * 1000:8.0f} ms for the 40 configurations")
    print(f"  + --baseline         {with_baseline * 1000:8.0f} ms  ratio {with_baseline / plain:.2f}x  "
          f"goal < 1.25x: {'met' if with_baseline / plain < 1.25 else 'NOT met'}  "
          f"({len(result.findings)} findings, {new} new)")


if __name__ == "__main__":
    main()
