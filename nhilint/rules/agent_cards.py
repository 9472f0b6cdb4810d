"""What an A2A agent card lets its callers (and whoever watches them) do, and how a SPIRE
Agent comes to trust the server that issues its SVIDs.

The facts are `AgentCard` (`sources/a2a.py`: the card's URLs, what callers send, its
requirements and its skills') and `SpireAgentConfig` (`sources/spire.py`: the `agent { ... }`
block of an `agent.conf`, in a file or a Kubernetes ConfigMap). A card's wildcard and admin
scopes are NHI302's and NHI303's; a card without a workload identity NHI104's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from nhilint.model import Violation
from nhilint.rules import RuleContext, plain_http_host, rule

if TYPE_CHECKING:  # the facts load with the first file of their format, not on every run
    from nhilint.facts import AgentCard, SpireAgentConfig

_TEMPLATES = ("${", "{{")  # `${HOST}`, `{{host}}`: a card generated from a template


_AGENT_CONF = """apiVersion: v1
kind: ConfigMap
metadata:
  name: spire-agent
  namespace: spire
data:
  agent.conf: |
    agent {
      data_dir = "/run/spire"
      server_address = "spire-server"
      server_port = "8081"
      trust_domain = "prod.example.com"
      %s
    }
"""


@rule(
    id="NHI207", name="spire-agent-insecure-bootstrap", category="credentials", severity="error",
    targets=("nhilint.facts.SpireAgentConfig",),
    summary="A SPIRE Agent trusts whatever server answers its first connection "
            "(`insecure_bootstrap = true`), or fetches its trust bundle over plain `http://`.",
    rationale="The trust bundle is how a SPIRE Agent knows it is talking to its own SPIRE "
              "Server. With `insecure_bootstrap` it accepts any server's certificate on first "
              "contact, and a bundle fetched over plain HTTP can be swapped on the way: either "
              "way a machine in the middle can attest the node, issue the agent and every "
              "workload on it SVIDs of its choosing, and read what they send. SPIRE's own "
              "documentation calls insecure bootstrap a testing option; it refuses an `http://` "
              "trust_bundle_url unless the bundle comes over a local `trust_bundle_unix_socket`, "
              "which is not reported.",
    remediation="Give the agent the server's bundle ahead of time (`trust_bundle_path`, written "
                "from `spire-server bundle show`), or fetch it from an `https://` "
                "`trust_bundle_url` (with `trust_bundle_format = \"spiffe\"` for a SPIFFE bundle "
                "endpoint), and remove `insecure_bootstrap`.",
    references=("OWASP-NHI4", "OWASP-AGENTIC-T9", "NIST-CSF-PR.AA-01", "MAESTRO-L4"),
    bad=_AGENT_CONF % "insecure_bootstrap = true",
    good=_AGENT_CONF % 'trust_bundle_path = "/run/spire/bundle/bundle.crt"',
)
def spire_agent_insecure_bootstrap(agent: SpireAgentConfig, ctx: RuleContext) -> Iterator[Violation]:
    name = agent.identity
    if agent.insecure_bootstrap:
        yield Violation(agent.at("insecure_bootstrap"), f"{name} bootstraps insecurely: it trusts "
                        f"whatever server answers at {agent.server_address or 'its server_address'} "
                        "first, so a machine in the middle can issue it and its workloads SVIDs; "
                        "set trust_bundle_path to the server's bundle and remove insecure_bootstrap",
                        name, f"insecure-bootstrap:{name}")
    host = plain_http_host(agent.trust_bundle_url, _TEMPLATES)
    if host and not agent.trust_bundle_unix_socket:
        bundle = "SPIFFE bundle" if agent.trust_bundle_format.lower() == "spiffe" else "PEM trust bundle"
        yield Violation(agent.at("trust_bundle_url"), f"{name} fetches its {bundle} over plain http "
                        f"from {host}: anyone on the path can swap it and issue the agent and its "
                        "workloads SVIDs (SPIRE also refuses to start with it); use an https:// "
                        "trust_bundle_url or trust_bundle_path", name, f"plain-http-bundle:{name}")


_CARD = ('{"name": "ticket-agent", "url": "%s://tickets.example.net/a2a", "protocolVersion": "0.3.0",\n'
         ' "securitySchemes": {"corp": {"type": "http", "scheme": "bearer"}},\n'
         ' "security": [{"corp": []}],\n'
         ' "skills": [{"id": "open", "name": "Open a ticket"}]}')


@rule(
    id="NHI347", name="agent-card-plain-http", category="privilege", severity="error",
    targets=("nhilint.facts.AgentCard",),
    summary="An A2A agent card is served at, or has its tokens issued at, a plain `http://` "
            "URL off this machine (`url`, `additionalInterfaces[].url`, `supportedInterfaces[].url`, "
            "a security scheme's OAuth or OpenID Connect URLs).",
    rationale="Every caller sends its messages, and its bearer token, API key or password, to "
              "the card's URLs; a client fetches its tokens from the scheme's token and "
              "discovery URLs. Over plain HTTP anyone on the network path reads the tokens and "
              "replays them as the caller, reads and changes the tasks and their results, and "
              "can answer in the identity provider's place. Loopback addresses (`localhost`, "
              "`127.0.0.1`) never leave the machine and are not reported.",
    remediation="Serve the agent and its identity provider over `https://` and publish those "
                "URLs in the card.",
    references=("OWASP-NHI4", "OWASP-AGENTIC-T3", "NIST-CSF-PR.DS-01", "MAESTRO-L4"),
    bad=_CARD % "http", good=_CARD % "https",
    language="json",
)
def agent_card_plain_http(card: AgentCard, ctx: RuleContext) -> Iterator[Violation]:
    sends = " and ".join(card.sends) or "messages"
    for url in card.urls:
        host = plain_http_host(url.url, _TEMPLATES)
        if not host:
            continue
        if url.token_endpoint:
            effect = (f"{url.field} is plain http at {host}: anyone on the path can read the tokens "
                      "issued there, and the client secrets sent for them, or answer as the "
                      "identity provider")
        else:
            effect = (f"{url.field} is plain http at {host}: anyone on the path can read the {sends} "
                      "its callers send and change the tasks and results")
        yield Violation(url.location, f"agent card '{card.identity}': {effect}; use an https:// URL",
                        card.identity, f"plain-http:{card.identity}:{url.field}")


_SEPARATORS = ".:/_-"


def _covers(held: str, wanted: str) -> bool:
    """Whether a held scope covers a wanted one (`*` and a `prefix*` pattern cover what they match)."""
    return held == wanted or held == "*" or (held.endswith("*") and wanted.startswith(held[:-1]))


def _wider(scope: str, than: str) -> bool:
    """Whether `scope` covers `than` and more: a pattern matching it (`invoices:*`, `*`), or
    the scope it narrows (`drive` of `drive.readonly`, `repo` of `repo:status`)."""
    if not scope or scope == than:
        return False
    return _covers(scope, than) or (than.startswith(scope) and than[len(scope)] in _SEPARATORS)


_SKILL_CARD = ('{"name": "billing-agent", "url": "https://billing.example.net/a2a", "protocolVersion": "0.3.0",\n'
               ' "securitySchemes": {"corp": {"type": "oauth2", "flows": {"clientCredentials": {\n'
               '   "tokenUrl": "https://idp.example.net/token",\n'
               '   "scopes": {"invoices": "", "invoices.read": "", "invoices.refund": ""}}}}},\n'
               ' "security": [{"corp": ["invoices.read"]}],\n'
               ' "skills": [{"id": "lookup", "name": "Look up an invoice"},\n'
               '            {"id": "refund", "name": "Refund an invoice", "security": [{"corp": ["%s"]}]}]}')


@rule(
    id="NHI348", name="agent-skill-scope-broader-than-card", category="privilege", severity="warning",
    targets=("nhilint.facts.AgentCard",),
    summary="An A2A skill requires a scope that covers one of the card's own scopes and more "
            "(`invoices` or `invoices.*` where the card asks for `invoices.read`), in "
            "`skills[].security` (v0.3) or `skills[].securityRequirements` (v1.0).",
    rationale="A skill's own security requirement says what token a caller must present to "
              "use it. The card's requirement shows the API has a narrower scope; a skill that "
              "asks for the whole of it (the bare `invoices` that `invoices.read` narrows, a "
              "pattern such as `invoices.*`) makes every caller of the skill hand the agent a "
              "token good for all of it, which the agent may pass on or be led to use for any "
              "of its other skills. A skill that asks for a different, specific scope "
              "(`payments:schedule` beside the card's `invoices:read`) is A2A's skill-based "
              "authorization, not reported.",
    remediation="Require the narrowest scope the skill needs (`invoices.refund`), as the card's own "
                "requirement does.",
    references=("OWASP-AGENTIC-T3", "OWASP-NHI5", "NIST-CSF-PR.AA-05", "MAESTRO-L4"),
    bad=_SKILL_CARD % "invoices", good=_SKILL_CARD % "invoices.refund",
    language="json",
)
def agent_skill_scope_broader_than_card(card: AgentCard, ctx: RuleContext) -> Iterator[Violation]:
    held = [pair for default in card.default for pair in default.scopes]
    if not held:
        return  # nothing the card asks for to compare with (no security: NHI104)
    for skill in card.skills:
        wider = [(scope, narrow, where) for own in skill.alternatives
                 for (scheme, scope), where in zip(own.scopes, own.locations)
                 if not any(s == scheme and _covers(h, scope) for s, h in held)
                 for narrow in [next((h for s, h in held if s == scheme and _wider(scope, h)), None)]
                 if narrow is not None]
        if not wider:
            continue
        scope, narrow, where = wider[0]
        yield Violation(where, f"skill '{skill.label}' of agent card '{card.identity}' requires "
                        f"the scope {scope}, which covers the card's own {narrow} and more: every "
                        f"caller of the skill hands the agent a token good for all of {scope}; "
                        "require the narrowest scope the skill needs", card.identity,
                        f"skill-scope:{card.identity}:{skill.label}")


RULES = (spire_agent_insecure_bootstrap, agent_card_plain_http, agent_skill_scope_broader_than_card)
