"""Lark grammars (package data), loaded by the policy sources."""
