"""Scenario tests: `nhilint test` and the pytest plugin."""
