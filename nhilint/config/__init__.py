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

The package, one module per concern, each importing only those above it:

* `settings`: what a project's configuration resolves to (`Settings`, `RuleSettings`,
  `CustomRule`), the defaults, and `ConfigError`;
* `files`: reading a project file, a ruleset file, a preset or a `pkg:NAME` ruleset with the
  line of each key (`ConfigSource`), and finding the project file above a folder;
* `validation`: checking a file against the schema and the rules' metadata (rule keys, rule
  entries and their parameters, custom rule specs);
* `extends`: resolving a project file's `extends` chain onto the defaults (`resolve`);
* `configuration`: a run's `Configuration`, per project, and the command line's `Selection`;
* `description`: `nhilint config`'s output.
"""

from __future__ import annotations

from nhilint.config.configuration import (
    PARSE_ERROR_RULES,
    Configuration,
    Selection,
    SelectionError,
    as_configuration,
)
from nhilint.config.description import describe, render_description
from nhilint.config.extends import resolve
from nhilint.config.files import ENTRY_POINT_GROUP, PRESETS, ConfigSource, find_project_file, load_file
from nhilint.config.settings import (
    DEFAULT_ORIGIN,
    ConfigError,
    CustomRule,
    RuleSettings,
    Settings,
    all_known_rules,
    default_settings,
)
from nhilint.config.validation import rules_selected, unknown_rule

__all__ = [
    "DEFAULT_ORIGIN", "ENTRY_POINT_GROUP", "PARSE_ERROR_RULES", "PRESETS", "ConfigError", "ConfigSource",
    "Configuration", "CustomRule", "RuleSettings", "Selection", "SelectionError", "Settings",
    "all_known_rules", "as_configuration", "default_settings", "describe", "find_project_file",
    "load_file", "render_description", "resolve", "rules_selected", "unknown_rule",
]
