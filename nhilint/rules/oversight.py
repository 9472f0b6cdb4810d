"""NHI5xx: oversight. What the agent did can be proven afterwards."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Identity, Violation
from nhilint.rules import Param, RuleContext, rule

_HEAD = "apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n  name: support-agent\n"


@rule(
    id="NHI501", name="no-audit-sink", category="oversight", severity="warning",
    targets=(Identity,),
    summary="The identity's actions are not sent to an audit sink.",
    rationale="Without an audit trail nobody can prove what an agent was allowed to do or what "
              "it did; incident response starts blind.",
    remediation="Add `audit.sink: immutable` (an append-only log the agent cannot alter).",
    references=("OWASP-AGENTIC-T8", "NIST-CSF-PR.PS-04", "NIST-CSF-DE.CM-03", "MAESTRO-L5"),
    bad=_HEAD + "audit:\n  sink: none\n",
    good=_HEAD + "audit:\n  sink: immutable\n  binds: [initiator, workload, action, policy]\n",
)
def no_audit_sink(identity: Identity, ctx: RuleContext) -> Iterator[Violation]:
    if "audit" not in identity.declares:
        return
    audit = identity.audit
    if audit is None or audit.sink in (None, "none"):
        where = audit.at("sink") if audit else identity.at("audit")
        yield Violation(where, f"identity '{identity.name}' has no audit sink; set audit.sink: "
                        "immutable", identity.name, "audit.sink")


@rule(
    id="NHI502", name="audit-not-bound", category="oversight", severity="warning",
    targets=(Identity,),
    params=(Param("required_binds", ["initiator", "workload"], "list",
                  "What every audit record must bind."),),
    summary="Audit records do not bind the initiating human and the workload.",
    rationale="An audit log that records only the agent cannot answer who asked it to act; one "
              "that records only the human cannot say which workload acted.",
    remediation="Set `audit.binds` to include at least `initiator` and `workload`.",
    references=("OWASP-AGENTIC-T8", "NIST-CSF-PR.PS-04", "MAESTRO-L5"),
    bad=_HEAD + "audit:\n  sink: immutable\n  binds: [action]\n",
    good=_HEAD + "audit:\n  sink: immutable\n  binds: [initiator, workload, action]\n",
)
def audit_not_bound(identity: Identity, ctx: RuleContext) -> Iterator[Violation]:
    audit = identity.audit
    if "audit" not in identity.declares or audit is None or audit.sink in (None, "none"):
        return  # no sink at all is NHI501's finding
    missing = [b for b in ctx.params["required_binds"] if b not in audit.binds]
    if missing:
        yield Violation(audit.at("binds", "sink"), f"audit of '{identity.name}' does not bind "
                        f"{' and '.join(missing)}; add them to audit.binds", identity.name,
                        "audit.binds")


RULES = (no_audit_sink, audit_not_bound)
