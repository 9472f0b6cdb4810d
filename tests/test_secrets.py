"""The secret scanner behind NHI204: a value is reported, a reference to a secret never is.

Per-rule cases with exact lines are in tests/rules/cases/NHI204.yaml; here, the masked
hints and the real-world corpus, read in place from ../shared.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nhilint.api import lint_paths
from nhilint.config import default_settings
from nhilint.secrets import classify, find_secrets
from nhilint.sources.toml_positions import TomlError, load_toml
from nhilint.sources.yaml_loader import LoadError, blank_json_comments, decode, iter_documents
from tests.conftest import TODAY

# (value, key, kind, hint): the hint is the token's type marker and stars, nothing more.
SHAPES = [
    ("npm_L0dS7A1cxg22J5rcgwxZZyz2XuaruB4nySM4", None, "npm token", "npm_****"),
    ("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", None, "Hugging Face token", "hf_****"),
    ("SK6dcd4fa36570fc3686ecc7b7e35bf29b", None, "Twilio API key", "SK****"),
    ("abC8Q~Xk2mN7vR4tY9wZ3cB6dF1gH5jK8lP0qS", "client_secret", "Azure AD client secret", "****"),
    ("qczLJZieSVaWqeXxuBMMPIqdYNY1HHD2cTfj8art", "AWS_SECRET_ACCESS_KEY", "AWS secret access key", "****"),
    ("postgres://app:gnI5SOIetuE7n1D0al@db/helpdesk", "DATABASE_URL", "password in a URL", "****"),
    ("Bearer 5ak5IHwVVRFnZO5Py2FV", "Authorization", "literal secret under 'Authorization'", "Bearer ****"),
    # passwords people choose read as words: under a password key or in a URL, no randomness asked
    ("correcthorsebattery", "DB_PASSWORD", "literal secret under 'DB_PASSWORD'", "****"),
    ("postgresql://app:Winter2024x@db.internal:5432/app", "DATABASE_URL", "password in a URL", "****"),
]


@pytest.mark.parametrize(("value", "key"), [
    ("postgres", "POSTGRES_PASSWORD"), ("changeme123", "DB_PASSWORD"), ("${DB_PASSWORD}", "DB_PASSWORD"),
    ("your-password", "password"), ("/run/secrets/db", "DB_PASSWORD"), ("db-password", "passwordSecretName"),
    ("postgresql://app:password@localhost/app", "DATABASE_URL"), ("helloworld", "SPLUNK_USER")])
def test_a_password_default_placeholder_or_reference_is_no_secret(value: str, key: str) -> None:
    assert classify(value, key) is None


@pytest.mark.parametrize(("value", "key", "kind", "hint"), SHAPES)
def test_a_secret_is_reported_with_a_masked_hint(value: str, key: str | None, kind: str, hint: str) -> None:
    assert classify(value, key) == (kind, hint)


@pytest.mark.parametrize("key", ["secretName", "tokenRef", "passwordMtime", "GH_AW_SECRET_NAMES",
                                 "TOKEN_FILE", "passwordPath", "token_expiry", "existingSecret",
                                 "adminPasswordKey", "secret_length", "api_key_id"])
def test_a_key_that_names_or_describes_a_secret_holds_no_secret(key: str) -> None:
    assert classify("q8Zr2Lx0Vt9Wm4Kp7Hs1", key) is None
    assert classify("q8Zr2Lx0Vt9Wm4Kp7Hs1", "password") is not None  # the same value under a secret's key


@pytest.mark.parametrize("value", ["Bearer {env:GITHUB_TOKEN}", "{file:~/.secrets/openai-key}",
                                   "token {env:API_TOKEN_Q8ZR2LX0VT9WM4KP7HS1}"])
def test_an_opencode_reference_is_not_a_literal(value: str) -> None:
    """opencode writes `{env:NAME}` and `{file:path}` where the value is read at start."""
    assert classify(value, "Authorization") is None


def test_inside_a_secret_reference_only_token_shapes_count() -> None:
    env = {"env": [{"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {
        "name": "helpdesk", "key": "q8Zr2Lx0Vt9Wm4Kp7Hs1", "token": "ghp_Z3F7lNIae3VGskKU9aEcEdr4h3W01J8MOS3P"}}}]}
    assert [(pointer[-1], shape[0]) for pointer, _, shape in find_secrets(env)] == [("token", "GitHub token")]


# --- the real-world corpus (../shared/corpus/realworld), read in place ---

# Where the scanner said "secret" before it told values from references: the names of
# Secrets in pod volumes (`secretName: ingress-nginx-admission`).
INGRESS_NGINX_PROVIDERS = ["aws", "aws/nlb-with-tls-termination", "baremetal", "cloud", "do",
                           "exoscale", "kind", "oracle", "scw"]
# Every value the scanner reports anywhere in the corpus, each one read and judged: a
# literal database password in a Terraform plan that regula's tests use as input.
REVIEWED_SECRETS = {
    "stackrox+kube-linter/tests/testdata/splunk.yaml:50",  # SPLUNK_PASSWORD: helloworld (kube-linter's own case)
    "fugue+regula/rego/tests/rules/tf/azurerm/sql/inputs/firewall_no_inbound_all_infra.json:110",
    "fugue+regula/rego/tests/rules/tf/azurerm/sql/inputs/firewall_no_inbound_all_infra.json:280",
}


def test_no_secret_name_is_reported_in_ingress_nginx(shared_corpus: Path) -> None:
    deploy = shared_corpus / "realworld" / "kubernetes+ingress-nginx" / "deploy" / "static" / "provider"
    files = [str(deploy / provider / "deploy.yaml") for provider in INGRESS_NGINX_PROVIDERS]
    result = lint_paths(files, default_settings(), today=TODAY)
    assert len(result.files) == len(files)
    assert [f"{f.location.path}:{f.location.line}" for f in result.findings if f.rule == "NHI204"] == []


def _documents(path: Path) -> list:
    text = decode(str(path), path.read_bytes())
    if path.suffix == ".toml":
        return [load_toml(str(path), text)]
    return list(iter_documents(str(path), blank_json_comments(text) if path.suffix == ".json" else text))


def test_every_value_reported_in_the_corpus_is_a_reviewed_secret(shared_corpus: Path) -> None:
    # Every string of every structured file, whether or not nhilint reads its format.
    root = shared_corpus / "realworld"
    found = set()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix not in (".yaml", ".yml", ".json", ".toml"):
            continue
        try:
            documents = _documents(path)
        except (LoadError, TomlError):
            continue  # unreadable input is NHI001's concern, not the scanner's
        for doc in documents:
            found |= {f"{path.relative_to(root).as_posix()}:{doc.value_location(pointer).line}"
                      for pointer, _, _ in find_secrets(doc.data)}
    assert found == REVIEWED_SECRETS
