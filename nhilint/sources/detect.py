"""How a parsed document is recognised as one of the formats nhilint reads besides its own.

Each predicate looks at the path and the data, never at the extension alone. They live
apart from the format modules so that recognising a file never imports its reader.
`PROJECT_FILES` names nhilint's own project configuration files, in the order a folder's
are looked up.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

PROJECT_FILES = (".nhilint.yaml", ".nhilint.yml", "pyproject.toml")
KUBERNETES_KINDS = frozenset({
    "ServiceAccount", "Secret", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
    "Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob",
})
WORKFLOW_DIR = ".github/workflows/"


def is_kubernetes(path: str, data: Any) -> bool:
    kind = data.get("kind") if isinstance(data, dict) else None
    return isinstance(kind, str) and kind in KUBERNETES_KINDS and isinstance(data.get("apiVersion"), str)


def is_cluster_spiffe_id(path: str, data: Any) -> bool:
    return (isinstance(data, dict) and data.get("kind") == "ClusterSPIFFEID"
            and str(data.get("apiVersion", "")).startswith("spire.spiffe.io/"))


def is_spire_entries(path: str, data: Any) -> bool:
    entries = data.get("entries") if isinstance(data, dict) else None
    return (isinstance(entries, list) and bool(entries)
            and all(isinstance(e, dict) and "spiffe_id" in e for e in entries))


def is_spire_agent_configmap(path: str, data: Any) -> bool:
    """A Kubernetes ConfigMap whose `agent.conf` holds a SPIRE Agent's `agent { ... }` block."""
    conf = data.get("data") if isinstance(data, dict) and data.get("kind") == "ConfigMap" else None
    conf = conf.get("agent.conf") if isinstance(conf, dict) else None
    return isinstance(conf, str) and re.search(r"(?m)^\s*agent\s*\{", conf) is not None


def is_spire(path: str, data: Any) -> bool:
    return is_cluster_spiffe_id(path, data) or is_spire_entries(path, data) or is_spire_agent_configmap(path, data)


def is_workflow(path: str, data: Any) -> bool:
    # YAML 1.1 reads the `on:` key as the boolean true
    return ("/" + WORKFLOW_DIR in "/" + path and isinstance(data, dict)
            and isinstance(data.get("jobs"), dict) and ("on" in data or True in data))


def is_opencode_servers(mcp: Any) -> bool:
    """opencode's `mcp`: servers of `type` "local" (a command list) or "remote" (a url)."""
    return (isinstance(mcp, dict) and bool(mcp) and "servers" not in mcp
            and all(isinstance(s, dict) and s.get("type") in ("local", "remote") for s in mcp.values()))


def is_goose_extensions(extensions: Any) -> bool:
    """Goose `extensions`: entries with a `type` and the `cmd` or `uri` they run."""
    return (isinstance(extensions, dict) and bool(extensions) and all(
        isinstance(e, dict) and isinstance(e.get("type"), str) for e in extensions.values())
        and any(isinstance(e, dict) and ("cmd" in e or "uri" in e) for e in extensions.values()))


def _continue_servers(servers: Any) -> bool:
    """Continue's `mcpServers`: a list of blocks with a name and a command or url."""
    return (isinstance(servers, list) and bool(servers) and all(isinstance(s, dict) for s in servers)
            and any("command" in s or "url" in s for s in servers))


def is_zed_settings(path: str, data: Any) -> bool:
    servers = data.get("context_servers") if isinstance(data, dict) else None
    return isinstance(servers, dict) and all(isinstance(s, dict) for s in servers.values())


def is_continue_config(path: str, data: Any) -> bool:
    return isinstance(data, dict) and _continue_servers(data.get("mcpServers"))


def is_opencode_config(path: str, data: Any) -> bool:
    return isinstance(data, dict) and is_opencode_servers(data.get("mcp"))


def is_goose_config(path: str, data: Any) -> bool:
    return isinstance(data, dict) and is_goose_extensions(data.get("extensions"))


def is_mcp_config(path: str, data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    if isinstance(data.get("mcpServers"), dict) or (isinstance(data.get("projects"), dict) and any(
            isinstance(p, dict) and isinstance(p.get("mcpServers"), dict)
            for p in data["projects"].values())):
        return True
    if isinstance(data.get("servers"), dict) and "mcp" in posixpath.basename(path).lower():
        return True  # VS Code .vscode/mcp.json
    mcp = data.get("mcp")
    return ((isinstance(mcp, dict) and isinstance(mcp.get("servers"), dict))  # VS Code settings.json
            or is_claude_settings(path, data))


def is_claude_settings(path: str, data: Any) -> bool:
    """Claude Code `.claude/settings[.local].json` or `managed-settings.json` with what nhilint
    judges there: permissions, or the switches that start servers or run a command."""
    name = posixpath.basename(path)
    return (("/.claude/" in "/" + path and name in ("settings.json", "settings.local.json"))
            or name == "managed-settings.json") and (
        isinstance(data.get("permissions"), dict) or "enableAllProjectMcpServers" in data or "apiKeyHelper" in data)


def is_agent_card(path: str, data: Any) -> bool:
    return (isinstance(data, dict) and isinstance(data.get("name"), str)
            and isinstance(data.get("skills"), list)
            and any(k in data for k in ("securitySchemes", "supportedInterfaces", "protocolVersion",
                                        "capabilities", "defaultInputModes")))


def _statements(policy: Any) -> bool:
    if not isinstance(policy, dict):
        return False
    statements = policy.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    return (isinstance(statements, list) and bool(statements)
            and all(isinstance(s, dict) and "Effect" in s for s in statements))


def is_aws_access_key(data: Any) -> bool:
    """`aws iam create-access-key` output: a long-lived key pair."""
    return isinstance(data, dict) and isinstance(data.get("AccessKey"), dict) and "AccessKeyId" in data["AccessKey"]


# `aws iam get-account-authorization-details`: its lists, and the key each list's entries have
AWS_EXPORT_LISTS = {"UserDetailList": "UserName", "GroupDetailList": "GroupName", "RoleDetailList": "RoleName",
                    "Policies": "PolicyVersionList"}


def is_aws_account_export(path: str, data: Any) -> bool:
    """An account's IAM export (any `--filter`): the lists it has are lists, and one of their
    entries is what the list holds (a user, group, role, or managed policy with versions)."""
    if not isinstance(data, dict):
        return False
    lists = [(data[key], name) for key, name in AWS_EXPORT_LISTS.items() if key in data]
    return (bool(lists) and all(isinstance(entries, list) for entries, _ in lists)
            and any(isinstance(entry, dict) and name in entry for entries, name in lists for entry in entries))


def is_aws_iam(path: str, data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    role = data["Role"] if isinstance(data.get("Role"), dict) else data
    return (_statements(data) or _statements(role.get("AssumeRolePolicyDocument"))
            or is_aws_access_key(data))
