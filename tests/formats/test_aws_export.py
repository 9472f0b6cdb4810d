"""`aws iam get-account-authorization-details` output: each user and role an identity holding
its inline, attached managed (default version) and group policies, its trust policy read as
a role file's; and an EKS ServiceAccount joined to the role it runs as (NHI318)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nhilint.api import lint_paths
from nhilint.linter import read_structured
from nhilint.model import Inventory
from nhilint.sources import SourceOutput, link_project
from tests.conftest import TODAY

FIXTURES = Path(__file__).parent / "fixtures" / "aws-export"
EXPORT = "authorization-details.json"

EXPECTED = [
    ("NHI302", EXPORT, 10, 29),  # URL-encoded inline policy: ssm:GetParameter on "*" (at the string)...
    ("NHI328", EXPORT, 10, 29),  # ...reads every SSM parameter
    ("NHI323", EXPORT, 34, 52),  # trusts another account's root with no sts:ExternalId
    ("NHI303", EXPORT, 39, 60),  # AWS managed AdministratorAccess attached (its document not in the file)
    ("NHI403", EXPORT, 63, 45),  # the group's managed policy: iam:PassRole on every role...
    ("NHI320", EXPORT, 64, 45),  # ...with lambda:CreateFunction, held by the user through its group
    ("NHI318", "serviceaccount.yaml", 7, 33),  # the EKS account runs as the admin role
]


def _lint(folder: Path, monkeypatch: pytest.MonkeyPatch) -> list:
    monkeypatch.chdir(folder)
    return lint_paths(["."], today=TODAY).findings


def test_bad_set_fires_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    findings = _lint(FIXTURES / "bad", monkeypatch)
    assert [(f.rule, f.location.path, f.location.line, f.location.column) for f in findings] == EXPECTED


def test_good_set_is_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scoped policies, a bounded trust, a non-default broad version, an expired time bound,
    an Allow its own Deny refuses, ReadOnlyAccess, GKE and Azure annotations: nothing."""
    findings = _lint(FIXTURES / "good", monkeypatch)
    assert [(f.rule, f.location.path, f.location.line, f.message) for f in findings] == []


def test_messages_name_the_holders(monkeypatch: pytest.MonkeyPatch) -> None:
    findings = {f.rule: f.message for f in _lint(FIXTURES / "bad", monkeypatch)}
    assert findings["NHI320"].startswith("managed policy 'deploy-lambda' statement 1 (attached to IAM group "
                                         "deployers) grants lambda:CreateFunction")
    assert "'IAM user ci-deployer'" in findings["NHI320"]
    assert findings["NHI318"] == (
        "'ServiceAccount agents/agent-runner' runs as IAM role arn:aws:iam::123456789012:role/agents/agent-runner "
        "(eks.amazonaws.com/role-arn), so every pod using it can administer the account (AWS managed policy "
        "AdministratorAccess attached to IAM role agent-runner); annotate it with a role that grants only what "
        "the workload needs")


def _inventory(folder: Path) -> Inventory:
    inventory = Inventory()
    for file in sorted(folder.iterdir()):
        out = SourceOutput()
        read_structured(file.name, file.read_text(encoding="utf-8"), out)
        for identity in out.identities:
            inventory.add_identity(identity)
        inventory.objects.extend(out.objects)
    link_project(inventory)
    return inventory


def test_identities_and_what_they_hold() -> None:
    inventory = _inventory(FIXTURES / "bad")
    user = inventory.identity("IAM user ci-deployer")
    role = inventory.identity("IAM role agent-runner")
    assert user is not None and role is not None
    assert [g.name for g in user.grants] == [
        "IAM user ci-deployer inline policy read-config statement 0",
        "managed policy deploy-lambda statement 0", "managed policy deploy-lambda statement 1"]
    assert role.identity_id == "arn:aws:iam::123456789012:role/agents/agent-runner"
    assert inventory.identity("IAM role AWSServiceRoleForSupport") is None  # service-linked: AWS's own
    account = inventory.identity("ServiceAccount agents/agent-runner")
    assert account is not None
    assert {g.identity for g in account.grants} == {"arn:aws:iam::123456789012:role/agents/agent-runner"}


def test_gke_and_azure_annotations_are_recorded_not_joined() -> None:
    account = _inventory(FIXTURES / "good").identity("ServiceAccount agents/reporter")
    assert account is not None and account.grants == ()
    assert [(c.type, c.source, c.issuance, c.ttl) for c in account.credentials] == [
        ("gcp-workload-identity", "reporter@acme-prod.iam.gserviceaccount.com", "jit", "1h"),
        ("azure-workload-identity", "4f1e2d3c-0000-4000-8000-00000000c0de", "jit", "1h")]


STATEMENT = {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}


@pytest.mark.parametrize("document", [
    {"Version": "2012-10-17", "Statement": [STATEMENT]},
    json.dumps({"Version": "2012-10-17", "Statement": [STATEMENT]}),
    "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22iam%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D",
], ids=["object", "json-text", "url-encoded"])
def test_policy_documents_in_every_shape(tmp_path: Path, document: object) -> None:
    export = {"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r",
                                  "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": document}]}]}
    (tmp_path / "export.json").write_text(json.dumps(export, indent=1), encoding="utf-8")
    fired = sorted({f.rule for f in lint_paths([str(tmp_path)], today=TODAY).findings})
    assert fired == ["NHI302", "NHI320"]


@pytest.mark.parametrize("text", [
    '{"UserDetailList": [{"UserName": 5, "GroupList": [1, null, {"a": 1}], "UserPolicyList": [3, {"PolicyDocument": 7}],'
    ' "AttachedManagedPolicies": {"x": 1}}], "Policies": 3}',
    '{"RoleDetailList": [{"RoleName": "r", "AssumeRolePolicyDocument": "%7Bnot json", "RolePolicyList":'
    ' [{"PolicyDocument": "%5B1%5D"}, {"PolicyDocument": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}],'
    ' "AttachedManagedPolicies": [{"PolicyArn": ["x"]}, {"PolicyArn": "arn:aws:iam::aws:policy/Nope"}]}]}',
    '{"Policies": [{"Arn": "a", "PolicyVersionList": [1, {"IsDefaultVersion": true, "Document": "x"}]}],'
    ' "GroupDetailList": [{"GroupName": "g", "AttachedManagedPolicies": [{"PolicyArn": "a"}]}],'
    ' "UserDetailList": [{"UserName": "u", "GroupList": ["g", "missing"]}]}',
    '{"RoleDetailList": [{"RoleName": "r", "Path": 3, "MaxSessionDuration": true,'
    ' "RolePolicyList": [{"PolicyDocument": "%7B%22Statement%22%3A%20' + "%5B" * 3000 + '"}]}]}',
])
def test_bad_shapes_never_crash(tmp_path: Path, text: str) -> None:
    (tmp_path / "export.json").write_text(text, encoding="utf-8")
    lint_paths([str(tmp_path)], today=TODAY)
