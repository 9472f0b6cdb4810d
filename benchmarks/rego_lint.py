"""Rego linting speed: 500 generated policy files (about 80 lines each, v1 and v0, every
construct the grammar knows) must lint in under 3 s. Prints the wall and CPU time of the
whole `nhilint lint` run, of a run over one file (start-up, lark and the grammar build:
the baseline, measured in the same run), the time a file beyond the first, and the load
of the machine while measuring.

    python benchmarks/rego_lint.py
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FILES = 500
BUDGET_SECONDS = 3.0

V1_POLICY = '''package agents.tools.team{n}

import rego.v1

# METADATA
# description: which tools agent {n} may call
default allow := false

default decision := {{"allowed": false, "reasons": []}}

registered if input.agent.id in {{a.id | some a in data.registry.agents}}

allow if {{
    registered
    some grant in data.grants[input.agent.id]
    grant.tool == input.tool.name
    input.action in grant.actions
    not expired(input.token)
    every scope in input.token.scopes {{
        startswith(scope, "team{n}:")
    }}
}}

allow if {{
    input.tool.name == "read_ticket"
    glob.match("tickets/team{n}/*", ["/"], input.resource)
}} else := false

expired(token) if token.expires_at_ns < input.now_ns

denials contains msg if {{
    not registered
    msg := sprintf("agent %s is not registered", [input.agent.id])
}}

denials contains msg if {{
    some i, call in input.history
    call.tool == input.tool.name
    i > 10
    msg := $"too many calls to {{call.tool}} ({{i}})"
}}

decision := {{"allowed": allow, "reasons": denials}}

risk_score := sum([w | some r in input.risks; w := data.weights[r] * 2 + 1]) / count(input.risks) if {{
    count(input.risks) > 0
}}

tool_owners[tool] := owner if {{
    some owner, tools in data.owners
    some tool in tools
}}

test_allow_read if {{
    allow with input as {{"agent": {{"id": "a"}}, "tool": {{"name": "read_ticket"}}, "resource": "tickets/team{n}/1"}}
        with data.registry.agents as [{{"id": "a"}}]
}}
'''

V0_POLICY = '''package k8s.admission{n}

deny[msg] {{
    input.request.kind.kind == "Pod"
    container := input.request.object.spec.containers[_]
    not startswith(container.image, "registry.example.com/")
    msg := sprintf("image %v comes from an untrusted registry", [container.image])
}}

deny[msg] {{
    input.request.kind.kind == "Pod"
    container := input.request.object.spec.containers[i]
    container.securityContext.privileged
    msg := sprintf("container %v at %d is privileged", [container.name, i])
}}

limits(c) = l {{
    l := {{k: v | v := c.resources.limits[k]; v != ""}}
}}

warn[msg] {{
    some i
    c := input.request.object.spec.containers[i]
    count(limits(c)) == 0
    msg := concat(" ", ["container", c.name, "has no limits"])
}}

labels_ok {{
    required := {{"team", "owner"}}
    provided := {{label | input.request.object.metadata.labels[label]}}
    missing := required - provided
    count(missing) == 0
}}

default allow = false

allow {{
    count(deny) == 0
    labels_ok
}}
'''


def generate(root: Path) -> None:
    for n in range(FILES):
        template = V1_POLICY if n % 2 == 0 else V0_POLICY
        (root / f"policy_{n:03d}.rego").write_text(template.format(n=n))


def timed(args: list[str]) -> tuple[float, float, str]:
    """Wall time and CPU time (user + system) of one `nhilint lint` run, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "nhilint", "lint", "--format", "json", *args],
                         capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, run.stdout


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / "policies"
        root.mkdir()
        (Path(work) / ".nhilint.yaml").write_text("{}\n")
        generate(root)
        one_wall, one_cpu, _ = timed([str(root / "policy_000.rego")])
        wall, cpu, output = timed([str(root)])
        parse_errors = output.count('"NHI705"')
        per_file_ms = (wall - one_wall) / (FILES - 1) * 1000
        load = os.getloadavg()[0]
        print(f"one Rego file: {one_wall:.2f} s wall, {one_cpu:.2f} s CPU (start-up and grammar build)")
        print(f"{FILES} Rego files: {wall:.2f} s wall, {cpu:.2f} s CPU ({per_file_ms:.1f} ms a file "
              f"beyond the first; budget {BUDGET_SECONDS:.0f} s); NHI705 findings: {parse_errors}")
        print(f"load average while measuring: {load:.1f} on {os.cpu_count()} CPUs (wall times "
              "stretch when other work shares the machine; CPU time does not much)")
        if wall > BUDGET_SECONDS or parse_errors:
            sys.exit(1)


if __name__ == "__main__":
    main()
