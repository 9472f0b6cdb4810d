"""AWS IAM policy JSON: identity policies, trust policies, and `aws iam get-role` output.

The policy (or role) is an Identity (no owner or expiry field: `declares` is empty). Each
Allow statement is a Grant, so `"Action": "*"`, `"s3:*"` and `"Resource": "*"` fire NHI302
at the exact item; `NotAction`/`NotResource` with Allow grant everything else (NHI302 at
the key). `iam:PassRole` on any role is delegation without attenuation (NHI403). A trust
policy that any principal (or any GitHub repository's OIDC token) may assume is a
wildcard (NHI302). `MaxSessionDuration` is the TTL of the role's sessions (NHI202).
Inline access keys (`AKIA...`) are found by the secret scan (NHI204).

`Deny` statements grant nothing and become no model object. A statement whose every action
is one AWS cannot scope to a resource (`UNSCOPABLE`: `*:Describe*`, `*:List*`,
`sts:GetCallerIdentity`, ...) has `Resource: "*"` by necessity: its Grant has no resources,
so it is not a wildcard-resource finding. A statement's `Condition` keys are in its Grant's
`field_locations` as `Condition:<key, lower case>` (rules tell a bounded grant from an open
one by them). Each Allow statement of a trust policy is also a Grant whose `field_locations`
has `Principal` and whose resources are who may assume the role: the principals as written,
or the `sub` patterns of a federated statement that has them (NHI323).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

from nhilint.model import Credential, Delegation, Grant, Identity
from nhilint.sources import SourceOutput
from nhilint.sources.detect import is_aws_access_key
from nhilint.sources.mapping import item_locations, list_pointers, mapping, text, texts
from nhilint.sources.yaml_loader import Document

FORMAT = "aws-iam"
GITHUB_OIDC = "token.actions.githubusercontent.com"
_WILDCARD = ("*",)

# Actions that take no resource ARN (Resource must be "*"), or only list and describe what
# exists: granting them on "*" is the only way to grant them. Kept short and documented;
# `s3:ListBucket*` is not here (it lists the objects of every bucket).
UNSCOPABLE = (
    "*:describe*", "*:list*", "sts:getcalleridentity", "sts:getsessiontoken",
    "ecr:getauthorizationtoken", "cloudwatch:putmetricdata", "cloudwatch:getmetricdata",
    "cloudwatch:getmetricstatistics", "xray:puttracesegments", "xray:puttelemetryrecords",
    "iam:getaccountsummary", "iam:getaccountpasswordpolicy", "tag:getresources",
    "kms:createkey",
)
_SCOPABLE_LISTS = ("s3:listbucket", "s3:listbucketversions", "s3:listbucketmultipartuploads",
                   "s3:listmultipartuploadparts")


def unscopable(action: str) -> bool:
    """Whether AWS cannot scope `action` to a resource (the grant is "*" by necessity)."""
    lowered = action.lower()
    if lowered in _SCOPABLE_LISTS or lowered.startswith("s3:listbucket") or "*" in lowered.split(":", 1)[0]:
        return False
    return any(fnmatchcase(lowered, pattern) for pattern in UNSCOPABLE)


def _conditions(doc: Document, statement: dict, pointer: tuple) -> dict[str, Any]:
    """`Condition` -> its key's location, and `Condition:<key>` -> each condition key's."""
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return {}
    found: dict[str, Any] = {"Condition": doc.key_location(pointer + ("Condition",))}
    for operator, values in condition.items():
        for key in mapping(values):
            if isinstance(key, str):
                found[f"Condition:{key.lower()}"] = doc.key_location(pointer + ("Condition", operator, key))
    return found


def _broad_role(resource: str) -> bool:
    """`*`, `arn:aws:iam::*:role/*`, `arn:aws:iam::123456789012:role/*`: every role."""
    if resource.strip() in ("*", "arn:aws:iam::*:*", "arn:*:iam::*:*"):
        return True
    parts = resource.split(":", 5)
    return len(parts) == 6 and parts[2] == "iam" and parts[5] in ("role/*", "*")


def _statements(policy: Any, pointer: tuple) -> Iterator[tuple[tuple, dict]]:
    statements = mapping(policy).get("Statement")
    if isinstance(statements, dict):
        yield pointer + ("Statement",), statements
    elif isinstance(statements, list):
        for index, statement in enumerate(statements):
            if isinstance(statement, dict):
                yield pointer + ("Statement", index), statement


class _Policy:
    def __init__(self, doc: Document, name: str) -> None:
        self.doc = doc
        self.name = name
        self.grants: list[Grant] = []
        self.delegations: list[Delegation] = []

    def label(self, statement: dict, pointer: tuple) -> str:
        sid = text(statement.get("Sid"))
        return f"{self.name} statement {sid or pointer[-1]}"

    def title(self, statement: dict, pointer: tuple, policy: str) -> str:
        """How findings name a statement: "IAM policy statement 0 of deployer"."""
        sid = text(statement.get("Sid"))
        return f"{policy} statement {sid or pointer[-1]} of {self.name}"

    def inverted(self, pointer: tuple, key: str, label: str, title: str, field: str) -> Grant:
        # Allow + NotAction (NotResource) allows everything but the listed: a wildcard
        location = self.doc.key_location(pointer + (key,))
        every = field[:-1]
        return Grant(location=location, item_locations={f"{field}[0]": location}, identity=self.name,
                     name=f"{label} ({key}: everything except the listed)", label=title,
                     covers=f"every {every} except the listed (Allow with {key})",
                     remedy=f"list the {field} it allows under {key.removeprefix('Not')}",
                     **{field: _WILDCARD})  # type: ignore[arg-type] # field is "actions" or "resources"

    def permissions(self, policy: Any, base: tuple) -> None:
        for pointer, statement in _statements(policy, base):
            if statement.get("Effect") != "Allow":
                continue
            label, title = self.label(statement, pointer), self.title(statement, pointer, "IAM policy")
            if "NotAction" in statement:
                self.grants.append(self.inverted(pointer, "NotAction", label, title, "actions"))
            if "NotResource" in statement:
                self.grants.append(self.inverted(pointer, "NotResource", label, title, "resources"))
            actions, resources = texts(statement.get("Action")), texts(statement.get("Resource"))
            action_pointers = list_pointers(pointer + ("Action",), statement.get("Action"))
            resource_items = item_locations(
                self.doc, "resources", list_pointers(pointer + ("Resource",), statement.get("Resource")))
            if resources == _WILDCARD and actions and all(unscopable(a) for a in actions):
                resources, resource_items = (), item_locations(self.doc, "resources", ())
            self.grants.append(Grant(
                location=self.doc.value_location(pointer),
                field_locations=_conditions(self.doc, statement, pointer),
                item_locations=item_locations(self.doc, "actions", action_pointers) | resource_items,
                identity=self.name, name=label, label=title, actions=actions, resources=resources))
            for action, action_pointer in zip(actions, action_pointers):
                passes_role = fnmatchcase("iam:passrole", action.lower()) and action not in ("*", "iam:*")
                if passes_role and any(_broad_role(r) for r in resources):
                    where = self.doc.value_location(action_pointer)
                    self.delegations.append(Delegation(
                        location=where, field_locations={"attenuation": where}, identity=self.name,
                        allowed=True, max_depth=1, attenuation="none",
                        remedy="iam:PassRole on every role lets it hand any role, an admin one too, "
                               "to a service it controls; limit it to the role ARNs it must pass, "
                               "with an iam:PassedToService condition"))

    def trust(self, policy: Any, base: tuple) -> None:
        for pointer, statement in _statements(policy, base):
            if statement.get("Effect") != "Allow":
                continue
            principal = statement.get("Principal")
            values: list[tuple[str, ...]] = [("Principal",)] if principal == "*" else [
                ("Principal", kind) for kind, who in mapping(principal).items() if "*" in texts(who)]
            federated = texts(mapping(principal).get("Federated"))
            if any(GITHUB_OIDC in f for f in federated) and not _github_subject(statement):
                values.append(("Principal", "Federated"))
            for at in values:
                location = self.doc.value_location(pointer + at)
                github = at == ("Principal", "Federated")
                self.grants.append(Grant(
                    location=location, item_locations={"resources[0]": location}, identity=self.name,
                    name=f"{self.label(statement, pointer)} (who may assume the role: {'.'.join(at)})",
                    label=self.title(statement, pointer, "trust policy"),
                    actions=texts(statement.get("Action")), resources=_WILDCARD,
                    covers="the role to the workflows of every GitHub repository (no "
                           f"{GITHUB_OIDC}:sub condition)" if github else
                           f"the role to any principal ({'.'.join(at)}: \"*\")",
                    remedy=f"add a {GITHUB_OIDC}:sub condition naming the repository and branch"
                           if github else "name the principals that may assume it"))
            self.callers(statement, pointer)

    def callers(self, statement: dict, pointer: tuple) -> None:
        """The trust statement as a Grant: who may assume the role, with its conditions."""
        principal = statement.get("Principal")
        if not isinstance(principal, dict):
            return
        who: list[tuple[str, tuple]] = []
        for kind, value in principal.items():
            if not isinstance(kind, str):
                continue
            at = pointer + ("Principal", kind)
            who.extend((item, item_pointer) for item, item_pointer in zip(texts(value), list_pointers(at, value))
                       if item != "*")
        subjects = [(value, pointer + ("Condition", operator, key) + ((index,) if isinstance(values, list) else ()))
                    for operator, keys in mapping(statement.get("Condition")).items()
                    for key, values in mapping(keys).items() if isinstance(key, str) and key.lower().endswith(":sub")
                    for index, value in enumerate(texts(values))]
        federated = set(texts(principal.get("Federated")))
        if subjects:
            who = [(item, at) for item, at in who if item not in federated] + subjects
        if not who:
            return
        self.grants.append(Grant(
            location=self.doc.value_location(pointer + ("Principal",)),
            field_locations={"Principal": self.doc.key_location(pointer + ("Principal",))}
            | _conditions(self.doc, statement, pointer),
            item_locations=item_locations(self.doc, "resources", [at for _, at in who]),
            identity=self.name, name=f"{self.label(statement, pointer)} (who may assume the role)",
            label=self.title(statement, pointer, "trust policy"),
            actions=texts(statement.get("Action")), resources=tuple(item for item, _ in who),
            remedy="name the principals that may assume it"))


def _github_subject(statement: dict) -> bool:
    """Whether a GitHub OIDC trust statement pins the token's `sub` (repository, branch)."""
    for values in mapping(statement.get("Condition")).values():
        for key, allowed in mapping(values).items():
            if key == f"{GITHUB_OIDC}:sub" and all(v not in ("*", "repo:*") for v in texts(allowed)):
                return True
    return False


def _access_key(doc: Document, key: dict, out: SourceOutput) -> None:
    # A long-lived key pair: no expiry, rotated only by hand (NHI201, NHI203); the values
    # themselves are found by the secret scan (NHI204).
    user = text(key.get("UserName")) or "?"
    location = doc.key_location(("AccessKey", "AccessKeyId"))
    out.identities.append(Identity(
        location=doc.key_location(("AccessKey",)), name=f"IAM user {user}", source_format=FORMAT,
        declares=frozenset(), identity_type="aws-iam-user",
        credentials=(Credential(location=location, field_locations={"issuance": location},
                                identity=f"IAM user {user}", name=f"access key of IAM user {user}",
                                type="aws-access-key", issuance="standing",
                                remedy="give the workload an IAM role and let it assume short sessions "
                                       "instead of a user access key"),)))


def read(doc: Document, out: SourceOutput) -> None:
    data = doc.data
    if is_aws_access_key(data):
        _access_key(doc, data["AccessKey"], out)
        return
    base: tuple = ("Role",) if isinstance(data.get("Role"), dict) else ()
    role = data["Role"] if base else data
    name = (text(role.get("RoleName")) or text(data.get("PolicyName"))
            or posixpath.splitext(posixpath.basename(doc.path))[0])
    policy = _Policy(doc, name)
    policy.permissions(data, ())
    policy.trust(role.get("AssumeRolePolicyDocument"), base + ("AssumeRolePolicyDocument",))
    credentials: tuple[Credential, ...] = ()
    duration = role.get("MaxSessionDuration")
    if isinstance(duration, int) and not isinstance(duration, bool):
        location = doc.key_location(base + ("MaxSessionDuration",))
        credentials = (Credential(location=location, field_locations={"ttl": location}, identity=name,
                                  name=f"session of role {name}", type="aws-sts", issuance="jit",
                                  ttl=f"{duration}s"),)
    out.objects.extend(policy.delegations[1:])
    out.identities.append(Identity(
        location=doc.value_location(()), name=name, source_format=FORMAT, declares=frozenset(),
        identity_id=text(role.get("Arn")),
        identity_type="aws-iam-role" if base or "AssumeRolePolicyDocument" in role else "aws-iam-policy",
        credentials=credentials, grants=tuple(policy.grants),
        delegation=policy.delegations[0] if policy.delegations else None))
