"""What `nhilint test` needs to know of a Rego module before an engine loads it, found by
scanning its text: its package, the rules it defines, its `test_*` rules and the `data.` paths it
refers to.

regorus' AST as JSON is about 5 KB a line of Rego (65 MB for a 2,000-test library, more
time to dump and load than the tests take to run); a token scan is enough for this and
works on a module that does not parse, so even a broken file is matched to its package.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

TEST_PREFIXES = ("test_", "todo_test_")

# Top-level statements start in column 0 (as `opa fmt` and every policy seen so far write
# them; rule bodies are indented). Matching only those lines and the word `data` keeps the
# scan in the regex engine: a tokenizer in Python costs more than regorus takes to parse.
_STATEMENT = re.compile(r"^(?:default[ \t]+)?([A-Za-z_]\w*)", re.M)
_DATA = re.compile(r"(?<![\w.])data\b")
_WITH = re.compile(r"\bwith\s+\Z")
_STEP = re.compile(r'\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*("(?:[^"\\\n]|\\.)*")\s*\])')
_NAME = re.compile(r"[A-Za-z_]\w*")
_AFTER_HEAD = re.compile(r"\s*(\(|\.|contains\b)?")
_NOT_RULES = frozenset({"package", "import", "else"})
_OPEN, _CLOSE = "([{", ")]}"
_BRACKET = re.compile(r"\s*\[")


@dataclass(frozen=True)
class TestRule:
    name: str  # test_x, or todo_test_x
    line: int
    levels: int = 0  # parameters: 1 for `test_x[case]` and `test_x contains case`, 2 for `test_x[a][b]`

    __test__ = False  # not a pytest class, despite the name


@dataclass
class ModuleFacts:
    path: str
    package: tuple[str, ...] = ()
    rules: set[str] = field(default_factory=set)  # the first name of every rule head
    tests: list[TestRule] = field(default_factory=list)
    refs: set[tuple[str, ...]] = field(default_factory=set)  # data.a.b["c"] -> ("a", "b", "c")
    open_refs: set[tuple[str, ...]] = field(default_factory=set)  # data.rules[x] -> ("rules",)
    dynamic: bool = False  # refers to `data` itself by a variable (data[x]): may need any package


def _path(text: str, at: int) -> list[str]:
    """The fixed steps (`.name`, `["text"]`) of a reference from `at`."""
    return _steps(text, at)[0]


def _steps(text: str, at: int) -> tuple[list[str], bool]:
    """The fixed steps of a reference from `at`, and whether a step that is not fixed follows."""
    parts: list[str] = []
    while (step := _STEP.match(text, at)) is not None:
        parts.append(step.group(1) or _string(step.group(2)))
        at = step.end()
    return parts, _BRACKET.match(text, at) is not None


def _string(literal: str) -> str:
    try:
        return json.loads(literal)
    except ValueError:  # an escape JSON does not know: the text as written is close enough
        return literal[1:-1]


def scan(path: str, text: str) -> ModuleFacts:
    facts = ModuleFacts(path)
    for match in _DATA.finditer(text):
        if _in_comment_or_string(text, match.start()) or _WITH.search(text, max(match.start() - 16, 0), match.start()):
            continue  # `with data.x as ...` replaces data.x: it needs nothing from it
        parts, open_ended = _steps(text, match.end())
        if not parts:  # data[x], or data as a whole
            facts.dynamic = True
        else:
            (facts.open_refs if open_ended else facts.refs).add(tuple(parts))
    for match in _STATEMENT.finditer(text):
        _statement(facts, text, match)
    return facts


def _in_comment_or_string(text: str, at: int) -> bool:
    before = text[text.rfind("\n", 0, at) + 1:at]
    return "#" in before or before.count('"') % 2 == 1


def _statement(facts: ModuleFacts, text: str, head: re.Match) -> None:
    """A top-level statement: the package, or a rule head."""
    word = head.group(1)
    if word == "package":
        name = _NAME.match(text, head.end() + 1)
        if name is not None and text[head.end()].isspace():
            facts.package = tuple([name.group()] + _path(text, name.end()))
        return
    if word in _NOT_RULES:
        return
    facts.rules.add(word)
    if word.startswith(TEST_PREFIXES) and all(t.name != word for t in facts.tests):
        test = _test_head(text, head.end(), word, text.count("\n", 0, head.start()) + 1)
        if test is not None:  # several bodies of one test are one rule: one result
            facts.tests.append(test)


def _test_head(text: str, at: int, name: str, line: int) -> TestRule | None:
    """The test rule whose name ends at `at`; None for a function or a deeper ref
    (`test_x.y`), which `opa test` does not run either."""
    levels = 0
    while (bracket := _BRACKET.match(text, at)) is not None:
        depth, at = 1, bracket.end()
        while at < len(text) and depth:
            depth += (text[at] in _OPEN) - (text[at] in _CLOSE)
            at += 1
        levels += 1
    after = _AFTER_HEAD.match(text, at)
    assert after is not None  # every part of it is optional: it always matches
    following = after.group(1)
    if following in ("(", "."):
        return None
    return TestRule(name, line, levels + (following == "contains"))
