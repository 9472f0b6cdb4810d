"""Complexity: every reader, rule family and adversarial shape at 1x and 10x input.

For each family an input of size N is generated in a temp dir (N chosen so the 1x run takes
roughly 0.1-0.5 s), then one of size 10N; each is run in-process through the public API
(`nhilint.api.lint_paths` on the directory, `nhilint.api.run_tests` for scenario files),
best of 3, and the ratio of the two times is printed: linear work gives about 10x, so a
ratio above 15x (linear, with noise) is SUPERLINEAR. The 1x run is the baseline, measured
in the same run. A family whose input did not produce the findings (or passing tests) it
is built to produce is NOT EXERCISED: the number would mean nothing. Exit code 1 if any
family is SUPERLINEAR or NOT EXERCISED, so it can gate.

    python benchmarks/complexity.py [--scale 10] [--only FAMILY ...] [--runs 3] [--fraction 1.0]

`--fraction` multiplies every N (the smoke test runs `--fraction 0.02 --scale 2 --runs 1`);
`--list` prints the families and what their N counts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.cedar_lint import SCHEMA as CEDAR_SCHEMA  # noqa: E402  (the same policies and templates
from benchmarks.cedar_lint import SHAPES as CEDAR_SHAPES  # noqa: E402   the other benchmarks and tests use)
from benchmarks.formats import TEMPLATE as K8S  # noqa: E402
from nhilint.api import baseline_text, lint_paths, run_tests  # noqa: E402
from tests.robustness.test_slow_paths import _agent as _delegator  # noqa: E402

TODAY = dt.date(2026, 11, 22)
LIMIT = 15.0  # the highest ratio at --scale 10 still called linear
PATIENCE = 30.0  # seconds of repeats per input before best-of stops early
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZ2VudC03In0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
Work = Callable[[], "Outcome"]


@dataclass(frozen=True)
class Outcome:
    """What one run produced: its rule ids (lint) or its passed count (test)."""

    rules: tuple[str, ...] = ()
    passed: int = 0


@dataclass(frozen=True)
class Family:
    name: str
    unit: str  # what N counts
    base: int  # N at 1x
    write: Callable[[Path, int], Work]  # writes the input of size N, returns the timed work
    expect: str  # a rule id prefix the findings must include ("" for `nhilint test` families)


def _files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _lint(root: Path, baseline: str | None = None) -> Work:
    def work() -> Outcome:
        result = lint_paths([str(root)], today=TODAY, baseline=baseline)
        return Outcome(rules=tuple(f.rule for f in result.findings))
    return work


def _test(root: Path) -> Work:
    def work() -> Outcome:
        run, plan = run_tests([str(root)])
        errors = plan.usage_errors()
        if errors:
            raise RuntimeError(f"nhilint test: {errors[0]}")
        return Outcome(passed=sum(1 for r in run.results if r.status.lower() == "pass"))
    return work


def _project(root: Path, files: dict[str, str], config: str = "{}\n") -> Work:
    """A project (its own .nhilint.yaml, so no configuration above the temp dir applies)."""
    _files(root, {".nhilint.yaml": config, **files})
    return _lint(root)


# --- agent manifests ----------------------------------------------------------------------

def _manifest(i: int, extra: str = "", credentials: str | None = None, head: str = "") -> str:
    default_credentials = (f"  - name: token-{i}\n    type: oauth-token\n    issuance: jit\n    ttl: 15m\n"
                           f"    source: vault://kv/agents/agent-{i}\n    scopes: [tickets:read]\n")
    return (f"{head}apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n  name: agent-{i}\n"
            f"  owner: team-{i % 17}@example.com\n  purpose: Answer tickets of queue {i}\n"
            f"  expires: 2027-06-30\nidentity:\n  type: spiffe\n  id: spiffe://prod.example.com/agents/agent-{i}\n"
            f"credentials:\n{default_credentials if credentials is None else credentials}"
            f"tools:\n  - name: helpdesk\n    actions: [read, comment]\n    resources: [\"tickets/{i}/*\"]\n"
            f"    risk: low\naudit:\n  sink: immutable\n  binds: [initiator, workload, action]\n"
            f"revocation:\n  on_task_complete: true\n  max_session: 1h\n{extra}")


def _insecure(i: int) -> str:
    """A manifest with findings of several categories, as in examples/insecure/."""
    return (f"apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n  name: agent-{i}\n"
            f"identity:\n  type: api-key\ncredentials:\n  - name: key-{i}\n    type: api-key\n"
            f"    issuance: standing\n    source: vault://kv/agents/{i}\n    scopes: [\"tickets:*\"]\n"
            f"tools:\n  - name: helpdesk\n    actions: [read, comment, close]\n    resources: [\"*\"]\n"
            "    risk: high\n")


def manifest_yaml_files(root: Path, n: int) -> Work:
    return _project(root, {f"team-{i % 20:02d}/agent-{i}.yaml": _insecure(i) for i in range(n)})


def manifest_yaml_documents(root: Path, n: int) -> Work:
    return _project(root, {"agents.yaml": "---\n".join(_insecure(i) for i in range(n))})


def manifest_json(root: Path, n: int) -> Work:
    """One JSON manifest with N credentials and N tools."""
    document = {
        "apiVersion": "nhilint/v1", "kind": "AgentManifest",
        "metadata": {"name": "big-agent"},
        "identity": {"type": "api-key"},
        "credentials": [{"name": f"key-{i}", "type": "api-key", "issuance": "standing",
                         "source": f"vault://kv/big/{i}", "scopes": [f"s{i}:*"]} for i in range(n)],
        "tools": [{"name": f"tool-{i}", "actions": ["read", "write"], "resources": [f"r/{i}/*"],
                   "risk": "high" if i % 3 == 0 else "low"} for i in range(n)],
    }
    return _project(root, {"agent.json": json.dumps(document, indent=2)})


# --- platform formats ---------------------------------------------------------------------

def mcp_json(root: Path, n: int) -> Work:
    servers = {}
    for i in range(n):
        if i % 3 == 0:
            servers[f"gh-{i}"] = {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"],
                                  "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": f"ghp_R8x2Lk9QwT4vN7bZ1mC5pY3sD6fH{i:010d}"}}
        elif i % 3 == 1:
            servers[f"files-{i}"] = {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem@2025.7.1",
                                                                "/"], "alwaysAllow": ["read_file", "write_file"]}
        else:
            servers[f"remote-{i}"] = {"type": "http", "url": f"https://mcp{i}.example.net/mcp",
                                      "headers": {"Authorization": "Bearer ${MCP_TOKEN}"}}
    return _project(root, {".mcp.json": json.dumps({"mcpServers": servers}, indent=2)})


def codex_toml(root: Path, n: int) -> Work:
    parts = ['model = "gpt-5-codex"\napproval_policy = "never"\nsandbox_mode = "danger-full-access"\n']
    for i in range(n):
        parts.append(f'\n[mcp_servers.stripe{i}]\ncommand = "npx"\nargs = ["-y", "@stripe/mcp", "--tools=all"]\n'
                     f'env = {{ STRIPE_SECRET_KEY = "sk_live_51Hx8QkL2mN7vR4t{i:08d}" }}\n'
                     f'\n[mcp_servers.crm{i}]\nurl = "https://crm{i}.example.net/mcp"\n'
                     f'http_headers = {{ "Authorization" = "Bearer crm_8Vt3Qx7Lm2Kp{i:010d}" }}\n')
    return _project(root, {".codex/config.toml": "".join(parts)})


def kubernetes(root: Path, n: int) -> Work:
    """One file of N ServiceAccount + Role + RoleBinding triples."""
    text = "---\n".join(K8S.format(n=i, team=i % 17, automount="true" if i % 5 == 0 else "false",
                                   verbs='"*"' if i % 5 == 0 else '"get", "list"') for i in range(n))
    return _project(root, {"rbac.yaml": text})


def a2a(root: Path, n: int) -> Work:
    """One agent card with N skills, and N/50 small cards beside it."""
    card = {"name": "ticket-agent", "description": "Opens and triages tickets",
            "url": "https://tickets.example.net/a2a", "protocolVersion": "0.3.0", "version": "1.0.0",
            "capabilities": {"streaming": False}, "defaultInputModes": ["text/plain"],
            "defaultOutputModes": ["text/plain"],
            "skills": [{"id": f"s{i}", "name": f"Skill {i}", "description": "does a thing",
                        "tags": ["support", f"t{i}"]} for i in range(n)]}
    cards = {f"cards/agent-{i}.json": json.dumps({**card, "name": f"agent-{i}", "skills": card["skills"][:5]})
             for i in range(max(1, n // 50))}
    return _project(root, {"agent-card.json": json.dumps(card, indent=2), **cards})


def spire_entries(root: Path, n: int) -> Work:
    entries = [{"spiffe_id": f"spiffe://acme.example/agents/a{i}",
                "parent_id": f"spiffe://acme.example/spire/agent/k8s_psat/prod/node-{i % 9}",
                "selectors": [{"type": "k8s", "value": f"ns:agents-{i}"}, {"type": "k8s", "value": f"sa:a{i}"}],
                "x509_svid_ttl": 604800 if i % 2 else 3600, "jwt_svid_ttl": 300, "admin": i % 7 == 0}
               for i in range(n)]
    return _project(root, {"entries.json": json.dumps({"entries": entries}, indent=2)})


def cluster_spiffe_id(root: Path, n: int) -> Work:
    doc = ("apiVersion: spire.spiffe.io/v1alpha1\nkind: ClusterSPIFFEID\nmetadata:\n  name: agents-{i}\nspec:\n"
           '  spiffeIDTemplate: "spiffe://acme.example/ns/{{{{ .PodMeta.Namespace }}}}/sa/a{i}"\n'
           "  namespaceSelector:\n    matchLabels:\n      team: agents-{i}\n  ttl: 24h\n")
    return _project(root, {"spiffe.yaml": "---\n".join(doc.format(i=i) for i in range(n))})


def spire_server_conf(root: Path, n: int) -> Work:
    """N server.conf files (each project's SPIRE server), with a TTL over the bound."""
    conf = ('server {{\n    bind_address = "0.0.0.0"\n    bind_port = "8081"\n    trust_domain = "d{i}.example"\n'
            '    data_dir = "/run/spire/data"\n    ca_ttl = "168h"\n    default_x509_svid_ttl = "24h"   # a day\n'
            '    default_jwt_svid_ttl = "5m"\n    admin_ids = ["spiffe://d{i}.example/ops/admin"]\n'
            '    ca_subject {{\n        country = ["US"]\n    }}\n}}\n\nplugins {{\n    DataStore "sql" {{\n'
            '        plugin_data {{\n            database_type = "sqlite3"\n        }}\n    }}\n}}\n')
    return _project(root, {f"spire-{i}/server.conf": conf.format(i=i) for i in range(n)})


def spire_server_conf_lines(root: Path, n: int) -> Work:
    """One server.conf whose server block has N settings."""
    settings = "".join(f'    x_setting_{i} = "value {i}"   # note {i}\n' for i in range(n))
    return _project(root, {"server.conf": 'server {\n    trust_domain = "example.org"\n' + settings
                           + '    default_x509_svid_ttl = "48h"\n}\n'})


def aws_iam(root: Path, n: int) -> Work:
    statements = []
    for i in range(n):
        statements.append([{"Sid": f"Deploy{i}", "Effect": "Allow", "Action": ["iam:PassRole", "lambda:*"],
                            "Resource": "*"},
                           {"Sid": f"Read{i}", "Effect": "Allow", "Action": "s3:GetObject",
                            "Resource": f"arn:aws:s3:::reports-{i}/*"},
                           {"Sid": f"NotIam{i}", "Effect": "Allow", "NotAction": "iam:*",
                            "Resource": f"arn:aws:s3:::artifacts-{i}/*"}][i % 3])
    role = {"Role": {"RoleName": "deployer", "Arn": "arn:aws:iam::123456789012:role/deployer",
                     "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                         {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
                         for _ in range(max(1, n // 10))]}}}
    return _project(root, {"policy.json": json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2),
                           "role.json": json.dumps(role, indent=2)})


def github_actions(root: Path, n: int) -> Work:
    jobs = "".join(f"  job{i}:\n    runs-on: ubuntu-latest\n"
                   + ("    permissions: write-all\n" if i % 2 else "    secrets: inherit\n    uses: ./.github/workflows/r.yml\n"
                      if i % 3 == 0 else "")
                   + ("    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n"
                      if not (i % 3 == 0 and i % 2 == 0) else "")
                   for i in range(n))
    return _project(root, {".github/workflows/ci.yml": f"name: ci\non: [push, pull_request]\njobs:\n{jobs}"})


# --- Cedar ----------------------------------------------------------------------------------

CEDAR_INSECURE = (  # NHI601-NHI604, NHI606, NHI608
    '@id("allow-all-{n}")\npermit (principal, action, resource);\n',
    '@id("standing-{n}")\npermit (principal == Agent::"a{n}", action == Action::"read", resource in Folder::"f{n}");\n',
    '@id("like-{n}")\npermit (principal == Agent::"b{n}", action == Action::"read", resource is Doc)\n'
    'when {{ context.token_age_seconds < 300 && resource.path like "*" }};\n',
    '@id("unbounded-{n}")\npermit (principal == Agent::"c{n}", action == Action::"write", resource is Doc)\n'
    'when {{ resource.risk <= 3 }};\n',
    '@id("fail-open-{n}")\nforbid (principal, action == Action::"delete", resource)\n'
    'when {{ context.tool in ["shell", "sql"] }};\n',
)


def cedar(root: Path, n: int) -> Work:
    text = "".join(CEDAR_SHAPES[i % len(CEDAR_SHAPES)].format(n=i, m=i % 250) for i in range(n))
    return _project(root, {"agents.cedar": text, "agents.cedarschema": CEDAR_SCHEMA})


def cedar_rules(root: Path, n: int) -> Work:
    """N insecure policies in files of 50, no schema."""
    files = {}
    for f in range(0, n, 50):
        files[f"cedar/p{f:05d}.cedar"] = "".join(CEDAR_INSECURE[i % len(CEDAR_INSECURE)].format(n=i)
                                                 for i in range(f, min(f + 50, n)))
    return _project(root, files)


def cedar_has_chain(root: Path, n: int) -> Work:
    """N policies, each with a `context has a.a.a...` of 90 attributes (under the bound of 100)."""
    chain = ".".join(["a"] * 90)
    text = "".join(f'@id("p{i}")\npermit (principal == Agent::"a{i}", action, resource)\n'
                   f"when {{ context has {chain} }};\n" for i in range(n))
    return _project(root, {"p.cedar": text})


def cedar_has_length(root: Path, n: int) -> Work:
    """200 policies, each with a `has` chain of N attributes (N <= 99: the nesting bound is 100)."""
    chain = ".".join(["a"] * min(n, 99))
    text = "".join(f'@id("p{i}")\npermit (principal == Agent::"a{i}", action, resource)\n'
                   f"when {{ context has {chain} }};\n" for i in range(200))
    return _project(root, {"p.cedar": text})


# --- Rego -----------------------------------------------------------------------------------

REGO_RULES = (
    'allow if {{\n    input.agent.id in {{a.id | some a in data.registry.agents}}\n'
    '    some grant in data.grants[input.agent.id]\n    grant.tool == "t{n}"\n    input.action in grant.actions\n}}\n',
    'denials contains msg if {{\n    some i, call in input.history\n    call.tool == "t{n}"\n    i > {n}\n'
    '    msg := sprintf("too many calls to %s (%d)", [call.tool, i])\n}}\n',
    'owners_{n}[tool] := owner if {{\n    some owner, tools in data.owners\n    some tool in tools\n}}\n',
    'score_{n} := sum([w | some r in input.risks; w := data.weights[r] * 2 + {n}]) if count(input.risks) > 0\n',
    'expired_{n}(token) if token.expires_at_ns < input.now_ns + {n}\n',
)
REGO_INSECURE = (  # NHI701-NHI704, NHI706
    "package p{n}.a\n\nimport rego.v1\n\ndefault allow := true\n",
    "package p{n}.b\n\nimport rego.v1\n\ndefault allow := false\n\nallow := true\n",
    'package p{n}.c\n\nimport rego.v1\n\ndefault allow := false\n\nallow if input.tool == "*"\n'
    'allow if glob.match("*", [], input.resource)\n',
    'package p{n}.d\n\nimport rego.v1\n\nallow if input.user == "admin"\n',
    'package p{n}.e\n\nimport rego.v1\n\ndefault allow := false\n\nallow if {{ time.now_ns() > 0 }}\n'
    'allow if {{ rand.intn("x", 10) == 1 }}\n',
)


def rego(root: Path, n: int) -> Work:
    """One module of N rules of five shapes."""
    text = "package agents.tools\n\nimport rego.v1\n\ndefault allow := true\n\n" + "\n".join(
        REGO_RULES[i % len(REGO_RULES)].format(n=i) for i in range(n))
    return _project(root, {"policy.rego": text})


def rego_rules(root: Path, n: int) -> Work:
    """N insecure packages, one file each."""
    return _project(root, {f"rego/p{i:05d}.rego": REGO_INSECURE[i % len(REGO_INSECURE)].format(n=i)
                           for i in range(n)})


def rego_same_named(root: Path, n: int) -> Work:
    rules = "".join(f"allow if {{ input.x == {i}; allow }}\n" for i in range(n))
    return _project(root, {"p.rego": f"package p\nimport rego.v1\n\n{rules}"})


def rego_template_strings(root: Path, n: int) -> Work:
    rules = "".join(f'm{i} := $"a{{input.x}}b{{input.y}}"\n' for i in range(n))
    return _project(root, {"p.rego": "package x\n\n" + rules + "default allow := true\n"})


# --- configuration, baseline, suppressions --------------------------------------------------

RULE_KEYS = ("NHI101: warning", "NHI102: info", "NHI103: {severity: warning}", "NHI202: {max_ttl: 45m}",
             "NHI203: {max_rotation: 30d}", "NHI3: on", "NHI4: warning", "no-audit-sink: error",
             "NHI502: off", "NHI6: on", "NHI7: on")


def _ignores_config(n: int) -> str:
    return ("rules:\n" + "".join(f"  {key}\n" for key in RULE_KEYS) + "per_file_ignores:\n"
            + "".join(f'  "team-{i:05d}/**": [NHI10, NHI30]\n' for i in range(n)))


def config_per_file_ignores(root: Path, n: int) -> Work:
    """A .nhilint.yaml with rules entries and N per_file_ignores entries, over 20 manifests."""
    files = {f"team-{i * 10:05d}/agent.yaml": _insecure(i) for i in range(20)}
    return _project(root, files, _ignores_config(n))


def config_and_tree(root: Path, n: int) -> Work:
    """N per_file_ignores entries (as config) over N/10 manifests: a repository and its
    configuration growing together."""
    files = {f"team-{i * 10:05d}/agent.yaml": _insecure(i) for i in range(max(1, n // 10))}
    return _project(root, files, _ignores_config(n))


def config_extends(root: Path, n: int) -> Work:
    """A chain of N ruleset files, each extending the next and setting rules entries, over N manifests."""
    files = {f"rulesets/r{i:04d}.yaml": (f"extends: [./r{i + 1:04d}.yaml]\n" if i + 1 < n else "extends: [recommended]\n")
             + "rules:\n" + "".join(f"  {key}\n" for key in RULE_KEYS[i % 3::3])
             + f'per_file_ignores:\n  "x-{i}/**": [NHI1]\n' for i in range(n)}
    files.update({f"agents/agent-{i}.yaml": _insecure(i) for i in range(n)})
    return _project(root, files, "extends: [./rulesets/r0000.yaml]\n")


def baseline(root: Path, n: int) -> Work:
    """N insecure manifests and a baseline accepting every finding."""
    _project(root, {f"agents/agent-{i}.yaml": _insecure(i) for i in range(n)})
    base = root / "baseline.json"
    base.write_text(baseline_text(lint_paths([str(root)], today=TODAY).findings), encoding="utf-8")
    return _lint(root, baseline=str(base))


def suppressions(root: Path, n: int) -> Work:
    """N manifests in one file, each suppressing its findings with comments (some unused,
    expired or without a reason: NHI004-NHI006)."""
    docs = []
    for i in range(n):
        head = ("# nhilint: ignore[NHI101,NHI102,NHI103] owned by the platform team -- until=2027-03-31\n"
                if i % 4 else "# nhilint: ignore[NHI101] -- until=2026-01-01\n# nhilint: ignore[NHI999x]\n")
        docs.append(head + _insecure(i).replace("  name: agent", "  # nhilint: ignore[NHI1] inventory later\n"
                                                  "  name: agent", 1)
                    .replace("    scopes:", "    # nhilint: ignore[NHI302] reviewed in SEC-1\n    scopes:"))
    return _project(root, {"agents.yaml": "---\n".join(docs)})


# --- rule families over manifests -----------------------------------------------------------

def credentials(root: Path, n: int) -> Work:
    creds = ("  - name: c1-{i}\n    type: oauth-token\n    issuance: jit\n    source: vault://kv/a/{i}/1\n"
             "  - name: c2-{i}\n    type: oauth-token\n    issuance: jit\n    ttl: 48h\n    source: vault://kv/a/{i}/2\n"
             "  - name: c3-{i}\n    type: api-key\n    issuance: standing\n    source: vault://kv/a/{i}/3\n")
    return _project(root, {"agents.yaml": "---\n".join(_manifest(i, credentials=creds.format(i=i))
                                                       .replace("  on_task_complete: true\n", "")
                                                       for i in range(n))})


def privilege(root: Path, n: int) -> Work:
    tools = ("tools:\n  - name: admin\n    actions: [\"*\"]\n    resources: [\"*\"]\n    risk: critical\n"
             "  - name: payouts\n    actions: [create]\n    resources: [\"payouts/*\"]\n    risk: high\n")
    return _project(root, {"agents.yaml": "---\n".join(
        _manifest(i).replace("tools:\n  - name: helpdesk\n    actions: [read, comment]\n", tools + "  - name: x\n"
                             "    actions: [read]\n").replace("metadata:\n", "metadata:\n  risk: critical\n")
        for i in range(n))})


def inventory(root: Path, n: int) -> Work:
    docs = [f"apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n  name: agent-{i}\nidentity:\n"
            "  type: api-key\naudit:\n  sink: immutable\n  binds: [initiator, workload, action]\n" for i in range(n)]
    return _project(root, {"agents.yaml": "---\n".join(docs)})


def oversight(root: Path, n: int) -> Work:
    return _project(root, {"agents.yaml": "---\n".join(
        _manifest(i).replace("  sink: immutable\n  binds: [initiator, workload, action]\n",
                             "  sink: immutable\n  binds: [action]\n" if i % 2 else "  binds: []\n")
        for i in range(n))})


def platform(root: Path, n: int) -> Work:
    """NHI305-NHI308: unpinned packages, automounted tokens, auto-approval, default permissions."""
    servers = {f"s{i}": {"command": "npx", "args": ["-y", f"@acme/server-{i}"], "autoApprove": ["run"]}
               for i in range(n)}
    pods = "---\n".join(f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: runner-{i}\n  namespace: agents\n"
                        for i in range(n))
    workflows = {f".github/workflows/w{i}.yml": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
                 "    steps:\n      - run: make test\n" for i in range(max(1, n // 10))}
    return _project(root, {".mcp.json": json.dumps({"mcpServers": servers}), "sa.yaml": pods, **workflows})


def delegation_dag(root: Path, n: int) -> Work:
    """A diamond DAG of N levels (two agents a level, each delegating to both of the next: 2**N
    paths), the last level to an agent that does not exist (NHI406)."""
    names = [[f"l{i:05d}a", f"l{i:05d}b"] for i in range(n)]
    docs = [_delegator(name, names[i + 1] if i + 1 < n else ["ghost"]) for i, level in enumerate(names)
            for name in level]
    return _project(root, {"agents.yaml": "---\n".join(docs)})


def delegation_chain(root: Path, n: int) -> Work:
    """A chain of N agents, the last delegating back to the first (one cycle), plus unknown delegates."""
    names = [f"a{i:05d}" for i in range(n)]
    docs = [_delegator(name, [names[(i + 1) % n]] + ([f"ghost-{i}"] if i % 10 == 0 else []))
            for i, name in enumerate(names)]
    return _project(root, {"agents.yaml": "---\n".join(docs)})


def secrets(root: Path, n: int) -> Work:
    """N values of known secret shapes in a manifest's fields and in a Kubernetes Secret."""
    shapes = ("ghp_R8x2Lk9QwT4vN7bZ1mC5pY3sD6fH{i:08d}", "AKIAZ3EXAMPLE{i:07d}", "sk_live_51Hx8QkL2mN7vR4t{i:08d}",
              "xoxb-1234567890-{i:010d}-AbCdEfGhIjKlMnOpQrStUvWx", JWT + "{i}", "glpat-{i:020d}")
    notes = "".join(f"  note-{i}: \"{shapes[i % len(shapes)].format(i=i)}\"\n" for i in range(n))
    manifest = _manifest(0, extra=f"x-notes:\n{notes}")
    secret = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: agents\nstringData:\n"
              + "".join(f"  k{i}: \"{shapes[i % len(shapes)].format(i=i)}\"\n" for i in range(n)))
    return _project(root, {"agent.yaml": manifest, "secret.yaml": secret})


def shared_credentials(root: Path, n: int) -> Work:
    """N identities sharing one credential source (NHI205)."""
    docs = [f"apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n  name: agent-{i:05d}\n"
            "credentials:\n  - name: crm\n    source: vault://kv/shared/crm\n" for i in range(n)]
    return _project(root, {"agents.yaml": "---\n".join(docs)})


# --- adversarial shapes ---------------------------------------------------------------------

def spire_spaces(root: Path, n: int) -> Work:
    """A run of N spaces after a setting, and N escaped quotes in an unterminated string."""
    return _project(root, {
        "a/server.conf": 'server {\n  trust_domain = "example.org"' + " " * n + "\n"
                         '  default_x509_svid_ttl = "48h"\n}\n',
        "b/server.conf": 'server {\n  trust_domain = "example.org"\n  admin_ids = ["' + '\\"' * n + "\n"
                         '  default_x509_svid_ttl = "48h"\n}\n'})


def jwt_heads(root: Path, n: int) -> Work:
    """A string of N `eyJ-`, and a JWT after a run of N/100 of them."""
    return _project(root, {"a.yaml": "apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata: {name: a}\n"
                                     f"x-note: \"{'eyJ-' * n}\"\nx-token: \"{'eyJ-' * (n // 100)}x.{JWT}\"\n"})


def ignore_heads(root: Path, n: int) -> Work:
    """A line of N `# nhilint: ignore[`."""
    return _project(root, {"a.yaml": "apiVersion: nhilint/v1\nkind: AgentManifest\n"
                                     "metadata: {name: a}\n" + "# nhilint: ignore[" * n + "\n"})


def _nested(depth: int, leaf: object) -> object:
    """`depth` containers around `leaf`, mappings and lists in turn."""
    for level in range(depth):
        leaf = [leaf, level] if level % 2 else {f"k{level}": leaf}
    return leaf


def yaml_deep(root: Path, n: int) -> Work:
    """A manifest with N extension keys, each block-and-flow nested 30 levels (the bound is 64)."""
    block = "".join(f"x-deep-{i}:\n" + "".join("  " * (d + 1) + f"k{d}:\n" for d in range(20))
                    + "  " * 21 + "- " + "[" * 10 + f"v{i}" + "]" * 10 + "\n" for i in range(n))
    return _project(root, {"a.yaml": _manifest(0, extra=block),
                           "b.yaml": "apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata: {name: b}\n"
                           + "".join(f"x-y{i}: " + "{" * 30 + "}" * 30 + "\n" for i in range(n))})


def json_deep(root: Path, n: int) -> Work:
    """A JSON manifest with N extension keys, each nested 61 levels (the bound is 64)."""
    document = {"apiVersion": "nhilint/v1", "kind": "AgentManifest", "metadata": {"name": "deep"},
                **{f"x-deep-{i}": _nested(60, f"v{i}") for i in range(n)}}
    return _project(root, {"agent.json": json.dumps(document)})


# --- `nhilint test` -------------------------------------------------------------------------

def scenarios_cedar(root: Path, n: int) -> Work:
    policies = ('@id("read")\npermit (principal == Agent::"reader", action == Action::"read", resource)\n'
                "when { context.token_age_seconds < 300 };\n"
                '@id("no-delete")\nforbid (principal, action == Action::"delete", resource);\n')
    entities = [{"uid": {"type": "Agent", "id": "reader"}, "attrs": {}, "parents": []}]
    per_file = 200
    files = {"policies.cedar": policies, "entities.json": json.dumps(entities)}
    for start in range(0, n, per_file):
        scenarios = []
        for i in range(start, min(start + per_file, n)):
            age = (i * 37) % 600
            action = "delete" if i % 5 == 0 else "read"
            scenarios.append(f'  - name: request {i}\n    principal: Agent::"reader"\n    action: Action::"{action}"\n'
                             f'    resource: Doc::"d{i}"\n    context: {{token_age_seconds: {age}}}\n'
                             f"    expect: {'allow' if action == 'read' and age < 300 else 'deny'}\n")
        files[f"suite-{start // per_file:04d}.nhitest.yaml"] = (
            "apiVersion: nhilint/v1\nkind: PolicyTest\ncedar:\n  policies: [policies.cedar]\n"
            "  entities: entities.json\nscenarios:\n" + "".join(scenarios))
    _files(root, files)
    return _test(root)


def scenarios_rego(root: Path, n: int) -> Work:
    module = ("package agents.tools\n\nimport rego.v1\n\ndefault allow := false\n\n"
              "allow if {\n    some grant in data.grants[input.agent]\n    grant.tool == input.tool\n}\n")
    per_file = 200
    files = {"policy/tools.rego": module}
    for start in range(0, n, per_file):
        scenarios = "".join(f"  - name: call {i}\n    input: {{agent: a{i % 7}, tool: t{i % 11}}}\n"
                            f"    expect: {'true' if (i % 7) == (i % 11) % 7 and i % 11 < 7 else 'false'}\n"
                            for i in range(start, min(start + per_file, n)))
        files[f"suite-{start // per_file:04d}.nhitest.yaml"] = (
            "apiVersion: nhilint/v1\nkind: PolicyTest\nrego:\n  modules: [policy/tools.rego]\n  data:\n"
            "    grants: {" + ", ".join(f"a{a}: [{{tool: t{a}}}]" for a in range(7)) + "}\n"
            "  query: data.agents.tools.allow\nscenarios:\n" + scenarios)
    _files(root, files)
    return _test(root)


FAMILIES = (
    # readers
    Family("manifest-yaml-files", "manifest files", 100, manifest_yaml_files, "NHI3"),
    Family("manifest-yaml-docs", "documents in one file", 100, manifest_yaml_documents, "NHI3"),
    Family("manifest-json", "credentials and tools in one JSON manifest", 150, manifest_json, "NHI2"),
    Family("mcp-json", "servers in .mcp.json", 300, mcp_json, "NHI204"),
    Family("codex-toml", "server pairs in .codex/config.toml", 150, codex_toml, "NHI204"),
    Family("kubernetes", "SA+Role+RoleBinding triples in one file", 100, kubernetes, "NHI30"),
    Family("a2a", "skills in one agent card", 1000, a2a, "NHI104"),
    Family("spire-entries", "entries in entries.json", 400, spire_entries, "NHI20"),
    Family("spire-clusterspiffeid", "ClusterSPIFFEIDs in one file", 400, cluster_spiffe_id, "NHI20"),
    Family("spire-server-conf", "server.conf files", 150, spire_server_conf, "NHI"),
    Family("spire-server-conf-lines", "settings in one server block", 8_000, spire_server_conf_lines, "NHI202"),
    Family("aws-iam", "policy statements", 300, aws_iam, "NHI30"),
    Family("github-actions", "jobs in one workflow", 300, github_actions, "NHI30"),
    Family("cedar", "policies (+schema)", 300, cedar, "NHI60"),
    Family("rego", "rules in one module", 150, rego, "NHI7"),
    Family("config", "per_file_ignores entries (20 manifests)", 2000, config_per_file_ignores, "NHI"),
    Family("config-and-tree", "per_file_ignores entries, N/10 manifests", 1000, config_and_tree, "NHI"),
    Family("config-extends", "rulesets in an extends chain (and manifests)", 40, config_extends, "NHI"),
    Family("baseline", "manifests, every finding in the baseline", 150, baseline, "NHI"),
    Family("scenarios-cedar", "Cedar scenarios", 1000, scenarios_cedar, ""),
    Family("scenarios-rego", "Rego scenarios", 1000, scenarios_rego, ""),
    # rule families
    Family("credentials", "manifests with 3 credentials", 150, credentials, "NHI20"),
    Family("privilege", "manifests with admin and high-risk tools", 150, privilege, "NHI30"),
    Family("delegation-dag", "levels of a diamond DAG", 150, delegation_dag, "NHI406"),
    Family("delegation-chain", "links of a cyclic chain", 300, delegation_chain, "NHI404"),
    Family("inventory", "manifests without owner, purpose, expiry", 300, inventory, "NHI10"),
    Family("oversight", "manifests with unbound audit", 200, oversight, "NHI50"),
    Family("platform", "unpinned auto-approved servers and SAs", 300, platform, "NHI30"),
    Family("cedar-rules", "insecure policies", 300, cedar_rules, "NHI60"),
    Family("rego-rules", "insecure packages", 100, rego_rules, "NHI70"),
    Family("secrets", "secret values", 600, secrets, "NHI204"),
    Family("suppressions", "manifests with ignore comments", 150, suppressions, "NHI00"),
    Family("shared-credentials", "identities sharing a source (NHI205)", 300, shared_credentials, "NHI205"),
    # adversarial shapes (issue 13)
    Family("spire-spaces", "spaces / escaped quotes in server.conf", 200_000, spire_spaces, "NHI202"),
    Family("jwt-heads", "repeated eyJ- (4 bytes each)", 50_000, jwt_heads, "NHI204"),
    Family("ignore-heads", "repeated '# nhilint: ignore[' on a line", 25_000, ignore_heads, "NHI"),
    Family("rego-same-named", "same-named allow rules", 1000, rego_same_named, "NHI704"),
    Family("rego-template-strings", "template strings", 1000, rego_template_strings, "NHI701"),
    Family("cedar-has-chain", "policies with a 90-long has chain", 100, cedar_has_chain, "NHI60"),
    Family("cedar-has-length", "attributes in has chains (x200 policies, <= 99)", 9, cedar_has_length, "NHI60"),
    Family("yaml-deep", "keys nested 30 deep (block and flow)", 100, yaml_deep, "NHI"),
    Family("json-deep", "keys nested 60 deep", 150, json_deep, "NHI"),
)


def _cpu() -> float:
    """CPU seconds of this process and its reaped children (the engine workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def best_of(work: Work, runs: int) -> tuple[float, float, Outcome]:
    """The best wall and the best CPU seconds of `runs` calls, and the last outcome. The ratio
    is taken of CPU time: other work on a shared machine stretches wall time, not CPU time."""
    wall = cpu = float("inf")
    outcome = Outcome()
    began = time.perf_counter()
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), _cpu()
        outcome = work()
        wall, cpu = min(wall, time.perf_counter() - start), min(cpu, _cpu() - start_cpu)
        if time.perf_counter() - began > PATIENCE:  # superlinear already: one run says enough
            break
    return wall, cpu, outcome


def exercised(family: Family, outcome: Outcome) -> bool:
    """The run produced what the family is built for, and did not stop at a parse error."""
    if not family.expect:
        return outcome.passed > 0
    if any(rule in ("NHI001", "NHI003") for rule in outcome.rules):
        return False
    return any(rule.startswith(family.expect) for rule in outcome.rules)


@dataclass(frozen=True)
class Measurement:
    n: int
    small_wall: float
    large_wall: float
    small_cpu: float
    large_cpu: float
    status: str

    @property
    def ratio(self) -> float:
        return self.large_cpu / max(self.small_cpu, 1e-9)


def measure(family: Family, scale: int, runs: int, fraction: float) -> Measurement:
    n = max(1, round(family.base * fraction))
    with tempfile.TemporaryDirectory() as small_dir, tempfile.TemporaryDirectory() as large_dir:
        small = family.write(Path(small_dir), n)
        large = family.write(Path(large_dir), n * scale)
        small()  # warm-up: imports, grammar builds, caches
        small_wall, small_cpu, small_outcome = best_of(small, runs)
        large_wall, large_cpu, large_outcome = best_of(large, runs)
    status = "OK"
    if not (exercised(family, small_outcome) and exercised(family, large_outcome)):
        status = "NOT EXERCISED"
    elif large_cpu / max(small_cpu, 1e-9) > LIMIT * scale / 10:
        status = "SUPERLINEAR"
    return Measurement(n, small_wall, large_wall, small_cpu, large_cpu, status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10, help="the large input is SCALE times the small one")
    parser.add_argument("--only", action="append", metavar="FAMILY", help="measure only this family (repeatable)")
    parser.add_argument("--runs", type=int, default=3, help="best of RUNS")
    parser.add_argument("--fraction", type=float, default=1.0, help="multiply every N (a quick smoke run)")
    parser.add_argument("--list", action="store_true", help="list the families")
    args = parser.parse_args()
    if args.list:
        for family in FAMILIES:
            print(f"{family.name:24} N = {family.base:>7,} {family.unit}")
        return
    known = {family.name for family in FAMILIES}
    unknown = sorted(set(args.only or ()) - known)
    if unknown:
        parser.error(f"unknown family {', '.join(unknown)}; choose from {', '.join(sorted(known))}")
    chosen = [family for family in FAMILIES if not args.only or family.name in args.only]
    limit = LIMIT * args.scale / 10
    large = f"{args.scale}x"
    print(f"best of {args.runs}; wall and CPU seconds; the ratio is of CPU time (limit {limit:.1f}x)")
    print(f"{'family':24} {'N':>8} {'1x wall':>8} {large + ' wall':>9} {'1x cpu':>8} {large + ' cpu':>8} "
          f"{'ratio':>7}  status")
    failed = []
    for family in chosen:
        m = measure(family, args.scale, args.runs, args.fraction)
        print(f"{family.name:24} {m.n:>8,} {m.small_wall:>8.3f} {m.large_wall:>9.3f} {m.small_cpu:>8.3f} "
              f"{m.large_cpu:>8.3f} {m.ratio:>6.1f}x  {m.status}", flush=True)
        if m.status != "OK":
            failed.append(family.name)
    if failed:
        print(f"{len(failed)} of {len(chosen)} families not OK: {', '.join(failed)}")
        sys.exit(1)
    print(f"all {len(chosen)} families linear (ratio <= {limit:.1f}x at {args.scale}x input)")


if __name__ == "__main__":
    main()
