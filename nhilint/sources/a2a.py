"""A2A AgentCard (v0.3 and v1.0 field names): how callers authenticate, and with which scopes.

The card is an Identity that can declare a workload identity (its security schemes), so
NHI104 applies: a card whose only ways in are static API keys or HTTP basic passwords
(or that declares no security at all) authenticates callers by a shared secret. Security
requirements, card-wide and per skill, are Grants whose scopes are actions: a wildcard
scope fires NHI302, an admin scope NHI303.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nhilint.model import Grant, Identity
from nhilint.sources import SourceOutput
from nhilint.sources.mapping import item_locations, list_pointers, mapping, text, texts
from nhilint.sources.yaml_loader import Document

FORMAT = "a2a"
# v1.0 wraps each scheme in a one-of object; v0.3 uses an OpenAPI-style `type`
V1_KINDS = {"apiKeySecurityScheme": "apiKey", "httpAuthSecurityScheme": "http",
            "oauth2SecurityScheme": "oauth2", "openIdConnectSecurityScheme": "openIdConnect",
            "mtlsSecurityScheme": "mutualTLS"}
SHARED_SECRET = "api-key"


def _scheme(body: dict) -> tuple[str, dict]:
    """(kind, fields) of one security scheme, in either version's shape."""
    for wrapper, kind in V1_KINDS.items():
        if isinstance(body.get(wrapper), dict):
            return kind, body[wrapper]
    return str(body.get("type", "")), body


def _identity_type(kind: str, fields: dict) -> str:
    if kind == "apiKey" or (kind == "http" and str(fields.get("scheme", "")).lower() == "basic"):
        return SHARED_SECRET
    return {"mutualTLS": "x509", "oauth2": "oidc", "openIdConnect": "oidc"}.get(kind, "bearer")


def _issuer(fields: dict) -> str | None:
    """Where an OAuth/OIDC scheme's tokens come from: the identity's id."""
    for key in ("openIdConnectUrl", "oauth2MetadataUrl"):
        if text(fields.get(key)):
            return text(fields.get(key))
    for flow in mapping(fields.get("flows")).values():
        if text(mapping(flow).get("tokenUrl")):
            return text(flow["tokenUrl"])
    return None


def _requirements(data: dict, pointer: tuple) -> Iterator[tuple[tuple, Any]]:
    """(pointer to a scope list, the list) for each scheme of each requirement, both versions."""
    for key in ("securityRequirements", "security"):
        requirements = data.get(key)
        for index, requirement in enumerate(requirements if isinstance(requirements, list) else []):
            at = pointer + (key, index)
            if key == "securityRequirements":  # v1.0: {"schemes": {name: {"list": [...]}}}
                for name, scopes in mapping(mapping(requirement).get("schemes")).items():
                    yield at + ("schemes", name, "list"), mapping(scopes).get("list")
            else:  # v0.3: {name: [scopes]}
                for name, scopes in mapping(requirement).items():
                    yield at + (name,), scopes


def _grant(doc: Document, card: str, name: str, title: str, data: dict, pointer: tuple) -> Grant | None:
    scopes: list[str] = []
    pointers: list[tuple] = []
    for at, values in _requirements(data, pointer):
        scopes.extend(texts(values))
        pointers.extend(list_pointers(at, values))
    if not scopes:
        return None
    patterns = ", ".join(scope for scope in scopes if "*" in scope)
    return Grant(location=doc.value_location(pointers[0][:len(pointer) + 1]),
                 item_locations=item_locations(doc, "actions", pointers), identity=card, name=name,
                 label=title, actions=tuple(scopes), covers=f"every scope matching {patterns}",
                 remedy="require the scopes the skills need by name")


def read(doc: Document, out: SourceOutput) -> None:
    data = doc.data
    card = data["name"]
    identity_type = identity_id = None
    fields = {"identity": doc.key_location(("name",))}
    for scheme_name, body in mapping(data.get("securitySchemes")).items():
        kind, scheme = _scheme(mapping(body))
        found = _identity_type(kind, scheme)
        # a shared-secret way in is the weakest link: it decides the card's identity type
        if identity_type is None or found == SHARED_SECRET:
            identity_type, identity_id = found, _issuer(scheme) or scheme_name
            fields["identity.type"] = doc.key_location(("securitySchemes", scheme_name))
        if found == SHARED_SECRET:
            break
    grants = [_grant(doc, card, f"{card} security requirements",
                     f"the security requirements of agent card '{card}'", data, ())]
    for index, skill in enumerate(data["skills"]):
        if isinstance(skill, dict):
            label = text(skill.get("id")) or text(skill.get("name")) or f"skills[{index}]"
            grants.append(_grant(doc, card, f"skill {label}", f"skill '{label}' of agent card '{card}'",
                                 skill, ("skills", index)))
    out.identities.append(Identity(
        location=doc.key_location(("name",)), field_locations=fields, name=card,
        source_format=FORMAT, declares=frozenset({"workload_identity"}),
        remedy="declare and require an OAuth 2.0, OpenID Connect or mutual TLS security scheme",
        identity_type=identity_type, identity_id=identity_id,
        has_identity_block=identity_type is not None,
        grants=tuple(g for g in grants if g is not None)))
