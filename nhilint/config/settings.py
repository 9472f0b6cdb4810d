"""What configuration resolves to: the settings of one project, and the error a bad file is.

`Settings` holds each rule's state (`RuleSettings`), the run-wide values (`fail_on`,
`exclude`, `per_file_ignores`, ...), the custom rules its rulesets carry (`CustomRule`) and,
for `nhilint config`, where each value came from. The defaults come from the rules' own
metadata (`default_settings`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nhilint.model import Location, Severity
from nhilint.rules import Rule, all_rules, builtin_rules

DEFAULT_ORIGIN = "default"


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
    # The rule ids per_file_ignores drops in each path, worked out once per path (the
    # settings are final by the time a file is linted).
    _ignored: dict[str, tuple[str, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _globs: _GlobIndex | None = field(default=None, init=False, repr=False, compare=False)

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
        ignored = self._ignored.get(path)
        if ignored is None:
            if self._globs is None:
                self._globs = _GlobIndex(self.per_file_ignores)
            ignored = self._ignored[path] = self._globs.ids(self._relative(path))
        return rule_id.startswith(ignored)


class _GlobIndex:
    """per_file_ignores' globs, each compiled once and filed under the folder its literal part
    names (`team-7/*.yaml` under `team-7`): a path is matched against the globs filed under its
    own folders and those with no literal folder, not against all of them (5,000 entries over a
    large tree were entries x findings fnmatch calls)."""

    def __init__(self, entries: dict[str, tuple[str, ...]]) -> None:
        import fnmatch
        import re

        self.by_folder: dict[str, list[tuple[int, re.Pattern[str], tuple[str, ...]]]] = {}
        for order, (pattern, ids) in enumerate(entries.items()):
            regex = re.compile(f"(?:{fnmatch.translate(pattern)})|(?:{fnmatch.translate(pattern.rstrip('/') + '/*')})")
            literal = re.split(r"[*?\[]", pattern, maxsplit=1)[0]
            self.by_folder.setdefault(literal.rpartition("/")[0], []).append((order, regex, ids))

    def ids(self, path: str) -> tuple[str, ...]:
        """Every rule id (prefix) some glob matching `path` names."""
        parts = path.split("/")
        folders = ["/".join(parts[:depth]) for depth in range(len(parts))]
        candidates = sorted(item for folder in folders for item in self.by_folder.get(folder, ()))
        return tuple(rule_id for _, regex, ids in candidates if regex.match(path) for rule_id in ids)


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


def all_known_rules(settings: Settings) -> dict[str, Rule]:
    """The built-in rules and this configuration's custom ones."""
    return {**all_rules(), **{c.rule.id: c.rule for c in settings.custom_rules}}


class ConfigError(Exception):
    """A configuration problem: each line of the message names the file and line."""

    def __init__(self, problems: list[tuple[Location, str]]) -> None:
        from nhilint.secrets import mask_text  # on first error: start-up stays fast

        # masked: a problem may quote the file (`extends: [https://ci:PASSWORD@...]`)
        masked = {(loc, mask_text(msg)) for loc, msg in problems}
        self.problems = sorted(masked, key=lambda p: (p[0].path, p[0].line, p[0].column, p[1]))
        super().__init__("\n".join(f"{loc.path}:{loc.line}: {msg}" for loc, msg in self.problems))
