"""Ruleset presets shipped with nhilint (installed as the package nhilint.rulesets)."""
