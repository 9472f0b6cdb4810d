"""GitHub annotations and Markdown tables keep their syntax whatever a path or message holds."""

from __future__ import annotations

from nhilint.model import Finding, LintResult, Location, Severity
from nhilint.reporters import RenderOptions, markdown, render


def finding(path: str, message: str, line: int = 3, suppressed: str | None = None) -> Finding:
    return Finding(rule="NHI302", severity=Severity.INFO, message=message,
                   location=Location(path, line, 5, line, 9), suppressed=suppressed)


def test_github_escapes_properties_and_data() -> None:
    out = render("github", LintResult([finding("a,b:c.yaml", "50% done\nnext line")], ["a,b:c.yaml"]),
                 RenderOptions(root="sub"))
    assert out.splitlines()[0] == ("::notice file=sub/a%2Cb%3Ac.yaml,line=3,col=5,endLine=3,endColumn=9,"
                                   "title=NHI302 wildcard-grant::50%25 done%0Anext line")


def test_github_leaves_suppressed_findings_to_the_summary() -> None:
    out = render("github", LintResult([finding("a.yaml", "m", suppressed="ok")], ["a.yaml"]))
    assert out == "nhilint: 0 findings (0 errors, 0 warnings, 0 info) in 1 file; 1 suppressed\n"


def test_markdown_stops_the_table_at_its_row_limit() -> None:
    findings = [finding("a.yaml", f"wildcard | {n}", line=n) for n in range(1, markdown.MAX_ROWS + 6)]
    lines = render("markdown", LintResult(findings, ["a.yaml"])).splitlines()
    rows = [line for line in lines if line.startswith("| info | `a.yaml:")]
    assert len(rows) == markdown.MAX_ROWS
    assert rows[0] == "| info | `a.yaml:1:5` | NHI302 | wildcard \\| 1 |"
    assert lines[-1] == "… and 5 more findings; run `nhilint lint` to see them all."


def test_markdown_without_findings() -> None:
    assert render("markdown", LintResult([], ["a.yaml"])) == (
        "## nhilint\n\n0 findings (0 errors, 0 warnings, 0 info) in 1 file\n\nNo findings.\n")


def test_control_characters_from_the_input_are_made_visible() -> None:
    """A name with a control character keeps the JUnit XML well-formed and puts no escape
    sequence into a CI log or a comment."""
    import xml.etree.ElementTree as ET

    result = LintResult([finding("a.yaml", "identity 'a\x01b\x1b[2J' has no owner")], ["a.yaml"])
    junit = render("junit", result)
    ET.fromstring(junit.encode())
    for output_format in ("junit", "github", "markdown"):
        out = render(output_format, result)
        assert "\x01" not in out and "\x1b" not in out, output_format
        assert "a\\x01b\\x1b[2J" in out.replace("\\\\", "\\"), output_format
