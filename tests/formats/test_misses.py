"""Issue 14's misses, gathered in one repository (tests/formats/fixtures/misses): a finding
at each risky line, none at the safe ones beside them (a pinned `uvx pkg==1.0.0`, a
read-only project mount, a localhost MCP server, a ServiceAccount that opts out of
automount, `ec2:DescribeInstances` on `*`, a Deny, a read of one named ConfigMap, a
`permissions: {}` workflow, a checkout without persisted credentials)."""

from __future__ import annotations

from pathlib import Path

from nhilint.api import lint_paths
from tests.conftest import REPO, TODAY

MISSES = REPO / "tests" / "formats" / "fixtures" / "misses"


def test_each_risky_line_fires_and_no_safe_one() -> None:
    found = sorted((Path(f.location.path).resolve().relative_to(MISSES.resolve()).as_posix(), f.location.line,
                    f.location.column, f.rule) for f in lint_paths([str(MISSES)], today=TODAY).findings)
    assert found == [
        (".github/workflows/pr-agent.yml", 11, 16, "NHI330"),  # the PR head checked out with a secret
        (".mcp.json", 4, 51, "NHI305"),  # npx without a version; the pinned uvx beside it is clean
        (".mcp.json", 6, 50, "NHI305"),  # pnpm dlx of a range (^1.2.0); uvx --python 3.12 pkg==2.1.0 is clean
        (".mcp.json", 7, 63, "NHI305"),  # cmd /c npx without a version
        (".mcp.json", 8, 73, "NHI340"),  # the Docker socket; a read-only project mount beside it is clean
        (".mcp.json", 10, 37, "NHI341"),  # plain http off the machine; localhost beside it is clean
        (".mcp.json", 12, 99, "NHI342"),  # a filesystem server given a home directory, not a project folder
        ("agent-policy.json", 13, 17, "NHI320"),  # iam:CreatePolicyVersion: grant itself anything
        ("agent-policy.json", 14, 19, "NHI302"),
        ("agent-policy.json", 19, 17, "NHI328"),  # every secret in Secrets Manager
        ("agent-policy.json", 20, 19, "NHI302"),
        ("rbac.yaml", 15, 17, "NHI310"),  # get, list secrets
        ("rbac.yaml", 18, 17, "NHI311"),  # pods/exec
        ("rbac.yaml", 21, 17, "NHI313"),  # create deployments
        ("rbac.yaml", 50, 9, "NHI314"),  # a binding to the built-in edit role
    ]
