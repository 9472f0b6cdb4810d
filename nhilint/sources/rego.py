"""Rego policy files (`*.rego`): the located AST of `nhilint.rego`, or a located NHI705.

Imported only when a `.rego` file is read, so linting anything else never loads lark.
"""

from __future__ import annotations

from nhilint.model import Location
from nhilint.rego import parser
from nhilint.sources import SourceOutput


def read_file(path: str, text: str, out: SourceOutput) -> None:
    try:
        module = parser.parse_module(path, text)
    except parser.RegoSyntaxError as exc:
        out.problem("NHI705", Location(path, exc.line, exc.column),
                    f"Rego parse error: {exc.message}; fix the syntax here (no rule in this "
                    "file was checked)", subject="parse error")
        return
    out.objects.append(module)
