"""A2A AgentCard (v0.2, v0.3 and v1.0 field names): how callers authenticate, and with which scopes.

The card is an Identity that can declare a workload identity (its security schemes; in a
v0.2 card, `authentication.schemes`), so NHI104 applies: a card whose only ways in are
static API keys or HTTP basic passwords (or that declares no security at all) authenticates
callers by a shared secret. Security requirements, card-wide and per skill, are Grants whose
scopes are actions: a wildcard scope fires NHI302, an admin scope NHI303. The card is also
an `AgentCard` fact: the URLs it is served and its tokens issued at (NHI347) and each
skill's own requirements beside the card's (NHI348).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nhilint.facts import AgentCard, CardUrl, ScopeSet, SkillSecurity
from nhilint.model import Grant, Identity, Location
from nhilint.sources import SourceOutput
from nhilint.sources.mapping import item_locations, list_pointers, mapping, sequence, text, texts
from nhilint.sources.yaml_loader import Document

FORMAT = "a2a"
# v1.0 wraps each scheme in a one-of object; v0.3 uses an OpenAPI-style `type`
V1_KINDS = {"apiKeySecurityScheme": "apiKey", "httpAuthSecurityScheme": "http",
            "oauth2SecurityScheme": "oauth2", "openIdConnectSecurityScheme": "openIdConnect",
            "mtlsSecurityScheme": "mutualTLS"}
SHARED_SECRET = "api-key"
# v0.2 (`authentication: {schemes: ["Bearer", ...], credentials}`): free-form names, the
# spec suggesting OpenAPI's and IANA's. A name not here (x402 payments, "public") is no identity.
V02_KINDS: dict[str, tuple[str, dict]] = {
    "apikey": ("apiKey", {}), "api_key": ("apiKey", {}), "api-key": ("apiKey", {}),
    "basic": ("http", {"scheme": "basic"}), "bearer": ("http", {"scheme": "bearer"}),
    "jwt": ("http", {"scheme": "bearer"}), "oauth2": ("oauth2", {}), "oauth": ("oauth2", {}),
    "openidconnect": ("openIdConnect", {}), "oidc": ("openIdConnect", {}),
    "openid": ("openIdConnect", {}), "mtls": ("mutualTLS", {}), "mutualtls": ("mutualTLS", {}),
    "mutual_tls": ("mutualTLS", {})}
TOKEN_URLS = ("openIdConnectUrl", "oauth2MetadataUrl")
FLOW_URLS = ("authorizationUrl", "tokenUrl", "refreshUrl", "deviceAuthorizationUrl")


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


def _sends(kind: str, fields: dict) -> str:
    """What a caller presents under a scheme, as a message names it ("" for a certificate)."""
    if kind == "apiKey":
        return "API keys"
    if kind == "http":
        return "passwords" if str(fields.get("scheme", "")).lower() == "basic" else "bearer tokens"
    return "access tokens" if kind in ("oauth2", "openIdConnect") else ""


def _schemes(doc: Document, data: dict) -> Iterator[tuple[str, str, dict, Location]]:
    """(name, kind, fields, location) of each declared scheme: v0.3/v1.0 `securitySchemes`,
    then a v0.2 card's `authentication.schemes`."""
    for name, body in mapping(data.get("securitySchemes")).items():
        kind, fields = _scheme(mapping(body))
        yield str(name), kind, fields, doc.key_location(("securitySchemes", name))
    names = mapping(data.get("authentication")).get("schemes")
    for at, name in zip(list_pointers(("authentication", "schemes"), names), texts(names)):
        kind, fields = V02_KINDS.get(name.strip().lower(), ("", {}))
        if kind:
            yield name, kind, fields, doc.value_location(at)


def _alternatives(doc: Document, data: dict, pointer: tuple) -> tuple[ScopeSet, ...]:
    """The alternatives of a requirement list (v0.3 `security`, v1.0 `securityRequirements`)."""
    found: list[ScopeSet] = []
    for key in ("securityRequirements", "security"):
        requirements = data.get(key)
        for index, requirement in enumerate(requirements if isinstance(requirements, list) else []):
            at = pointer + (key, index)
            if key == "securityRequirements":
                schemes = [(name, at + ("schemes", name, "list"), mapping(scopes).get("list"))
                           for name, scopes in mapping(mapping(requirement).get("schemes")).items()]
            else:
                schemes = [(name, at + (name,), scopes) for name, scopes in mapping(requirement).items()]
            pairs: list[tuple[str, str]] = []
            locations: list[Location] = []
            for name, where, scopes in schemes:
                for item, scope in zip(list_pointers(where, scopes), texts(scopes)):
                    pairs.append((str(name), scope))
                    locations.append(doc.value_location(item))
            found.append(ScopeSet(tuple(pairs), tuple(locations)))
    return tuple(found)


def _requirement_key(data: dict, pointer: tuple) -> tuple | None:
    for key in ("securityRequirements", "security"):
        if isinstance(data.get(key), list):
            return pointer + (key,)
    return None


def _urls(doc: Document, data: dict) -> list[CardUrl]:
    """The URLs callers' requests and tokens travel to: the card's endpoints and its
    schemes' OAuth / OpenID Connect URLs (not `provider.url`, `documentationUrl`, `iconUrl`)."""
    urls: list[CardUrl] = []
    if text(data.get("url")):
        urls.append(CardUrl("url", text(data["url"]) or "", doc.value_location(("url",))))
    for key in ("additionalInterfaces", "supportedInterfaces"):
        for index, interface in enumerate(sequence(data.get(key))):
            if text(mapping(interface).get("url")):
                urls.append(CardUrl(f"{key}[{index}].url", text(interface["url"]) or "",
                                    doc.value_location((key, index, "url"))))
    for name, body in mapping(data.get("securitySchemes")).items():
        _, fields = _scheme(mapping(body))
        wrapper = next((w for w in V1_KINDS if isinstance(mapping(body).get(w), dict)), None)
        base = ("securitySchemes", name) + ((wrapper,) if wrapper else ())
        places = [(base + (key,), key, fields.get(key)) for key in TOKEN_URLS]
        for flow, body_ in mapping(fields.get("flows")).items():
            places += [(base + ("flows", flow, key), key, mapping(body_).get(key)) for key in FLOW_URLS]
        for at, key, value in places:
            if text(value):
                urls.append(CardUrl(f"the {key} of security scheme '{name}'", text(value) or "",
                                    doc.value_location(at), token_endpoint=True))
    return urls


def _card(doc: Document, card: str, data: dict, sends: list[str]) -> AgentCard:
    skills: list[SkillSecurity] = []
    for index, skill in enumerate(data["skills"]):
        key = _requirement_key(skill, ("skills", index)) if isinstance(skill, dict) else None
        if key is not None:
            label = text(skill.get("id")) or text(skill.get("name")) or f"skills[{index}]"
            skills.append(SkillSecurity(label, doc.key_location(key),
                                        _alternatives(doc, skill, ("skills", index))))
    return AgentCard(location=doc.key_location(("name",)), identity=card, urls=tuple(_urls(doc, data)),
                     sends=tuple(dict.fromkeys(s for s in sends if s)),
                     default=_alternatives(doc, data, ()), skills=tuple(skills))


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
    sends: list[str] = []
    for scheme_name, kind, scheme, where in _schemes(doc, data):
        sends.append(_sends(kind, scheme))
        found = _identity_type(kind, scheme)
        # a shared-secret way in is the weakest link: it decides the card's identity type
        if identity_type != SHARED_SECRET and (identity_type is None or found == SHARED_SECRET):
            identity_type, identity_id = found, _issuer(scheme) or scheme_name
            fields["identity.type"] = where
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
    out.objects.append(_card(doc, card, data, sends))
