"""The nhilint agent manifest (v1): schema check (NHI002), then the model."""

from __future__ import annotations

from typing import Any

from nhilint.model import Audit, Credential, Delegation, Grant, Identity, Location, Revocation
from nhilint.schema_errors import problems
from nhilint.secrets import classify, is_indirection
from nhilint.sources import SourceOutput
from nhilint.sources.yaml_loader import Document

SCHEMA = "agent-manifest.schema.json"


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def _texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value if v is not None and not isinstance(v, (dict, list)))
    return ()


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


class _Locator:
    """Locations of the keys of one mapping in the document, by field name."""

    def __init__(self, doc: Document, pointer: tuple) -> None:
        self.doc = doc
        self.pointer = pointer

    def fields(self, data: dict, prefix: str = "") -> dict[str, Location]:
        return {f"{prefix}{key}": self.doc.key_location(self.pointer + (key,))
                for key in data if isinstance(key, str)}

    def items(self, data: dict, *names: str) -> dict[str, Location]:
        found: dict[str, Location] = {}
        for name in names:
            values = data.get(name)
            if isinstance(values, list):
                for index in range(len(values)):
                    found[f"{name}[{index}]"] = self.doc.value_location(self.pointer + (name, index))
        return found


def _source_key(source: str | None) -> str | None:
    """The secret a `source` names, when it names one in a store that several identities could share."""
    if not source or source == "inline" or source.startswith("env:"):
        return None
    return source if ("://" in source or source.startswith("file:")) else None


def _credential(doc: Document, identity: str, index: int, data: dict) -> Credential:
    pointer = ("credentials", index)
    loc = _Locator(doc, pointer)
    value = data.get("value")
    has_value = value not in (None, "") and not (isinstance(value, str) and is_indirection(value))
    hint = ""
    if has_value:
        shape = classify(value, "value") if isinstance(value, str) else None
        hint = shape[1] if shape else "****"
    source = _text(data.get("source"))
    return Credential(
        location=doc.value_location(pointer), field_locations=loc.fields(data),
        item_locations=loc.items(data, "scopes"), identity=identity,
        name=_text(data.get("name")) or f"credentials[{index}]", type=_text(data.get("type")),
        issuance=_text(data.get("issuance")), ttl=_text(data.get("ttl")),
        rotation=_text(data.get("rotation")), source=source, has_inline_value=has_value,
        value_hint=hint, scopes=_texts(data.get("scopes")), source_key=_source_key(source),
    )


def _grant(doc: Document, identity: str, index: int, data: dict) -> Grant:
    pointer = ("tools", index)
    loc = _Locator(doc, pointer)
    approval = data.get("requires_approval")
    return Grant(
        location=doc.value_location(pointer), field_locations=loc.fields(data),
        item_locations=loc.items(data, "actions", "resources"), identity=identity,
        name=_text(data.get("name")) or f"tools[{index}]", actions=_texts(data.get("actions")),
        resources=_texts(data.get("resources")), risk=_text(data.get("risk")),
        requires_approval=approval if isinstance(approval, bool) else None,
    )


def read(doc: Document, out: SourceOutput) -> None:
    data = doc.data
    for pointer, message in () if out.context_only else problems(SCHEMA, data):
        out.problem("NHI002", doc.key_location(pointer), message,
                    subject=".".join(str(p) for p in pointer) + ": " + message)

    metadata = _mapping(data.get("metadata"))
    name = _text(metadata.get("name")) or f"{doc.path}#{doc.index}"
    root = _Locator(doc, ())
    meta_loc = _Locator(doc, ("metadata",))
    fields = {**root.fields(data), **meta_loc.fields(metadata)}
    ident = _mapping(data.get("identity"))
    fields.update(_Locator(doc, ("identity",)).fields(ident, "identity."))
    identity_location = doc.key_location(("metadata",)) if "metadata" in data else doc.value_location(())

    credentials = tuple(_credential(doc, name, i, c)
                        for i, c in enumerate(data.get("credentials") or []) if isinstance(c, dict))
    grants = tuple(_grant(doc, name, i, t)
                   for i, t in enumerate(data.get("tools") or []) if isinstance(t, dict))

    delegation = None
    if isinstance(data.get("delegation"), dict):
        d = data["delegation"]
        loc = _Locator(doc, ("delegation",))
        depth = d.get("max_depth")
        delegation = Delegation(
            location=doc.key_location(("delegation",)), field_locations=loc.fields(d),
            item_locations=loc.items(d, "delegates"), identity=name,
            allowed=d.get("allowed") is True,
            max_depth=depth if isinstance(depth, int) and not isinstance(depth, bool) else None,
            delegates=_texts(d.get("delegates")), attenuation=_text(d.get("attenuation")),
        )
    audit = None
    if isinstance(data.get("audit"), dict):
        a = data["audit"]
        audit = Audit(location=doc.key_location(("audit",)),
                      field_locations=_Locator(doc, ("audit",)).fields(a),
                      sink=_text(a.get("sink")), binds=_texts(a.get("binds")))
    revocation = None
    if isinstance(data.get("revocation"), dict):
        r = data["revocation"]
        done = r.get("on_task_complete")
        revocation = Revocation(location=doc.key_location(("revocation",)),
                                field_locations=_Locator(doc, ("revocation",)).fields(r),
                                on_task_complete=done if isinstance(done, bool) else None,
                                max_session=_text(r.get("max_session")))

    out.identities.append(Identity(
        location=identity_location, field_locations=fields, name=name,
        source_format="agent-manifest",
        owner=_text(metadata.get("owner")), purpose=_text(metadata.get("purpose")),
        expires=_text(metadata.get("expires")), environment=_text(metadata.get("environment")),
        risk=_text(metadata.get("risk")), identity_type=_text(ident.get("type")),
        identity_id=_text(ident.get("id")), has_identity_block=bool(ident),
        credentials=credentials, grants=grants, delegation=delegation, audit=audit,
        revocation=revocation,
    ))
