"""Write docs/rules/ (an index and one page per rule) from the rule metadata.

Run it after adding or changing a rule: `python scripts/generate_rule_docs.py`.
tests/config/test_rule_docs.py fails while the committed pages differ from its output.
"""

from __future__ import annotations

import sys
from pathlib import Path

from nhilint.rule_docs import pages
from nhilint.rules import builtin_rules

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules"


def main() -> int:
    DOCS.mkdir(parents=True, exist_ok=True)
    wanted = pages(builtin_rules().values())
    for stale in sorted(p for p in DOCS.glob("*.md") if p.name not in wanted):
        stale.unlink()
    for name, text in wanted.items():
        (DOCS / name).write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {len(wanted)} pages to {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
