"""NHI1xx: inventory. Every identity is known, owned, explained and has an end date."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.durations import parse_date
from nhilint.model import Identity, Violation
from nhilint.rules import RuleContext, rule

_HEAD = "apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n  name: support-agent\n"


@rule(
    id="NHI101", name="no-owner", category="inventory", severity="error", targets=(Identity,),
    summary="The identity names no owner accountable for it.",
    rationale="An agent identity nobody owns is never reviewed, rotated or offboarded; when it "
              "misbehaves there is no one to ask what it was meant to do.",
    remediation="Set `metadata.owner` to the team or person accountable (an address or team handle).",
    references=("OWASP-NHI1", "NIST-CSF-GV.RR-02", "NIST-AI-RMF-GOVERN-2.1", "MAESTRO-L6"),
    bad=_HEAD + "  purpose: Answer customer tickets\n",
    good=_HEAD + "  owner: support-platform@example.com\n",
)
def no_owner(identity: Identity, ctx: RuleContext) -> Iterator[Violation]:
    if "owner" in identity.declares and not identity.owner:
        yield Violation(identity.at("owner"), f"identity '{identity.name}' has no owner; set "
                        "metadata.owner to the accountable team", identity.name, "metadata.owner")


@rule(
    id="NHI102", name="no-purpose", category="inventory", severity="warning", targets=(Identity,),
    summary="The identity does not say what it is for.",
    rationale="Without a stated purpose nobody can judge whether its privileges are excessive, "
              "and least privilege has nothing to be measured against.",
    remediation="Set `metadata.purpose` to one sentence describing the agent's task.",
    references=("NIST-AI-RMF-GOVERN-1.6", "NIST-CSF-ID.AM-08"),
    bad=_HEAD + "  owner: support-platform@example.com\n",
    good=_HEAD + "  purpose: Answer customer tickets from the helpdesk queue\n",
)
def no_purpose(identity: Identity, ctx: RuleContext) -> Iterator[Violation]:
    if "purpose" in identity.declares and not identity.purpose:
        yield Violation(identity.at("purpose"), f"identity '{identity.name}' does not state its "
                        "purpose; set metadata.purpose", identity.name, "metadata.purpose")


@rule(
    id="NHI103", name="no-expiry", category="inventory", severity="warning", targets=(Identity,),
    summary="The identity has no review or decommission date, or that date has passed.",
    rationale="Agent identities outlive the projects that created them; an expiry date forces a "
              "review and makes an abandoned identity visible.",
    remediation="Set `metadata.expires` to an ISO-8601 date (YYYY-MM-DD) in the future, and "
                "renew it at each review.",
    references=("OWASP-NHI1", "NIST-AI-RMF-MANAGE-2.4", "NIST-CSF-ID.AM-08"),
    bad=_HEAD + "  expires: 2020-01-31\n",
    good=_HEAD + "  expires: 2099-12-31\n",
)
def no_expiry(identity: Identity, ctx: RuleContext) -> Iterator[Violation]:
    if "expiry" not in identity.declares:
        return
    where = identity.at("expires")
    if not identity.expires:
        yield Violation(where, f"identity '{identity.name}' has no expiry date; set "
                        "metadata.expires (YYYY-MM-DD)", identity.name, "metadata.expires")
        return
    date = parse_date(identity.expires)
    if date is None:
        yield Violation(where, f"identity '{identity.name}' has an expiry that is not a date "
                        f"('{identity.expires}'); use YYYY-MM-DD", identity.name, "metadata.expires")
    elif date < ctx.today:
        yield Violation(where, f"identity '{identity.name}' expired on {date.isoformat()}; review "
                        "it and set a new date, or decommission it", identity.name, "metadata.expires")


@rule(
    id="NHI104", name="no-workload-identity", category="inventory", severity="error",
    targets=(Identity,),
    summary="The agent authenticates with a shared secret, or declares no verifiable workload identity.",
    rationale="An API key proves only that the caller has the key, not which workload it is; "
              "anyone holding a copy is the agent. SPIFFE or OIDC workload identities are bound "
              "to the running workload and can be attested and audited.",
    remediation="Declare `identity.type: spiffe` or `oidc` with its `id`, and derive short-lived "
                "credentials from it instead of a static key.",
    references=("OWASP-NHI4", "OWASP-AGENTIC-T9", "NIST-CSF-PR.AA-01", "MAESTRO-L4"),
    bad=_HEAD + "identity:\n  type: api-key\n",
    good=_HEAD + "identity:\n  type: spiffe\n  id: spiffe://prod.example.com/agents/support-agent\n",
)
def no_workload_identity(identity: Identity, ctx: RuleContext) -> Iterator[Violation]:
    if "workload_identity" not in identity.declares:
        return
    name = identity.name
    if identity.identity_type == "api-key":
        fix = identity.remedy or "use a spiffe or oidc workload identity"
        yield Violation(identity.at("identity.type"), f"identity '{name}' uses a shared API key "
                        f"as its identity; {fix}", name, "identity.type")
    elif not identity.has_identity_block or identity.identity_type is None:
        fix = identity.remedy or "add identity.type (spiffe or oidc) and identity.id"
        yield Violation(identity.at("identity"), f"identity '{name}' declares no workload "
                        f"identity; {fix}", name, "identity")
    elif identity.identity_type in ("spiffe", "oidc") and not identity.identity_id:
        yield Violation(identity.at("identity.type"), f"identity '{name}' is of type "
                        f"{identity.identity_type} but has no identity.id", name, "identity.id")


RULES = (no_owner, no_purpose, no_expiry, no_workload_identity)
