"""Structure-aware hypothesis strategies for every input format nhilint reads (issue 13).

Each generator starts from a valid document of its format and mutates it the way an unlucky
user or an attacker would: one field of the wrong type (an int, float, list, dict, None or
bool where a string or list belongs; an integer mapping key), deep nesting (YAML flow,
JSON, TOML arrays, Cedar parentheses, Rego braces), huge numbers (thousands of digits),
odd Unicode (superscript digits, RTL marks, NUL, escaped lone surrogates, newlines in
keys), YAML tags and anchors, secrets of every known shape; then a small textual mutation
(truncation, a stray character) now and then. Byte noise alone finds little: a reader's
deep paths are only reached by documents that are nearly right.

A `Case` is a tree of files (relative path -> bytes) plus the secrets planted in it, so a
property can assert that none of them reaches any output. The same strategies drive the
test suite (tests/fuzz/) and the long campaign (benchmarks/fuzz.py).
"""

from __future__ import annotations

import copy
import functools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

# Generator branches the CI properties leave out while an issue-13 kind they find is still
# open on HEAD (tests/fuzz/conftest.py fills EXCLUDED from KNOWN_OPEN; benchmarks/fuzz.py
# runs every branch). Each name says which branch and which kind; remove it when fixed.
KNOWN_OPEN: dict[str, str] = {}
EXCLUDED: set[str] = set()

# --- secrets of the shapes nhilint.secrets knows; each is 12+ characters of unique material

SECRETS: tuple[str, ...] = (
    "ghp_" + "Zq7XbP3kLm9VwR2tYc5NdH8sJf4GaE1uKo6i",                    # GitHub token, 36 alnum
    "AKIA" + "Q7ZXW3KLM9VR2TYC",                                          # AWS access key id
    "xoxb-" + "284759163028-9173645028371-Qw8rTy5uIo2pAs7dFg",            # Slack bot token
    "sk-" + "Pz4Kq9Lw2Xv7Bn3Mc8Rt5Yh1Gd6Fs0Ja",                           # OpenAI-like key
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZ2VudC03In0.Xq3Vb8Lm2Zp7Rk4Tn9Yc1Wd",  # JWT
    "glpat-" + "Hq4Zm8Xk2Lp7Vr3Nt9Yb",                                     # GitLab token
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAq7ZxW3k\n-----END RSA PRIVATE KEY-----",
)
# What a property looks for in an output: the secret material after its well-known prefix
# (the prefix, `ghp_`, may rightly be shown as a hint), whole or as a 12-character prefix.
PRIVATE_KEY_BODY = "MIIEowIBAAKCAQEAq7ZxW3k"


def secret_needles(secret: str) -> tuple[str, ...]:
    """The substrings of `secret` that must never be printed: the material past its type
    marker, and its first 12 characters when they include material."""
    if secret.startswith("-----BEGIN"):
        return (PRIVATE_KEY_BODY[:12],)
    for marker in ("ghp_", "AKIA", "xoxb-", "sk-", "glpat-"):
        if secret.startswith(marker):
            body = secret[len(marker):]
            return (body[:12], secret[:12]) if len(marker) < 12 else (body[:12],)
    if secret.startswith("eyJ"):
        return (secret[:12], secret.split(".")[1][:12])
    return (secret[:12],)


def leaked(secrets: tuple[str, ...] | list[str], output: str) -> list[str]:
    """The planted secrets whose material appears in `output` (empty: none leaked)."""
    return [s for s in secrets if any(n in output for n in secret_needles(s))]


@dataclass(frozen=True)
class Raw:
    """A value written verbatim into each serialisation (a YAML tag, a deep nest, a huge
    number): what a Python value cannot say, or what json.dumps would refuse to write."""

    yaml: str
    json: str
    toml: str

    def __repr__(self) -> str:  # hypothesis prints failing examples; keep them readable
        text = self.yaml if len(self.yaml) < 80 else f"{self.yaml[:40]}...<{len(self.yaml)} chars>"
        return f"Raw({text!r})"


@dataclass
class Case:
    """A generated tree: files by relative path, the secrets planted, what was generated."""

    files: dict[str, bytes]
    reader: str
    secrets: list[str] = field(default_factory=list)
    note: str = ""

    def __repr__(self) -> str:
        shown = {k: (v if len(v) < 400 else v[:200] + b"...<%d bytes>" % len(v)) for k, v in self.files.items()}
        return f"Case(reader={self.reader!r}, note={self.note!r}, files={shown!r})"


# --- serialisers (each handles Raw, integer keys, lone surrogates)

def _number(value: bool | int | float, nan: str, inf: str) -> str:
    """A bool, int or float as YAML and TOML write it (their spellings of NaN and infinity)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isnan(value):
        return nan
    if isinstance(value, float) and math.isinf(value):
        return inf if value > 0 else "-" + inf
    return repr(value) if isinstance(value, float) else str(value)


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, Raw):
        return value.yaml
    if value is None:
        return "null"
    if isinstance(value, (bool, int, float)):
        return _number(value, ".nan", ".inf")
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a YAML double-quoted scalar (escapes too)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return json.dumps(str(value))


def _yaml_key(key: Any) -> str:
    if isinstance(key, str):
        return key if key.isidentifier() else json.dumps(key)
    return _yaml_scalar(key)


def _yaml_tail(value: Any, indent: int) -> str:
    if isinstance(value, dict) and value:
        return "\n" + _yaml_block(value, indent + 2)
    if isinstance(value, list) and value:
        return "\n" + _yaml_block(value, indent + 2)
    return " " + _yaml_scalar(value) + "\n"


def _yaml_block(value: Any, indent: int = 0) -> str:
    pad = " " * indent
    if isinstance(value, dict) and value:
        return "".join(f"{pad}{_yaml_key(k)}:{_yaml_tail(v, indent)}" for k, v in value.items())
    if isinstance(value, list) and value:
        return "".join(f"{pad}-{_yaml_tail(v, indent)}" for v in value)
    return pad + _yaml_scalar(value) + "\n"


def to_yaml(doc: Any) -> str:
    return _yaml_block(doc, 0)


def to_json(value: Any) -> str:
    if isinstance(value, Raw):
        return value.json
    if isinstance(value, dict):
        items = ", ".join(f"{json.dumps(str(k) if not isinstance(k, str) else k)}: {to_json(v)}"
                          for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_json(v) for v in value) + "]"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return json.dumps(value)  # ensure_ascii: a lone surrogate is written as \udXXX


def _toml_value(value: Any) -> str:
    if isinstance(value, Raw):
        return value.toml
    if value is None:
        return '""'
    if isinstance(value, (bool, int, float)):
        return _number(value, "nan", "inf")
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value))


def to_toml(doc: Any, prefix: tuple[str, ...] = ()) -> str:
    if not isinstance(doc, dict):
        return f"x = {_toml_value(doc)}\n"
    lines: list[str] = []
    tables: list[tuple[str, dict]] = []
    for key, value in doc.items():
        if isinstance(value, dict) and value:
            tables.append((str(key), value))
        else:
            lines.append(f"{json.dumps(str(key))} = {_toml_value(value)}")
    out = ("\n".join(lines) + "\n") if lines else ""
    for key, value in tables:
        path = (*prefix, key)
        out += "\n[" + ".".join(json.dumps(p) for p in path) + "]\n" + to_toml(value, path)
    return out


def encode(text: str) -> bytes:
    """UTF-8, with any lone surrogate written as its (invalid) three bytes: a file that is
    not UTF-8 is an input too."""
    return text.encode("utf-8", "surrogatepass")


# --- the values a mutation puts in place of a field

ODD_STRINGS: tuple[str, ...] = (
    "", " ", "²", "¹h", "\u0661\u0662h", "\uff11\uff15m", "\u200f15m", "\u202eadmin", "a\x00b", "\ud800",
    "\udfff\ud800", "line\nbreak", "tab\there", "\ufeff", "🔑", "PT15M", "P1Y2M3DT4H", "PT", "-5m",
    "0s", "99999999999999999999d", "1e400s", "NaN", "*", "**", "../../etc/passwd", "/dev/zero",
    "{{ .Values.x }}", "${HOME}", "%s%s%n", "'", '"', "\\", "null", "~", "yes", "no",
    "2026-02-30", "9999-12-31", "0000-00-00", "spiffe://", "spiffe://a/../b", "x" * 300,
)

# YAML-only constructs: tags, aliases, anchors (Raw with a JSON/TOML stand-in).
YAML_ODDITIES: tuple[str, ...] = (
    "!!int", "!!float", "!!int 0x_", "!!float 1e99999", "!!binary", "!!binary aGVsbG8=",
    "!!binary ====", "!!timestamp 2020-13-45", "!!timestamp", "!!str", "!!null x", "!!bool maybe",
    "!!set {a, b}", "!!omap [a: 1]", "!!pairs [a: 1]", "!unknown x", "!<tag:x.org,2002:y> z",
    "!!python/object:os.system x", "!!map [1]", "!!seq {a: 1}", "*undefined", "&a [*a]",
    "&b {k: *b}", "&c x", "2027-03-31", "2026-02-30", "0o777", "0x_1", "1_000", "12:30:00", ".inf",
    "-.nan", "<<: {a: 1}", "? complex\n", "|\n  literal", "[a, b", "{a: 1", "'unterminated", "@x", "`y",
)


def deep_raw(depth: int, kind: str = "list") -> Raw:
    if kind == "dict":
        return Raw("{a: " * depth + "1" + "}" * depth, '{"a": ' * depth + "1" + "}" * depth,
                   "{a = " * depth + "1" + "}" * depth)
    return Raw("[" * depth + "1" + "]" * depth, "[" * depth + "1" + "]" * depth,
               "[" * depth + "1" + "]" * depth)


def huge_raw(digits: int, sign: str = "") -> Raw:
    number = sign + "9" * digits
    return Raw(number, number, number)


@st.composite
def deep_nesting(draw: st.DrawFn) -> Raw:
    return deep_raw(draw(st.integers(50, 2000)), draw(st.sampled_from(["list", "dict"])))


@st.composite
def huge_number(draw: st.DrawFn) -> Raw:
    return huge_raw(draw(st.sampled_from([400, 4300, 4301, 5000, 20000])), draw(st.sampled_from(["", "-"])))


def scalar_values() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(), st.booleans(), st.integers(), st.sampled_from([0, -1, 2**31, 2**63, 2**64, -(2**63) - 1]),
        st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(ODD_STRINGS),
        st.text(st.characters(codec="utf-8"), max_size=20),
        st.text(st.characters(min_codepoint=0, max_codepoint=0x3000), max_size=8),
    )


def wrong_values() -> st.SearchStrategy[Any]:
    """What one mutated field becomes."""
    return st.one_of(
        scalar_values(),
        st.sampled_from([[], {}, [1], [None], {1: "x"}, {"a": 1}, [[1]], [{"a": [1]}], {True: 1}, {None: 1}]),
        st.lists(scalar_values(), max_size=3),
        st.dictionaries(st.one_of(st.integers(), st.sampled_from(ODD_STRINGS)), scalar_values(), max_size=2),
        st.sampled_from(SECRETS) if "secret-as-value" not in EXCLUDED else st.sampled_from(ODD_STRINGS),
        st.sampled_from(YAML_ODDITIES).map(lambda t: Raw(t, json.dumps(t), json.dumps(t))),
        deep_nesting(), huge_number(),
    )


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _get(doc: Any, path: tuple) -> Any:
    for p in path:
        doc = doc[p]
    return doc


@st.composite
def mutated(draw: st.DrawFn, base: Any, max_mutations: int = 2, values: st.SearchStrategy[Any] | None = None,
            int_keys: bool = True, secret_keys: bool = True) -> tuple[Any, list[str]]:
    """`base` (a valid document) with one or two fields changed; the secrets placed."""
    secret_keys = secret_keys and "secret-as-key" not in EXCLUDED
    actions = ["replace", "replace", "replace", "odd-key", "delete", "wrap"] + (["int-key"] if int_keys else [])
    doc = copy.deepcopy(base)
    planted: list[str] = []
    for _ in range(draw(st.integers(0, max_mutations))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(actions))
        value = draw(values if values is not None else wrong_values())
        if isinstance(value, str) and value in SECRETS:
            planted.append(value)
        if not path:
            if action == "replace":
                doc = value
            continue
        parent = _get(doc, path[:-1])
        last = path[-1]
        if action == "delete":
            del parent[last]
        elif action == "wrap":
            parent[last] = draw(st.sampled_from([[parent[last]], {"x": parent[last]}, [[[parent[last]]]]]))
        elif action in ("int-key", "odd-key") and isinstance(parent, dict):
            odd_keys = ["line\nkey", "\u200fname", "a\x00", "", "x-ext"] + ([SECRETS[0]] if secret_keys else [])
            key: Any = draw(st.integers(-5, 2**70)) if action == "int-key" else draw(st.sampled_from(odd_keys))
            if isinstance(key, str) and key in SECRETS:
                planted.append(key)
            parent[key] = parent.pop(last)
        else:
            parent[last] = value
    return doc, planted


def still_planted(planted: list[str], before: str, after: str) -> list[str]:
    """The planted secrets a textual change left as they were. One it cut, split or copied a
    piece of is no longer the secret planted (`AKIA*Q7ZX...` is no key, the tail of a
    truncated token no token), so the properties stop looking for it."""
    def marks(secret: str, text: str) -> list[int]:
        return [text.count(form) for form in (secret, json.dumps(secret)[1:-1], *secret_needles(secret))]

    return [secret for secret in planted if marks(secret, before) == marks(secret, after)]


@st.composite
def text_mutation(draw: st.DrawFn, text: str) -> str:
    """Now and then, one textual change: truncation, a stray or doubled character."""
    choice = draw(st.sampled_from(["none", "none", "none", "truncate", "insert", "duplicate"]))
    if choice == "none" or not text:
        return text
    at = draw(st.integers(0, len(text)))
    if choice == "truncate":
        return text[:at]
    if choice == "duplicate":
        return text[:at] + text[at:][:40] * draw(st.integers(2, 50)) + text[at:]
    stray = draw(st.sampled_from(["\x00", "\t", "\r", "\u2028", ":", "-", "[", "{", "}", '"', "'", "#", "&", "*",
                                  "!", "|", ">", "%", "@", "\\", "\ud800", "\u202e", "\n  - x\n"]))
    return text[:at] + stray + text[at:]


# --- valid seeds of every structured format (file name, document, serialisation)

MANIFEST: dict[str, Any] = {
    "apiVersion": "nhilint/v1", "kind": "AgentManifest",
    "metadata": {"name": "invoice-reconciler", "owner": "payments@example.com", "purpose": "Reconcile",
                 "expires": "2027-03-31", "environment": "production", "risk": "high"},
    "identity": {"type": "spiffe", "id": "spiffe://prod.example.com/agents/invoice-reconciler"},
    "credentials": [{"name": "ledger-token", "type": "oauth-token", "issuance": "jit", "ttl": "15m",
                     "rotation": "30d", "source": "vault://kv/payments/ledger", "value": None,
                     "scopes": ["ledger:read", "ledger:write"]}],
    "tools": [{"name": "ledger-api", "actions": ["read", "write"], "resources": ["ledger/invoices/*"],
               "risk": "high", "requires_approval": True}],
    "delegation": {"allowed": True, "max_depth": 1, "delegates": ["pdf-extractor"], "attenuation": "subset"},
    "audit": {"sink": "immutable", "binds": ["initiator", "workload", "action", "policy"]},
    "revocation": {"on_task_complete": True, "max_session": "1h"},
}
DELEGATE: dict[str, Any] = {
    "apiVersion": "nhilint/v1", "kind": "AgentManifest",
    "metadata": {"name": "pdf-extractor", "owner": "docs@example.com"},
    "credentials": [{"name": "t", "type": "api-key", "issuance": "standing", "rotation": "90d",
                     "source": "env:PDF_KEY"}],
    "delegation": {"allowed": True, "delegates": ["invoice-reconciler"]},
}
KUBERNETES: list[dict[str, Any]] = [
    {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "agent", "namespace": "ai"},
     "automountServiceAccountToken": True},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r", "namespace": "ai"},
     "rules": [{"apiGroups": [""], "resources": ["secrets", "pods/exec"], "verbs": ["get", "*"]}]},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "b"},
     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
     "subjects": [{"kind": "ServiceAccount", "name": "agent", "namespace": "ai"},
                  {"kind": "Group", "name": "system:authenticated"}]},
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "ai"},
     "spec": {"template": {"spec": {"serviceAccountName": "agent", "containers": [
         {"name": "c", "image": "registry.example.com/agent:1", "env": [{"name": "API_TOKEN", "value": "x"}],
          "securityContext": {"privileged": True}}]}}}},
]
MCP: dict[str, Any] = {"mcpServers": {
    "github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"],
               "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}"}, "alwaysAllow": ["create_issue"]},
    "remote": {"url": "https://mcp.example.com/sse", "headers": {"Authorization": "Bearer ${TOKEN}"}},
    "pg": {"command": "uvx", "args": ["postgres-mcp", "--access-mode=unrestricted"], "disabled": False}}}
VSCODE_MCP: dict[str, Any] = {"inputs": [{"type": "promptString", "id": "tok", "password": True}],
                              "servers": {"s": {"type": "stdio", "command": "docker",
                                                "args": ["run", "-i", "--rm", "ghcr.io/x/y:latest"],
                                                "env": {"TOKEN": "${input:tok}"}}}}
CLAUDE_SETTINGS: dict[str, Any] = {"permissions": {"allow": ["Bash(*)", "Read(**)"], "deny": [],
                                                   "defaultMode": "bypassPermissions"},
                                   "mcpServers": {"x": {"command": "node", "args": ["s.js"]}}}
A2A: dict[str, Any] = {
    "name": "ticket-agent", "description": "Tickets", "url": "https://agent.example.com/a2a",
    "protocolVersion": "0.3.0", "version": "1.0.0",
    "capabilities": {"streaming": True, "pushNotifications": False},
    "defaultInputModes": ["text/plain"], "defaultOutputModes": ["text/plain"],
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                        "oauth": {"type": "oauth2", "flows": {"clientCredentials": {
                            "tokenUrl": "https://auth.example.com/token", "scopes": {"tickets:write": "w"}}}}},
    "security": [{"bearer": []}],
    "skills": [{"id": "create", "name": "Create ticket", "description": "d", "tags": ["t"],
                "examples": ["open a ticket"]}],
}
SPIRE_ENTRIES: dict[str, Any] = {"entries": [
    {"spiffe_id": "spiffe://example.org/agent", "parent_id": "spiffe://example.org/spire/agent/k8s/node",
     "selectors": [{"type": "k8s", "value": "ns:ai"}], "x509_svid_ttl": 86400, "jwt_svid_ttl": 300,
     "admin": False, "downstream": False, "dns_names": ["a.example.org"]}]}
CLUSTER_SPIFFE_ID: dict[str, Any] = {
    "apiVersion": "spire.spiffe.io/v1alpha1", "kind": "ClusterSPIFFEID", "metadata": {"name": "c"},
    "spec": {"spiffeIDTemplate": "spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}",
             "podSelector": {"matchLabels": {"app": "agent"}}, "ttl": "24h", "jwtTtl": "5m"}}
AWS_POLICY: dict[str, Any] = {"Version": "2012-10-17", "Statement": [
    {"Sid": "All", "Effect": "Allow", "Action": ["s3:*", "iam:PassRole"], "Resource": "*"},
    {"Effect": "Deny", "NotAction": "s3:Get*", "Resource": ["arn:aws:s3:::b/*"],
     "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]}
AWS_ROLE: dict[str, Any] = {"Role": {"RoleName": "agent", "Arn": "arn:aws:iam::123456789012:role/agent",
                                     "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                                         {"Effect": "Allow", "Principal": {"AWS": "*"},
                                          "Action": "sts:AssumeRole"}]}, "MaxSessionDuration": 43200}}
AWS_KEY: dict[str, Any] = {"AccessKey": {"UserName": "ci", "AccessKeyId": "AKIAIOSFODNN7EXAMPLE",
                                         "Status": "Active", "CreateDate": "2020-01-01T00:00:00Z"}}
WORKFLOW: dict[str, Any] = {
    "name": "ci", "on": {"pull_request_target": {"branches": ["main"]}, "push": None},
    "permissions": "write-all",
    "env": {"TOKEN": "${{ secrets.TOKEN }}"},
    "jobs": {"build": {"runs-on": "ubuntu-latest", "permissions": {"id-token": "write", "contents": "read"},
                       "steps": [{"uses": "actions/checkout@v4",
                                  "with": {"ref": "${{ github.event.pull_request.head.sha }}"}},
                                 {"uses": "aws-actions/configure-aws-credentials@v4",
                                  "with": {"role-to-assume": "arn:aws:iam::1:role/r"}},
                                 {"run": "echo ${{ github.event.issue.title }}"}]}}}
CODEX: dict[str, Any] = {
    "model": "o3", "approval_policy": "never", "sandbox_mode": "danger-full-access",
    "profiles": {"fast": {"approval_policy": "never"}},
    "mcp_servers": {"gh": {"command": "npx", "args": ["-y", "server-github"], "env": {"GITHUB_TOKEN": "x"}}},
}
CONFIG: dict[str, Any] = {
    "extends": ["recommended"], "fail_on": "warning",
    "rules": {"NHI202": {"severity": "error", "max_ttl": "1h"}, "NHI402": {"max_depth": 2}, "NHI101": "off"},
    "exclude": ["vendor/**"], "per_file_ignores": {"legacy/*.yaml": ["NHI201"]},
    "cedar": {"schema": "policies/schema.cedarschema"},
}
SCENARIO: dict[str, Any] = {
    "apiVersion": "nhilint/v1", "kind": "PolicyTest", "name": "support agents",
    "cedar": {"policies": ["p.cedar"], "entities": "entities.json"},
    "scenarios": [
        {"name": "triage reads", "principal": 'Agent::"triage"', "action": 'Action::"read"',
         "resource": 'Ticket::"T-1"', "context": {"task_id": "t1", "age": 10}, "expect": "allow",
         "determined_by": ["triage-read"]},
        {"name": "others cannot", "principal": 'Agent::"x"', "action": 'Action::"delete"',
         "resource": 'Ticket::"T-1"', "expect": "deny"}],
}
REGO_SCENARIO: dict[str, Any] = {
    "apiVersion": "nhilint/v1", "kind": "PolicyTest", "name": "tools",
    "rego": {"modules": ["tools.rego"], "data": {"grants": {"a": ["read"]}}, "query": "data.tools.allow"},
    "scenarios": [{"name": "reader", "input": {"agent": "a", "action": "read"}, "expect": True},
                  {"name": "writer", "input": {"agent": "a", "action": "write"}, "expect": False}],
}
ENTITIES: list[Any] = [
    {"uid": {"type": "Agent", "id": "triage"}, "attrs": {}, "parents": []},
    {"uid": {"type": "Queue", "id": "support"}, "attrs": {}, "parents": []},
    {"uid": {"type": "Ticket", "id": "T-1"}, "attrs": {"task_id": "t1"},
     "parents": [{"type": "Queue", "id": "support"}]},
]

CEDAR = '''// agents
@id("triage-read")
permit (
  principal == Agent::"triage",
  action == Action::"read",
  resource in Queue::"support"
)
when { context.task_id == resource.task_id && context.age < 300 };

@id("no-deletes")
forbid (principal, action == Action::"delete", resource)
unless { principal has admin && principal.admin == true };

@id("template")
permit (principal == ?principal, action in [Action::"read", Action::"list"], resource is Ticket)
when { [1, 2, 3].contains(context.age) && ip("10.0.0.1").isInRange(ip("10.0.0.0/8"))
       && decimal("1.23") < decimal("2.0") && "abc" like "a*" && {a: 1}.a == 1 && -9223372036854775808 < 5 };
'''
CEDAR_SCHEMA = '''namespace Support {
  entity Queue;
  entity Agent in [Queue] { admin?: Bool, name: String };
  entity Ticket in [Queue] { task_id: String };
  action read, list appliesTo { principal: [Agent], resource: [Ticket, Queue], context: { task_id: String, age: Long } };
  action delete appliesTo { principal: Agent, resource: Ticket };
}
'''
REGO = '''package tools

import rego.v1

default allow := false

# a registered agent may call a granted tool
allow if {
	some grant in data.grants[input.agent]
	grant == input.action
	count(input.scopes) < 10
	startswith(input.tool, "read_")
}

deny contains msg if {
	input.action == "delete"
	msg := sprintf("%s may not delete", [input.agent])
}

limits := {"max": 9223372036854775807, "ratio": 1.5e3, "names": ["a", "b"]}

f(x) := y if { y := x * 2 }
'''
REGO_TEST = '''package tools_test

import rego.v1
import data.tools

test_reader if { tools.allow with input as {"agent": "a", "action": "read", "scopes": [], "tool": "read_x"}
	with data.grants as {"a": ["read"]} }

test_writer if { not tools.allow with input as {"agent": "a", "action": "write"} }
'''
SERVER_CONF = '''server {
    bind_address = "0.0.0.0"
    bind_port = "8081"
    trust_domain = "example.org"
    data_dir = "/opt/spire/data/server"
    log_level = "DEBUG"
    ca_ttl = "168h"
    default_x509_svid_ttl = "48h"
    default_jwt_svid_ttl = "30m"
    admin_ids = ["spiffe://example.org/admin", "spiffe://example.org/ops"]
}

plugins {
    DataStore "sql" {
        plugin_data {
            database_type = "sqlite3"
            connection_string = "/opt/spire/data/server/datastore.sqlite3"
        }
    }
}
'''


# (reader name, file name, seed document, serialiser); YAML and JSON both for YAML formats
STRUCTURED: dict[str, tuple[str, Any, Callable[[Any], str]]] = {
    "agent-manifest.yaml": ("agents/invoice.yaml", MANIFEST, to_yaml),
    "agent-manifest.json": ("agents/invoice.json", MANIFEST, to_json),
    "kubernetes": ("deploy/rbac.yaml", KUBERNETES, lambda docs: "---\n".join(to_yaml(d) for d in docs)),
    "mcp-cursor": (".cursor/mcp.json", MCP, to_json),
    "mcp-claude-desktop": ("claude_desktop_config.json", MCP, to_json),
    "mcp-vscode": (".vscode/mcp.json", VSCODE_MCP, to_json),
    "mcp-claude-settings": (".claude/settings.json", CLAUDE_SETTINGS, to_json),
    "mcp-codex": (".codex/config.toml", CODEX, to_toml),
    "a2a-agent-card": (".well-known/agent.json", A2A, to_json),
    "spire-entries": ("spire/entries.json", SPIRE_ENTRIES, to_json),
    "spire-cluster-spiffe-id": ("spire/csid.yaml", CLUSTER_SPIFFE_ID, to_yaml),
    "aws-iam-policy": ("iam/policy.json", AWS_POLICY, to_json),
    "aws-iam-role": ("iam/role.json", AWS_ROLE, to_json),
    "aws-iam-access-key": ("iam/key.json", AWS_KEY, to_json),
    "github-actions": (".github/workflows/ci.yml", WORKFLOW, to_yaml),
}
TEXT_FORMATS: dict[str, tuple[str, str]] = {
    "cedar": ("policies/agents.cedar", CEDAR),
    "cedarschema": ("policies/agents.cedarschema", CEDAR_SCHEMA),
    "rego": ("policies/tools.rego", REGO),
    "rego-test": ("policies/tools_test.rego", REGO_TEST),
    "spire-server-conf": ("spire/server.conf", SERVER_CONF),
}


@st.composite
def structured_case(draw: st.DrawFn, reader: str) -> Case:
    """One structured document (YAML/JSON/TOML) of `reader`'s format, mutated."""
    name, seed, serialise = STRUCTURED[reader]
    if reader == "kubernetes":
        index = draw(st.integers(0, len(seed) - 1))
        doc, planted = draw(mutated(seed[index]))
        docs = [*seed[:index], doc, *seed[index + 1:]]
        text = serialise(docs)
    else:
        doc, planted = draw(mutated(seed))
        text = serialise(doc)
    text, planted = mutated_text(draw, text, planted)
    files = {name: encode(text)}
    if reader.startswith("agent-manifest"):
        files["agents/pdf.yaml"] = encode(to_yaml(DELEGATE))
    return Case(files, reader, planted)


def mutated_text(draw: st.DrawFn, text: str, planted: list[str]) -> tuple[str, list[str]]:
    """`text_mutation` of a document with secrets planted in it, and the secrets still there."""
    after = draw(text_mutation(text))
    return after, still_planted(planted, text, after)


# --- text languages: Cedar, Rego, SPIRE server.conf

@st.composite
def cedar_literal(draw: st.DrawFn) -> tuple[str, list[str]]:
    kinds = ["huge", "deep", "string", "has", "ident", "ext", "neg"]
    kind = draw(st.sampled_from(kinds + ([] if "secret-in-cedar" in EXCLUDED else ["secret"])))
    if kind == "huge":
        return draw(st.sampled_from(["", "-"])) + "9" * draw(st.sampled_from([20, 4300, 4301, 5000])), []
    if kind == "deep":
        depth = draw(st.integers(50, 2000))
        return "(" * depth + "1" + ")" * depth, []
    if kind == "string":
        return json.dumps(draw(st.sampled_from(ODD_STRINGS)), ensure_ascii=False), []
    if kind == "secret":
        secret = draw(st.sampled_from(SECRETS[:6]))
        return json.dumps(secret), [secret]
    if kind == "has":
        return "principal has " + ".".join(["a"] * draw(st.integers(1, 200))), []
    if kind == "ident":
        return draw(st.sampled_from(["principal.\u202eadmin", "résumé", "x²", "context.\x00", "if", "1.5",
                                     "Agent::\"\ud800\"", "Agent::\"\"", "Action::\"\\u{10FFFF}\""])), []
    if kind == "ext":
        return draw(st.sampled_from(['ip("999.1.1.1")', 'decimal("1.23456")', 'ip("::1").isLoopback()',
                                     'decimal("922337203685477.5807")', "[].containsAll(1)", "{}.a"])), []
    return "-9223372036854775809", []


@st.composite
def cedar_case(draw: st.DrawFn) -> Case:
    text = CEDAR
    planted: list[str] = []
    for _ in range(draw(st.integers(0, 2))):
        literal, secrets = draw(cedar_literal())
        planted += secrets
        anchor = draw(st.sampled_from(["300", '"t1"', "true", '"triage"', "context.age", '"triage-read"',
                                       "principal,", '"a*"', "1, 2, 3"]))
        text = text.replace(anchor, literal, 1)
    text, planted = mutated_text(draw, text, planted)
    files = {TEXT_FORMATS["cedar"][0]: encode(text)}
    if draw(st.booleans()):
        schema = draw(text_mutation(CEDAR_SCHEMA))
        if draw(st.booleans()):
            schema = schema.replace("Long", "{ a: " * draw(st.integers(50, 1000)) + "Long"
                                    + " }" * draw(st.integers(0, 1000)), 1)
        files[TEXT_FORMATS["cedarschema"][0]] = encode(schema)
    return Case(files, "cedar", planted)


@st.composite
def rego_case(draw: st.DrawFn) -> Case:
    text = REGO
    planted: list[str] = []
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["huge", "braces", "brackets", "string", "secret", "v0", "keyword", "many"]))
        if kind == "huge":
            text = text.replace("9223372036854775807", "9" * draw(st.sampled_from([4300, 4301, 5000])), 1)
        elif kind == "braces":
            depth = draw(st.integers(50, 2000))
            text += "\nnested if " + "{ " * depth + "true" + " }" * depth + "\n"
        elif kind == "brackets":
            depth = draw(st.integers(50, 2000))
            text = text.replace('["a", "b"]', "[" * depth + '"a"' + "]" * depth, 1)
        elif kind == "string":
            text = text.replace('"read_"', json.dumps(draw(st.sampled_from(ODD_STRINGS)), ensure_ascii=False), 1)
        elif kind == "secret":
            secret = draw(st.sampled_from(SECRETS[:6]))
            planted.append(secret)
            text = text.replace('"delete"', json.dumps(secret), 1)
        elif kind == "v0":
            text = text.replace("import rego.v1\n", "").replace(" if {", " {").replace(" contains msg", "[msg]")
        elif kind == "keyword":
            text = text.replace("some grant in", draw(st.sampled_from(
                ["every grant in", "some", "not not", "with input as", "import future.keywords", "in in"])), 1)
        else:
            text += "".join(f"\nr{i % 7} := {i}" for i in range(draw(st.integers(1, 200))))
    text, planted = mutated_text(draw, text, planted)
    files = {TEXT_FORMATS["rego"][0]: encode(text)}
    if draw(st.booleans()):
        files[TEXT_FORMATS["rego-test"][0]] = encode(draw(text_mutation(REGO_TEST)))
    return Case(files, "rego", planted)


@st.composite
def server_conf_case(draw: st.DrawFn) -> Case:
    text = SERVER_CONF
    planted: list[str] = []
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["ttl", "braces", "secret", "spaces", "unicode", "admin"]))
        if kind == "ttl":
            text = text.replace('"48h"', draw(st.sampled_from(
                ['"²h"', '""', "48h", '"99999999999999999999h"', "3600", '"-1h"', '"1h30m"', '"\u0661h"',
                 "[1]", '"PT1H"', "9" * 5000])), 1)
        elif kind == "braces":
            depth = draw(st.integers(50, 2000))
            text = text.replace("server {", "server {" + "{" * depth, 1)
        elif kind == "secret":
            secret = draw(st.sampled_from(SECRETS[:6]))
            planted.append(secret)
            text = text.replace("/opt/spire/data/server/datastore.sqlite3", f"postgres://u:{secret}@db/x", 1)
        elif kind == "spaces":
            text = text.replace("bind_port = ", "bind_port =" + " " * draw(st.integers(1, 2000)), 1)
        elif kind == "unicode":
            text = text.replace("example.org", draw(st.sampled_from(ODD_STRINGS)), 1)
        else:
            text = text.replace('"spiffe://example.org/admin"', draw(st.sampled_from(
                ['"spiffe://"', "[]", '"*"', '"spiffe://example.org/\u202e"', "{", '"a" "b"'])), 1)
    text, planted = mutated_text(draw, text, planted)
    return Case({TEXT_FORMATS["spire-server-conf"][0]: encode(text)}, "spire-server-conf", planted)


# --- configuration, baseline, scenario files

@st.composite
def config_case(draw: st.DrawFn) -> Case:
    """A `.nhilint.yaml` (or `[tool.nhilint]` in pyproject.toml) beside a valid manifest."""
    values: st.SearchStrategy[Any] | None = None
    if "config-wrong-type" in EXCLUDED:
        values = st.one_of(st.sampled_from(ODD_STRINGS), st.lists(st.sampled_from(ODD_STRINGS), max_size=2),
                           *([] if "config-secret" in EXCLUDED else [st.sampled_from(SECRETS)]))
    elif "config-secret" in EXCLUDED:
        values = wrong_values().filter(lambda v: v not in SECRETS)
    doc, planted = draw(mutated(CONFIG, values=values))
    if draw(st.booleans()):
        name, text = ".nhilint.yaml", to_yaml(doc)
    else:
        name, text = "pyproject.toml", to_toml({"project": {"name": "x"}, "tool": {"nhilint": doc}})
    text, planted = mutated_text(draw, text, planted)
    return Case({name: encode(text), "agents/a.yaml": encode(to_yaml(MANIFEST))}, "config", planted)


BASELINE: dict[str, Any] = {"findings": [
    {"fingerprint": "e02ea2c463755e9891bb89a6a431f3cf", "identity": "invoice-reconciler",
     "message": "credential 'ledger-token' has ttl 15m", "path": "agents/a.yaml", "rule": "NHI202"}],
    "version": 1}


@st.composite
def baseline_case(draw: st.DrawFn) -> Case:
    """A baseline file (`lint --baseline baseline.json`) beside a valid manifest."""
    doc, planted = draw(mutated(BASELINE))
    text, planted = mutated_text(draw, to_json(doc), planted)
    if draw(st.integers(0, 5)) == 0:
        text = "[" * draw(st.integers(50, 5000)) + "]" * draw(st.integers(0, 5000))
    return Case({"baseline.json": encode(text), "agents/a.yaml": encode(to_yaml(MANIFEST))}, "baseline", planted)


@st.composite
def scenario_case(draw: st.DrawFn) -> Case:
    """A scenario file (`*.nhitest.yaml`) over a valid Cedar or Rego policy, mutated. The
    policies stay valid here: hostile policies are the engine layer's tests."""
    options: dict[str, Any] = {"int_keys": "scenario-int-key" not in EXCLUDED}
    if "scenario-secret" in EXCLUDED:
        options["values"] = wrong_values().filter(lambda v: v not in SECRETS)
    if draw(st.booleans()):
        doc, planted = draw(mutated(SCENARIO, **options))
        files = {"t/p.cedar": encode(CEDAR.replace("permit (principal == ?principal", "permit (principal")),
                 "t/entities.json": encode(to_json(ENTITIES))}
    else:
        doc, planted = draw(mutated(REGO_SCENARIO, **options))
        files = {"t/tools.rego": encode(REGO)}
    text, planted = mutated_text(draw, to_yaml(doc), planted)
    files["t/s.nhitest.yaml"] = encode(text)
    return Case(files, "scenario", planted)


@st.composite
def yaml_oddity_case(draw: st.DrawFn) -> Case:
    """YAML the loader alone must survive: tags, aliases (a small billion laughs), deep
    flow nesting, several documents, under a manifest's hint so the manifest reader runs."""
    kind = draw(st.sampled_from(["tags", "laughs", "deep", "multi", "keys"]))
    head = "apiVersion: nhilint/v1\nkind: AgentManifest\n"
    if kind == "tags":
        body = "".join(f"k{i}: {draw(st.sampled_from(YAML_ODDITIES))}\n" for i in range(draw(st.integers(1, 4))))
    elif kind == "laughs":
        levels = draw(st.integers(2, 12))
        body = 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
            f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, levels))
    elif kind == "deep":
        depth = draw(st.integers(50, 2000))
        body = "metadata: " + draw(st.sampled_from(["{a: " * depth + "1" + "}" * depth, "[" * depth + "]" * depth]))
        body += "\n"
    elif kind == "multi":
        body = "metadata: {name: a}\n---\n" + "--- !!str\n" * draw(st.integers(1, 50)) + "...\n%YAML 1.1\n---\nx\n"
    else:
        body = draw(st.sampled_from(['"a\\nb": 1\n', "? [1, 2]\n: x\n", "? {a: 1}\n: y\n", "1: x\n", "null: 2\n",
                                     "true: 3\n", "1.5: 4\n", "2020-01-01: 5\n", "[a]: 6\n", "<<: *x\n"]))
    return Case({"agents/odd.yaml": encode(draw(text_mutation(head + body)))}, "yaml-loader", [])


READERS: dict[str, Callable[[], st.SearchStrategy[Case]]] = {
    **{name: functools.partial(structured_case, name) for name in STRUCTURED},
    "cedar": cedar_case,
    "rego": rego_case,
    "spire-server-conf": server_conf_case,
    "yaml-loader": yaml_oddity_case,
}
"""Every lint-time reader, by name: what `lint_paths` reads (config, baseline and scenario
files have their own generators, since their errors are a usage error, not a finding)."""


def any_case() -> st.SearchStrategy[Case]:
    """A case of any reader, configuration, baseline or scenario file."""
    return st.one_of(*[make() for make in READERS.values()], config_case(), baseline_case(), scenario_case())
