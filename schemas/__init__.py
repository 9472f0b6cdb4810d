"""JSON Schemas shipped with nhilint (installed as the package nhilint.schemas)."""
