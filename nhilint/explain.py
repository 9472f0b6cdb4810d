"""The long description of one rule, as `nhilint explain` shows it."""

from __future__ import annotations

from nhilint.rules import Rule
from nhilint.rules.references import REFERENCES


def explain(rule: Rule) -> str:
    out = [f"{rule.id} {rule.name} ({rule.category}, default severity {rule.severity.value})", "",
           rule.summary, "", "Why it matters:", f"  {rule.rationale}", "", "How to fix it:",
           f"  {rule.remediation}"]
    if rule.params:
        out += ["", "Parameters (set them in .nhilint.yaml under rules: " f"{rule.id}: ...):"]
        out += [f"  {p.name} = {p.show(p.convert(p.default))}  {p.description}" for p in rule.params]
    if rule.references:
        out += ["", "References:"]
        out += [f"  {ref}: {REFERENCES.get(ref, '')}".rstrip(": ") for ref in rule.references]
    for title, example in (("Bad", rule.bad_example), ("Good", rule.good_example)):
        if example:
            out += ["", f"{title}:"] + [f"    {line}" for line in example.splitlines()]
    return "\n".join(out) + "\n"
