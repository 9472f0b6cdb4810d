"""The long description of one rule, as `nhilint explain` shows it."""

from __future__ import annotations

import textwrap

from nhilint.rules import Rule
from nhilint.rules.references import REFERENCES

WIDTH = 88


def _paragraph(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False) or [indent]


def explain(rule: Rule) -> str:
    out = [f"{rule.id} {rule.name} ({rule.category}, default severity {rule.severity.value})", "",
           *_paragraph(rule.summary), "", "Why it matters:", *_paragraph(rule.rationale, "  "), "",
           "How to fix it:", *_paragraph(rule.remediation, "  ")]
    if rule.params:
        out += ["", "Parameters (set them in .nhilint.yaml under rules: " f"{rule.id}: ...):"]
        for p in rule.params:
            out += _paragraph(f"{p.name} = {p.show(p.convert(p.default))}  {p.description}", "  ")
    if rule.references:
        out += ["", "References:"]
        out += [f"  {ref}: {REFERENCES.get(ref, '')}".rstrip(": ") for ref in rule.references]
    for title, example in (("Bad", rule.bad_example), ("Good", rule.good_example)):
        if example:
            out += ["", f"{title}:"] + [f"    {line}" for line in example.splitlines()]
    return "\n".join(out) + "\n"
