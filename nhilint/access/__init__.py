"""Effective access: which identity can do what, through which credential, tool, binding or
policy, on whose behalf, under which conditions (docs/access.md).

`build` joins a project's inventory (identities, Kubernetes bindings, IAM statements, workflow
tokens, MCP servers, delegation) with its evaluated Cedar and Rego policies into
`nhilint.facts.IdentityAccess` records; the drift rules (NHI8xx) and the access reporters read
them. Nothing here prints. Cedar and Rego are reached only through `nhilint.engines`, and only
when a project has policies.
"""
