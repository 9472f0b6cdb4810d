"""NHI3xx privilege rules about facts only platform configs carry: the server packages an
MCP client launches, tokens Kubernetes mounts on its own, tools a client runs unasked, a
workflow token whose permissions are the repository's default."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Credential, Grant, Package, Violation
from nhilint.rules import RuleContext, rule

_MCP = '{"mcpServers": {"github": {"command": "npx", "args": ["-y", %s]}}}'
_SA = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: runner\n  namespace: agents\n"
_WORKFLOW = ("# .github/workflows/ci.yml\non: push\n%sjobs:\n  test:\n    runs-on: ubuntu-latest\n"
             "    steps:\n      - run: make test\n")


@rule(
    id="NHI305", name="unpinned-server-package", category="privilege", severity="warning",
    targets=(Package,),
    summary="A tool server is launched from a package or image without a pinned version.",
    rationale="`npx -y pkg`, `uvx pkg` and `docker run image` fetch whatever the registry serves "
              "at launch, and the server runs with the agent's credentials: one compromised or "
              "hijacked release takes them all, with nothing in review to show it changed.",
    remediation="Pin an exact version (`pkg@1.4.2`, `pkg==1.4.2`, `image:1.4.2` or "
                "`image@sha256:...`) and update it deliberately.",
    references=("OWASP-NHI3", "OWASP-AGENTIC-T2", "MAESTRO-L4"),
    bad=_MCP % '"@modelcontextprotocol/server-github"', good=_MCP % '"@modelcontextprotocol/server-github@2025.4.8"',
    language="json",
)
def unpinned_package(package: Package, ctx: RuleContext) -> Iterator[Violation]:
    if package.version is None:
        what = "image" if package.ecosystem == "oci" else f"{package.ecosystem} package"
        yield Violation(package.location, f"'{package.identity}' runs {what} '{package.name}' "
                        f"through {package.launcher} without a pinned version; pin an exact version",
                        package.identity, f"package:{package.name}")


@rule(
    id="NHI306", name="automounted-token", category="privilege", severity="warning",
    targets=(Credential,),
    summary="A Kubernetes ServiceAccount mounts its API token into every pod that uses it.",
    rationale="A ServiceAccount without `automountServiceAccountToken: false` puts its token in "
              "every pod that runs as it, whether the pod calls the API or not; any code execution "
              "in such a pod (a tool an agent ran, a dependency) can use the account's permissions. "
              "A pod spec that sets `automountServiceAccountToken: true` itself is the opt-in "
              "Kubernetes recommends for the pod that calls the API, and is not a finding.",
    remediation="Set `automountServiceAccountToken: false` on the ServiceAccount, and "
                "`automountServiceAccountToken: true` in the pod spec of each workload that calls "
                "the API (or mount a projected token with an audience and a short "
                "`expirationSeconds` there).",
    references=("OWASP-NHI5", "OWASP-NHI7", "MAESTRO-L4"),
    bad=_SA, good=_SA + "automountServiceAccountToken: false\n",
)
def automounted_token(cred: Credential, ctx: RuleContext) -> Iterator[Violation]:
    if cred.source == "automount":
        yield Violation(cred.location, f"{cred.name} is mounted into every pod that uses the "
                        "account; set automountServiceAccountToken: false on the ServiceAccount and "
                        "true only in the pod specs that call the API", cred.identity,
                        f"automount:{cred.identity}")


@rule(
    id="NHI307", name="auto-approved-tools", category="privilege", severity="warning",
    targets=(Grant,),
    summary="A client runs an agent's tool calls without asking a human (alwaysAllow, trust, never).",
    rationale="Auto-approval turns every tool of a server into standing privilege: a prompt "
              "injection in any document the agent reads can call them with no one in the loop.",
    remediation="Remove `alwaysAllow`/`autoApprove`/`trust: true` and `approval_policy = \"never\"`, "
                "or limit auto-approval to read-only tools you have reviewed.",
    references=("OWASP-AGENTIC-T2", "OWASP-AGENTIC-T10", "NIST-AI-RMF-MAP-3.5"),
    bad='{"mcpServers": {"github": {"url": "https://api.example.com/mcp", "alwaysAllow": ["merge_pull_request"]}}}',
    good='{"mcpServers": {"github": {"url": "https://api.example.com/mcp"}}}',
    language="json",
)
def auto_approved_tools(grant: Grant, ctx: RuleContext) -> Iterator[Violation]:
    if grant.auto_approved:
        what = ", ".join(f"'{a}'" for a in grant.actions) if grant.actions else "every tool"
        yield Violation(grant.location, f"{grant.name} runs {what} without human approval; "
                        "remove the auto-approval or limit it to reviewed read-only tools",
                        grant.identity, f"auto-approval:{grant.name}")


@rule(
    id="NHI308", name="default-workflow-permissions", category="privilege", severity="warning",
    targets=(Grant,),
    summary="A workflow has no `permissions:` block: its GITHUB_TOKEN gets the repository's default.",
    rationale="Without a `permissions:` block the GITHUB_TOKEN of each job gets whatever the "
              "repository or organisation default is, read-write on every scope in repositories "
              "created before February 2023; a compromised step or action can then push code, "
              "publish packages or rewrite releases. The file does not say which.",
    remediation="Add `permissions: contents: read` at the top of the workflow and grant more "
                "(`pull-requests: write`, `id-token: write`, ...) only in the jobs that need it.",
    references=("OWASP-NHI5", "OWASP-AGENTIC-T3", "NIST-CSF-PR.AA-05"),
    bad=_WORKFLOW % "", good=_WORKFLOW % "permissions:\n  contents: read\n",
)
def default_workflow_permissions(grant: Grant, ctx: RuleContext) -> Iterator[Violation]:
    if grant.granted_by_default:
        yield Violation(grant.location, f"no `permissions:` block: {grant.label} gets the "
                        "repository's default permissions, which may be read-write; add "
                        "`permissions: contents: read` at the top and grant more per job",
                        grant.identity, f"default-permissions:{grant.identity}")


RULES = (unpinned_package, automounted_token, auto_approved_tools, default_workflow_permissions)
