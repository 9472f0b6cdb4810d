"""Kubernetes at repository scale: 500 files of three documents each (a ServiceAccount, a
Role, a RoleBinding; 1,500 documents) must lint in under 1 s. Prints the in-process lint
time (best of several runs) and the whole `nhilint lint` command; when Checkov is
installed, runs `checkov --framework kubernetes` on the same files and prints the ratio.

    python benchmarks/formats.py [--profile]
"""

from __future__ import annotations

import cProfile
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nhilint.api import lint_paths  # noqa: E402

FILES = 500
RUNS = 5
GOAL_SECONDS = 1.0

TEMPLATE = """apiVersion: v1
kind: ServiceAccount
metadata:
  name: agent-{n}
  namespace: team-{team}
  labels:
    app.kubernetes.io/name: agent-{n}
    app.kubernetes.io/part-of: agents
automountServiceAccountToken: {automount}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: agent-{n}
  namespace: team-{team}
rules:
  - apiGroups: [""]
    resources: ["configmaps", "secrets"]
    resourceNames: ["agent-{n}-settings"]
    verbs: ["get", "watch"]
  - apiGroups: ["batch"]
    resources: ["jobs", "cronjobs"]
    verbs: [{verbs}]
  - apiGroups: ["apps"]
    resources: ["deployments/scale"]
    verbs: ["get", "patch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: agent-{n}
  namespace: team-{team}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: agent-{n}
subjects:
  - kind: ServiceAccount
    name: agent-{n}
    namespace: team-{team}
"""


def write_corpus(root: Path) -> None:
    (root / ".nhilint.yaml").write_text("# benchmark project\n")
    for n in range(FILES):
        # one file in ten has a finding or two, as a real repository would
        bad = n % 10 == 0
        text = TEMPLATE.format(n=n, team=n % 17, automount="true" if bad else "false",
                               verbs='"*"' if bad else '"create", "get", "list"')
        folder = root / f"team-{n % 17}"
        folder.mkdir(exist_ok=True)
        (folder / f"agent-{n}.yaml").write_text(text)


def best_of(function, runs: int = RUNS) -> tuple[float, float]:
    """The best wall time and the best CPU time of `runs` calls (the machine may be shared)."""
    wall = cpu = float("inf")
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu


def command_time(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        write_corpus(root)
        findings = len(lint_paths([str(root)]).findings)
        if "--profile" in sys.argv:
            cProfile.runctx("lint_paths([str(root)])", globals(), {"root": root}, "/tmp/formats.prof")
            pstats.Stats("/tmp/formats.prof").sort_stats("cumulative").print_stats(25)
        in_process, cpu = best_of(lambda: lint_paths([str(root)]))
        command = min(command_time([sys.executable, "-m", "nhilint", "lint", str(root)]) for _ in range(3))
        print(f"{FILES} Kubernetes files, {FILES * 3} documents, {findings} findings")
        print(f"lint (in process, best of {RUNS})  {in_process * 1000:7.1f} ms"
              f"  (CPU {cpu * 1000:.1f} ms)  goal < {GOAL_SECONDS * 1000:.0f} ms: "
              f"{'met' if in_process < GOAL_SECONDS else 'NOT met'}")
        print(f"nhilint lint (whole command)   {command * 1000:7.1f} ms")
        checkov = shutil.which("checkov")
        if checkov is None:
            print("checkov is not installed: no comparison (pip install checkov to compare)")
            return
        theirs = command_time([checkov, "-d", str(root), "--framework", "kubernetes", "--quiet", "--compact",
                               "--skip-download"])
        print(f"checkov --framework kubernetes {theirs * 1000:7.1f} ms"
              f"  ratio checkov / nhilint {theirs / command:.1f}x")


if __name__ == "__main__":
    main()
