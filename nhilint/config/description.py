"""`nhilint config`: the resolved configuration as data, and as a table for a terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nhilint.config.files import display
from nhilint.config.settings import DEFAULT_ORIGIN, Settings, all_known_rules
from nhilint.rules import Rule


def describe(settings: Settings, project_file: Path | None) -> dict[str, Any]:
    """The resolved configuration as plain data, each value with where it came from."""
    rules = all_known_rules(settings)
    described: dict[str, Any] = {}
    for rule_id, current in sorted(settings.rules.items()):
        rule = rules[rule_id]
        params = {name: _shown(rule, name, value) for name, value in current.params.items()}
        origins = {key: settings.origin(f"rules.{rule_id}.{key}")
                   for key in ("enabled", "severity", *params)}
        described[rule_id] = {"name": rule.name, "enabled": current.enabled,
                              "severity": current.severity.value, "params": params,
                              "origins": origins}
    return _masked({
        "file": display(project_file) if project_file else None,
        "applied": list(settings.sources),
        "fail_on": {"value": settings.fail_on.value, "origin": settings.origin("fail_on")},
        "inline_ignores": {"value": settings.inline_ignores,
                           "origin": settings.origin("inline_ignores")},
        "exclude": {"value": list(settings.exclude), "origin": settings.origin("exclude")},
        "cedar_schema": {"value": settings.cedar_schema, "origin": settings.origin("cedar.schema")},
        "per_file_ignores": {pattern: {"value": list(ids),
                                       "origin": settings.origin(f"per_file_ignores.{pattern}")}
                             for pattern, ids in sorted(settings.per_file_ignores.items())},
        "rules": described,
    })


def _masked(data: Any) -> Any:
    """Every string in `data`, keys too, through the one masking path: a configuration may
    quote a secret (a pattern, a parameter, a URL with its userinfo), and this is printed."""
    from nhilint.secrets import mask_text

    if isinstance(data, str):
        return mask_text(data)
    if isinstance(data, dict):
        return {_masked(key): _masked(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_masked(item) for item in data]
    return data


def _shown(rule: Rule, name: str, value: Any) -> str:
    param = rule.param(name)
    assert param is not None, f"{rule.id} has no parameter {name}"  # settings hold declared ones only
    return param.show(value)


def render_description(data: dict[str, Any]) -> str:
    """`describe()` for a terminal: the settings, then one row per rule with its origins."""
    from tabulate import tabulate

    lines = [f"configuration: {data['file'] or 'none found (the recommended defaults)'}",
             f"applied, base first: {', '.join(data['applied']) or 'the defaults'}"]
    for key in ("fail_on", "inline_ignores", "exclude", "cedar_schema"):
        value = data[key]["value"]
        if isinstance(value, list):
            shown = ", ".join(value) or "(none)"
        else:
            shown = "(none)" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
        lines.append(f"{key}: {shown}  [{data[key]['origin']}]")
    lines.append("per_file_ignores:" + ("" if data["per_file_ignores"] else " (none)"))
    lines += [f"  {pattern}: {', '.join(item['value'])}  [{item['origin']}]"
              for pattern, item in data["per_file_ignores"].items()]
    rows = []
    for rule_id, rule in data["rules"].items():
        origins = sorted(set(rule["origins"].values()) - {DEFAULT_ORIGIN}) or [DEFAULT_ORIGIN]
        params = ", ".join(f"{name}={value}" for name, value in rule["params"].items())
        rows.append((rule_id, rule["name"], "on" if rule["enabled"] else "off", rule["severity"],
                     params, ", ".join(origins)))
    lines += ["", tabulate(rows, headers=["rule", "name", "state", "severity", "parameters", "from"],
                           tablefmt="simple", maxcolwidths=[None, None, None, None, 40, 40])]
    return "\n".join(lines) + "\n"
