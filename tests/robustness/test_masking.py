"""Secrets printed (issue 13): one masking path, `nhilint.secrets.mask_text`, for every
message, subject, suppression reason and usage error taken from an input. Each reproduction
runs the real CLI in every lint output format: neither the token nor its first 12 characters
may appear on stdout or stderr, and the finding itself is still reported where it was."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from nhilint.cli import main
from nhilint.linter import MAX_FILE_BYTES, read_file
from nhilint.reporters import LINT_FORMATS
from nhilint.secrets import _PATTERNS, _SHAPE_LITERAL, mask_text
from nhilint.sources import SourceOutput
from tests.robustness.conftest import write

T = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"
PASSWORD = "Zq8rT2vL9xK4mW7p"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZ2VudC03In0.Xq3Vb8Lm2Zp7Rk4Tn9Yc1Wd"
MANIFEST_HEAD = "apiVersion: nhilint/v1\nkind: AgentManifest\n"
GOOD_IDENTITY = ("metadata: {name: b, owner: o@example.com, purpose: p, expires: 2030-01-01}\n"
                 "identity: {type: spiffe, id: 'spiffe://example.com/b'}\n")

# name -> (files, the secrets they hold, (file, line, rule) that must still be reported)
REPRODUCTIONS: dict[str, tuple[dict[str, str], tuple[str, ...], tuple[str, int, str]]] = {
    "NHI305 package spec": (
        {".cursor/mcp.json": json.dumps({"mcpServers": {"g": {
            "command": "uvx", "args": [f"git+https://x-access-token:{T}@github.com/o/r"]}}})},
        (T,), (".cursor/mcp.json", 1, "NHI305")),
    "NHI305 image": (
        {".cursor/mcp.json": json.dumps({"mcpServers": {"d": {
            "command": "docker", "args": ["run", "-i", f"ci:{PASSWORD}@registry.example.com/img"]}}})},
        (PASSWORD,), (".cursor/mcp.json", 1, "NHI305")),
    "NHI002 unknown key": (
        {"m.yaml": f"{MANIFEST_HEAD}metadata: {{name: a, {T}: x}}\n"}, (T,), ("m.yaml", 3, "NHI002")),
    "NHI607 cedarpy": (
        {"p.cedar": f"permit(principal, action, resource) when {{ {T} == 1 }};\n"},
        (T,), ("p.cedar", 1, "NHI607")),
    "NHI607 a JWT cut by Cedar's tokenizer": (  # found by benchmarks/fuzz.py
        {"p.cedar": f"permit(principal, action, resource) when {{ {JWT} == 1 }};\n"},
        (JWT, JWT.split(".")[1]), ("p.cedar", 1, "NHI607")),
    "NHI305 a JWT broken by a typo": (  # found by benchmarks/fuzz.py: no longer a JWT, still its payload
        {".cursor/mcp.json": json.dumps({"mcpServers": {"s": {
            "command": "docker", "args": ["run", "-i", JWT[:5] + "!" + JWT[5:]]}}})},
        (JWT.split(".", 1)[1],), (".cursor/mcp.json", 1, "NHI305")),
    "NHI201 a GitHub token broken by a typo": (  # found by benchmarks/fuzz.py: too short for its shape
        {"iam/key.json": json.dumps({"AccessKey": {"UserName": T[:33] + "-" + T[33:], "Status": "Active",
                                                   "AccessKeyId": "AKIAIOSFODNN7EXAMPLE"}})},
        (T,), ("iam/key.json", 1, "NHI201")),
    "NHI705 Rego name": (
        {"p.rego": f"package x\n\nallow if {{ {T} {T} }}\n"}, (T,), ("p.rego", 3, "NHI705")),
    "NHI001 unknown alias": (
        {"bad.yaml": f"{MANIFEST_HEAD}metadata: *{T}\n"}, (T,), ("bad.yaml", 3, "NHI001")),
    "suppression reason": (
        {"s.yaml": f"{MANIFEST_HEAD}{GOOD_IDENTITY}credentials:\n  # nhilint: ignore[NHI201] {T}\n"
                   "  - {name: c, type: api-key, issuance: standing, source: 'vault://x', rotation: 30d}\n"},
        (T,), ("s.yaml", 7, "NHI201")),
}


def _run(*args: str) -> tuple[int, str]:
    """Exit code, and stdout and stderr together."""
    result = CliRunner().invoke(main, ["lint", "--today", "2026-11-22", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout + result.stderr


def _assert_masked(output: str, secrets: tuple[str, ...]) -> None:
    for secret in secrets:
        assert secret[:12] not in output, output


@pytest.mark.parametrize("name", REPRODUCTIONS)
def test_no_secret_in_any_lint_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    files, secrets, (path, line, rule) = REPRODUCTIONS[name]
    write(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    for output_format in LINT_FORMATS:
        code, output = _run("-f", output_format, ".")
        assert code in (0, 1), output
        _assert_masked(output, secrets)
    code, output = _run("-f", "json", ".")
    found = {(f["location"]["path"], f["location"]["line"], f["rule"]) for f in json.loads(output)["findings"]}
    assert (path, line, rule) in found, found
    _, listing = _run("--list-files", ".")  # a parse error is also the reason a file is skipped
    _assert_masked(listing, secrets)


def test_suppression_reason_is_masked_but_still_suppresses(tmp_path: Path) -> None:
    files, _, _ = REPRODUCTIONS["suppression reason"]
    write(tmp_path, files)
    _, output = _run("-f", "json", str(tmp_path))
    [finding] = [f for f in json.loads(output)["findings"] if f["rule"] == "NHI201"]
    assert finding["suppressed"] == {"reason": "ghp_****"}


@pytest.mark.parametrize("ref", [f"https://ci:{PASSWORD}@example.com/r.yaml",
                                 f"https://example.com/r.yaml?token={PASSWORD}", f"{T}.yaml"])
def test_config_error_is_masked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ref: str) -> None:
    write(tmp_path, {".nhilint.yaml": f"extends: ['{ref}']\n", "m.yaml": f"{MANIFEST_HEAD}metadata: {{name: a}}\n"})
    monkeypatch.chdir(tmp_path)
    for output_format in LINT_FORMATS:
        code, output = _run("-f", output_format, ".")
        assert code == 2 and output.startswith("nhilint: .nhilint.yaml:1: extends "), output
        _assert_masked(output, (PASSWORD, T))


def test_baseline_and_selection_errors_are_masked(tmp_path: Path) -> None:
    write(tmp_path, {"m.yaml": f"{MANIFEST_HEAD}metadata: {{name: a}}\n"})
    code, output = _run("--baseline", str(tmp_path / f"{T}.json"), str(tmp_path))
    assert code == 2 and "cannot read the baseline" in output, output
    code, output = _run("--select", T, str(tmp_path))
    assert code == 2, output
    _assert_masked(output, (T,))


def test_missing_path_is_masked(tmp_path: Path) -> None:
    code, output = _run(str(tmp_path / f"https://ci:{PASSWORD}@example.com"))
    assert code == 2 and "path not found" in output
    _assert_masked(output, (PASSWORD,))


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_nhilint_config_is_masked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output_format: str) -> None:
    write(tmp_path, {".nhilint.yaml": f'exclude: ["{T}/**"]\n'
                                      f'per_file_ignores: {{"https://u:{PASSWORD}@x/**": [NHI201]}}\n'})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["config", "--format", output_format])
    assert result.exit_code == 0, result.output
    _assert_masked(result.stdout + result.stderr, (T, PASSWORD))
    assert "ghp_****/**" in result.stdout and "https://***@x/**" in result.stdout


# ---- mask_text itself --------------------------------------------------------------------

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"


@pytest.mark.parametrize(("text", "masked"), [
    (f"git+https://x-access-token:{T}@github.com/o/r", "git+https://***@github.com/o/r"),
    (f"https:/ci:{PASSWORD}@example.com/r.yaml", "https:/***@example.com/r.yaml"),  # `//` folded
    (f"ci:{PASSWORD}@registry.example.com:5000/img", "***@registry.example.com:5000/img"),
    (f"https://b.s3.amazonaws.com/k?X-Amz-Date=1&X-Amz-Signature={PASSWORD}&x=1",
     "https://b.s3.amazonaws.com/k?X-Amz-Date=1&X-Amz-Signature=****&x=1"),
    (f"https://x/cb?code={PASSWORD}&access_token={PASSWORD}&sig={PASSWORD}",
     "https://x/cb?code=****&access_token=****&sig=****"),
    (f"unknown key '{T}'", "unknown key 'ghp_****'"),
    (f"unknown alias '*{T}'", "unknown alias '*ghp_****'"),
    ("AKIAZ7Q3VR5T2WX4YB6N then xoxb-2048-8096-Zq8rT2vL9x", "AKIA**** then xoxb-****"),
    (f"bearer {JWT}.", "bearer eyJ****."),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- after",
     "-----BEGIN … PRIVATE KEY----- **** after"),
    ("-----BEGIN PRIVATE KEY-----\nMIIEow", "-----BEGIN … PRIVATE KEY----- ****"),
    (f"when {{ context.password == \"{PASSWORD}\" }}", "when { context.password == \"****\" }"),
])
def test_mask_text(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize("text", [
    "tickets/a.yaml:3:5: error NHI201 credential 'ledger-token' has no ttl; set ttl: 15m",
    "'invoice-reconciler' runs image 'ghcr.io/o/img:1.0@sha256:0123456789abcdef' through docker",
    "owner payments-team@example.com, npm package '@scope/pkg@1.4.2', git@github.com:o/r.git",
    "https://example.com/x?ref=main&page=2 and spiffe://prod.example.com/agents/a",
    "token_ttl: 15m; secretName: github-token-secret; password: ${DB_PASSWORD}",
    "NHI002 NHI705 ./policies/payout.cedar ~/work/.cursor/mcp.json task-runner disk-reaper",
])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert mask_text(text) == text


SHAPE_SAMPLES = {
    "private key": "-----BEGIN RSA PRIVATE KEY-----", "GitHub token": T,
    "GitHub fine-grained token": "github_pat_" + "a1" * 20, "GitLab token": "glpat-" + "a1" * 12,
    "Slack token": "xoxb-1234567890", "Slack webhook URL": "https://hooks.slack.com/services/" + "a" * 44,
    "Anthropic API key": "sk-ant-" + "a1" * 12, "OpenAI API key": "sk-" + "a1" * 12,
    "Stripe key": "rk_live_" + "a1" * 10, "AWS access key id": "ASIAZ7Q3VR5T2WX4YB6N",
    "Google API key": "AIza" + "a" * 35, "Google OAuth access token": "ya29." + "a" * 30,
    "JSON Web Token": JWT, "npm token": "npm_" + "a" * 36, "PyPI token": "pypi-AgEIcHlwaS5vcmc" + "a" * 50,
    "Hugging Face token": "hf_" + "a" * 34, "SendGrid API key": "SG." + "a" * 22 + "." + "a" * 43,
    "Twilio API key": "SK" + "a1" * 16, "Databricks token": "dapi" + "a1" * 16,
    "Azure storage account key": "AccountKey=" + "a" * 86 + "==", "Azure AD client secret": "abc8Q~" + "a" * 32,
}


@pytest.mark.parametrize(("kind", "pattern"), _PATTERNS)
def test_every_token_shape_is_masked(kind: str, pattern: str) -> None:
    """`_SHAPE_LITERAL`, the quick test, holds a literal of every shape (JWTs are found apart)."""
    sample = SHAPE_SAMPLES[kind]
    assert re.search(pattern, sample), kind
    assert kind == "JSON Web Token" or re.search(_SHAPE_LITERAL, sample), kind
    if kind == "private key":  # its material follows the header
        sample += "\nMIIEowIBAAKCAQEA"
    masked = mask_text(f"x '{sample}' y")
    assert sample[-12:] not in masked and masked.startswith("x '") and "****" in masked, masked


@pytest.mark.parametrize("unit", ["a", "a:", "a=", "?a=", "a://", "x:y@", "password: ", "eyJ-", "a.eyJ",
                                  "-----BEGIN RSA PRIVATE KEY-----", "ghp_", "token=aaaaaaaaaaaa "])
def test_mask_text_is_linear(unit: str) -> None:
    """It sees every message: 400 KB of any repeated unit takes well under a second."""
    text = unit * (400_000 // len(unit))
    start = time.perf_counter()
    mask_text(text)
    assert time.perf_counter() - start < 1.5


# ---- reading a file swapped after discovery (a FIFO, /dev/zero) --------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "a.yaml"
    os.mkfifo(fifo)
    out = SourceOutput()
    reading = read_file(fifo, "a.yaml", out)  # a blocking open would wait here for a writer
    assert reading.skipped == "cannot read the file: not a regular file (NHI003)"
    assert [(rule, v.message) for rule, v in out.problems] == [
        ("NHI003", "cannot read the file: not a regular file")]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_device_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to("/dev/zero")
    out = SourceOutput()
    assert read_file(tmp_path / "a.yaml", "a.yaml", out).skipped.endswith("not a regular file (NHI003)")


def test_file_grown_past_the_bound_is_read_only_to_it(tmp_path: Path) -> None:
    big = tmp_path / "a.yaml"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 10)
    out = SourceOutput()
    reading = read_file(big, "a.yaml", out)
    assert reading.skipped.startswith("too large: ") and out.problems[0][0] == "NHI003"
