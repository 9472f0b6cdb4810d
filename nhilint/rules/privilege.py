"""NHI3xx: privilege. No standing access to dangerous tools, no wildcards, no admin."""

from __future__ import annotations

import re
from collections.abc import Iterator

from nhilint.model import Credential, Grant, Identity, Location, Violation
from nhilint.rules import SHOWN_IN_A_MESSAGE, Param, RuleContext, first_few, rule

_HEAD = "apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n  name: deploy-bot\n"
_RISKY = Param("risk_levels", ["high", "critical"], "list", "Tool risk levels that count as high-risk.")

# Only wildcards and separators: `*`, `*:*`, `**`, `*/*`.
_BARE_WILDCARD = re.compile(r"^[*/:.]*\*[*/:.]*$")
# Every action of one service: `refunds:*`, `s3:*`.
_SERVICE_WILDCARD = re.compile(r"^[A-Za-z0-9_.-]+:\*$")


def _is_unbounded(item: str, prefixed_too: bool, service_wide: bool) -> bool:
    item = item.strip()
    if _BARE_WILDCARD.match(item):
        return True
    if service_wide and _SERVICE_WILDCARD.match(item):
        return True
    return prefixed_too and "*" in item


@rule(
    id="NHI301", name="standing-privilege-high-risk", category="privilege", severity="error",
    targets=(Identity,), params=(_RISKY,),
    summary="An identity holds a standing credential and a high-risk tool.",
    rationale="Standing access to a dangerous tool is usable at any moment, by the agent or by "
              "anyone who steals its secret, with no task or approval in between.",
    remediation="Issue the credential just in time (`issuance: jit` with a short `ttl`) for "
                "high-risk tools, or lower the tool's reach.",
    references=("OWASP-NHI5", "OWASP-AGENTIC-T3", "NIST-CSF-PR.AA-05", "MAESTRO-L3"),
    bad=_HEAD + "credentials:\n  - name: deploy-key\n    issuance: standing\n"
        "tools:\n  - name: kubectl\n    actions: [apply]\n    risk: high\n",
    good=_HEAD + "credentials:\n  - name: deploy-key\n    issuance: jit\n    ttl: 15m\n"
         "tools:\n  - name: kubectl\n    actions: [apply]\n    risk: high\n",
)
def standing_privilege(identity: Identity, ctx: RuleContext) -> Iterator[Violation]:
    standing = [c for c in identity.credentials if c.issuance == "standing"]
    if not standing:
        return
    held = first_few([f"'{c.name}'" for c in standing[:SHOWN_IN_A_MESSAGE]], len(standing))
    for grant in identity.grants:
        if grant.risk in ctx.params["risk_levels"]:
            yield Violation(grant.at("risk"), f"'{identity.name}' holds standing credential {held} "
                            f"and the {grant.risk}-risk {grant.title}; issue credentials just "
                            "in time for it", identity.name, f"tools.{grant.name}")


@rule(
    id="NHI302", name="wildcard-grant", category="privilege", severity="error",
    targets=(Grant, Credential),
    params=(Param("flag_prefixed_wildcards", False, "bool",
                  "Also flag wildcards below a fixed prefix, such as `tickets/*` (the strict preset sets this)."),),
    summary="A bare wildcard action, resource or scope (`*`, `*:*`, `refunds:*`).",
    rationale="A wildcard grants everything that exists now and everything added later; an agent "
              "tricked by a prompt injection can reach all of it.",
    remediation="List the actions, resources and scopes the agent needs. A wildcard below a fixed "
                "prefix (`tickets/*`) is a bounded pattern the default ruleset accepts.",
    references=("OWASP-NHI5", "OWASP-AGENTIC-T2", "NIST-CSF-PR.AA-05"),
    bad=_HEAD + "tools:\n  - name: tickets\n    actions: [\"*\"]\n    resources: [\"*\"]\n",
    good=_HEAD + "tools:\n  - name: tickets\n    actions: [read, comment]\n    resources: [\"tickets/*\"]\n",
)
def wildcard_grant(obj: Grant | Credential, ctx: RuleContext) -> Iterator[Violation]:
    prefixed = ctx.params["flag_prefixed_wildcards"]
    if isinstance(obj, Grant):
        fields: tuple[tuple[str, tuple[str, ...], bool], ...] = (
            ("actions", obj.actions, True), ("resources", obj.resources, False))
        what, key = obj.title, f"tool '{obj.name}'"  # the key baselines already fingerprint
    else:
        fields = (("scopes", obj.scopes, True),)
        what = key = f"credential '{obj.name}'"
    wildcards = [(field_name, index, item) for field_name, items, service_wide in fields
                 for index, item in enumerate(items) if _is_unbounded(item, prefixed, service_wide)]
    if isinstance(obj, Grant) and obj.covers and wildcards:
        # its items mean something only together (an RBAC rule): one finding, in its words,
        # at the first wildcard in the file
        first = min(_item_location(obj, field_name, index) for field_name, index, _ in wildcards)
        yield Violation(first, f"{what} grants {obj.covers}; "
                        f"{obj.remedy or 'grant only what is needed'}", obj.identity, f"{key}.covers")
        return
    for field_name, index, item in wildcards:
        yield Violation(_item_location(obj, field_name, index), f"{what} grants the wildcard "
                        f"{field_name[:-1]} '{item}'; list the {field_name} it needs", obj.identity,
                        f"{key}.{field_name}.{item}")


def _item_location(obj: Grant | Credential, field_name: str, index: int) -> Location:
    return obj.item_locations.get(f"{field_name}[{index}]") or obj.at(field_name)


@rule(
    id="NHI303", name="admin-grant", category="privilege", severity="error",
    targets=(Grant, Credential),
    params=(Param("admin_names", ["admin", "root", "owner", "superuser", "sudo", "cluster-admin"],
                  "list", "Action, scope or role names that mean administrative access."),),
    summary="An administrative grant (admin action or scope, cluster-admin, write-all).",
    rationale="Administrative access lets the agent change its own permissions and everyone "
              "else's; one compromised agent becomes a compromised tenant.",
    remediation="Replace the admin grant with the specific actions the task needs.",
    references=("OWASP-NHI5", "OWASP-AGENTIC-T3", "NIST-CSF-PR.AA-05", "MAESTRO-L4"),
    bad=_HEAD + "tools:\n  - name: github\n    actions: [admin]\n",
    good=_HEAD + "tools:\n  - name: github\n    actions: [read, create-pull-request]\n",
)
def admin_grant(obj: Grant | Credential, ctx: RuleContext) -> Iterator[Violation]:
    names = {n.lower() for n in ctx.params["admin_names"]}
    kind = "tool" if isinstance(obj, Grant) else "credential"  # in the key baselines fingerprint
    what = obj.title if isinstance(obj, Grant) else f"credential '{obj.name}'"
    if isinstance(obj, Grant) and obj.admin:
        yield Violation(obj.location, f"{what} is an administrative grant; grant the "
                        "specific permissions needed", obj.identity, f"{kind}.{obj.name}.admin")
        return
    field_name, values = ("actions", obj.actions) if isinstance(obj, Grant) else ("scopes", obj.scopes)
    for index, value in enumerate(values):
        parts = set(value.lower().replace("/", ":").split(":"))
        if parts & names:
            yield Violation(_item_location(obj, field_name, index), f"{what} grants administrative "
                            f"'{value}'; grant the specific permissions needed", obj.identity,
                            f"{kind}.{obj.name}.{value}")


@rule(
    id="NHI304", name="high-risk-without-approval", category="privilege", severity="warning",
    targets=(Grant,), params=(_RISKY,),
    summary="A high-risk tool runs without human approval.",
    rationale="For irreversible or expensive actions (payments, deletes, deploys) a human in the "
              "loop is the control that stops a manipulated agent.",
    remediation="Set `requires_approval: true` on the tool, or lower its risk by narrowing it.",
    references=("OWASP-AGENTIC-T10", "OWASP-AGENTIC-T2", "NIST-AI-RMF-MAP-3.5"),
    bad=_HEAD + "tools:\n  - name: payouts\n    actions: [pay]\n    risk: critical\n",
    good=_HEAD + "tools:\n  - name: payouts\n    actions: [pay]\n    risk: critical\n    requires_approval: true\n",
)
def high_risk_without_approval(grant: Grant, ctx: RuleContext) -> Iterator[Violation]:
    if grant.risk in ctx.params["risk_levels"] and grant.requires_approval is not True:
        fix = grant.remedy or "set requires_approval: true"
        yield Violation(grant.at("requires_approval", "risk"), f"{grant.risk}-risk "
                        f"{grant.title} runs without human approval; {fix}", grant.identity,
                        f"tools.{grant.name}.requires_approval")


RULES = (standing_privilege, wildcard_grant, admin_grant, high_risk_without_approval)
