"""The bundled examples: the insecure half fires every manifest rule, the fixed half nothing."""

from __future__ import annotations

from nhilint.api import lint_paths
from nhilint.rules import all_rules, aws, kubernetes, mcp, platform, workflows
from tests.conftest import EXAMPLES, TODAY

# Input problems a well-formed example repository cannot show: an unreadable file, and
# suppressions (tested by their own cases).
NOT_IN_EXAMPLES = {"NHI001", "NHI003", "NHI004", "NHI005", "NHI006", "NHI007"}


# Rules about facts only platform configs carry (server packages, mounted tokens,
# auto-approval): the repository slice in examples/repo fires them (tests/formats).
# Rules of one platform's files (MCP configs, workflows, Kubernetes RBAC, AWS IAM): they fire
# on examples of that format (examples/insecure/.github, aws, ...), not on the agent manifests.
PLATFORM_ONLY = {rule.id for module in (platform, workflows, kubernetes, aws, mcp) for rule in module.RULES}


def test_insecure_manifests_fire_every_manifest_rule() -> None:
    fired = {f.rule for f in lint_paths([str(EXAMPLES / "insecure" / "agents")], today=TODAY).findings}
    manifest_rules = {r for r in all_rules() if r[3] in "012345"} - NOT_IN_EXAMPLES - PLATFORM_ONLY
    assert manifest_rules - fired == set()


def test_fixed_examples_yield_no_finding() -> None:
    findings = lint_paths([str(EXAMPLES / "fixed")], today=TODAY).findings
    assert [(f.rule, f.location.path, f.location.line) for f in findings] == []


def test_examples_are_separate_projects() -> None:
    """insecure/ and fixed/ reuse agent names; linted together, their graphs must not mix."""
    together = lint_paths([str(EXAMPLES / "insecure"), str(EXAMPLES / "fixed")], today=TODAY).findings
    alone = lint_paths([str(EXAMPLES / "insecure")], today=TODAY).findings
    assert [f for f in together if "/fixed/" in f.location.path] == []
    manifest = {"NHI" + str(n) for n in range(100, 600)}
    assert [f for f in together if f.rule in manifest] == [f for f in alone if f.rule in manifest]


# Input problems a well-formed example policy set cannot show either: a Cedar schema that
# rejects a policy, a Cedar parse error, an empty Cedar file (each has its own cases).
POLICY_INPUT_PROBLEMS = {"NHI605", "NHI607", "NHI609"}


def test_every_rule_fires_somewhere_in_the_examples() -> None:
    """`nhilint lint examples/` shows every rule a repository can have (Regal's e2e check)."""
    fired = {f.rule for f in lint_paths([str(EXAMPLES)], today=TODAY).findings}
    assert set(all_rules()) - NOT_IN_EXAMPLES - POLICY_INPUT_PROBLEMS - fired == set()


def test_readme_shows_the_real_output_for_the_support_agent(monkeypatch) -> None:
    """The README's first lint example is what nhilint prints today, line for line."""
    from click.testing import CliRunner

    from nhilint.cli import main
    from tests.conftest import REPO

    monkeypatch.chdir(REPO)
    out = CliRunner().invoke(main, ["lint", "--today", "2026-11-22",
                                    "examples/insecure/agents/support-agent.yaml"]).output
    assert out in (REPO / "README.md").read_text(encoding="utf-8")
