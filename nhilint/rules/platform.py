"""NHI3xx privilege rules about facts only platform configs carry: the server packages an
MCP client launches, tokens Kubernetes mounts on its own, tools a client runs unasked."""

from __future__ import annotations

from typing import Iterator

from nhilint.model import Credential, Grant, Package, Violation
from nhilint.rules import RuleContext, rule

_MCP = '{"mcpServers": {"github": {"command": "npx", "args": ["-y", %s]}}}'
_SA = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: runner\n  namespace: agents\n"


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
    summary="A Kubernetes service account token is mounted into pods automatically.",
    rationale="An automounted token lands in every pod of the service account, whether it calls "
              "the API or not; any code execution in the pod (a tool an agent ran, a dependency) "
              "can use the account's permissions.",
    remediation="Set `automountServiceAccountToken: false` on the ServiceAccount, and mount a "
                "projected token with an audience and a short `expirationSeconds` only in the "
                "pods that need one.",
    references=("OWASP-NHI5", "OWASP-NHI7", "MAESTRO-L4"),
    bad=_SA, good=_SA + "automountServiceAccountToken: false\n",
)
def automounted_token(cred: Credential, ctx: RuleContext) -> Iterator[Violation]:
    if cred.source == "automount":
        yield Violation(cred.location, f"the API token of '{cred.identity}' is mounted into pods "
                        f"automatically ({cred.name}); set automountServiceAccountToken: false and "
                        "mount a projected token only where the API is needed", cred.identity,
                        f"automount:{cred.name}")


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


RULES = (unpinned_package, automounted_token, auto_approved_tools)
