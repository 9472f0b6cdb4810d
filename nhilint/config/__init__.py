"""Resolved settings for a run: which rules are on, at what severity, with what parameters.

Built from the rules' own metadata (the defaults), then adjusted by configuration:

* a project file: `.nhilint.yaml` (or `.nhilint.yml`, or `[tool.nhilint]` in pyproject.toml),
  the nearest one at or above each linted file's folder, or the one `--config` names;
* the rulesets it `extends`, applied first, in order: a builtin preset (`minimal`,
  `recommended`, `strict`), a file path (relative to the file that names it), or `pkg:NAME`
  (a ruleset an installed package publishes under the entry point group `nhilint.rulesets`);
* the command line, last.

Every value remembers where it came from (`Settings.origins`) for `nhilint config`. A bad
file is a `ConfigError` naming the file, the line and the valid choices, never a traceback.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nhilint.model import Location, Severity
from nhilint.rules import Rule, all_rules, builtin_rules, register_custom_rules
from nhilint.sources.detect import PROJECT_FILES

PRESETS = ("minimal", "recommended", "strict")
ENTRY_POINT_GROUP = "nhilint.rulesets"
DEFAULT_ORIGIN = "default"
_SEVERITIES = tuple(s.value for s in Severity)
_SWITCHES = {"off": False, "on": True}
_CUSTOM_ID = re.compile(r"^[A-Z][A-Z0-9]*[0-9]{3}$")
_RULE_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_PREFIX = re.compile(r"^[A-Z][A-Z0-9]*$")
_REGO_PACKAGE = re.compile(r"^\s*package\s+([A-Za-z_][\w.]*)", re.MULTILINE)


@dataclass
class RuleSettings:
    enabled: bool
    severity: Severity
    params: dict[str, Any]


@dataclass(frozen=True)
class CustomRule:
    """A Rego rule carried by a ruleset: its registry record, module and query."""

    rule: Rule
    module_name: str  # the path (or ruleset path + rule id) shown in Rego errors
    module: str
    query: str
    declared_at: Location


@dataclass
class Settings:
    rules: dict[str, RuleSettings]
    fail_on: Severity = Severity.WARNING
    exclude: tuple[str, ...] = ()
    command_line_exclude: tuple[str, ...] = ()  # --exclude: globs relative to the working directory
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    inline_ignores: bool = True
    # Where each value came from: "fail_on", "exclude", "rules.NHI202.severity",
    # "rules.NHI202.max_ttl", ... -> "path/.nhilint.yaml:4", "preset strict:12", "--fail-on".
    origins: dict[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()  # the files applied, base first
    base_dir: Path | None = None  # exclude and per_file_ignores globs are relative to it
    cedar_schema: str | None = None  # `cedar: {schema: ...}`, as a path from the working directory
    custom_rules: tuple[CustomRule, ...] = ()

    def origin(self, key: str) -> str:
        return self.origins.get(key, DEFAULT_ORIGIN)

    def _relative(self, path: str) -> str:
        if self.base_dir is None:
            return path
        try:
            return Path(path).resolve().relative_to(self.base_dir).as_posix()
        except ValueError:
            return path

    def exclusion(self, path: str) -> str | None:
        """Why `path` is not read (the pattern that excludes it), or None."""
        if self.exclude:
            relative = self._relative(path)
            for pattern in self.exclude:
                if _glob_match(relative, (pattern,)):
                    return f"excluded by pattern '{pattern}'"
        for pattern in self.command_line_exclude:
            if _glob_match(path, (pattern,)):
                return f"excluded by --exclude '{pattern}'"
        return None

    def ignores(self, rule_id: str, path: str) -> bool:
        """Whether `per_file_ignores` drops findings of `rule_id` in `path`."""
        if not self.per_file_ignores:
            return False
        relative = self._relative(path)
        return any(rule_id.startswith(ids) and _glob_match(relative, (pattern,))
                   for pattern, ids in self.per_file_ignores.items())


def _glob_match(path: str, patterns: Iterable[str]) -> bool:
    """fnmatch globs (`*` crosses `/`); a pattern naming a folder covers everything below it."""
    import fnmatch

    return any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(path, p.rstrip("/") + "/*")
               for p in patterns)


def default_settings() -> Settings:
    return Settings(rules={
        rule.id: RuleSettings(rule.enabled_by_default, rule.severity, rule.default_params())
        for rule in builtin_rules().values()
    })


class ConfigError(Exception):
    """A configuration problem: each line of the message names the file and line."""

    def __init__(self, problems: list[tuple[Location, str]]) -> None:
        self.problems = sorted(set(problems), key=lambda p: (p[0].path, p[0].line, p[0].column, p[1]))
        super().__init__("\n".join(f"{loc.path}:{loc.line}: {msg}" for loc, msg in self.problems))


# --- reading one file ------------------------------------------------------------------------


@dataclass
class ConfigSource:
    """One parsed configuration or ruleset file."""

    key: str  # identity for cycle detection: a resolved path, "preset:NAME" or "pkg:NAME"
    label: str  # how origins name it
    path: str  # as error messages show it
    data: dict[str, Any]
    locate: Callable[[tuple], Location]
    base_dir: Path | None  # relative `extends` and Rego `file:` paths start here

    def origin(self, pointer: tuple) -> str:
        return f"{self.label}:{self.locate(pointer).line}"

    def error(self, pointer: tuple, message: str) -> ConfigError:
        return ConfigError([(self.locate(pointer), message)])


def _display(path: Path) -> str:
    from nhilint.discovery import display_path

    return display_path(path)


def _parse_yaml(path: str, text: str) -> tuple[dict[str, Any], Callable[[tuple], Location]]:
    from nhilint.sources.yaml_loader import LoadError, iter_documents

    try:
        docs = list(iter_documents(path, text))
    except LoadError as exc:
        raise ConfigError([(Location(path, exc.line, exc.column), exc.message)]) from None
    if len(docs) > 1:
        raise ConfigError([(docs[1].value_location(()), "a configuration file holds one YAML "
                                                       "document; remove the second '---'")])
    if not docs or docs[0].data is None:
        return {}, lambda pointer: Location(path)
    doc = docs[0]
    if not isinstance(doc.data, dict):
        raise ConfigError([(doc.value_location(()), "a configuration file is a mapping of keys "
                                                   "(extends, rules, exclude, ...)")])
    return doc.data, doc.key_location


def _toml_locator(path: str, text: str) -> Callable[[tuple], Location]:
    """Lines of keys under [tool.nhilint] (tomllib keeps no positions): the first line, after
    the line of the previous pointer part, that defines the key; else the table header."""
    lines = text.splitlines()
    header = next((i for i, line in enumerate(lines)
                   if re.match(r"^\s*\[\s*tool\.nhilint\s*[\].]", line)), 0)

    def locate(pointer: tuple) -> Location:
        index = header
        for part in pointer:
            if isinstance(part, int):
                continue
            key = re.compile(r'(^|[\s.\[{,])"?' + re.escape(str(part)) + r'"?\s*[=.\]]')
            found = next((i for i in range(index, len(lines)) if key.search(lines[i])), None)
            if found is None:
                break
            index = found
        return Location(path, index + 1)

    return locate


def _load_toml(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10
        import tomli as tomllib
    return tomllib.loads(text)


def _read_text(file: Path, shown: str, at: Location | None) -> str:
    try:
        return file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError([(at or Location(shown), f"cannot read {shown}: {reason}")]) from None


def load_file(file: Path, at: Location | None = None, label: str | None = None) -> ConfigSource:
    """Parse a `.nhilint.yaml`, a ruleset YAML file or a pyproject.toml's [tool.nhilint]."""
    shown = _display(file)
    text = _read_text(file, shown, at)
    if file.name == "pyproject.toml" or file.suffix == ".toml":
        try:
            data = _load_toml(text).get("tool", {}).get("nhilint", {})
        except ValueError as exc:  # tomllib.TOMLDecodeError; its message has the line
            raise ConfigError([(Location(shown, _toml_error_line(str(exc))),
                                f"invalid TOML: {exc}")]) from None
        locate = _toml_locator(shown, text)
    else:
        data, locate = _parse_yaml(shown, text)
    return ConfigSource(key=str(file.resolve()), label=label or shown, path=shown, data=data,
                        locate=locate, base_dir=file.resolve().parent)


def _toml_error_line(message: str) -> int:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 1


def _load_preset(name: str) -> ConfigSource:
    from nhilint.resources import data_file

    text = data_file("rulesets", f"{name}.yaml").read_text(encoding="utf-8")
    shown = f"rulesets/{name}.yaml"
    data, locate = _parse_yaml(shown, text)
    return ConfigSource(key=f"preset:{name}", label=f"preset {name}", path=shown, data=data,
                        locate=locate, base_dir=None)


def _entry_points() -> dict[str, Any]:
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def _load_package(name: str, at: Location) -> ConfigSource:
    """`pkg:NAME`: the entry point NAME in group nhilint.rulesets, a `module:attribute` whose
    value is the ruleset file's path (a str or Path) or a zero-argument callable returning it."""
    available = _entry_points()
    entry = available.get(name)
    if entry is None:
        known = ", ".join(sorted(available)) or "none installed"
        raise ConfigError([(at, f"no installed package publishes the ruleset 'pkg:{name}' (entry "
                                f"point group {ENTRY_POINT_GROUP}); available: {known}")])
    try:
        target = entry.load()
        target = target() if callable(target) else target
    except Exception as exc:  # noqa: BLE001 - a broken third-party package is a config error
        raise ConfigError([(at, f"loading 'pkg:{name}' ({entry.value}) failed: "
                                f"{type(exc).__name__}: {exc}")]) from None
    file = Path(str(target))
    if not file.is_file():
        raise ConfigError([(at, f"'pkg:{name}' points at {file}, which is not a file")])
    return load_file(file, at, label=f"pkg:{name}")


def _resolve_ref(ref: str, parent: ConfigSource, at: Location) -> ConfigSource:
    if ref.startswith("pkg:"):
        return _load_package(ref[4:], at)
    if ref in PRESETS:
        return _load_preset(ref)
    looks_like_path = "/" in ref or ref.endswith((".yaml", ".yml", ".toml"))
    if not looks_like_path:
        raise ConfigError([(at, f"unknown ruleset '{ref}' in extends; expected a preset ("
                                f"{', '.join(PRESETS)}), a file path, or pkg:NAME")])
    file = Path(ref).expanduser()
    if not file.is_absolute():
        file = (parent.base_dir or Path.cwd()) / file
    if not file.is_file():
        raise ConfigError([(at, f"extends '{ref}': no such file ({_display(file)})")])
    return load_file(file, at)


# --- validating and applying -----------------------------------------------------------------


def _non_string_keys(data: Any, pointer: tuple) -> Iterable[tuple]:
    """The pointers of mapping keys that are not strings (YAML reads `1:` as a number)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str):
                yield from _non_string_keys(value, (*pointer, key))
            else:
                yield (*pointer, key)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _non_string_keys(value, (*pointer, index))


def _shape_problems(source: ConfigSource) -> list[tuple[tuple, str]]:
    """(pointer, message) for each key that is not a string, else each schema violation."""
    from nhilint.schema_errors import problems

    found = [(pointer, f"key {pointer[-1]!r} is not a string; quote it, or use a rule id, name "
                       "or prefix") for pointer in _non_string_keys(source.data, ())]
    # the schema's messages would name the same keys again, less clearly
    return found or list(problems("config.schema.json", source.data))


def _well_shaped_part(data: dict[str, Any], pointers: Iterable[tuple]) -> dict[str, Any] | None:
    """`data` without the entries the pointers name (a `rules:` entry, or a whole top-level
    key), so the rest of a misshapen file is still checked; None when the document itself is
    misshapen. List items are not removed one by one: later items would change index, and
    their problems line."""
    kept = dict(data)
    for pointer in pointers:
        if not pointer:
            return None
        inner = kept.get(pointer[0])
        if len(pointer) > 1 and isinstance(inner, dict):
            kept[pointer[0]] = {k: v for k, v in inner.items() if k != pointer[1]}
        else:
            kept.pop(pointer[0], None)
    return kept


def _extends(source: ConfigSource) -> list[tuple[str, tuple]]:
    value = source.data.get("extends", [])
    if isinstance(value, str):
        return [(value, ("extends",))]
    return [(ref, ("extends", index)) for index, ref in enumerate(value)]


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"did you mean '{close[0]}'? " if close else ""


def rules_selected(key: str, rules: dict[str, Rule]) -> list[str]:
    """The rule ids `key` selects: an id (any case), a rule name or an id prefix; [] for none."""
    if key in rules:
        return [key]
    named = [r.id for r in rules.values() if r.name == key]
    if named:
        return named
    upper = key.upper()
    if upper in rules:
        return [upper]
    if _PREFIX.match(upper):
        return [rule_id for rule_id in rules if rule_id.startswith(upper)]
    return []


def unknown_rule(key: str, rules: dict[str, Rule]) -> str:
    choices = [*rules, *(r.name for r in rules.values())]
    return (f"unknown rule '{key}'; {_suggest(key, choices)}expected a rule id (NHI202), an id "
            "prefix (NHI2) or a rule name (ttl-above-maximum); `nhilint rules` lists them")


class _Resolver:
    """Applies a chain of files onto the defaults, base rulesets first.

    Problems are collected, not raised one at a time: `result()` raises them all at once, so
    a user fixing a file sees every mistake in one run.
    """

    def __init__(self, validated: set[str] | None = None) -> None:
        # keys of files already checked against the schema (shared across the projects of a
        # run: forty projects extending one org ruleset validate it once)
        self.validated = validated if validated is not None else set()
        self.settings = default_settings()
        self.rules: dict[str, Rule] = dict(builtin_rules())
        self.applied: set[str] = set()
        self.sources: list[str] = []
        self.custom: dict[str, CustomRule] = {}
        self.problems: list[tuple[Location, str]] = []

    def _collect(self, step: Callable[..., Any], *args: Any) -> Any:
        """`step(*args)`, or None after recording its ConfigError."""
        try:
            return step(*args)
        except ConfigError as exc:
            self.problems.extend(exc.problems)
            return None

    def apply(self, source: ConfigSource, chain: tuple[str, ...] = (),
              named_at: Location | None = None) -> None:
        if source.key in chain:
            names = [*chain[chain.index(source.key):], source.key]
            self.problems.append((named_at or source.locate(()), "extends cycle: " + " -> ".join(
                _short(k) for k in names) + "; remove one of these extends"))
            return
        if source.key not in self.validated:
            misshapen = _shape_problems(source)
            self.problems.extend((source.locate(pointer), message) for pointer, message in misshapen)
            if misshapen:  # check what can still be read, so every mistake is listed at once
                data = _well_shaped_part(source.data, (pointer for pointer, _ in misshapen))
                if data is None:
                    return
                source = dataclasses.replace(source, data=data)
            else:
                self.validated.add(source.key)
        for ref, pointer in _extends(source):
            at = source.locate(pointer)
            parent = self._collect(_resolve_ref, ref, source, at)
            if parent is not None:
                self.apply(parent, (*chain, source.key), at)
        if source.key in self.applied:  # a ruleset reached twice (a diamond) applies once
            return
        self.applied.add(source.key)
        self.sources.append(source.label)
        self._custom_rules(source)
        self._top_level(source)
        self._rule_entries(source)

    def _top_level(self, source: ConfigSource) -> None:
        data, settings = source.data, self.settings
        if "fail_on" in data:
            settings.fail_on = Severity(data["fail_on"])
            settings.origins["fail_on"] = source.origin(("fail_on",))
        if data.get("exclude"):
            settings.exclude = (*settings.exclude, *data["exclude"])
            settings.origins["exclude"] = source.origin(("exclude",))
        for pattern, ids in data.get("per_file_ignores", {}).items():
            for index, rule_id in enumerate(ids):
                self._collect(self._rule_keys, source, ("per_file_ignores", pattern, index), rule_id)
            settings.per_file_ignores[pattern] = tuple(i.upper() for i in ids)
            settings.origins[f"per_file_ignores.{pattern}"] = source.origin(("per_file_ignores", pattern))
        schema = data.get("cedar", {}).get("schema")
        if schema:
            settings.cedar_schema = _display((source.base_dir or Path.cwd()) / schema)
            settings.origins["cedar.schema"] = source.origin(("cedar", "schema"))

    def _rule_keys(self, source: ConfigSource, pointer: tuple, key: str) -> list[str]:
        """The rule ids `key` selects (an id, a name or an id prefix), or a ConfigError."""
        selected = rules_selected(key, self.rules)
        if not selected:
            raise source.error(pointer, unknown_rule(key, self.rules))
        return selected

    def _rule_entries(self, source: ConfigSource) -> None:
        entries = []
        for key, value in source.data.get("rules", {}).items():
            selected = self._collect(self._rule_keys, source, ("rules", key), str(key))
            if selected:
                entries.append((key, value, selected))
        # Broad selections first, so `NHI2: off` with `NHI204: on` keeps NHI204 whatever the order.
        for key, value, selected in sorted(entries, key=lambda entry: len(entry[2]), reverse=True):
            pointer = ("rules", key)
            setting = self._collect(self._entry_value, source, pointer, selected, value)
            if setting is None:
                continue
            enabled, severity, params = setting
            origin = source.origin(pointer)
            for rule_id in selected:
                current = self.settings.rules[rule_id]
                current.enabled = enabled
                self.settings.origins[f"rules.{rule_id}.enabled"] = origin
                if severity is not None:
                    current.severity = severity
                    self.settings.origins[f"rules.{rule_id}.severity"] = origin
                for name, converted in params.items():
                    current.params[name] = converted
                    self.settings.origins[f"rules.{rule_id}.{name}"] = source.origin((*pointer, name))

    def _entry_value(self, source: ConfigSource, pointer: tuple, selected: list[str],
                     value: Any) -> tuple[bool, Severity | None, dict[str, Any]]:
        """(enabled, severity, converted parameters) of one `rules:` entry."""
        if isinstance(value, bool):
            return value, None, {}
        if isinstance(value, str):
            if value in _SWITCHES:
                return _SWITCHES[value], None, {}
            if value in _SEVERITIES:
                return True, Severity(value), {}
            raise source.error(pointer, f"'{value}' is not a rule setting; expected one of: off, on, "
                                        f"{', '.join(_SEVERITIES)}, or a mapping of severity and "
                                        "parameters")
        enabled, severity, params = True, None, {}
        rule = self.rules[selected[0]]
        # Each key is checked on its own, so every mistake of the entry is reported at once.
        for name, item in value.items():
            where = (*pointer, name)
            if name == "severity":
                if item in _SEVERITIES:
                    severity = Severity(item)
                else:
                    self.problems.append((source.locate(where), f"severity '{item}' of {pointer[1]}; "
                                          f"expected one of: {', '.join(_SEVERITIES)}"))
            elif name == "enabled":
                if isinstance(item, bool):
                    enabled = item
                else:
                    self.problems.append((source.locate(where),
                                          f"enabled of {pointer[1]} must be true or false"))
            elif len(selected) > 1:
                self.problems.append((source.locate(where), f"'{name}': parameters belong to one "
                                      f"rule, and '{pointer[1]}' selects {len(selected)} rules; set "
                                      "them under the rule's id"))
            else:
                converted = self._collect(self._param, source, where, rule, name, item)
                if converted is not None:
                    params[name] = converted
        return enabled, severity, params

    @staticmethod
    def _param(source: ConfigSource, where: tuple, rule: Rule, name: str, value: Any) -> Any:
        param = rule.param(name)
        valid = ["severity", "enabled", *(p.name for p in rule.params)]
        if param is None:
            raise source.error(where, f"{rule.id} ({rule.name}) has no parameter '{name}'; "
                                      f"{_suggest(name, valid)}expected one of: {', '.join(valid)}")
        try:
            return param.convert(value)
        except ValueError as exc:
            raise source.error(where, f"{rule.id} {name}: {exc}") from None

    def _custom_rules(self, source: ConfigSource) -> None:
        for index, spec in enumerate(source.data.get("custom_rules", [])):
            custom = self._collect(_custom_rule, source, ("custom_rules", index), spec, self.rules)
            if custom is None:
                continue
            self.rules[custom.rule.id] = custom.rule
            self.custom[custom.rule.id] = custom
            self.settings.rules[custom.rule.id] = RuleSettings(True, custom.rule.severity, {})
            self.settings.origins[f"rules.{custom.rule.id}.enabled"] = source.origin(("custom_rules", index))

    def result(self, base_dir: Path | None) -> Settings:
        if self.problems:
            raise ConfigError(self.problems)
        self.settings.sources = tuple(self.sources)
        self.settings.base_dir = base_dir
        self.settings.custom_rules = tuple(self.custom[k] for k in sorted(self.custom))
        register_custom_rules(c.rule for c in self.settings.custom_rules)
        return self.settings


def _short(key: str) -> str:
    return _display(Path(key)) if key.startswith("/") else key


def _custom_rule(source: ConfigSource, pointer: tuple, spec: dict[str, Any],
                 known: dict[str, Rule]) -> CustomRule:
    rule_id, name = spec["id"], spec["name"]
    bad_names = []  # both at once: every mistake of a file is listed in one run
    if not _CUSTOM_ID.match(rule_id) or rule_id.startswith("NHI"):
        bad_names.append((source.locate((*pointer, "id")), f"custom rule id '{rule_id}': use "
                          "capital letters then three digits, not starting with NHI (reserved "
                          "for nhilint's own rules), e.g. ACME101"))
    if not _RULE_NAME.match(name):
        bad_names.append((source.locate((*pointer, "name")), f"custom rule name '{name}': use "
                          "lowercase words joined by hyphens, e.g. no-password-credentials"))
    if bad_names:
        raise ConfigError(bad_names)
    existing = known.get(rule_id)
    if existing is not None and (existing.id in builtin_rules() or existing.name != name):
        raise source.error((*pointer, "id"), f"rule id {rule_id} is already taken by {existing.name}")
    has_inline, has_file = "rego" in spec, "file" in spec
    if has_inline == has_file:
        raise source.error(pointer, f"custom rule {rule_id} needs exactly one of 'rego' (the module "
                                    "inline) or 'file' (its path)")
    if has_file:
        file = Path(spec["file"])
        if not file.is_absolute():
            file = (source.base_dir or Path.cwd()) / file
        module_name = _display(file)
        module = _read_text(file, module_name, source.locate((*pointer, "file")))
    else:
        module_name, module = f"{source.path}#{rule_id}", spec["rego"]
    package = _REGO_PACKAGE.search(module)
    if "query" in spec:
        query = spec["query"]
    elif package:
        query = f"data.{package.group(1)}.violation"
    else:
        raise source.error(pointer, f"custom rule {rule_id}: the Rego module has no 'package' line")
    record = Rule(id=rule_id, name=name, category=spec.get("category", "custom"),
                  severity=Severity(spec.get("severity", "warning")), summary=spec["summary"],
                  rationale=spec.get("rationale", ""), remediation=spec.get("remediation", ""),
                  references=tuple(spec.get("references", ())))
    custom = CustomRule(rule=record, module_name=module_name, module=module, query=query,
                        declared_at=source.locate(pointer))
    from nhilint.custom_rules import compile_error

    problem = compile_error(custom)
    if problem:
        raise source.error(pointer, f"custom rule {rule_id}: the Rego does not compile: {problem}")
    return custom


# --- discovery and the command line ----------------------------------------------------------


def _declares_tool_section(file: Path) -> bool:
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*\[\s*tool\.nhilint\s*[\].]", text, re.MULTILINE) is not None


def find_project_file(directory: Path) -> Path | None:
    """The nearest `.nhilint.yaml`, `.nhilint.yml` or pyproject.toml with [tool.nhilint] at or
    above `directory`."""
    directory = directory.resolve()
    for folder in (directory, *directory.parents):
        for name in PROJECT_FILES:
            candidate = folder / name
            if candidate.is_file() and (name != "pyproject.toml" or _declares_tool_section(candidate)):
                return candidate
    return None


def resolve(file: Path | None, validated: set[str] | None = None) -> Settings:
    """The settings a project file (None: the defaults) and its rulesets resolve to."""
    resolver = _Resolver(validated)
    if file is None:
        return resolver.result(None)
    source = load_file(file)
    resolver.apply(source)
    return resolver.result(source.base_dir)


# A file nhilint cannot read is reported whatever --select says, as ruff reports syntax
# errors: a run narrowed to a few rules must not pass a file it never understood.
PARSE_ERROR_RULES = ("NHI001", "NHI003", "NHI607", "NHI705")


class SelectionError(ValueError):
    """A rule the command line names that no rule is: `option` says which flag named it."""

    def __init__(self, option: str, message: str) -> None:
        self.option = option
        super().__init__(message)


@dataclass(frozen=True)
class Selection:
    """The command line's rule selection, applied after every configuration file.

    `select` replaces the configuration's choice of rules (None keeps it); `extend_select`
    switches more rules on; `ignore` switches rules off, last. Each item is a rule id, an
    id prefix or a rule name. Severities and parameters still come from the configuration.
    """

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def _options(self) -> list[tuple[str, tuple[str, ...]]]:
        return [("--select", self.select or ()), ("--extend-select", self.extend_select),
                ("--ignore", self.ignore)]

    def check(self, rules: dict[str, Rule]) -> None:
        for option, keys in self._options():
            for key in keys:
                if not rules_selected(key, rules):
                    raise SelectionError(option, unknown_rule(key, rules))

    def apply(self, settings: Settings, rules: dict[str, Rule]) -> None:
        # A key no rule of this project matches (another project's custom rule) selects nothing.
        chosen = {option: {i for key in keys for i in rules_selected(key, rules)}
                  for option, keys in self._options()}
        for rule_id, current in settings.rules.items():
            if self.select is not None and rule_id not in PARSE_ERROR_RULES:
                current.enabled = rule_id in chosen["--select"]
                settings.origins[f"rules.{rule_id}.enabled"] = "--select"
            for option, enabled in (("--extend-select", True), ("--ignore", False)):
                if rule_id in chosen[option]:
                    current.enabled = enabled
                    settings.origins[f"rules.{rule_id}.enabled"] = option


@dataclass
class Configuration:
    """The settings of each project in a run, plus what the command line overrides.

    `config_file` (from --config) applies to every file; otherwise each project uses the
    nearest project file at or above its folder.
    """

    config_file: str | None = None
    fail_on: Severity | None = None
    inline_ignores: bool = True
    selection: Selection = field(default_factory=Selection)
    exclude: tuple[str, ...] = ()  # --exclude, added to each project's
    fixed: Settings | None = None  # a Settings object given directly (library use)
    _by_file: dict[Path | None, Settings] = field(default_factory=dict, repr=False)
    _by_directory: dict[Path, Settings] = field(default_factory=dict, repr=False)
    _validated: set[str] = field(default_factory=set, repr=False)

    def _override(self, settings: Settings) -> Settings:
        if self.fail_on is not None:
            settings.fail_on = self.fail_on
            settings.origins["fail_on"] = "--fail-on"
        if not self.inline_ignores:
            settings.inline_ignores = False
            settings.origins["inline_ignores"] = "--no-inline-ignores"
        if self.exclude:
            settings.command_line_exclude = self.exclude
        if self.selection != Selection():
            self.selection.apply(settings, all_known_rules(settings))
        return settings

    def project_file(self, directory: Path) -> Path | None:
        if self.config_file is not None:
            file = Path(self.config_file)
            if not file.is_file():
                raise ConfigError([(Location(self.config_file), "--config: no such file")])
            return file.resolve()
        return find_project_file(directory)

    def load_explicit(self, directory: Path | None = None) -> None:
        """Load the --config file and check the rules --select and --ignore name now, so a
        mistake is reported even when no file is linted (SelectionError for an unknown rule:
        one neither built in nor a custom rule of `directory`'s configuration, by default the
        working directory's)."""
        if self.config_file is not None or self.selection != Selection():
            settings = self.for_directory(directory or Path.cwd())
            self.selection.check(all_known_rules(settings))

    def for_directory(self, directory: Path) -> Settings:
        if self.fixed is not None:
            return self._override(self.fixed)
        if directory not in self._by_directory:  # the linter asks once per file read
            file = self.project_file(directory)
            if file not in self._by_file:
                self._by_file[file] = self._override(resolve(file, self._validated))
            self._by_directory[directory] = self._by_file[file]
        return self._by_directory[directory]

    def used(self) -> list[Settings]:
        return [self.fixed] if self.fixed is not None else list(self._by_file.values())

    def threshold(self) -> Severity:
        """The severity that fails the run: the strictest of the projects' (a project asking
        for `fail_on: info` is not relaxed by another's `error`)."""
        if self.fail_on is not None:
            return self.fail_on
        used = self.used()
        return min((s.fail_on for s in used), key=lambda s: s.rank) if used else Severity.WARNING


def as_configuration(settings: Settings | Configuration | None) -> Configuration:
    if isinstance(settings, Configuration):
        return settings
    return Configuration() if settings is None else Configuration(fixed=settings)


def all_known_rules(settings: Settings) -> dict[str, Rule]:
    """The built-in rules and this configuration's custom ones."""
    return {**all_rules(), **{c.rule.id: c.rule for c in settings.custom_rules}}


# --- `nhilint config` --------------------------------------------------------------------------


def describe(settings: Settings, project_file: Path | None) -> dict[str, Any]:
    """The resolved configuration as plain data, each value with where it came from."""
    rules = all_known_rules(settings)
    described: dict[str, Any] = {}
    for rule_id, current in sorted(settings.rules.items()):
        rule = rules[rule_id]
        params = {name: rule.param(name).show(value) for name, value in current.params.items()}
        origins = {key: settings.origin(f"rules.{rule_id}.{key}")
                   for key in ("enabled", "severity", *params)}
        described[rule_id] = {"name": rule.name, "enabled": current.enabled,
                              "severity": current.severity.value, "params": params,
                              "origins": origins}
    return {
        "file": _display(project_file) if project_file else None,
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
    }


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
