"""Issue 14's misses, gathered in one repository (tests/formats/fixtures/misses): a finding
at each risky line, none at the safe ones beside them (a pinned `uvx pkg==1.0.0`, a
read-only project mount, a localhost MCP server, a ServiceAccount that opts out of
automount, `ec2:DescribeInstances` on `*`, a Deny, a read of one named ConfigMap, a
`permissions: {}` workflow, a checkout without persisted credentials, a fetch of the base
branch, an OIDC cloud sign-in, a scoped Claude Code rule, a webhook named in resourceNames,
a CRD aggregated into view)."""

from __future__ import annotations

from pathlib import Path

from nhilint.api import lint_paths
from tests.conftest import REPO, TODAY

MISSES = REPO / "tests" / "formats" / "fixtures" / "misses"


def test_each_risky_line_fires_and_no_safe_one() -> None:
    found = sorted((Path(f.location.path).resolve().relative_to(MISSES.resolve()).as_posix(), f.location.line,
                    f.location.column, f.rule) for f in lint_paths([str(MISSES)], today=TODAY).findings)
    assert found == [
        (".claude/settings.json", 4, 7, "NHI343"),  # Bash(curl:*); Bash(npm run test:*) is clean
        (".claude/settings.json", 6, 7, "NHI344"),  # Write anywhere; Edit(docs/**) is clean
        (".claude/settings.json", 8, 7, "NHI345"),  # WebFetch(domain:*); one named domain is clean
        (".claude/settings.json", 12, 33, "NHI346"),  # enableAllProjectMcpServers
        (".github/workflows/deploy.yml", 12, 34, "NHI336"),  # an AWS key; the Google OIDC sign-in is clean
        (".github/workflows/fmt.yml", 12, 14, "NHI330"),  # git fetch of the PR head; the base's fetch is clean
        (".github/workflows/pr-agent.yml", 11, 16, "NHI330"),  # the PR head checked out with a secret
        (".mcp.json", 4, 51, "NHI305"),  # npx without a version; the pinned uvx beside it is clean
        (".mcp.json", 6, 50, "NHI305"),  # pnpm dlx of a range (^1.2.0); uvx --python 3.12 pkg==2.1.0 is clean
        (".mcp.json", 7, 63, "NHI305"),  # cmd /c npx without a version
        (".mcp.json", 8, 73, "NHI340"),  # the Docker socket; a read-only project mount beside it is clean
        (".mcp.json", 10, 37, "NHI341"),  # plain http off the machine; localhost beside it is clean
        (".mcp.json", 12, 99, "NHI342"),  # a filesystem server given a home directory, not a project folder
        (".well-known/agent-card.json", 4, 10, "NHI347"),  # an agent card served over plain http
        ("agent-policy.json", 13, 17, "NHI320"),  # iam:CreatePolicyVersion: grant itself anything
        ("agent-policy.json", 14, 19, "NHI302"),
        ("agent-policy.json", 19, 17, "NHI328"),  # every secret in Secrets Manager
        ("agent-policy.json", 20, 19, "NHI302"),
        ("rbac-admission.yaml", 14, 17, "NHI315"),  # every validating webhook; one named mutating one is clean
        ("rbac-admission.yaml", 53, 17, "NHI310"),  # secrets read, aggregated into view (NHI317 too);
        ("rbac-admission.yaml", 53, 17, "NHI317"),  # the agents CRD aggregated into view is clean
        ("rbac.yaml", 15, 17, "NHI310"),  # get, list secrets
        ("rbac.yaml", 18, 17, "NHI311"),  # pods/exec
        ("rbac.yaml", 21, 17, "NHI313"),  # create deployments
        ("rbac.yaml", 50, 9, "NHI314"),  # a binding to the built-in edit role
        ("spire/agent.conf", 6, 5, "NHI207"),  # insecure_bootstrap = true
    ]
