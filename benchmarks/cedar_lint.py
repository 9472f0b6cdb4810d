"""A Cedar policy set of 1,000 policies (agent permits with bounded and unbounded
conditions, forbids, templates, extension calls), with its schema beside it, must lint in
under 2 s. Prints the whole `nhilint lint` run next to its parts measured in the same run:
cedarpy parsing and validating the set, nhilint's reader locating it, and the rules.

    python benchmarks/cedar_lint.py
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cedarpy

from nhilint.cedar import parser

POLICIES = 1000
SCHEMA = """
type AgentContext = { task_id: String, token_age_seconds: Long, tool?: String, ip: ipaddr };
entity Agent in [Team];
entity Team;
entity Folder;
entity Doc in [Folder] { owner: Agent, path: String, task_id: String, risk: Long };
action read, write, delete appliesTo { principal: [Agent], resource: [Doc], context: AgentContext };
"""
SHAPES = (
    '@id("agent-{n}-read")\npermit (\n  principal == Agent::"agent-{n}",\n  action == Action::"read",\n'
    '  resource in Folder::"f{n}"\n)\nwhen {{ context.token_age_seconds < 300 && context.task_id == resource.task_id }};\n',
    'permit (principal in Team::"t{n}", action in [Action::"read", Action::"write"], resource is Doc)\n'
    'when {{ resource.owner == principal && resource.path like "team-{n}/*" }};\n',
    '@id("deny-risky-{n}")\nforbid (principal, action == Action::"delete", resource in Folder::"f{n}")\n'
    'when {{ context has tool && ["shell", "sql"].contains(context.tool) || resource.risk > 7 }};\n',
    'permit (principal == ?principal, action == Action::"read", resource in ?resource)\n'
    'when {{ context.ip.isInRange(ip("10.{m}.0.0/16")) }};\n',
    'permit (principal == Agent::"bot-{n}", action == Action::"write", resource);\n',
)


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    text = "".join(SHAPES[n % len(SHAPES)].format(n=n, m=n % 250) for n in range(POLICIES))
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        (folder / "agents.cedar").write_text(text, encoding="utf-8")
        (folder / "agents.cedarschema").write_text(SCHEMA, encoding="utf-8")
        cedar_parse = timed(lambda: cedarpy.PolicySet.from_str(text))
        validate = timed(lambda: cedarpy.validate_policies(text, SCHEMA))
        locate = timed(lambda: parser.parse("agents.cedar", text))
        process = subprocess.run([sys.executable, "-m", "nhilint", "lint", "--format", "json", str(folder)],
                                 capture_output=True, text=True)
        cpu_before = children_cpu()
        whole = timed(lambda: subprocess.run([sys.executable, "-m", "nhilint", "lint", str(folder)],
                                             stdout=subprocess.DEVNULL))
        cpu = children_cpu() - cpu_before
        startup = timed(lambda: subprocess.run([sys.executable, "-m", "nhilint", "--version"],
                                               stdout=subprocess.DEVNULL))
    findings = process.stdout.count('"rule": "NHI')
    print(f"{POLICIES} policies, {len(text.splitlines())} lines, {findings} findings")
    print(f"cedarpy parse           {cedar_parse * 1000:7.1f} ms")
    print(f"cedarpy validate        {validate * 1000:7.1f} ms")
    print(f"nhilint reader (spans)  {locate * 1000:7.1f} ms")
    print(f"process start-up        {startup * 1000:7.1f} ms (nhilint --version)")
    print(f"nhilint lint, whole run {whole * 1000:7.1f} ms wall, {cpu * 1000:7.1f} ms CPU"
          f"  goal < 2000 ms: {'met' if whole < 2 else 'NOT met'}"
          " (CPU time is what the run costs when the machine is shared)")


if __name__ == "__main__":
    main()
