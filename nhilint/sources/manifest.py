"""The nhilint agent manifest (v1): schema check (NHI002), then the model."""

from __future__ import annotations

from typing import Any

from nhilint.model import Audit, Credential, Delegation, Grant, Identity, Location, Revocation
from nhilint.schema_errors import non_string_key_message, problems, string_keyed, validator
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


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


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


def _without(data: Any, pointer: tuple) -> Any:
    """`data` with the value at `pointer` removed (a list item becomes None, so the items
    after it keep their index and their location); the parts off the path are shared."""
    if not pointer:
        return None
    head, rest = pointer[0], pointer[1:]
    if isinstance(data, dict) and head in data:
        copy = dict(data)
        if rest:
            copy[head] = _without(data[head], rest)
        else:
            del copy[head]
        return copy
    if isinstance(data, list) and isinstance(head, int) and 0 <= head < len(data):
        items = list(data)
        items[head] = _without(data[head], rest) if rest else None
        return items
    return data


_CONTAINERS = {"object", "array"}


def _well_shaped(data: Any) -> Any:
    """`data` without each value whose type is a mapping or list where the schema wants a
    scalar, or the other way round (`credentials: 1.5`): the model is built from the rest."""
    for error in validator(SCHEMA).iter_errors(data):
        if error.validator != "type":
            continue
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        if isinstance(error.instance, (dict, list)) or _CONTAINERS.intersection(wanted):
            data = _without(data, tuple(error.absolute_path))
    return data


def read(doc: Document, out: SourceOutput) -> None:
    odd_keys: list[tuple] = []
    data = string_keyed(doc.data, (), odd_keys)
    misshapen = False
    if not out.context_only:
        for pointer in odd_keys:
            message = non_string_key_message(pointer[-1])
            out.problem("NHI002", doc.key_location(pointer), message,
                        subject=".".join(str(p) for p in pointer) + ": " + message)
        for pointer, message in problems(SCHEMA, data):
            misshapen = True
            out.problem("NHI002", doc.key_location(pointer), message,
                        subject=".".join(str(p) for p in pointer) + ": " + message)
    if misshapen:
        data = _well_shaped(data)
    if not isinstance(data, dict):
        return

    metadata = _mapping(data.get("metadata"))
    name = _text(metadata.get("name")) or f"{doc.path}#{doc.index}"
    root = _Locator(doc, ())
    meta_loc = _Locator(doc, ("metadata",))
    fields = {**root.fields(data), **meta_loc.fields(metadata)}
    ident = _mapping(data.get("identity"))
    fields.update(_Locator(doc, ("identity",)).fields(ident, "identity."))
    identity_location = doc.key_location(("metadata",)) if "metadata" in data else doc.value_location(())

    credentials = tuple(_credential(doc, name, i, c)
                        for i, c in enumerate(_list(data.get("credentials"))) if isinstance(c, dict))
    grants = tuple(_grant(doc, name, i, t)
                   for i, t in enumerate(_list(data.get("tools"))) if isinstance(t, dict))

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
