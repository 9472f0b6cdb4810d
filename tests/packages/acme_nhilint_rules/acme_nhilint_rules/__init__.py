"""ACME's nhilint ruleset: `extends: [pkg:acme]` in a repository's .nhilint.yaml."""

from pathlib import Path


def ruleset_path() -> Path:
    return Path(__file__).with_name("acme.yaml")
