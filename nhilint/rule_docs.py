"""Rule documentation in Markdown, from the rule records alone.

`nhilint rules --format markdown` prints `catalogue()`; `scripts/generate_rule_docs.py`
writes `docs/rules/` (an index and one page per rule) with `pages()`, and a test fails when
the files on disk differ from what `pages()` returns.
"""

from __future__ import annotations

from collections.abc import Iterable

from nhilint.rules import Rule
from nhilint.rules.references import REFERENCES


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def index_table(rules: Iterable[Rule], link: bool) -> list[str]:
    lines = ["| id | name | category | severity | summary |", "| --- | --- | --- | --- | --- |"]
    for rule in rules:
        rule_id = f"[{rule.id}]({rule.id}.md)" if link else rule.id
        lines.append(f"| {rule_id} | `{rule.name}` | {rule.category} | {rule.severity.value} | "
                     f"{_cell(rule.summary)} |")
    return lines


def rule_section(rule: Rule, level: int) -> list[str]:
    """The full description of one rule, its headings at `level`."""
    head = "#" * level
    enabled = "" if rule.enabled_by_default else " Off unless a ruleset turns it on."
    out = [f"{head} {rule.id} {rule.name}", "",
           f"Category: {rule.category}. Default severity: {rule.severity.value}.{enabled}", "",
           rule.summary, "", f"{head}# Why it matters", "", rule.rationale, "",
           f"{head}# How to fix it", "", rule.remediation, ""]
    if rule.params:
        out += [f"{head}# Parameters", "", "Set them in `.nhilint.yaml` under `rules:` "
                f"(`{rule.id}: {{{rule.params[0].name}: ...}}`).", "",
                "| parameter | default | meaning |", "| --- | --- | --- |"]
        out += [f"| `{p.name}` | `{p.show(p.convert(p.default))}` | {_cell(p.description)} |"
                for p in rule.params]
        out.append("")
    for title, example in (("Bad", rule.bad_example), ("Good", rule.good_example)):
        if example:
            out += [f"{head}# {title}", "", f"```{rule.example_language}", example, "```", ""]
    if rule.references:
        out += [f"{head}# References", ""]
        out += [f"- `{ref}`" + (f": {REFERENCES[ref]}" if ref in REFERENCES else "")
                for ref in rule.references]
        out.append("")
    return out


def catalogue(rules: Iterable[Rule]) -> str:
    """Every rule in one Markdown document: the index table, then each rule."""
    rules = list(rules)
    out = ["# nhilint rules", "", *index_table(rules, link=False), ""]
    for rule in rules:
        out += rule_section(rule, 2)
    return "\n".join(out).rstrip("\n") + "\n"


def pages(rules: Iterable[Rule]) -> dict[str, str]:
    """docs/rules/ file name -> content: README.md (the index) and one page per rule."""
    rules = list(rules)
    files = {"README.md": "\n".join([
        "# Rules", "",
        "Generated from the rule metadata by `scripts/generate_rule_docs.py`; do not edit by "
        "hand (a test fails when these pages are stale). `nhilint explain RULE` shows the same.",
        "", *index_table(rules, link=True)]) + "\n"}
    for rule in rules:
        files[f"{rule.id}.md"] = "\n".join(rule_section(rule, 1)).rstrip("\n") + "\n"
    return files
