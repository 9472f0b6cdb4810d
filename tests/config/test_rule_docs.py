"""docs/rules/ is generated from the rule metadata, and `nhilint rules --format markdown`."""

from __future__ import annotations

from nhilint.rule_docs import pages
from nhilint.rules import builtin_rules
from tests.config.conftest import cli
from tests.conftest import REPO

DOCS = REPO / "docs" / "rules"


def test_docs_rules_are_current() -> None:
    wanted = pages(builtin_rules().values())
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    stale = sorted(name for name in wanted.keys() | on_disk.keys() if wanted.get(name) != on_disk.get(name))
    assert stale == [], (f"docs/rules/ is stale ({', '.join(stale)}); run "
                         "`python scripts/generate_rule_docs.py` and commit the result")


def test_rules_markdown_catalogue() -> None:
    result = cli("rules", "--format", "markdown")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[:4] == ["# nhilint rules", "", "| id | name | category | severity | summary |",
                         "| --- | --- | --- | --- | --- |"]
    assert "| NHI202 | `ttl-above-maximum` | credentials | error | A credential's TTL is longer than the ruleset allows. |" in lines
    assert "## NHI202 ttl-above-maximum" in lines
    assert "| `max_ttl` | `1h` | The longest TTL a credential may have. |" in lines
