"""The platform formats against realistic fixtures: every finding of each `bad/` set, by
rule, file, line and column, and nothing at all for the well-configured `good/` set."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhilint.api import lint_paths
from nhilint.linter import read_structured
from nhilint.model import Inventory
from nhilint.sources import SourceOutput, link_project
from tests.conftest import TODAY

FIXTURES = Path(__file__).parent / "fixtures"

EXPECTED = {
    "kubernetes": [
        ("NHI303", "bindings.yaml", 35, 9),  # ClusterRoleBinding to cluster-admin
        ("NHI302", "bindings.yaml", 51, 11),  # a role bound to every authenticated user
        ("NHI202", "deployment.yaml", 32, 19),  # projected token for a day
        ("NHI302", "rbac.yaml", 6, 17),  # "*" apiGroups, resources and verbs: one finding
        ("NHI303", "rbac.yaml", 11, 13),  # impersonate users/groups/serviceaccounts
        ("NHI303", "rbac.yaml", 21, 13),  # create serviceaccounts/token
        ("NHI303", "rbac.yaml", 24, 20),  # escalate roles
        ("NHI303", "rbac.yaml", 24, 32),  # bind roles
        ("NHI302", "rbac.yaml", 25, 23),  # nonResourceURLs "*"
        ("NHI302", "rbac.yaml", 34, 17),  # resources "*"...
        ("NHI303", "rbac.yaml", 35, 13),  # ...with impersonate: anyone
        ("NHI306", "serviceaccount.yaml", 5, 9),  # automount left on
        ("NHI201", "serviceaccount.yaml", 15, 1),  # legacy token Secret never expires
    ],
    "mcp": [
        ("NHI343", ".claude/settings.json", 3, 20),  # defaultMode "bypassPermissions"
        ("NHI343", ".claude/settings.json", 5, 7),  # allow: Bash (every command)
        ("NHI307", ".claude/settings.json", 6, 7),  # allow: mcp__github (every tool)
        ("NHI204", ".claude/settings.json", 12, 26),  # sk-ant- in env
        ("NHI307", ".codex/config.toml", 3, 1),  # approval_policy = "never"
        ("NHI302", ".codex/config.toml", 4, 16),  # sandbox_mode = "danger-full-access"
        ("NHI305", ".codex/config.toml", 8, 15),  # @stripe/mcp unpinned
        ("NHI204", ".codex/config.toml", 9, 29),  # sk_live_ in an inline table
        ("NHI201", ".codex/config.toml", 13, 18),  # static bearer token...
        ("NHI204", ".codex/config.toml", 13, 36),  # ...written inline
        ("NHI340", ".continue/mcpServers/tools.yaml", 10, 9),  # the Docker socket (Continue block)
        ("NHI341", ".continue/mcpServers/tools.yaml", 15, 10),  # sse over plain http
        ("NHI307", ".gemini/settings.json", 6, 7),  # trust: true
        ("NHI305", ".mcp.json", 5, 22),
        ("NHI204", ".mcp.json", 7, 41),  # ghp_ in env
        ("NHI302", ".mcp.json", 12, 74),  # filesystem server rooted at /
        ("NHI201", ".mcp.json", 18, 9),
        ("NHI204", ".mcp.json", 18, 26),
        ("NHI204", ".vscode/mcp.json", 9, 14),  # api_key in the URL query (JSONC file)
        ("NHI201", ".vscode/mcp.json", 18, 9),  # mcp-remote --header "Authorization: Bearer ..."
        ("NHI204", ".vscode/mcp.json", 18, 9),
        ("NHI305", ".vscode/mcp.json", 23, 75),  # docker image without a tag
        ("NHI305", ".zed/settings.json", 5, 51),  # pnpm dlx with a range (^2025.7.1)
        ("NHI342", ".zed/settings.json", 5, 104),  # filesystem server rooted at a home directory
        ("NHI305", "cline_mcp_settings.json", 5, 16),  # uvx package without a version
        ("NHI204", "cline_mcp_settings.json", 5, 62),  # password in a connection URL
        ("NHI307", "cline_mcp_settings.json", 6, 7),  # alwaysAllow
        ("NHI341", "opencode.json", 4, 42),  # opencode remote over plain http
    ],
    "a2a": [
        ("NHI104", ".well-known/agent-card.json", 16, 5),  # apiKey scheme: shared secret
        ("NHI302", ".well-known/agent-card.json", 19, 42),  # invoices:* required card-wide
        ("NHI303", ".well-known/agent-card.json", 26, 86),  # admin scope on a skill
        ("NHI104", "ticket-agent.json", 2, 3),  # v0.3 card with no security at all
    ],
    "spire": [
        ("NHI302", "clusterspiffeid.yaml", 5, 1),  # no podSelector
        ("NHI202", "clusterspiffeid.yaml", 10, 3),
        ("NHI302", "entries.json", 6, 7),  # namespace-only selector
        ("NHI202", "entries.json", 7, 7),  # week-long X.509-SVID
        ("NHI303", "entries.json", 9, 7),  # admin: true
        ("NHI401", "entries.json", 15, 7),  # downstream: true
        ("NHI403", "entries.json", 15, 7),
        ("NHI202", "entries.json", 16, 7),  # legacy ttl covers both SVIDs
        ("NHI202", "entries.json", 16, 7),
        ("NHI202", "server.conf", 8, 5),  # default_x509_svid_ttl = "24h"
        ("NHI303", "server.conf", 10, 5),  # admin_ids
    ],
    "github_actions": [
        ("NHI308", ".github/workflows/ci.yml", 4, 3),  # job test: no permissions block anywhere
        ("NHI302", ".github/workflows/ci.yml", 11, 18),  # job-level write-all
        ("NHI332", ".github/workflows/ci.yml", 13, 15),  # checkout keeps the write-all token in .git/config
        ("NHI302", ".github/workflows/release.yml", 5, 14),  # workflow-level write-all
        ("NHI332", ".github/workflows/release.yml", 13, 15),  # checkout keeps a contents: write token
        ("NHI403", ".github/workflows/release.yml", 22, 14),  # secrets: inherit to another repository
    ],
    "aws_iam": [
        ("NHI403", "agent-deployer-policy.json", 7, 18),  # iam:PassRole on *
        ("NHI302", "agent-deployer-policy.json", 7, 34),  # lambda:*
        ("NHI320", "agent-deployer-policy.json", 7, 34),  # lambda:* (CreateFunction) with iam:PassRole on *
        ("NHI302", "agent-deployer-policy.json", 8, 19),  # Resource *
        ("NHI302", "agent-deployer-policy.json", 13, 7),  # Allow + NotAction
        ("NHI202", "agent-deployer-role.json", 6, 5),  # MaxSessionDuration 12 h
        ("NHI302", "agent-deployer-role.json", 10, 50),  # Principal {"AWS": "*"}
        ("NHI302", "agent-deployer-role.json", 13, 38),  # GitHub OIDC without a sub condition
        ("NHI201", "ci-user-key.json", 4, 9),  # long-lived access key
        ("NHI203", "ci-user-key.json", 4, 9),
        ("NHI204", "ci-user-key.json", 4, 24),  # AKIA...
        ("NHI204", "ci-user-key.json", 6, 28),  # the secret access key
    ],
}


def _lint(folder: Path, monkeypatch: pytest.MonkeyPatch) -> list:
    monkeypatch.chdir(folder)  # finding paths relative to the fixture set
    return lint_paths(["."], today=TODAY).findings


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_set_fires_exactly(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    findings = _lint(FIXTURES / name / "bad", monkeypatch)
    found = [(f.rule, f.location.path, f.location.line, f.location.column) for f in findings]
    assert found == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_good_set_is_clean(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    findings = _lint(FIXTURES / name / "good", monkeypatch)
    assert [(f.rule, f.location.path, f.location.line, f.message) for f in findings] == []


def test_no_secret_value_in_any_message(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in EXPECTED:
        for finding in _lint(FIXTURES / name / "bad", monkeypatch):
            for fragment in ("Qx7Lm2Kp9", "R8x2Lk9Q", "lin_api_7Hq", "Pg8sQ2xL", "sntrys_4Kd", "51Hx8QkL",
                             "crm_8Vt3", "Z3EXAMPLE7", "wJalrXUtn"):
                assert fragment not in finding.message


def test_bindings_join_roles_and_subjects_across_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """rbac.yaml defines the roles, bindings.yaml binds them: the wildcard names its holder."""
    findings = _lint(FIXTURES / "kubernetes" / "bad", monkeypatch)
    wildcard = next(f for f in findings if f.rule == "NHI302" and f.location.path == "rbac.yaml")
    assert "bound to ServiceAccount agents/agent-runner" in wildcard.message
    assert [f.message for f in findings if f.rule == "NHI303" and f.location.path == "bindings.yaml"] == [
        "ClusterRoleBinding agent-runner-admin (roleRef cluster-admin) is an administrative grant; "
        "grant the specific permissions needed"]


def test_service_account_holds_its_roles_and_tokens_after_the_join() -> None:
    """The join puts the grants of every bound role (rbac.yaml, via bindings.yaml), the
    projected token (deployment.yaml) and the token Secret on the ServiceAccount identity."""
    inventory = Inventory()
    for file in sorted((FIXTURES / "kubernetes" / "bad").glob("*.yaml")):
        out = SourceOutput()
        read_structured(file.name, file.read_text(encoding="utf-8"), out)
        for identity in out.identities:
            inventory.add_identity(identity)
        inventory.objects.extend(out.objects)
    link_project(inventory)
    account = inventory.identity("ServiceAccount agents/agent-runner")
    assert account is not None
    assert sorted({g.name.split(" (bound")[0] for g in account.grants}) == [
        "ClusterRole agent-runner rules[0]", "ClusterRole agent-runner rules[1]",
        "ClusterRole agent-runner: impersonate groups, serviceaccounts, users",
        "Role agents/token-minter rules[0]", "Role agents/token-minter rules[1]",
        "Role agents/token-minter rules[2]", "Role agents/token-minter: bind roles",
        "Role agents/token-minter: create serviceaccounts/token", "Role agents/token-minter: escalate roles"]
    assert [c.name for c in account.credentials] == [
        "the API token of ServiceAccount agents/agent-runner (automountServiceAccountToken unset)",
        "projected token 'vault-token' of Deployment agent-runner", "Secret agents/agent-runner-token"]
    assert account in inventory.objects  # the joined identity replaced the one read
