"""Formats are recognised by path and content, never by extension alone; TOML and JSONC
keep exact positions; malformed platform files are located findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhilint.api import lint_paths
from nhilint.sources.toml_positions import TomlError, load_toml
from nhilint.sources.yaml_loader import blank_json_comments
from tests.conftest import TODAY

WILDCARD_ROLE = """apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: everything
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
"""
WRITE_ALL = "on: push\npermissions: write-all\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: []\n"
HELM_TEMPLATE = """{{- if .Values.serviceAccount.create -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "chart.serviceAccountName" . }}
{{- end }}
"""
TEMPLATED_VALUES = """apiVersion: v1
kind: ServiceAccount
metadata:
  name: '{{ include "chart.serviceAccountName" . }}'
"""
TRUSTED = '{"mcpServers": {"crm": {"url": "https://crm.example.net/mcp", "trust": true}}}\n'
V02_CARD = ('{"name": "recipes", "url": "https://recipes.example.org/a2a", "version": "1", "capabilities": {},'
            ' "authentication": {"schemes": ["%s"], "credentials": null}, "skills": [{"id": "cook"}]}\n')
INSECURE_AGENT = ('agent {\n  server_address = "spire-server"\n  trust_domain = "example.org"\n'
                  '  insecure_bootstrap = true\n}\n')


def _rules(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, str, int]]:
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    findings = lint_paths([str(tmp_path)], today=TODAY).findings
    return [(f.rule, Path(f.location.path).relative_to(tmp_path).as_posix(), f.location.line)
            for f in findings]


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"deploy/role.yaml": WILDCARD_ROLE}, 1, id="kubernetes-by-apiVersion-and-kind"),
    pytest.param({"deploy/role.yaml": WILDCARD_ROLE.replace("ClusterRole", "ConfigMap", 1)}, 0,
                 id="other-kind-ignored"),
    pytest.param({"chart/values.yaml": "rbac:\n  rules:\n    - verbs: ['*']\n"}, 0, id="unrelated-yaml"),
    pytest.param({".github/workflows/build.yml": WRITE_ALL}, 1, id="workflow-in-its-folder"),
    pytest.param({"docs/build.yml": WRITE_ALL}, 0, id="workflow-shape-elsewhere-ignored"),
    pytest.param({".cursor/mcp.json": TRUSTED}, 1, id="mcp-by-name"),
    pytest.param({"tools.json": TRUSTED}, 1, id="mcp-by-content"),
    pytest.param({".vscode/settings.json": '{"editor.tabSize": 2, "servers": {"a": {"trust": true}}}'}, 0,
                 id="settings-without-mcp-ignored"),
    pytest.param({".codex/config.toml": 'approval_policy = "never"\n'}, 1, id="codex-by-folder"),
    pytest.param({"config.toml": 'approval_policy = "never"\n'}, 0, id="other-config-toml-ignored"),
    pytest.param({"chart/templates/sa.yaml": HELM_TEMPLATE}, 0, id="helm-template-is-not-yaml-yet"),
    pytest.param({"chart/templates/sa.yaml": TEMPLATED_VALUES}, 1, id="template-values-that-parse-are-read"),
    pytest.param({".well-known/agent.json": V02_CARD % "ApiKey"}, 1, id="a2a-v0.2-api-key-is-a-shared-secret"),
    pytest.param({".well-known/agent.json": V02_CARD % "Bearer"}, 0, id="a2a-v0.2-bearer-declares-an-identity"),
    pytest.param({".well-known/agent.json": V02_CARD % "x402"}, 1, id="a2a-v0.2-payment-scheme-is-no-identity"),
    pytest.param({"spire/agent.conf": INSECURE_AGENT}, 1, id="spire-agent-conf-by-name"),
    pytest.param({"spire/agent.hcl": INSECURE_AGENT}, 0, id="spire-agent-block-under-another-name-ignored"),
    pytest.param({"ossec/agent.conf": "<agent_config>\n  <localfile>agent { }</localfile>\n</agent_config>\n"}, 0,
                 id="other-agent-conf-ignored"),
    pytest.param({"k8s/spire-agent.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: spire-agent}\ndata:\n"
                  "  agent.conf: |\n" + "".join("    " + line + "\n" for line in INSECURE_AGENT.splitlines())}, 1,
                 id="spire-agent-conf-in-a-configmap"),
    pytest.param({"k8s/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n"
                  "  agent.conf: 'log_level = \"DEBUG\"'\n"}, 0, id="configmap-without-agent-block-ignored"),
])
def test_detection(tmp_path: Path, files: dict[str, str], expected: int) -> None:
    assert len(_rules(tmp_path, files)) == expected


UNPINNED = '{"mcpServers": {"acme": {"command": "npx", "args": ["-y", "acme-mcp"]}}}'
CLIENTS = [
    # (path, text, the format --list-files names)
    (".continue/config.yaml", "name: a\nversion: 1.0.0\nmcpServers:\n  - name: acme\n    command: npx\n"
     "    args: [-y, acme-mcp]\n", "continue-config"),
    (".continue/mcpServers/acme.yaml", "name: a\nschema: v1\nmcpServers:\n  - name: acme\n    command: npx\n"
     "    args: [-y, acme-mcp]\n", "continue-config"),
    (".continue/mcpServers/acme.json", UNPINNED, "mcp-config"),
    (".zed/settings.json", '{"theme": "x", "context_servers": {"acme": {"command": {"path": "npx", '
     '"args": ["-y", "acme-mcp"]}}}}', "zed-settings"),
    ("opencode.json", '{"mcp": {"acme": {"type": "local", "command": ["npx", "-y", "acme-mcp"]}}}', "opencode-config"),
    (".config/goose/config.yaml", "extensions:\n  acme:\n    type: stdio\n    cmd: npx\n    args: [-y, acme-mcp]\n"
     "    enabled: true\n", "goose-config"),
    (".codeium/windsurf/mcp_config.json", UNPINNED, "mcp-config"),
    (".amazonq/mcp.json", UNPINNED, "mcp-config"),
    (".roo/mcp.json", UNPINNED, "mcp-config"),
]


@pytest.mark.parametrize(("name", "text", "fmt"), CLIENTS, ids=[c[0] for c in CLIENTS])
def test_agent_clients_are_read_and_named(tmp_path: Path, name: str, text: str, fmt: str) -> None:
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = lint_paths([str(tmp_path)], today=TODAY)
    assert [f.rule for f in result.findings] == ["NHI305"]
    assert [o.read_as for o in result.outcomes.values()] == [fmt]


@pytest.mark.parametrize("files", [
    {".vscode/extensions.json": '{"recommendations": ["ms-python.python"]}'},
    {"chart/values.yaml": "extensions:\n  enabled: true\n  list: [a, b]\n"},
    {"package.json": '{"name": "x", "mcp": {"enabled": true}}'},
    {"config.yaml": "mcpServers: [a, b]\n"},
    {".zed/settings.json": '{"theme": "One Dark", "languages": {"Python": {"tab_size": 4}}}'},
], ids=["vscode-extensions", "helm-extensions", "package-json-mcp-flag", "list-of-names", "zed-without-servers"])
def test_client_look_alikes_are_ignored(tmp_path: Path, files: dict[str, str]) -> None:
    assert _rules(tmp_path, files) == []


def test_vscode_settings_with_mcp_block(tmp_path: Path) -> None:
    settings = '{\n  "editor.tabSize": 2,\n  "mcp": {"servers": {\n    "crm": {"url": "https://x.example/mcp", "trust": true}\n  }}\n}\n'
    assert _rules(tmp_path, {".vscode/settings.json": settings}) == [("NHI307", ".vscode/settings.json", 4)]


def test_claude_json_local_scope(tmp_path: Path) -> None:
    user = '{"projects": {"/home/dev/app": {"mcpServers": {"db": {"command": "uvx", "args": ["mcp-postgres"]}}}}}'
    assert _rules(tmp_path, {".claude.json": user}) == [("NHI305", ".claude.json", 1)]


@pytest.mark.parametrize(("name", "text", "line"), [
    pytest.param(".codex/config.toml", 'approval_policy = "never\n', 1, id="toml"),
    pytest.param(".vscode/mcp.json", '{\n  // servers\n  "servers": {"a": {"url": \n}\n', 4, id="jsonc"),
    pytest.param("k8s/role.yaml", WILDCARD_ROLE.replace('verbs: ["*"]', 'verbs: ["*"'), 9, id="yaml"),
])
def test_malformed_file_is_a_located_finding(tmp_path: Path, name: str, text: str, line: int) -> None:
    assert _rules(tmp_path, {name: text}) == [("NHI001", name, line)]


def test_jsonc_comments_become_spaces_and_keep_positions() -> None:
    text = '{\n  // a "quoted" comment\n  "url": "https://a.example//b", /* two\n lines */ "k": "a\\"//b"\n}'
    blanked = blank_json_comments(text)
    assert len(blanked) == len(text) and blanked.count("\n") == text.count("\n")
    assert "comment" not in blanked and "two" not in blanked
    assert '"https://a.example//b"' in blanked and '"a\\"//b"' in blanked


TOML = '''# Codex
model = "o4-mini"
[mcp_servers."my server"]
command = """npx"""
args = [
  "-y",   # comment
  'pkg@1.0.0',
]
env = { TOKEN = "x", "QUOTED KEY" = 'y' }
http_headers.Authorization = "Bearer z"

[[profiles.list]]
approval_policy = "never"
[[profiles.list]]
approval_policy = "on-request"
'''


@pytest.mark.parametrize(("pointer", "key", "value"), [
    (("model",), (2, 1), (2, 9)),
    (("mcp_servers", "my server"), (3, 1), (3, 1)),
    (("mcp_servers", "my server", "command"), (4, 1), (4, 11)),
    (("mcp_servers", "my server", "args", 0), None, (6, 3)),
    (("mcp_servers", "my server", "args", 1), None, (7, 3)),
    (("mcp_servers", "my server", "env", "TOKEN"), (9, 9), (9, 17)),
    (("mcp_servers", "my server", "env", "QUOTED KEY"), (9, 22), (9, 37)),
    (("mcp_servers", "my server", "http_headers", "Authorization"), (10, 1), (10, 30)),
    (("profiles", "list", 1, "approval_policy"), (15, 1), (15, 19)),
])
def test_toml_positions(pointer: tuple, key: tuple | None, value: tuple) -> None:
    doc = load_toml("config.toml", TOML)
    if key is not None:
        found = doc.key_location(pointer)
        assert (found.line, found.column) == key
    found = doc.value_location(pointer)
    assert (found.line, found.column) == value


def test_toml_error_is_located() -> None:
    with pytest.raises(TomlError) as error:
        load_toml("config.toml", 'a = 1\nb = [1,\n')
    assert error.value.location.line == 2 and error.value.message == "Invalid value"


@pytest.mark.parametrize(("name", "text"), [
    ("k8s/role.yaml", "apiVersion: v1\nkind: [Role]\n"),
    ("k8s/role.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: []\nrules: true\n"),
    ("k8s/binding.yaml", "apiVersion: v1\nkind: RoleBinding\nroleRef: cluster-admin\nsubjects: 3\n"),
    ("k8s/pod.yaml", "apiVersion: v1\nkind: CronJob\nspec: {jobTemplate: [1]}\n"),
    ("k8s/pod.yaml", "apiVersion: v1\nkind: Pod\nspec: {volumes: [{projected: {sources: [{serviceAccountToken: 5}]}}]}\n"),
    (".mcp.json", '{"mcpServers": {"a": {"command": "npx", "args": 1.5, "env": [1], "headers": "x"}}}'),
    (".mcp.json", '{"mcpServers": {"a": {"command": 7, "args": [null, {}, "-p"], "alwaysAllow": "all"}}}'),
    ("agent-card.json", '{"name": "a", "skills": [1, {"securityRequirements": [{"schemes": {"x": {"list": "s"}}}]}],'
                        ' "capabilities": 1, "securitySchemes": {"x": 1}, "security": [["*"]]}'),
    ("entries.json", '{"entries": [{"spiffe_id": 1, "selectors": "ns", "x509_svid_ttl": "soon", "admin": "yes"}]}'),
    (".github/workflows/x.yml", "on: push\npermissions: [write-all]\njobs: {a: 1, b: {permissions: 3, secrets: [inherit]}}\n"),
    ("policy.json", '{"Statement": {"Effect": "Allow", "Action": [[1]], "Resource": {"a": 1}, "Principal": [1]}}'),
    ("role.json", '{"Role": {"AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow"}]}, "MaxSessionDuration": true}}'),
    (".codex/config.toml", "approval_policy = 3\n[mcp_servers]\nx = 1\n[mcp_servers.y]\nargs = 'npx'\n"),
    ("server.conf", 'server {\n  trust_domain = 5\n  admin_ids = "x"\n}\n'),
    ("opencode.json", '{"mcp": {"a": {"type": "local", "command": []}, "b": {"type": "remote", "url": 3}}}'),
    ("opencode.json", '{"mcp": {"a": {"type": "local", "command": [null, 2, {"x": 1}]}}}'),
    (".zed/settings.json", '{"context_servers": {"a": {"command": {"path": 1, "args": "npx"}}, "b": {"command": {}}}}'),
    (".continue/config.yaml", "mcpServers:\n  - {name: [1], command: docker, args: [run, -v]}\n  - url: {a: 1}\n"),
    ("goose.yaml", "extensions:\n  a: {type: stdio, cmd: [npx], args: {x: 1}, envs: 3}\n  b: {type: sse, uri: 5}\n"),
    (".mcp.json", '{"mcpServers": {"a": {"command": "cmd", "args": ["/c"]}, "b": {"command": "docker", "args": '
                  '["run", "--mount", "type=bind", "--network"]}, "c": {"url": "http://[::1"}}}'),
    ("agent.json", '{"name": "a", "skills": [], "capabilities": {}, "authentication": {"schemes": [1, null, ["x"]]},'
                   ' "url": 5, "additionalInterfaces": [1, {"url": ["x"]}], "supportedInterfaces": {"url": "x"},'
                   ' "securitySchemes": {"o": {"type": "oauth2", "flows": {"a": 1, "b": {"tokenUrl": 2}}},'
                   ' "p": {"oauth2SecurityScheme": {"flows": []}}}, "security": [{"o": "s"}, 3]}'),
    ("agent-card.json", '{"name": "a", "skills": [{"security": {"o": ["s"]}}, {"security": [{"o": 1}]}],'
                        ' "capabilities": {}, "authentication": "Bearer", "url": "http://[::1"}'),
    ("agent.conf", 'agent {\n  trust_domain = 5\n  insecure_bootstrap = "maybe"\n  trust_bundle_url = "http://[x"\n'
                   '  /* unclosed\n}\n'),
    ("agent.conf", 'agent {\n  trust_domain = "a" /* x */ insecure_bootstrap = true\n  trust_bundle_url = http://x\n'),
    ("cm.yaml", "apiVersion: v1\nkind: ConfigMap\ndata:\n  agent.conf: >\n    agent {\n    trust_domain = \"a\"\n"
                "    insecure_bootstrap = true\n    }\n"),
])
def test_odd_shapes_never_crash(tmp_path: Path, name: str, text: str) -> None:
    for rule, _, _ in _rules(tmp_path, {name: text}):
        assert rule.startswith("NHI")


ADMIN_EXPORT = ('{"RoleDetailList": [{"RoleName": "ops", "Arn": "arn:aws:iam::123456789012:role/ops",'
                ' "AttachedManagedPolicies": [{"PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]}]}\n')


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"iam/authorization-details.json": ADMIN_EXPORT}, 1, id="aws-export-by-content"),
    pytest.param({"snapshots/2024-05-01.json": ADMIN_EXPORT}, 1, id="aws-export-under-any-name"),
    pytest.param({"iam/export.yaml": "RoleDetailList:\n  - RoleName: ops\n    AttachedManagedPolicies:\n"
                  "      - PolicyArn: arn:aws:iam::aws:policy/AdministratorAccess\n"}, 1, id="aws-export-in-yaml"),
    pytest.param({"iam/users.json": '{"Policies": [{"PolicyName": "p", "PolicyVersionList": [{"IsDefaultVersion": true,'
                  ' "Document": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]}]}'}, 0,
                 id="aws-export-policies-alone-hold-nothing"),
    pytest.param({"config.json": '{"Policies": [{"name": "retention", "AttachedManagedPolicies": '
                  '[{"PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]}]}'}, 0,
                 id="policies-list-look-alike-ignored"),
    pytest.param({"report.json": '{"RoleDetailList": "see the export", "Roles": [{"RoleName": "ops",'
                  ' "AttachedManagedPolicies": [{"PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]}]}'}, 0,
                 id="export-key-that-is-no-list-ignored"),
])
def test_aws_export_detection(tmp_path: Path, files: dict[str, str], expected: int) -> None:
    assert len(_rules(tmp_path, files)) == expected
