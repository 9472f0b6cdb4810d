"""Located facts of A2A agent cards and SPIRE agent configs that rules read besides the
format-neutral model: where a card is served and its tokens issued, the scopes its security
requirements and its skills' ask for, and how a SPIRE Agent learns whom to trust.

The same contract as `nhilint.facts` (kept apart from it only so that two formats' facts can
land without touching that shared file): sources make them, rules judge them, and this
module imports nothing of nhilint but the model.
"""

from __future__ import annotations

from dataclasses import dataclass

from nhilint.model import Located, Location

# -- A2A agent cards ---------------------------------------------------------------------


@dataclass(frozen=True)
class CardUrl:
    """A URL of a card that callers or their tokens travel to."""

    field: str  # how a message names it: "url", "additionalInterfaces[0].url", "tokenUrl of scheme corp"
    url: str
    location: Location
    token_endpoint: bool = False  # an OAuth / OpenID Connect URL (tokens are issued there)


@dataclass(frozen=True)
class ScopeSet:
    """One alternative of a security requirement list (alternatives are OR-ed): the
    `(scheme, scope)` pairs a caller must hold together, each with its item's location."""

    scopes: tuple[tuple[str, str], ...] = ()
    locations: tuple[Location, ...] = ()


@dataclass(frozen=True)
class SkillSecurity:
    """A skill's own security requirements (`skills[i].security`, v1.0 `securityRequirements`)."""

    label: str
    location: Location  # the requirement list's key
    alternatives: tuple[ScopeSet, ...] = ()


@dataclass(frozen=True)
class AgentCard(Located):
    """One A2A agent card: its endpoints, what callers send it, and its security requirements."""

    identity: str = ""  # the card's name
    urls: tuple[CardUrl, ...] = ()
    sends: tuple[str, ...] = ()  # what callers present: "bearer tokens", "API keys", "passwords"
    default: tuple[ScopeSet, ...] = ()  # the card-wide requirement's alternatives (none: open)
    skills: tuple[SkillSecurity, ...] = ()


# -- SPIRE Agent -------------------------------------------------------------------------


@dataclass(frozen=True)
class SpireAgentConfig(Located):
    """The `agent { ... }` block of a SPIRE Agent's `agent.conf`: how it bootstraps trust in
    the SPIRE Server that issues its and its workloads' SVIDs.

    `field_locations` has each setting read (`insecure_bootstrap`, `trust_bundle_url`, ...).
    """

    identity: str = ""  # "SPIRE Agent <trust domain>"
    trust_domain: str = ""
    server_address: str = ""
    insecure_bootstrap: bool = False
    trust_bundle_path: str = ""
    trust_bundle_url: str = ""
    trust_bundle_format: str = ""  # pem (the default) | spiffe
    trust_bundle_unix_socket: str = ""  # the URL is fetched over this local socket
