"""nhilint: a policy-as-code linter and test harness for the non-human identities AI agents act through."""

__version__ = "0.1.0"
