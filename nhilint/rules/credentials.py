"""NHI2xx: credential lifecycle. Short-lived, rotated, never inline, never shared."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from nhilint.durations import format_duration, parse_duration
from nhilint.model import Credential, Identity, Inventory, SecretCandidate, Violation
from nhilint.rules import SHOWN_IN_A_MESSAGE, Param, RuleContext, first_few, rule

_HEAD = "apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n  name: support-agent\n"


@rule(
    id="NHI201", name="credential-without-ttl", category="credentials", severity="error",
    targets=(Credential,),
    summary="A credential has no time-to-live.",
    rationale="A credential without a TTL is valid until someone remembers to revoke it; a leaked "
              "copy keeps working. Rotation does not help a copy that is already out.",
    remediation="Issue the credential just in time with a `ttl` (15m is typical for an agent task); "
                "prefer tokens minted from a workload identity.",
    references=("OWASP-NHI7", "OWASP-AGENTIC-T3", "NIST-CSF-PR.AA-01", "MAESTRO-L4"),
    bad=_HEAD + "credentials:\n  - name: helpdesk-token\n    type: oauth-token\n",
    good=_HEAD + "credentials:\n  - name: helpdesk-token\n    type: oauth-token\n    ttl: 15m\n",
)
def credential_without_ttl(cred: Credential, ctx: RuleContext) -> Iterator[Violation]:
    if cred.ttl is None:
        fix = cred.remedy or "issue it just in time with a ttl such as 15m"
        yield Violation(cred.at("ttl"), f"credential '{cred.name}' has no ttl; {fix}", cred.identity,
                        f"credentials.{cred.name}.ttl")


@rule(
    id="NHI202", name="ttl-above-maximum", category="credentials", severity="error",
    targets=(Credential,),
    params=(Param("max_ttl", "1h", "duration", "The longest TTL a credential may have."),),
    summary="A credential's TTL is longer than the ruleset allows.",
    rationale="The TTL bounds how long a stolen token works and how long an agent keeps access "
              "after its task; past an hour it behaves like a standing secret.",
    remediation="Lower `ttl` to the maximum or below, and re-issue per task.",
    references=("OWASP-NHI7", "NIST-CSF-PR.AA-01"),
    bad=_HEAD + "credentials:\n  - name: helpdesk-token\n    ttl: 30d\n",
    good=_HEAD + "credentials:\n  - name: helpdesk-token\n    ttl: 15m\n",
)
def ttl_above_maximum(cred: Credential, ctx: RuleContext) -> Iterator[Violation]:
    seconds = parse_duration(cred.ttl)
    limit = ctx.params["max_ttl"]
    if seconds is not None and seconds > limit:
        yield Violation(cred.at("ttl"), f"credential '{cred.name}' has ttl {cred.ttl}, above the "
                        f"maximum {format_duration(limit)}; lower it", cred.identity,
                        f"credentials.{cred.name}.ttl")


@rule(
    id="NHI203", name="standing-secret-without-rotation", category="credentials", severity="warning",
    targets=(Credential,),
    params=(Param("max_rotation", "90d", "duration", "The longest rotation period for a standing secret."),),
    summary="A standing credential is never rotated, or rotated less often than the ruleset requires.",
    rationale="A standing secret that is never rotated accumulates copies in logs, laptops and "
              "CI caches; each rotation invalidates them.",
    remediation="Set `rotation` (90d or less) and automate it, or switch to `issuance: jit`.",
    references=("OWASP-NHI7", "OWASP-NHI2", "NIST-CSF-PR.AA-01"),
    bad=_HEAD + "credentials:\n  - name: crm-key\n    issuance: standing\n    ttl: 1h\n",
    good=_HEAD + "credentials:\n  - name: crm-key\n    issuance: standing\n    ttl: 1h\n    rotation: 30d\n",
)
def standing_without_rotation(cred: Credential, ctx: RuleContext) -> Iterator[Violation]:
    if cred.issuance != "standing":
        return
    limit = ctx.params["max_rotation"]
    subject = f"credentials.{cred.name}.rotation"
    if cred.rotation is None:
        yield Violation(cred.at("issuance"), f"standing credential '{cred.name}' has no rotation; "
                        f"rotate it at least every {format_duration(limit)}", cred.identity, subject)
        return
    seconds = parse_duration(cred.rotation)
    if seconds is not None and seconds > limit:
        yield Violation(cred.at("rotation"), f"standing credential '{cred.name}' rotates every "
                        f"{cred.rotation}, less often than every {format_duration(limit)}",
                        cred.identity, subject)


@rule(
    id="NHI204", name="inline-secret", category="credentials", severity="error",
    targets=(Inventory,),
    summary="A secret value is written in the file.",
    rationale="A secret in a repository is readable by everyone with clone access, stays in git "
              "history after removal, and is copied into every fork and CI cache. A value counts "
              "when it has a known token shape, or is a random literal under a key that holds a "
              "secret (`password`, `api_key`); the name of a secret or a reference to one "
              "(`secretName`, `secretKeyRef`, `TOKEN_FILE`, `${{ secrets.X }}`), its metadata "
              "(`passwordMtime`) and placeholders (`changeme`, `<token>`) do not. A Kubernetes "
              "Secret's `data` is decoded from base64 first.",
    remediation="Remove the value, revoke and re-issue the secret, and reference it instead "
                "(`source: vault://...`, `env:NAME`, `${VAR}`; in Kubernetes, a `secretKeyRef` to a "
                "Secret kept out of the repository).",
    references=("OWASP-NHI2", "NIST-CSF-PR.DS-01", "MAESTRO-L4"),
    bad=_HEAD + "credentials:\n  - name: crm-key\n    source: inline\n    value: sk_live_EXAMPLEONLYEXAMPLEONLY\n",
    good=_HEAD + "credentials:\n  - name: crm-key\n    source: vault://kv/support/crm\n",
)
def inline_secret(inventory: Inventory, ctx: RuleContext) -> Iterator[Violation]:
    # A manifest `value:` is also caught by the value scan: report each place once.
    reported: set[tuple[str, int]] = set()
    for cred in inventory.of_type(Credential):
        if cred.has_inline_value or cred.source == "inline":
            where = cred.at("value", "source")
            reported.add((where.path, where.line))
            hint = f" ({cred.value_hint})" if cred.value_hint else ""
            yield Violation(where, f"credential '{cred.name}' has an inline secret value{hint}; "
                            "move it to a secret store and reference it, then revoke the exposed "
                            "one", cred.identity, f"credentials.{cred.name}.value")
    seen: set[tuple[str, int, int]] = set()  # two secrets on one line (minified JSON) are two
    for secret in inventory.of_type(SecretCandidate):
        where = secret.location
        if (where.path, where.line) in reported or (where.path, where.line, where.column) in seen:
            continue
        seen.add((where.path, where.line, where.column))
        yield Violation(secret.location, f"{secret.kind} written inline ({secret.hint}); move it "
                        "to a secret store or environment variable and revoke the exposed one",
                        secret.identity, f"secret:{secret.key or ''}")


def _others(names: list[str], identity: str) -> str:
    """The identities of sorted `names` other than `identity` (one of them), the first few and
    how many more (700 KB in was 173 MB out when each finding named them all); only the head
    of `names` is looked at."""
    head = [n for n in names[:SHOWN_IN_A_MESSAGE + 1] if n != identity]
    return first_few(head, len(names) - 1)


@rule(
    id="NHI205", name="shared-credential", category="credentials", severity="error",
    targets=(Inventory,),
    summary="One credential source is used by several identities.",
    rationale="A secret shared between agents makes their actions indistinguishable in audit "
              "logs and means revoking one agent breaks the others, so nobody revokes it.",
    remediation="Give each identity its own credential (its own secret path or workload identity).",
    references=("OWASP-NHI9", "OWASP-AGENTIC-T8", "NIST-CSF-PR.AA-01"),
    bad=_HEAD + "credentials:\n  - name: crm\n    source: vault://kv/shared/crm\n"
        "---\napiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n  name: billing-agent\n"
        "credentials:\n  - name: crm\n    source: vault://kv/shared/crm\n",
    good=_HEAD + "credentials:\n  - name: crm\n    source: vault://kv/support-agent/crm\n"
        "---\napiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n  name: billing-agent\n"
        "credentials:\n  - name: crm\n    source: vault://kv/billing-agent/crm\n",
)
def shared_credential(inventory: Inventory, ctx: RuleContext) -> Iterator[Violation]:
    users: dict[str, list[Credential]] = defaultdict(list)
    for cred in inventory.of_type(Credential):
        if cred.source_key:
            users[cred.source_key].append(cred)
    for key in sorted(users):
        creds = users[key]
        names = sorted({c.identity for c in creds})
        if len(names) < 2:
            continue
        for cred in creds:
            yield Violation(cred.at("source"), f"credential '{cred.name}' of '{cred.identity}' uses "
                            f"the same source as {_others(names, cred.identity)} ({key}); give each "
                            "identity its own", cred.identity, f"shared:{key}")


@rule(
    id="NHI206", name="no-revocation-on-completion", category="credentials", severity="warning",
    targets=(Identity,),
    summary="The identity's access is not revoked when its task ends.",
    rationale="An agent's access should end with its task; otherwise every credential it minted "
              "stays usable until it expires, and a hijacked agent keeps working after the job.",
    remediation="Set `revocation.on_task_complete: true` and a `revocation.max_session`.",
    references=("OWASP-NHI1", "OWASP-AGENTIC-T3", "NIST-AI-RMF-MANAGE-2.4"),
    bad=_HEAD + "revocation:\n  on_task_complete: false\n",
    good=_HEAD + "revocation:\n  on_task_complete: true\n  max_session: 1h\n",
)
def no_revocation(identity: Identity, ctx: RuleContext) -> Iterator[Violation]:
    if "revocation" not in identity.declares:
        return
    revocation = identity.revocation
    if revocation is None or revocation.on_task_complete is not True:
        where = revocation.at("on_task_complete") if revocation else identity.at("revocation")
        yield Violation(where, f"identity '{identity.name}' keeps its access after the task ends; "
                        "set revocation.on_task_complete: true", identity.name,
                        "revocation.on_task_complete")


RULES = (credential_without_ttl, ttl_above_maximum, standing_without_rotation, inline_secret,
         shared_credential, no_revocation)
