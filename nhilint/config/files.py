"""Reading configuration files and finding them: each one parsed with the location of its keys.

A project file (`.nhilint.yaml`, `.nhilint.yml` or pyproject.toml's `[tool.nhilint]`), a
ruleset file, a builtin preset or a `pkg:NAME` ruleset an installed package publishes
becomes a `ConfigSource`: its data and a `locate` from a key's pointer to its file and line.
`resolve_ref` turns one `extends` item into the source it names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nhilint.config.settings import ConfigError
from nhilint.model import Location
from nhilint.sources.detect import PROJECT_FILES

PRESETS = ("minimal", "recommended", "strict")
ENTRY_POINT_GROUP = "nhilint.rulesets"


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


def display(path: Path) -> str:
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
    # bounded: nesting past toml_positions.MAX_DEPTH or a 4,301-digit integer is a ValueError
    # with its line, never a RecursionError (exit 3)
    from nhilint.sources.toml_positions import loads

    return loads(text)


MAX_CONFIG_BYTES = 5 * 1024 * 1024  # a configuration, ruleset or custom rule file


def read_text(file: Path, shown: str, at: Location | None) -> str:
    from nhilint.sources.yaml_loader import read_bounded_text

    try:
        return read_bounded_text(file, MAX_CONFIG_BYTES)
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError([(at or Location(shown), f"cannot read {shown}: {reason}")]) from None


def load_file(file: Path, at: Location | None = None, label: str | None = None) -> ConfigSource:
    """Parse a `.nhilint.yaml`, a ruleset YAML file or a pyproject.toml's [tool.nhilint]."""
    shown = display(file)
    text = read_text(file, shown, at)
    if file.name == "pyproject.toml" or file.suffix == ".toml":
        try:
            data = _load_toml(text).get("tool", {}).get("nhilint", {})
        except ValueError as exc:  # TOMLDecodeError or TomlBoundError; its message has the line
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


def resolve_ref(ref: str, parent: ConfigSource, at: Location) -> ConfigSource:
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
        raise ConfigError([(at, f"extends '{ref}': no such file ({display(file)})")])
    return load_file(file, at)


def _declares_tool_section(file: Path) -> bool:
    from nhilint.sources.yaml_loader import read_bounded_text

    try:
        text = read_bounded_text(file, MAX_CONFIG_BYTES)
    except (OSError, ValueError):
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
