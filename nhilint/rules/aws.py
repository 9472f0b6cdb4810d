"""NHI32x privilege rules about AWS IAM: what a policy lets its holder become.

They read the Grants the aws-iam source makes: one per Allow statement (Deny statements
make none), with the statement's `Condition` keys in `field_locations` as
`Condition:<key>`; a trust-policy statement is a Grant with a `Principal` field location
whose resources are who may assume the role.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import fnmatchcase

from nhilint.model import Grant, Identity, Location, Violation
from nhilint.rules import RuleContext, first_few, rule

_POLICY = '{"Version": "2012-10-17", "Statement": [%s]}'
_TRUST = ('{"Role": {"RoleName": "agent", "Arn": "arn:aws:iam::123456789012:role/agent",\n'
          ' "AssumeRolePolicyDocument": {"Statement": [%s]}}}')
_GITHUB = ('{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": '
           '"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},\n'
           ' "Condition": {"StringLike": {%s"token.actions.githubusercontent.com:sub": "%s"}}}')
_AUD = '"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", '

# What each action lets the holder of the policy become, in a message's words.
_ESCALATIONS = {
    "iam:CreatePolicyVersion": "publish a new default version of a managed policy it holds "
                               "and so grant itself any permission",
    "iam:SetDefaultPolicyVersion": "switch a managed policy it holds to another, broader version",
    "iam:AttachUserPolicy": "attach AdministratorAccess to a user, itself included",
    "iam:AttachGroupPolicy": "attach AdministratorAccess to a group it is in",
    "iam:AttachRolePolicy": "attach AdministratorAccess to a role it can assume",
    "iam:PutUserPolicy": "write an inline policy granting any permission to a user, itself included",
    "iam:PutGroupPolicy": "write an inline policy granting any permission to a group it is in",
    "iam:PutRolePolicy": "write an inline policy granting any permission to a role it can assume",
    "iam:AddUserToGroup": "add itself to an administrators group",
    "iam:UpdateAssumeRolePolicy": "make any role trust it, then assume that role",
    "iam:CreateAccessKey": "create access keys for other users and act as them",
    "iam:CreateLoginProfile": "set a console password for other users and sign in as them",
    "iam:UpdateLoginProfile": "reset other users' console passwords and sign in as them",
    "lambda:UpdateFunctionCode": "run its own code as the execution role of any function",
}
# Acting on oneself (`user/${aws:username}`) is not becoming someone else for these.
_SELF_SAFE = {"iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"}
# Conditions that bound which policy can be attached or written.
_POLICY_BOUNDS = ("Condition:iam:policyarn", "Condition:iam:permissionsboundary")
# Services that run code as a role passed to them (iam:PassRole + one of these).
_COMPUTE = {
    "lambda:CreateFunction": "a Lambda function", "ec2:RunInstances": "an EC2 instance",
    "glue:CreateDevEndpoint": "a Glue dev endpoint", "glue:CreateJob": "a Glue job",
    "cloudformation:CreateStack": "a CloudFormation stack", "cloudformation:UpdateStack": "a CloudFormation stack",
    "ecs:RunTask": "an ECS task", "ecs:RegisterTaskDefinition": "an ECS task definition",
    "sagemaker:CreateNotebookInstance": "a SageMaker notebook", "sagemaker:CreateTrainingJob": "a SageMaker job",
    "codebuild:CreateProject": "a CodeBuild project", "datapipeline:CreatePipeline": "a Data Pipeline",
}
_SECRET_READS = {
    "secretsmanager:GetSecretValue": "every secret in Secrets Manager",
    "ssm:GetParameter": "every SSM parameter, SecureStrings included",
    "ssm:GetParameters": "every SSM parameter, SecureStrings included",
    "ssm:GetParametersByPath": "every SSM parameter, SecureStrings included",
    "ssm:GetParameterHistory": "every SSM parameter's values, past ones included",
    "kms:Decrypt": "anything encrypted under any KMS key it is allowed to use",
}
_KMS_BOUNDS = ("Condition:kms:viaservice", "Condition:kms:encryptioncontext")
_BARE = re.compile(r"^[*:]+$")


def _permission_grants(identity: Identity) -> Iterator[Grant]:
    if identity.source_format == "aws-iam":
        yield from (g for g in identity.grants if "Principal" not in g.field_locations)


def _broad(resource: str) -> bool:
    """`*`, or an ARN whose resource name is only wildcards (`role/*`, `secret:*`, `key/*`)."""
    resource = resource.strip()
    if _BARE.match(resource):
        return True
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return False
    name = re.sub(r"^[A-Za-z-]+[/:]", "", parts[5], count=1)
    return bool(_BARE.match(name.replace("/", ""))) or parts[5] == "*"


def _covered(action: str, table: dict[str, str]) -> str | None:
    """The first action of `table` that the granted `action` (a pattern) covers; None for `*`."""
    pattern = action.strip().lower()
    if _BARE.match(pattern):
        return None  # the wildcard and admin rules (NHI302, NHI303) name it
    return next((name for name in table if fnmatchcase(name.lower(), pattern)), None)


def _at(grant: Grant, index: int) -> Location:
    return grant.item_locations.get(f"actions[{index}]") or grant.location


@rule(
    id="NHI320", name="aws-privilege-escalation", category="privilege", severity="error",
    targets=(Identity,),
    summary="An IAM policy grants an action that lets its holder give itself more access.",
    rationale="`iam:CreatePolicyVersion`, `iam:Attach*Policy`, `iam:Put*Policy`, "
              "`iam:CreateAccessKey` for other users, `iam:UpdateAssumeRolePolicy`, "
              "`lambda:UpdateFunctionCode` on every function, or `iam:PassRole` together with a "
              "service that runs code as the passed role (Lambda, EC2, Glue, CloudFormation, ECS, "
              "...) each let an identity become an administrator in a few calls: whatever the rest "
              "of its policy says, its real access is the account's.",
    remediation="Remove the action, or scope it to the exact resources the task needs (named "
                "policy ARNs, `iam:PermissionsBoundary`/`iam:PolicyARN` conditions, named roles "
                "for iam:PassRole).",
    references=("OWASP-NHI5", "OWASP-AGENTIC-T3", "NIST-CSF-PR.AA-05", "MAESTRO-L4"),
    bad=_POLICY % '{"Effect": "Allow", "Action": "iam:AttachRolePolicy", "Resource": "*"}',
    good=_POLICY % '{"Effect": "Allow", "Action": "iam:AttachRolePolicy", "Resource": "*", "Condition": '
                   '{"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}}}',
    language="json",
)
def privilege_escalation(identity: Identity, ctx: RuleContext) -> Iterator[Violation]:
    for grant, index, action, passes, compute, name in _escalating(list(_permission_grants(identity))):
        if compute is not None:
            yield Violation(_at(grant, index), f"{grant.title} grants {_shown(action, compute)} and "
                            f"the policy grants {passes} on every role, which lets '{identity.name}' "
                            f"run code as any role, an admin one too, by creating {_COMPUTE[compute]}; "
                            "limit iam:PassRole to the role it must pass", identity.name,
                            f"passrole:{grant.name}:{action}")
        elif name is not None:
            yield Violation(_at(grant, index), f"{grant.title} grants {_shown(action, name)}, which "
                            f"lets '{identity.name}' {_ESCALATIONS[name]}; remove it or scope it to "
                            "the exact resources the task needs", identity.name,
                            f"escalation:{grant.name}:{action}")


_Escalation = tuple[Grant, int, str, "str | None", "str | None", "str | None"]


def _escalating(grants: list[Grant]) -> Iterator[_Escalation]:
    """Each granted action that escalates: (grant, index, action, the iam:PassRole action on
    every role, the compute action it runs code with, or the escalation action it covers)."""
    passes = next((a for g in grants for a in g.actions if _covered(a, {"iam:PassRole": ""})
                   and any(_broad(r) for r in g.resources)), None)
    for grant in grants:
        bounded = any(key in grant.field_locations for key in _POLICY_BOUNDS)
        for index, action in enumerate(grant.actions):
            compute = _covered(action, _COMPUTE)
            name = _covered(action, _ESCALATIONS)
            if compute is not None and passes is not None and any(_broad(r) for r in grant.resources):
                yield grant, index, action, passes, compute, None
            elif name is not None and _escalates(name, grant, bounded):
                yield grant, index, action, passes, None, name


def _shown(action: str, name: str) -> str:
    return action if name.lower() == action.strip().lower() else f"{action} (which includes {name})"


def _escalates(name: str, grant: Grant, bounded: bool) -> bool:
    if bounded and "Policy" in name and "Version" not in name:
        return False
    if name == "lambda:UpdateFunctionCode" or name in _SELF_SAFE:
        return any(_broad(r) for r in grant.resources)
    return any(_broad(r) or "${aws:username}" in r for r in grant.resources)


@rule(
    id="NHI328", name="aws-broad-secret-read", category="privilege", severity="error",
    targets=(Identity,),
    summary="An IAM policy reads secrets (Secrets Manager, SSM parameters, KMS decrypt) on every resource.",
    rationale="`secretsmanager:GetSecretValue`, `ssm:GetParameter*` or `kms:Decrypt` on `*` hands "
              "the identity every credential the account stores, other teams' and other "
              "workloads' included: one stolen session reads them all.",
    remediation="List the secret, parameter or key ARNs (or a path prefix such as "
                "`parameter/agent/*`) it reads; for kms:Decrypt add a `kms:ViaService` or "
                "`kms:EncryptionContext` condition.",
    references=("OWASP-NHI5", "OWASP-NHI2", "NIST-CSF-PR.AA-05"),
    bad=_POLICY % '{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}',
    good=_POLICY % ('{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": '
                    '"arn:aws:secretsmanager:eu-west-1:123456789012:secret:agent/*"}'),
    language="json",
)
def broad_secret_read(identity: Identity, ctx: RuleContext) -> Iterator[Violation]:
    for grant in _permission_grants(identity):
        if not any(_broad(r) for r in grant.resources):
            continue
        for index, action in enumerate(grant.actions):
            name = _covered(action, _SECRET_READS)
            kms_bounded = any(k.startswith(_KMS_BOUNDS) for k in grant.field_locations)
            if name is None or (name == "kms:Decrypt" and kms_bounded):
                continue
            yield Violation(_at(grant, index), f"{grant.title} grants {action} on every resource, "
                            f"which lets '{identity.name}' read {_SECRET_READS[name]}; list the ARNs "
                            "it reads", identity.name, f"secret-read:{grant.name}:{action}")


_ROOT = re.compile(r"^(?:arn:aws[a-z-]*:iam::(\d{12}):root|(\d{12}))$")
_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):")
# Conditions that bind a cross-account trust to a caller: a third party's external id, the
# organization, or the calling principal.
_CALLER_BOUNDS = ("Condition:sts:externalid", "Condition:aws:principalorgid", "Condition:aws:principalarn",
                  "Condition:aws:principalorgpaths", "Condition:aws:sourceaccount", "Condition:aws:sourcearn")
# `repo:acme/*`, `repo:acme/*:*`, `repo:*/x`: every repository of an owner (`repo:*` is NHI302's).
_ANY_REPO = re.compile(r"^repo:(?:[^/:]*\*[^/:]*|[^/:]+/\*)(?:[:/].*)?$")


@rule(
    id="NHI323", name="aws-open-trust-policy", category="privilege", severity="error",
    targets=(Identity,),
    summary="A role's trust policy lets callers it cannot tell apart assume it.",
    rationale="A web-identity trust without an `aud` condition accepts tokens minted for other "
              "audiences; a GitHub `sub` such as `repo:acme/*` lets every repository of the "
              "owner (any branch, any contributor's workflow) assume the role; trusting another "
              "account's `root` without `sts:ExternalId` (or an organization or principal "
              "condition) lets every identity of that account that may call sts:AssumeRole in, "
              "the confused-deputy case for a third party.",
    remediation="Add the provider's `:aud` condition; pin `:sub` to `repo:<owner>/<repo>:ref:...` or "
                "`:environment:...`; name the role ARN that assumes it, or require "
                "`sts:ExternalId` (a third party) or `aws:PrincipalOrgID` (your organization).",
    references=("OWASP-NHI4", "OWASP-AGENTIC-T9", "NIST-CSF-PR.AA-01"),
    bad=_TRUST % (_GITHUB % (_AUD, "repo:acme/*")),
    good=_TRUST % (_GITHUB % (_AUD, "repo:acme/agent:environment:production")),
    language="json",
)
def open_trust_policy(identity: Identity, ctx: RuleContext) -> Iterator[Violation]:
    if identity.source_format != "aws-iam":
        return
    own = _ACCOUNT.match(identity.identity_id or "")
    for grant in identity.grants:
        if "Principal" not in grant.field_locations:
            continue
        keys = set(grant.field_locations)
        web = any(fnmatchcase("sts:assumerolewithwebidentity", a.lower()) for a in grant.actions)
        if web and not any(k.startswith("Condition:") and k.endswith(":aud") for k in keys):
            yield Violation(grant.field_locations["Principal"], f"{grant.title} accepts web-identity "
                            "tokens for any audience (no :aud condition), so a token minted for "
                            "another service can assume the role; add the provider's :aud "
                            "condition", identity.name, f"trust-aud:{grant.name}")
        for index, who in enumerate(grant.resources):
            where = grant.item_locations.get(f"resources[{index}]") or grant.location
            if _ANY_REPO.match(who) and who != "repo:*":
                yield Violation(where, f"{grant.title} lets the workflows of every repository "
                                f"matching '{who}' assume the role; pin the sub condition to "
                                "the repository and branch or environment", identity.name,
                                f"trust-sub:{grant.name}:{who}")
            root = _ROOT.match(who)
            account = root and (root.group(1) or root.group(2))
            if account and not (own and own.group(1) == account) and not keys & set(_CALLER_BOUNDS):
                yield Violation(where, f"{grant.title} lets every identity of account {account} "
                                "that may call sts:AssumeRole assume the role; name the role ARN "
                                "that needs it, or require sts:ExternalId for a third party",
                                identity.name, f"trust-root:{grant.name}:{account}")


_ROLE_ARN = "eks.amazonaws.com/role-arn"
_SERVICE_ACCOUNT = ("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: agent-runner\n  namespace: agents\n"
                    "  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/agent-runner\n"
                    "automountServiceAccountToken: false\n---\n"
                    "RoleDetailList:\n  - RoleName: agent-runner\n"
                    "    Arn: arn:aws:iam::123456789012:role/agent-runner\n"
                    "    AttachedManagedPolicies:\n      - PolicyName: %s\n"
                    "        PolicyArn: arn:aws:iam::aws:policy/%s\n")
_SERVICE_WIDE = re.compile(r"^([A-Za-z0-9-]+):\*$")


def _can(grant: Grant) -> Iterator[str]:
    """What a grant lets its holder do that makes it an administrator: the whole account,
    every action (of a service) on every resource."""
    if grant.admin:
        yield f"administer the account ({grant.title})"
        return
    broad = not grant.resources or any(_everywhere(r) for r in grant.resources)
    for action in grant.actions:
        service = _SERVICE_WIDE.match(action.strip())
        if _BARE.match(action.strip()) and broad:
            yield f"take {grant.covers or 'every action on every resource'} ({grant.title})"
            return
        if service and broad:
            yield f"take every {service.group(1)} action on every resource ({grant.title})"
            return


def _everywhere(resource: str) -> bool:
    """Every resource of its service: `*`, `arn:aws:s3:::*`, `...:table/*` (an S3 ARN names a
    bucket before any `/`, so `arn:aws:s3:::bucket/*` is one bucket)."""
    parts = resource.strip().split(":", 5)
    if len(parts) == 6 and parts[2] == "s3":
        return bool(_BARE.match(parts[5]))
    return _broad(resource)


@rule(
    id="NHI318", name="federated-service-account-admin", category="privilege", severity="error",
    targets=(Identity,),
    summary="A Kubernetes ServiceAccount runs as an IAM role (EKS `eks.amazonaws.com/role-arn`) that "
            "is an administrator, can make itself one, or takes every action of a service.",
    rationale="With IAM roles for service accounts, every pod that runs as the account gets the "
              "role's credentials: a compromised container, or anyone allowed to create pods with "
              "that account in its namespace, acts as the role. A role with AdministratorAccess, "
              "`*` or `iam:*`, or an escalation path (iam:PassRole with a compute service, "
              "`iam:Attach*Policy`, ...) turns one pod into the whole AWS account. The join "
              "needs the role in the repository: an account export or a role file. GKE "
              "(`iam.gke.io/gcp-service-account`) and Azure (`azure.workload.identity/client-id`) "
              "annotations are recorded on the account but not judged: no GCP or Azure IAM is "
              "read to join them to.",
    remediation="Annotate the ServiceAccount with a role that grants only the actions and resources "
                "the workload calls; keep administrative roles off workloads.",
    references=("OWASP-NHI5", "OWASP-AGENTIC-T3", "NIST-CSF-PR.AA-05", "MAESTRO-L4"),
    bad=_SERVICE_ACCOUNT % ("AdministratorAccess", "AdministratorAccess"),
    good=_SERVICE_ACCOUNT % ("ReadOnlyAccess", "ReadOnlyAccess"),
)
def federated_service_account_admin(identity: Identity, ctx: RuleContext) -> Iterator[Violation]:
    if identity.source_format != "kubernetes" or not identity.grants:
        return
    for credential in identity.credentials:
        arn = credential.source
        if credential.type != "aws-web-identity" or not arn:
            continue
        held = [g for g in identity.grants if g.identity == arn]  # the role's, joined by the source
        can = [what for grant in held for what in _can(grant)]
        can += [f"{_ESCALATIONS[name]} ({grant.title} grants {action})" if name else
                f"run code as any role by creating {_COMPUTE[compute or '']} ({grant.title} grants {action} "
                f"and {passes} on every role)"
                for grant, _, action, passes, compute, name in _escalating(held)]
        if can:
            yield Violation(credential.location, f"'{identity.name}' runs as IAM role {arn} ({_ROLE_ARN}), "
                            f"so every pod using it can {first_few(can[:2], len(can))}; annotate it "
                            "with a role that grants only what the workload needs", identity.name,
                            f"federated-admin:{identity.name}:{arn}")


RULES = (privilege_escalation, broad_secret_read, open_trust_policy, federated_service_account_admin)
