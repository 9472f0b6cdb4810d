"""Rego static analysis: the AST (`ast`, light) and its lark parser (`parser`, loaded on demand)."""
