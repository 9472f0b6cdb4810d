"""The Cedar source end to end: bad input, schema discovery, suppressions, the corpus,
the examples, and lazy start-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from nhilint.api import lint_paths
from nhilint.cli import main
from nhilint.sources import SourceOutput
from nhilint.sources import cedar as cedar_source
from tests.conftest import EXAMPLES, TODAY

STANDING = 'permit (principal == Agent::"bot", action == Action::"read", resource);\n'


def _findings(folder: Path) -> list[tuple[str, str, int, int]]:
    return [(f.rule, Path(f.location.path).name, f.location.line, f.location.column)
            for f in lint_paths([str(folder)], today=TODAY).findings if f.suppressed is None]


def test_bad_files_are_located_findings_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a-malformed.cedar").write_text("permit (principal, action, resource)\nwhen { };\n")
    (tmp_path / "b-empty.cedar").write_text("")
    (tmp_path / "c-comments.cedar").write_text("// permit (principal, action, resource);\n// nothing else\n")
    (tmp_path / "d-latin1.cedar").write_bytes('permit (principal, action, resource)\nwhen { context.city == "Zürich" };\n'
                                              .encode("latin-1"))
    (tmp_path / "e-good.cedar").write_text(STANDING)
    assert _findings(tmp_path) == [
        ("NHI607", "a-malformed.cedar", 2, 8), ("NHI609", "b-empty.cedar", 1, 1),
        ("NHI609", "c-comments.cedar", 1, 1), ("NHI003", "d-latin1.cedar", 2, 26),
        ("NHI602", "e-good.cedar", 1, 1)]
    result = CliRunner().invoke(main, ["lint", str(tmp_path)])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "Cedar cannot parse the file: `when` condition clause cannot be empty" in result.output


WELL_BOUNDED = '''@id("report-writer-read")
permit (
  principal == Agent::"report-writer",
  action == Action::"read",
  resource in Folder::"reports"
)
when {
  context.token_age_seconds < 300 &&
  context.task_id == resource.task_id
};
'''


def test_a_well_bounded_agent_permit_yields_no_finding_at_all(tmp_path: Path) -> None:
    """An agent, one action, resources in one folder, a token-age and a task check."""
    (tmp_path / "policies.cedar").write_text(WELL_BOUNDED)
    assert lint_paths([str(tmp_path)], today=TODAY).findings == []


def test_parse_error_message_is_cedars_at_nhilints_position(tmp_path: Path) -> None:
    (tmp_path / "p.cedar").write_text("permit (principal, action, resource)\nwhen { context.mfa == };\n")
    [finding] = lint_paths([str(tmp_path)], today=TODAY).findings
    assert (finding.rule, finding.location.line, finding.location.column) == ("NHI607", 2, 23)
    assert finding.message == ("Cedar cannot parse the file: unexpected token `}`; fix the syntax "
                               "here (no policy in the file was checked)")


def test_schema_discovery(tmp_path: Path) -> None:
    policy = tmp_path / "agents.cedar"
    policy.write_text(STANDING)
    assert cedar_source.find_schema(str(policy)) is None
    (tmp_path / "other.cedarschema").write_text("entity Agent;")
    assert cedar_source.find_schema(str(policy)) == str(tmp_path / "other.cedarschema")  # the only one
    (tmp_path / "third.cedarschema.json").write_text("{}")
    assert cedar_source.find_schema(str(policy)) is None  # several, none named after the file
    (tmp_path / "agents.cedarschema.json").write_text("{}")
    assert cedar_source.find_schema(str(policy)) == str(tmp_path / "agents.cedarschema.json")
    (tmp_path / "agents.cedarschema").write_text("entity Agent;")
    assert cedar_source.find_schema(str(policy)) == str(tmp_path / "agents.cedarschema")


def test_validated_policies_carry_their_schema(tmp_path: Path) -> None:
    (tmp_path / "p.cedarschema").write_text(
        "entity Agent; entity Doc; action read appliesTo { principal: [Agent], resource: [Doc] };")
    (tmp_path / "p.cedar").write_text(STANDING + 'forbid (principal, action == Action::"write", resource);\n')
    out = SourceOutput()
    path = str(tmp_path / "p.cedar")
    cedar_source.read_file(path, (tmp_path / "p.cedar").read_text(), out)
    policies = out.objects[1:]
    assert [(p.schema, p.proven_by_schema) for p in policies] == [(str(tmp_path / "p.cedarschema"), True),
                                                                  (str(tmp_path / "p.cedarschema"), False)]
    assert [(rule, v.location.line, v.message) for rule, v in out.problems] == [
        ("NHI605", 2, f"forbid 'policy1' fails validation against {tmp_path / 'p.cedarschema'}: {error}; "
         "fix the policy or the schema")
        for error in ('unrecognized action `Action::"write"`',
                      "unable to find an applicable action given the policy scope constraints")]


SUPPRESSED = '''// nhilint: ignore[NHI602] the nightly export job, replaced in Q3
@id("exporter")
permit (
  principal == Agent::"exporter",
  action == Action::"export",
  resource
);
permit (principal == Agent::"reader", action == Action::"read", resource); // nhilint: ignore[NHI602] read-only mirror
permit (principal == Agent::"indexer", action == Action::"read", resource)
// nhilint: ignore[NHI603] the index covers every path by design
when { context.token_age_seconds < 300 && resource.path like "*" };

// nhilint: ignore[NHI602] two lines above the policy: does not cover it

permit (principal == Agent::"late", action == Action::"read", resource);
'''


def test_suppressions_on_the_policy_line_or_the_line_above(tmp_path: Path) -> None:
    (tmp_path / "p.cedar").write_text(SUPPRESSED)
    findings = lint_paths([str(tmp_path)], today=TODAY).findings
    assert [(f.rule, f.location.line, f.suppressed) for f in findings] == [
        ("NHI602", 2, "the nightly export job, replaced in Q3"),
        ("NHI602", 8, "read-only mirror"),
        ("NHI603", 11, "the index covers every path by design"),
        ("NHI006", 13, None),  # the suppression that covers nothing is itself reported
        ("NHI602", 15, None),
    ]


def test_corpus_parses_with_no_finding(shared_corpus: Path) -> None:
    """Every .cedar of cedar-examples is read (with its schema) and validates: no NHI607,
    and no rule fires (they are well-bounded human-user policies, validated, so no forbid
    can fail open)."""
    corpus = shared_corpus / "cedar-examples"
    result = lint_paths([str(corpus)], today=TODAY)
    assert [(f.rule, f.location.path, f.location.line) for f in result.findings] == []
    for policy_file in sorted(corpus.rglob("*.cedar")):
        out = SourceOutput()
        cedar_source.read_file(str(policy_file), policy_file.read_text(encoding="utf-8"), out)
        policy_set, *policies = out.objects
        assert policy_set.schema and policies and all(p.proven_by_schema for p in policies), policy_file


def test_insecure_example_fires_each_cedar_rule_and_fixed_none() -> None:
    cedar = EXAMPLES / "policies" / "cedar"
    assert [(rule, line) for rule, _, line, _ in _findings(cedar / "insecure")] == [
        ("NHI601", 5), ("NHI602", 10), ("NHI604", 19), ("NHI603", 34), ("NHI606", 40),
        ("NHI608", 52), ("NHI608", 52)]
    assert _findings(cedar / "fixed") == []


def test_only_a_cedar_file_loads_cedarpy(tmp_path: Path) -> None:
    (tmp_path / "p.cedar").write_text(STANDING)
    code = ("import sys\nfrom nhilint.api import lint_paths\n"
            "heavy = lambda: sorted(m for m in ('cedarpy', 'lark', 'nhilint.cedar.parser') if m in sys.modules)\n"
            f"lint_paths([{str(EXAMPLES / 'fixed')!r}])\nprint(heavy())\n"
            f"lint_paths([{str(tmp_path)!r}])\nprint(heavy())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "['cedarpy', 'nhilint.cedar.parser']"]


def test_hostile_nesting_and_long_chains_are_findings_not_crashes(tmp_path: Path) -> None:
    """cedarpy's parsers overflow their stack (a segmentation fault) on ~1,000 nested
    brackets: such text is reported and never handed to cedarpy. Long flat chains are fine."""
    deep = tmp_path / "deep"
    deep.mkdir()
    (deep / "parens.cedar").write_text("forbid (principal, action, resource)\nwhen { "
                                       + "(" * 5000 + "true" + ")" * 5000 + " };\n")
    (deep / "ifs.cedar").write_text("forbid (principal, action, resource) when { "
                                    + "if true then " * 3000 + "true" + " else false" * 3000 + " };\n")
    (deep / "broken-then-deep.cedar").write_text("permit (principal, action resource);\n~\n"
                                                 + "permit (principal, action, resource) when { "
                                                 + "[" * 3000 + "]" * 3000 + " == context.x };\n")
    (deep / "unterminated-then-deep.cedar").write_text('permit (principal, action, resource) when { "x'
                                                       + "(" * 3000 + " };\n")
    (deep / "trailing-space.cedar").write_text(STANDING + " " * 100_000)  # read in linear time
    schema_dir = tmp_path / "schema"
    schema_dir.mkdir()
    (schema_dir / "p.cedarschema").write_text("entity A { a: " + "{ a: " * 5000 + "Long" + " }" * 5000 + " };")
    (schema_dir / "p.cedar").write_text('forbid (principal is A, action, resource);\n')
    chain = tmp_path / "chain"
    chain.mkdir()
    (chain / "p.cedar").write_text("forbid (principal, action, resource)\nwhen { "
                                   + " && ".join(f"context has a{i}" for i in range(5000))
                                   + " && (" + " || ".join(f"context.a{i} == 1" for i in range(5000)) + ") };\n")
    assert _findings(deep) == [("NHI607", "broken-then-deep.cedar", 3, 144),
                               ("NHI607", "ifs.cedar", 1, 1335), ("NHI607", "parens.cedar", 2, 107),
                               ("NHI602", "trailing-space.cedar", 1, 1),
                               ("NHI607", "unterminated-then-deep.cedar", 1, 45)]
    huge = tmp_path / "huge"
    huge.mkdir()
    (huge / "p.cedarschema").write_text("entity A;\n" + "// padding\n" * 500_000)
    (huge / "p.cedar").write_text('forbid (principal is A, action, resource);\n')
    for folder, why in ((schema_dir, "nests types more than 100 levels deep"),
                        (huge, "is 5,500,010 bytes, over the 5,242,880-byte bound")):
        [finding] = lint_paths([str(folder)], today=TODAY).findings
        assert (finding.rule, Path(finding.location.path).name) == ("NHI605", "p.cedarschema")
        assert why in finding.message
    assert _findings(chain) == []  # every attribute read is guarded by the `has` before it


def test_mutated_policies_are_findings_never_crashes(tmp_path: Path) -> None:
    """200 random cuts, insertions and repeats in real policy files: every file is read
    (a finding or a clean result), nothing raises."""
    import random

    rng = random.Random(7)
    originals = [p.read_text(encoding="utf-8") for p in sorted((EXAMPLES / "policies").rglob("*.cedar"))]
    originals.append((Path(__file__).parent / "data" / "syntax.cedar").read_text(encoding="utf-8"))
    for number in range(200):
        text = rng.choice(originals)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(text) + 1)
            roll = rng.random()
            if roll < 0.4:
                text = text[:at] + text[at + rng.randint(1, 5):]
            elif roll < 0.8:
                text = text[:at] + rng.choice('(){}[]"\\;,.:!-=<>&|?@*/\n ab1') + text[at:]
            else:
                text = text[:at] + text[at:at + rng.randint(1, 30)] * 2 + text[at:]
        (tmp_path / f"m{number:03}.cedar").write_text(text, encoding="utf-8")
    result = lint_paths([str(tmp_path)], today=TODAY)
    assert len(result.files) == 200
    assert {f.rule for f in result.findings} <= {f"NHI60{n}" for n in range(1, 10)}
