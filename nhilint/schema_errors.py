"""JSON Schema validation with one readable message per problem, located by JSON pointer."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from nhilint.secrets import classify

_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
               "number": "a number", "boolean": "true or false", "null": "empty (null)"}


@cache
def validator(schema_name: str) -> Any:
    import jsonschema  # imported on first validation: keeps `nhilint --help` fast

    from nhilint.resources import schema

    doc = schema(schema_name)
    cls = jsonschema.validators.validator_for(doc)
    return cls(doc, format_checker=cls.FORMAT_CHECKER)


def _where(path: tuple) -> str:
    if not path:
        return "the document"
    parts: list[str] = []
    for part in path:
        parts.append(f"[{part}]" if isinstance(part, int) else ("." if parts else "") + str(part))
    return "'" + "".join(parts) + "'"


def _show(value: Any) -> str:
    """A value fit for a message: short, and never anything shaped like a secret."""
    if isinstance(value, str):
        if classify(value) or len(value) > 40:
            return "a value (not shown)"
        return f"'{value}'"
    if isinstance(value, (dict, list)):
        return _TYPE_NAMES["object" if isinstance(value, dict) else "array"]
    return repr(value).lower() if isinstance(value, bool) or value is None else repr(value)


def _type_of(value: Any) -> str:
    for name, py in (("null", type(None)), ("boolean", bool), ("integer", int), ("number", float),
                     ("string", str), ("array", list), ("object", dict)):
        if isinstance(value, py):
            return _TYPE_NAMES[name]
    return type(value).__name__


def _choices(values: Any) -> str:
    return ", ".join(str(v) for v in values if v is not None)


def string_keyed(data: Any, pointer: tuple, found: list[tuple]) -> Any:
    """`data` without the mapping keys that are not strings (YAML reads `1:` as a number, and
    JSON Schema cannot judge such a key), each one's pointer added to `found`; the same object
    when it has none."""
    if isinstance(data, dict):
        kept = {}
        changed = False
        for key, value in data.items():
            if not isinstance(key, str):
                found.append((*pointer, key))
                changed = True
                continue
            new = string_keyed(value, (*pointer, key), found) if isinstance(value, (dict, list)) else value
            changed = changed or new is not value
            kept[key] = new
        return kept if changed else data
    if isinstance(data, list):
        items = [string_keyed(value, (*pointer, index), found) if isinstance(value, (dict, list)) else value
                 for index, value in enumerate(data)]
        return items if any(new is not old for new, old in zip(items, data)) else data
    return data


def shown_key(key: Any) -> str:
    shown = repr(key).lower() if isinstance(key, bool) or key is None else repr(key)
    return shown if len(shown) <= 20 else f"a {type(key).__name__} key"


def non_string_key_message(key: Any) -> str:
    return f"key {shown_key(key)} is not a string; quote it or rename it"


def problems(schema_name: str, data: Any) -> Iterator[tuple[tuple, str]]:
    """(JSON pointer, message) for every schema violation in `data`, in document order; a
    mapping key that is not a string is one, and the rest is judged without it."""
    odd_keys: list[tuple] = []
    data = string_keyed(data, (), odd_keys)
    for pointer in odd_keys:
        yield pointer, non_string_key_message(pointer[-1])
    errors = sorted(validator(schema_name).iter_errors(data),
                    key=lambda e: ([str(p) for p in e.absolute_path], str(e.validator)))
    for error in errors:
        yield from _explain(error)


def _explain(error: Any) -> Iterator[tuple[tuple, str]]:
    path = tuple(error.absolute_path)
    where = _where(path)
    kind, expected, instance = error.validator, error.validator_value, error.instance
    if kind == "additionalProperties" and isinstance(instance, dict):
        known = sorted(error.schema.get("properties", {}))
        patterns = list(error.schema.get("patternProperties", {}))
        for key in instance:
            if key in known or any(re.search(p, str(key)) for p in patterns):
                continue
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            yield path + (key,), (f"unknown key '{key}' in {where}; {hint}expected one of: "
                                  f"{', '.join(known)} (or an x- extension key)")
    elif kind == "required":
        for key in expected:
            if isinstance(instance, dict) and key not in instance:
                yield path, f"{where} is missing the required key '{key}'"
    elif kind == "enum":
        yield path, f"{where} is {_show(instance)}; expected one of: {_choices(expected)}"
    elif kind == "const":
        yield path, f"{where} must be '{expected}', not {_show(instance)}"
    elif kind == "type":
        types = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_TYPE_NAMES.get(t, str(t)) for t in types if t != "null")
        yield path, f"{where} must be {wanted}, not {_type_of(instance)}"
    elif kind == "format":
        yield path, f"{where} is {_show(instance)}, not a valid {expected} (use YYYY-MM-DD)" \
            if expected == "date" else f"{where} is {_show(instance)}, not a valid {expected}"
    elif kind == "anyOf" and "duration" in str(error.schema.get("description", "")):
        yield path, (f"{where} is {_show(instance)}, not a duration; use 30s, 15m, 1h, 7d, "
                     "1h30m or ISO-8601 such as PT15M")
    elif kind == "minimum":
        yield path, f"{where} must be at least {expected}, not {_show(instance)}"
    elif kind == "minLength":
        yield path, f"{where} must not be empty"
    else:
        yield path, f"{where} is not valid here ({kind}: {expected})"
