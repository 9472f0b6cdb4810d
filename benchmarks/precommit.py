"""One changed file through the pre-commit hook path must lint in under 0.5 s wall.

Builds a git repository of N agent manifests (each delegating to the next, so cross-file
rules have work to do) plus unrelated YAML and JSON, then times, in the same run:

- `nhilint --version`: interpreter and start-up alone (the baseline);
- `nhilint lint FILE`: the changed file alone;
- `nhilint lint --project-context FILE`: the hook's entry, which also reads the rest of the
  project for cross-file rules (the goal applies to this one);
- with pre-commit installed, `pre-commit run nhilint --files FILE` on a local hook with the
  same entry, next to a no-op hook, to show what pre-commit itself adds;
- with `--installed`, the real hook instead: pre-commit installs this repository (a snapshot
  of the working tree, as tests/ci/test_pre_commit.py does) into its own environment once,
  untimed, and the hook's own `nhilint` (a regular install, not this editable one) and
  `pre-commit run` are timed.

    python benchmarks/precommit.py [--manifests 200] [--runs 7] [--installed]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NHILINT = str(Path(sys.executable).with_name("nhilint"))
GOAL_SECONDS = 0.5

MANIFEST = """\
apiVersion: nhilint/v1
kind: AgentManifest
metadata:
  name: agent-{n}
  owner: team-{team}@example.com
  purpose: Benchmark agent {n}
  expires: 2027-06-30
identity:
  type: spiffe
  id: spiffe://example.com/agents/agent-{n}
credentials:
  - name: token-{n}
    type: oauth-token
    issuance: jit
    ttl: 15m
    source: vault://kv/agents/{n}
    scopes: [docs:read]
tools:
  - name: docs
    actions: [read]
    resources: ["docs/{team}/*"]
    risk: low
delegation:
  allowed: true
  max_depth: 1
  attenuation: subset
  delegates: [agent-{next}]
audit:
  sink: immutable
  binds: [initiator, workload, action]
revocation:
  on_task_complete: true
"""


def build(root: Path, manifests: int) -> Path:
    (root / "agents").mkdir()
    (root / "ci").mkdir()
    for n in range(manifests):
        text = MANIFEST.format(n=n, team=n % 7, next=(n + 1) % manifests)
        (root / "agents" / f"agent-{n:04d}.yaml").write_text(text, encoding="utf-8")
    for n in range(manifests // 2):  # the YAML and JSON a repository has besides manifests
        (root / "ci" / f"job-{n}.yml").write_text(f"name: job {n}\non: [push]\nsteps: [{{run: make}}]\n")
        (root / "ci" / f"data-{n}.json").write_text(f'{{"id": {n}, "tags": ["a", "b"]}}\n')
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "."], cwd=root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "bench"], cwd=root, check=True)
    changed = root / "agents" / f"agent-{manifests // 2:04d}.yaml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("ttl: 15m", "ttl: 10m"), encoding="utf-8")
    return changed.relative_to(root)


def measure(command: list[str], cwd: Path, runs: int, env: dict[str, str]) -> tuple[float, float, float]:
    """Median and best wall time, and median CPU time (user + system), of `runs` runs after
    one warm-up run. CPU time shows the work itself when other jobs share the machine."""
    walls, cpus = [], []
    for attempt in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if done.returncode not in (0, 1):
            sys.exit(f"{' '.join(command)} failed with exit {done.returncode}:\n{done.stdout}{done.stderr}")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if attempt:
            walls.append(elapsed)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), min(walls), statistics.median(cpus)


def install_real_hook(root: Path, work: Path, env: dict[str, str], changed: str) -> list[tuple[str, list[str]]]:
    """Configure the published hook from a snapshot of this repository and let pre-commit
    install it (untimed); returns the row timing the installed environment's own nhilint."""
    sys.path.insert(0, str(REPO))
    from tests.ci.test_pre_commit import snapshot_of_this_repository

    hooks = work / "hooks"
    hooks.mkdir()
    revision = snapshot_of_this_repository(hooks)
    config = f"repos:\n  - repo: {hooks}\n    rev: {revision}\n    hooks:\n      - id: nhilint\n"
    (root / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    env["PRE_COMMIT_HOME"] = str(work / "pre-commit-home")
    print("installing the hook's environment (pip, untimed) ...", flush=True)
    subprocess.run([sys.executable, "-m", "pre_commit", "install-hooks"], cwd=root, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    installed = next(Path(env["PRE_COMMIT_HOME"]).glob("repo*/py_env-*/bin/nhilint"))
    return [("installed hook: lint --project-context FILE",
             [str(installed), "lint", "--project-context", changed])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifests", type=int, default=200)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--installed", action="store_true",
                        help="time the real hook, installed by pre-commit from this repository")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / "repo"
        root.mkdir()
        changed = str(build(root, args.manifests))
        # As an installed hook runs: with compiled bytecode (pip writes it at install time),
        # even where the environment says PYTHONDONTWRITEBYTECODE; kept out of the tree.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(work) / "pycache")
        entry = [NHILINT, "lint", "--project-context", changed]
        rows = [
            ("nhilint --version (baseline)", [NHILINT, "--version"]),
            ("nhilint lint FILE", [NHILINT, "lint", changed]),
            ("hook entry: lint --project-context FILE", entry),
        ]
        run_hook = [sys.executable, "-m", "pre_commit", "run", "nhilint", "--files", changed]
        if args.installed:
            rows += install_real_hook(root, Path(work), env, changed)
            rows.append(("pre-commit run nhilint --files FILE", run_hook))
        elif importlib.util.find_spec("pre_commit") is not None:
            # A no-op hook beside it shows what pre-commit itself costs.
            config = ("repos:\n  - repo: local\n    hooks:\n      - id: nhilint\n        name: nhilint\n"
                      f"        entry: {NHILINT} lint --project-context\n        language: system\n"
                      "        files: \\.(ya?ml|json|cedar|rego)$\n        require_serial: true\n"
                      "      - id: noop\n        name: no-op\n        entry: 'true'\n"
                      "        language: system\n")
            (root / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
            rows.append(("pre-commit run noop --files FILE (pre-commit alone)",
                         [*run_hook[:4], "noop", *run_hook[5:]]))
            rows.append(("pre-commit run nhilint --files FILE (local hook)", run_hook))
        print(f"{args.manifests} manifests and {args.manifests} other YAML/JSON files; "
              f"{args.runs} runs each; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(f"  {'':50s} {'wall median':>12s} {'wall best':>10s} {'CPU median':>11s}")
        results = {}
        for label, command in rows:
            median, best, cpu = measure(command, root, args.runs, env)
            results[label] = (median, best)
            print(f"  {label:50s} {median * 1000:9.1f} ms {best * 1000:7.1f} ms {cpu * 1000:8.1f} ms")
        baseline = results["nhilint --version (baseline)"][0]
        judged = next(label for label in ("installed hook: lint --project-context FILE",
                                          "hook entry: lint --project-context FILE") if label in results)
        hook, hook_best = results[judged]
        print(f"{judged.split(':')[0]} / baseline: {hook / baseline:.2f}x; "
              f"goal < {GOAL_SECONDS * 1000:.0f} ms wall: "
              f"median {'met' if hook < GOAL_SECONDS else 'NOT met'}, best "
              f"{'met' if hook_best < GOAL_SECONDS else 'NOT met'}")


if __name__ == "__main__":
    main()
