"""Custom rules written in Rego, carried by rulesets, evaluated with regorus.

Each rule's query (default `data.<package>.violation`) is evaluated with the project's
normalized model as `input` (the shape `model_input` documents, versioned by
`MODEL_VERSION`; docs/custom-rules.md describes it) and yields a set or list of
violations `{"msg": ..., "location": {"path", "line", ...}}`, optionally with `identity`
and `subject`. The engine then treats them exactly like findings of built-in rules.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from typing import Any

from nhilint.engines.isolation import Interrupted, run_calls
from nhilint.model import Identity, Inventory, Location, SecretCandidate, Violation

MODEL_VERSION = "1"
TIMEOUT = 10.0  # seconds each custom rule may evaluate over one project
_INTERNAL_FIELDS = ("location", "field_locations", "item_locations", "credentials", "grants",
                    "delegation", "audit", "revocation")


def compile_error(custom: Any) -> str | None:
    """Why the rule's Rego module does not compile, or None."""
    from nhilint.engines import rego  # heavy (regorus): imported only when a ruleset carries Rego

    engine = rego.new_engine()
    try:
        rego.add_policy(engine, custom.module_name, custom.module)
    except RuntimeError as exc:
        return rego.error_text(exc)
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, Location):
        return value.to_dict()
    if isinstance(value, (frozenset, set)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if dataclasses.is_dataclass(value):
        return _located(value)
    return value


def _located(obj: Any) -> dict[str, Any]:
    """A model object as JSON: its plain fields, `location`, and `locations` of its keys/items."""
    data = {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)
            if f.name not in _INTERNAL_FIELDS}
    data["location"] = obj.location.to_dict()
    data["locations"] = {name: loc.to_dict() for name, loc in
                         sorted({**obj.field_locations, **obj.item_locations}.items())}
    return data


def _identity(identity: Identity) -> dict[str, Any]:
    data = _located(identity)
    data["credentials"] = [_located(c) for c in identity.credentials]
    data["tools"] = [_located(g) for g in identity.grants]
    for part in ("delegation", "audit", "revocation"):
        value = getattr(identity, part)
        data[part] = _located(value) if value is not None else None
    return data


def model_input(inventory: Inventory) -> dict[str, Any]:
    """The `input` of every custom rule: one project's identities, secret findings and files."""
    return {
        "version": MODEL_VERSION,
        "files": sorted(inventory.files),
        "identities": [_identity(i) for i in inventory.identities],
        "secrets": [_located(s) for s in inventory.of_type(SecretCandidate)],
    }


def _location(value: Any, files: set[str]) -> Location | None:
    if not isinstance(value, dict) or value.get("path") not in files:
        return None
    numbers = {}
    for key in ("line", "column", "end_line", "end_column"):
        item = value.get(key, 0 if key.startswith("end") else 1)
        if isinstance(item, bool) or not isinstance(item, int) or item < 0:
            return None
        numbers[key] = item
    return Location(value["path"], max(numbers["line"], 1), max(numbers["column"], 1),
                    numbers["end_line"], numbers["end_column"])


def _violations(custom: Any, value: Any, files: set[str]) -> Iterable[tuple[str, Violation]]:
    rule_id = custom.rule.id
    if value == "<undefined>":  # regorus's answer when the rule has no value: no violations
        return
    items = value if isinstance(value, list) else [value]
    for item in items:
        location = _location(item.get("location"), files) if isinstance(item, dict) else None
        message = item.get("msg") if isinstance(item, dict) else None
        if location is None or not isinstance(message, str) or not message:
            yield rule_id, Violation(
                custom.declared_at, f"custom rule {rule_id} returned a violation without a 'msg' "
                f"string and a 'location' in a linted file ({json.dumps(item, sort_keys=True)[:120]}); "
                "return {\"msg\": ..., \"location\": <an object's location from input>}",
                subject=f"{rule_id} bad violation")
            continue
        identity = item.get("identity")
        yield rule_id, Violation(location, message,
                                 identity=identity if isinstance(identity, str) else None,
                                 subject=str(item.get("subject") or message))


def run(customs: Iterable[Any], inventory: Inventory) -> list[tuple[str, Violation]]:
    """Every custom rule over one project's inventory. A rule that fails to evaluate is a finding
    of that rule at its declaration in the ruleset, never a dead run: the rules are evaluated
    in one worker process (`nhilint.engines.isolation`), TIMEOUT seconds each, under its
    memory limit, so a rule that crashes the engine, overruns or exhausts memory fails alone."""
    customs = list(customs)
    if not customs or not inventory.files:
        return []
    from nhilint.engines import rego  # heavy (regorus): imported only when a ruleset carries Rego

    engine = rego.new_engine()
    found: list[tuple[str, Violation]] = []
    loaded: set[str] = set()
    usable = []
    for custom in customs:
        try:
            if custom.module_name not in loaded:
                rego.add_policy(engine, custom.module_name, custom.module)
                loaded.add(custom.module_name)
            usable.append(custom)
        except RuntimeError as exc:
            found.append(_engine_error(custom, rego.error_text(exc)))
    rego.set_input_json(engine, json.dumps(model_input(inventory)))
    files = set(inventory.files)

    def evaluate(custom: Any) -> tuple[bool, Any]:
        try:
            return True, rego.eval_rule_json(engine, custom.query)
        except RuntimeError as exc:
            return False, rego.error_text(exc)

    outcomes, _ = run_calls(usable, evaluate, lambda: None, TIMEOUT, source="the time limit of custom rules")
    for custom, outcome in zip(usable, outcomes):
        if isinstance(outcome, Interrupted):
            found.append(_engine_error(custom, outcome.message))
        elif not outcome[0]:
            found.append(_engine_error(custom, outcome[1]))
        else:
            found.extend(_violations(custom, outcome[1], files))
    return found


def _engine_error(custom: Any, error: str) -> tuple[str, Violation]:
    return custom.rule.id, Violation(
        custom.declared_at, f"custom rule {custom.rule.id} failed to evaluate: {error}",
        subject=f"{custom.rule.id} error")
