"""A run's configuration: the settings of each project it lints, then the command line's.

`Configuration` finds each folder's project file (or takes `--config`), resolves it once,
and applies what the command line overrides: `--fail-on`, `--no-inline-ignores`,
`--exclude` and the rule selection (`Selection`: `--select`, `--extend-select`, `--ignore`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from nhilint.config.extends import resolve
from nhilint.config.files import find_project_file
from nhilint.config.settings import ConfigError, Settings, all_known_rules
from nhilint.config.validation import rules_selected, unknown_rule
from nhilint.model import Location, Severity
from nhilint.rules import Rule

# A file nhilint cannot read is reported whatever --select says, as ruff reports syntax
# errors: a run narrowed to a few rules must not pass a file it never understood.
PARSE_ERROR_RULES = ("NHI001", "NHI003", "NHI607", "NHI705")


class SelectionError(ValueError):
    """A rule the command line names that no rule is: `option` says which flag named it."""

    def __init__(self, option: str, message: str) -> None:
        from nhilint.secrets import mask_text  # on first error: start-up stays fast

        self.option = option
        super().__init__(mask_text(message))  # it quotes the command line


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
    follow_symlinks: bool = False  # --follow-symlinks: read symlinked files outside the tree too
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
