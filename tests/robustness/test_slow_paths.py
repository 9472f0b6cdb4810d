"""Inputs that took minutes (issue 13, kind 9): each is now linted at once. The tests assert
the result, never a time; the timings before and after are in the commits."""

from __future__ import annotations

from pathlib import Path

from tests.robustness.conftest import findings, lint, write


def _agent(name: str, delegates: list[str]) -> str:
    text = f"apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n  name: {name}\n"
    if delegates:
        text += ("delegation:\n  allowed: true\n  max_depth: 1\n  attenuation: subset\n"
                 f"  delegates: [{', '.join(delegates)}]\n")
    return text


def _diamond(levels: int, back_edge: bool = False) -> str:
    """Two agents per level, each delegating to both of the next level: 2**levels paths."""
    names = [[f"l{i:03d}a", f"l{i:03d}b"] for i in range(levels)]
    docs = []
    for i, level in enumerate(names):
        after = names[i + 1] if i + 1 < levels else (["l000a"] if back_edge else [])
        docs += [_agent(name, after) for name in level]
    return "---\n".join(docs)


def test_forty_level_diamond_dag_has_no_cycle(tmp_path: Path) -> None:
    """2**40 paths: the old cycle search enumerated them (20 levels took 2 s, each level doubled)."""
    write(tmp_path, {"agents.yaml": _diamond(40)})
    code, found = findings(tmp_path)
    assert code == 1
    assert not [f for f in found if f[2] == "NHI404"]
    assert len([f for f in found if f[2] == "NHI101"]) == 80


def test_cycles_through_a_diamond_are_each_found_once(tmp_path: Path) -> None:
    # 6 levels, the last back to l000a: 2**5 cycles through l000a (l000b is on none).
    write(tmp_path, {"agents.yaml": _diamond(6, back_edge=True)})
    code, found = findings(tmp_path)
    cycles = [f for f in found if f[2] == "NHI404"]
    assert code == 1 and len(cycles) == 32
    assert set(cycles) == {("agents.yaml", 9, "NHI404")}  # each at l000a's first delegate


def test_long_delegation_chain(tmp_path: Path) -> None:
    """2,000 links, the last back to the first: one cycle (23 s before, about 1 s now)."""
    names = [f"a{i:04d}" for i in range(2000)]
    docs = [_agent(name, [names[(i + 1) % len(names)]]) for i, name in enumerate(names)]
    write(tmp_path, {"agents.yaml": "---\n".join(docs)})
    code, found = findings(tmp_path)
    assert code == 1
    assert [f for f in found if f[2].startswith("NHI40")] == [("agents.yaml", 9, "NHI404")]


def test_yaml_flow_mappings_as_keys_32_deep(tmp_path: Path) -> None:
    """`{{{...}}}`: each level's key was the repr of the one inside, re-escaped (6 s, 3 GB)."""
    write(tmp_path, {"a.yaml": "apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata: {name: a}\n"
                               "x-y: " + "{" * 32 + "}" * 32 + "\ntools: 1\n"})
    code, found = findings(tmp_path)
    assert (code, [f for f in found if f[2].startswith("NHI0")]) == (1, [("a.yaml", 5, "NHI002")])


def test_spire_server_conf_with_long_runs(tmp_path: Path) -> None:
    """A run of 40,000 spaces after a setting (34 s) and of 40,000 escaped quotes in an
    unterminated string (28 s): the value's regexes backtracked quadratically."""
    write(tmp_path, {
        "a/server.conf": 'server {\n  trust_domain = "example.org"' + " " * 40_000 + "\n"
                         '  default_x509_svid_ttl = "48h"\n}\n',
        "b/server.conf": 'server {\n  trust_domain = "example.org"\n  admin_ids = ["' + '\\"' * 40_000 + "\n"
                         '  default_x509_svid_ttl = "48h"\n}\n'})
    code, found = findings(tmp_path)
    assert (code, found) == (1, [("a/server.conf", 3, "NHI202"), ("b/server.conf", 4, "NHI202")])


JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZ2VudC03In0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"


def test_string_of_repeated_jwt_heads(tmp_path: Path) -> None:
    """400 KB of `eyJ-` (44 s): the JWT pattern rescanned the run from every `eyJ`."""
    write(tmp_path, {"a.yaml": "apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata: {name: a}\n"
                               f"x-note: \"{'eyJ-' * 100_000}\"\nx-token: \"{'eyJ-' * 1000}x.{JWT}\"\n"})
    code, found = findings(tmp_path)
    assert (code, [f for f in found if f[2] == "NHI204"]) == (1, [("a.yaml", 5, "NHI204")])


def test_line_of_repeated_suppression_heads(tmp_path: Path) -> None:
    """360 KB of `# nhilint: ignore[` on one line (minutes): each head rescanned for a `]`."""
    write(tmp_path, {"a.yaml": "apiVersion: nhilint/v1\nkind: AgentManifest\n"
                               "# nhilint: ignore[NHI101] owned by the platform team\n"
                               "metadata: {name: a}\n" + "# nhilint: ignore[" * 20_000 + "\n"})
    code, found = findings(tmp_path, "--select", "NHI0,NHI101")
    assert (code, found) == (0, [("a.yaml", 4, "NHI101")])  # in the JSON, marked suppressed


def test_cedar_has_chain_is_bounded(tmp_path: Path) -> None:
    """`context has a.a.a...` 20,000 long: cedarpy expands it quadratically (2.7 s, minutes at
    100 KB); past 100 attributes it is nesting too deep, and never reaches cedarpy."""
    write(tmp_path, {"p.cedar": "permit(principal, action, resource)\nwhen { context has "
                                + ".".join(["a"] * 20_000) + " };\n"})
    code, found = findings(tmp_path)
    assert (code, found) == (1, [("p.cedar", 2, "NHI607")])


def test_rego_template_strings(tmp_path: Path) -> None:
    """8,000 template strings (260 KB): each embedded expression was lexed padded with every
    line before it."""
    rules = "".join(f'm{i} := $"a{{input.x}}b{{input.y}}"\n' for i in range(8000))
    write(tmp_path, {"p.rego": "package x\n\n" + rules + "default allow := true\n"})
    code, found = findings(tmp_path)
    assert (code, found) == (1, [("p.rego", 8003, "NHI701")])


def test_shared_credential_names_a_few_sharers(tmp_path: Path) -> None:
    """NHI205 listed every other sharer in every sharer's finding: 700 KB in, 173 MB out."""
    docs = [f"apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n  name: agent-{i:04d}\n"
            "credentials:\n  - name: crm\n    source: vault://kv/shared/crm\n" for i in range(300)]
    write(tmp_path, {"a.yaml": "---\n".join(docs)})
    result = lint("--select", "NHI205", tmp_path)
    lines = result.output.splitlines()
    assert result.exit_code == 1 and len(lines) == 302  # one finding per identity, as before
    assert lines[0] == (f"{tmp_path}/a.yaml:7:5: error NHI205 credential 'crm' of 'agent-0000' uses the "
                        "same source as agent-0001, agent-0002, agent-0003, agent-0004, agent-0005 and "
                        "294 more (vault://kv/shared/crm); give each identity its own [shared-credential]")
    assert "as agent-0000, agent-0001, agent-0002, agent-0003, agent-0004 and 294 more (" in lines[299]


def test_many_same_named_rego_rules(tmp_path: Path) -> None:
    """2,500 `allow` rules each naming `allow`: the decision walk followed the name once per
    rule (6 million stack entries, 3 s); now once per decision."""
    rules = "".join(f"allow if {{ input.x == {i}; allow }}\n" for i in range(2500))
    write(tmp_path, {"p.rego": f"package p\nimport rego.v1\n\n{rules}"})
    assert findings(tmp_path) == (1, [("p.rego", 4, "NHI704")])


def test_many_suppressions_in_one_file(tmp_path: Path) -> None:
    """3,000 manifests in one file, each with its own directive: every finding looked at every
    suppression of the file (1,500 documents took 49 s); now at those covering its line."""
    docs = [f"apiVersion: nhilint/v1\nkind: AgentManifest\n# nhilint: ignore[NHI1] inventory later\n"
            f"metadata: {{name: a{i}}}\n" for i in range(3000)]
    write(tmp_path, {"agents.yaml": "---\n".join(docs)})
    result = lint("--select", "NHI1,NHI006", tmp_path)
    assert result.exit_code == 0
    assert result.output.endswith("0 findings (0 errors, 0 warnings, 0 info) in 1 file; 12000 suppressed\n")


def test_a_high_risk_tool_beside_many_standing_credentials_names_a_few(tmp_path: Path) -> None:
    """NHI301 named every standing credential in the finding of every high-risk tool: the
    output grew as tools x credentials; it names five and how many more."""
    creds = "".join(f"  - name: c{i:04d}\n    issuance: standing\n    source: vault://kv/{i}\n" for i in range(2000))
    tools = "".join(f"  - name: t{i}\n    actions: [read]\n    resources: [x]\n    risk: high\n" for i in range(2000))
    write(tmp_path, {"agent.yaml": "apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata: {name: a}\n"
                                   f"credentials:\n{creds}tools:\n{tools}"})
    result = lint("--select", "NHI301", tmp_path)
    lines = result.output.splitlines()
    assert len(lines) == 2002 and result.exit_code == 1
    assert lines[0].endswith("error NHI301 'a' holds standing credential 'c0000', 'c0001', 'c0002', 'c0003', "
                             "'c0004' and 1995 more and the high-risk tool 't0'; issue credentials just in time "
                             "for it [standing-privilege-high-risk]")
