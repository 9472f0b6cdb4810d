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

import json
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import unquote

from nhilint.model import Credential, Delegation, Grant, Identity, Inventory, first_few
from nhilint.sources import SourceOutput
from nhilint.sources.detect import is_aws_access_key, is_aws_account_export
from nhilint.sources.mapping import item_locations, list_pointers, mapping, sequence, text, texts
from nhilint.sources.yaml_loader import Document

FORMAT = "aws-iam"
GITHUB_OIDC = "token.actions.githubusercontent.com"
WEB_IDENTITY = "aws-web-identity"  # the credential type of a ServiceAccount's eks.amazonaws.com/role-arn
_WILDCARD = ("*",)

# Actions that take no resource ARN (Resource must be "*"), or only list and describe what
# exists: granting them on "*" is the only way to grant them. Kept short and documented;
# `s3:ListBucket*` is not here (it lists the objects of every bucket).
UNSCOPABLE = (
    "*:describe*", "*:list*", "sts:getcalleridentity", "sts:getsessiontoken",
    "ecr:getauthorizationtoken", "cloudwatch:putmetricdata", "cloudwatch:getmetricdata",
    "cloudwatch:getmetricstatistics", "xray:puttracesegments", "xray:puttelemetryrecords",
    "iam:getaccountsummary", "iam:getaccountpasswordpolicy", "tag:getresources",
    "kms:createkey", "compute-optimizer:getenrollmentstatus", "aws-portal:view*",
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
    """The Grants (and iam:PassRole delegations) of one identity's policy documents.

    `name` is who holds them (the Grants' `identity`); `prefix` starts each Grant's name and
    `held` ends each statement's title (" of deployer"), both set apart for the policies of
    an account export (`_Export`)."""

    def __init__(self, doc: Document, name: str, prefix: str = "", held: str = "",
                 kind: str = "IAM policy") -> None:
        self.doc = doc
        self.name = name
        self.prefix = prefix or name
        self.held = held or f" of {name}"
        self.kind = kind
        self.grants: list[Grant] = []
        self.delegations: list[Delegation] = []
        self.denies: list[str] = []  # action patterns (lower case) denied on every resource

    def label(self, statement: dict, pointer: tuple) -> str:
        sid = text(statement.get("Sid"))
        return f"{self.prefix} statement {sid or pointer[-1]}"

    def title(self, statement: dict, pointer: tuple, policy: str) -> str:
        """How findings name a statement: "IAM policy statement 0 of deployer"."""
        sid = text(statement.get("Sid"))
        return f"{policy} statement {sid or pointer[-1]}{self.held}"

    def inverted(self, pointer: tuple, key: str, label: str, title: str, field: str) -> Grant:
        # Allow + NotAction (NotResource) allows everything but the listed: a wildcard
        location = self.doc.key_location(pointer + (key,))
        every = field[:-1]
        return Grant(location=location, item_locations={f"{field}[0]": location}, identity=self.name,
                     name=f"{label} ({key}: everything except the listed)", label=title,
                     covers=f"every {every} except the listed (Allow with {key})",
                     remedy=f"list the {field} it allows under {key.removeprefix('Not')}",
                     **{field: _WILDCARD})  # type: ignore[arg-type] # field is "actions" or "resources"

    def permissions(self, policy: Any, base: tuple, created: str | None = None) -> None:
        """The Allow statements' Grants; unconditional `Deny` of actions on "*" go to `denies`,
        and an Allow whose time bound had passed when the version was `created` grants nothing."""
        for pointer, statement in _statements(policy, base):
            if statement.get("Effect") == "Deny":
                self.denies.extend(_denied_everywhere(statement))
            if statement.get("Effect") != "Allow" or _expired(statement, created):
                continue
            label, title = self.label(statement, pointer), self.title(statement, pointer, self.kind)
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


_BEFORE = ("datelessthan", "datelessthanequals")
_CLOCKS = ("aws:currenttime", "aws:tokenissuetime")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _denied_everywhere(statement: dict) -> list[str]:
    """The actions a Deny statement refuses whatever the request: on "*", with no condition."""
    if any(key in statement for key in ("Condition", "NotAction", "NotResource")):
        return []
    if texts(statement.get("Resource")) != _WILDCARD:
        return []
    return [action.lower() for action in texts(statement.get("Action")) if "?" not in action]


def denied(grant: Grant, denies: list[str]) -> bool:
    """Whether unconditional Deny statements refuse every action of `grant`."""
    return bool(denies and grant.actions) and all(
        any(fnmatchcase(action.lower(), pattern) for pattern in denies) for action in grant.actions)


def _expired(statement: dict, created: str | None) -> bool:
    """An Allow bounded by `DateLessThan` aws:CurrentTime or aws:TokenIssueTime to a day before
    the policy version was created: it never granted anything."""
    if not created or not _DATE.match(created):
        return False
    for operator, values in mapping(statement.get("Condition")).items():
        if str(operator).lower() not in _BEFORE:
            continue
        for key, dates in mapping(values).items():
            if str(key).lower() in _CLOCKS and texts(dates) and all(
                    _DATE.match(d) and d[:10] < created[:10] for d in texts(dates)):
                return True
    return False


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


# --- `aws iam get-account-authorization-details` -------------------------------------

USER_LIST, GROUP_LIST, ROLE_LIST, POLICY_LIST = "UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"
# Roles AWS creates and manages for a service (`/aws-service-role/`): their policies are AWS's,
# no one in the account can change them, and only that service can assume them.
SERVICE_LINKED = "/aws-service-role/"
_AWS_MANAGED = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(?:[^/]+/)*([^/]+)$")
# The broad AWS managed policies an export may name without their documents (a `--filter`
# without AWSManagedPolicy): what they grant. Others not in the file are not guessed.
AWS_MANAGED: dict[str, tuple[tuple[str, ...], str]] = {
    "AdministratorAccess": ((), ""),  # an administrative grant (NHI303)
    "IAMFullAccess": (("iam:*",), "every IAM action on every resource"),
    "PowerUserAccess": (("*",), "every action except IAM, Organizations and Account management"),
}


def _role_key(arn: str) -> tuple[str, str]:
    """(account, role name) of a role ARN; the name alone (account "") for anything else.
    Role names are unique in an account whatever their path."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[2] == "iam" and parts[5].startswith("role/"):
        return parts[4], parts[5].rsplit("/", 1)[-1]
    return "", arn


@dataclass
class _Held:
    """What some policies give their holder: Grants, and the actions they deny everywhere."""

    grants: list[Grant] = field(default_factory=list)
    denies: list[str] = field(default_factory=list)

    def add(self, other: _Held) -> _Held:
        self.grants.extend(other.grants)
        self.denies.extend(other.denies)
        return self


class _Export:
    """One account's IAM as `aws iam get-account-authorization-details` writes it.

    Each user and role is an Identity holding the Grants of its inline policies, of the
    default version of each managed policy attached to it, and (a user) of its groups'
    policies, less those an unconditional Deny of any of them refuses; a role's trust
    policy is read as in `get-role` output. A managed policy's or a group's Grants are made
    once and shared by every identity that holds them, so a finding about one of their
    statements is reported once, naming who holds it. Policy documents are objects or
    URL-encoded JSON strings (then located at the string). Service-linked roles are AWS's.
    """

    def __init__(self, doc: Document, out: SourceOutput) -> None:
        self.doc, self.out = doc, out
        data = doc.data
        # ARN -> (name, default version's document, its pointer, when that version was created)
        self.documents: dict[str, tuple[str, Any, tuple, str | None]] = {}
        for index, entry in enumerate(sequence(data.get(POLICY_LIST))):
            entry = mapping(entry)
            arn = text(entry.get("Arn"))
            if arn and arn not in self.documents:
                found = _default_version(entry, (POLICY_LIST, index))
                if found is not None:
                    self.documents[arn] = (text(entry.get("PolicyName")) or arn.rsplit("/", 1)[-1],) + found
        self.groups: dict[str, tuple[int, dict]] = {}  # by name: users name their groups
        for index, group in enumerate(sequence(data.get(GROUP_LIST))):
            name = text(mapping(group).get("GroupName"))
            if name is not None and name not in self.groups:
                self.groups[name] = (index, group)
        # who holds each managed policy, for the titles of its statements: one pass
        self.holders: dict[str, list[str]] = defaultdict(list)
        for list_name, key, kind in ((GROUP_LIST, "GroupName", "group"), (USER_LIST, "UserName", "user"),
                                     (ROLE_LIST, "RoleName", "role")):
            for entry in sequence(data.get(list_name)):
                if isinstance(entry, dict) and not _service_linked(entry):
                    holder = f"IAM {kind} {text(entry.get(key)) or '?'}"
                    for attached in sequence(entry.get("AttachedManagedPolicies")):
                        arn = text(mapping(attached).get("PolicyArn"))
                        if arn in self.documents:
                            self.holders[arn].append(holder)
        self.managed: dict[str, _Held] = {}
        self.group_held: dict[str, _Held] = {}

    def policy(self, value: Any, pointer: tuple, holder: str, trust: bool = False, created: str | None = None,
               **names: str) -> _Held:
        """What one policy document (an object, or URL-encoded JSON text) gives its holder."""
        doc, base = self.doc, pointer
        if isinstance(value, str):
            decoded = _decoded(value)
            if decoded is None:
                return _Held()
            where = self.doc.value_location(pointer)
            doc = Document(self.doc.path, decoded, self.doc.index,
                           {(): (None, (where.line, where.column, where.end_line, where.end_column))})
            value, base = decoded, ()
        if not isinstance(value, dict):
            return _Held()
        policy = _Policy(doc, holder, **names)  # names: its prefix, held, kind
        if trust:
            policy.trust(value, base)
        else:
            policy.permissions(value, base, created)
        self.out.objects.extend(policy.delegations)
        return _Held(policy.grants, policy.denies)

    def inline(self, entry: dict, pointer: tuple, key: str, holder: str) -> _Held:
        held = _Held()
        for index, item in enumerate(sequence(entry.get(key))):
            item = mapping(item)
            name = text(item.get("PolicyName")) or str(index)
            held.add(self.policy(item.get("PolicyDocument"), pointer + (key, index, "PolicyDocument"), holder,
                                 prefix=f"{holder} inline policy {name}", kind=f"inline policy '{name}'"))
        return held

    def attached(self, entry: dict, pointer: tuple, holder: str) -> _Held:
        held = _Held()
        for index, item in enumerate(sequence(entry.get("AttachedManagedPolicies"))):
            arn = text(mapping(item).get("PolicyArn"))
            if arn is None:
                continue
            if arn in self.documents:
                held.add(self.managed_policy(arn))
            else:
                grant = self.aws_managed(arn, pointer + ("AttachedManagedPolicies", index, "PolicyArn"), holder)
                held.grants.extend((grant,) if grant is not None else ())
        return held

    def managed_policy(self, arn: str) -> _Held:
        if arn not in self.managed:
            name, value, pointer, created = self.documents[arn]
            holders = self.holders[arn]
            held = f" (attached to {first_few(holders, len(holders))})" if holders else ""
            self.managed[arn] = self.policy(value, pointer, f"managed policy {name}", created=created,
                                            held=held, kind=f"managed policy '{name}'")
        return self.managed[arn]

    def aws_managed(self, arn: str, pointer: tuple, holder: str) -> Grant | None:
        match = _AWS_MANAGED.match(arn)
        known = AWS_MANAGED.get(match.group(1)) if match else None
        if match is None or known is None:
            return None
        name, (actions, covers) = match.group(1), known
        location = self.doc.value_location(pointer)
        items = {"actions[0]": location, "resources[0]": location} if actions else {}
        return Grant(location=location, item_locations=items, identity=holder,
                     name=f"{holder} managed policy {name}", label=f"AWS managed policy {name} attached to {holder}",
                     actions=actions, resources=("*",) if actions else (), admin=not actions,
                     covers=covers, remedy="attach a policy that lists the actions it needs instead")

    def group(self, name: str) -> _Held:
        if name not in self.group_held:
            found = self.groups.get(name)
            held = _Held()
            if found is not None:
                index, entry = found
                holder, pointer = f"IAM group {name}", (GROUP_LIST, index)
                held = self.inline(entry, pointer, "GroupPolicyList", holder).add(self.attached(entry, pointer, holder))
            self.group_held[name] = held
        return self.group_held[name]

    def read(self) -> None:
        data = self.doc.data
        for index, entry in enumerate(sequence(data.get(USER_LIST))):
            if isinstance(entry, dict):
                pointer = (USER_LIST, index)
                name = f"IAM user {text(entry.get('UserName')) or '?'}"
                held = self.inline(entry, pointer, "UserPolicyList", name).add(self.attached(entry, pointer, name))
                for group in dict.fromkeys(texts(entry.get("GroupList"))):
                    held.add(self.group(group))
                self.identity(entry, pointer, "UserName", name, "aws-iam-user", held, [], ())
        for index, entry in enumerate(sequence(data.get(ROLE_LIST))):
            if isinstance(entry, dict) and not _service_linked(entry):
                pointer = (ROLE_LIST, index)
                name = f"IAM role {text(entry.get('RoleName')) or '?'}"
                held = self.inline(entry, pointer, "RolePolicyList", name).add(self.attached(entry, pointer, name))
                trust = self.policy(entry.get("AssumeRolePolicyDocument"), pointer + ("AssumeRolePolicyDocument",),
                                    name, trust=True)
                self.identity(entry, pointer, "RoleName", name, "aws-iam-role", held, trust.grants,
                              _session(self.doc, entry, pointer, name))

    def identity(self, entry: dict, pointer: tuple, key: str, name: str, kind: str, held: _Held,
                 trust: list[Grant], credentials: tuple[Credential, ...]) -> None:
        location = self.doc.value_location(pointer + (key,) if key in entry else pointer)
        grants = [grant for grant in held.grants if not denied(grant, held.denies)] + trust
        self.out.identities.append(Identity(
            location=location, name=name, source_format=FORMAT, declares=frozenset(),
            identity_id=text(entry.get("Arn")), identity_type=kind, credentials=credentials, grants=tuple(grants)))


def _service_linked(entry: dict) -> bool:
    return str(entry.get("Path", "")).startswith(SERVICE_LINKED)


def _default_version(entry: dict, pointer: tuple) -> tuple[Any, tuple, str | None] | None:
    """A managed policy's default version: its document, where it is, and when it was created."""
    versions = sequence(entry.get("PolicyVersionList"))
    default = text(entry.get("DefaultVersionId"))
    chosen = next((i for i, v in enumerate(versions) if mapping(v).get("IsDefaultVersion") is True), None)
    if chosen is None and default is not None:
        chosen = next((i for i, v in enumerate(versions) if text(mapping(v).get("VersionId")) == default), None)
    if chosen is None:
        return None
    version = versions[chosen]
    return version.get("Document"), pointer + ("PolicyVersionList", chosen, "Document"), text(version.get("CreateDate"))


def _decoded(value: str) -> dict | None:
    """A policy document written as URL-encoded (or plain) JSON text; None when it is not one."""
    try:
        data = json.loads(unquote(value))
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _session(doc: Document, role: dict, base: tuple, name: str) -> tuple[Credential, ...]:
    duration = role.get("MaxSessionDuration")
    if not isinstance(duration, int) or isinstance(duration, bool):
        return ()
    location = doc.key_location(base + ("MaxSessionDuration",))
    return (Credential(location=location, field_locations={"ttl": location}, identity=name,
                       name=f"session of role {name}", type="aws-sts", issuance="jit", ttl=f"{duration}s"),)


def link(inventory: Inventory) -> None:
    """Join each Kubernetes ServiceAccount that runs as an IAM role (the EKS annotation
    `eks.amazonaws.com/role-arn`, read by the Kubernetes source as a credential) to the role,
    when the project holds it: the account gets the role's permission Grants, each with the
    annotation's ARN as its `identity`. Roles are indexed by (account, name) once."""
    roles: dict[tuple[str, str], Identity] = {}
    for identity in inventory.identities:
        if identity.source_format == FORMAT and identity.identity_type == "aws-iam-role":
            roles.setdefault(_role_key(identity.identity_id or identity.name), identity)
    if not roles:
        return
    positions: dict[int, int] | None = None
    for position, identity in enumerate(inventory.identities):
        if identity.source_format != "kubernetes":
            continue
        joined: list[Grant] = []
        for credential in identity.credentials:
            if credential.type != WEB_IDENTITY or not credential.source:
                continue
            key = _role_key(credential.source)
            role = roles.get(key) or roles.get(("", key[1]))
            if role is not None:
                joined.extend(grant.joined(identity=credential.source) for grant in role.grants
                              if "Principal" not in grant.field_locations)
        if joined:
            if positions is None:
                positions = {id(obj): index for index, obj in enumerate(inventory.objects)}
            account = identity.joined(grants=identity.grants + tuple(joined))
            inventory.identities[position] = account
            index = positions.get(id(identity))
            if index is not None:
                inventory.objects[index] = account


def read(doc: Document, out: SourceOutput) -> None:
    data = doc.data
    if is_aws_account_export(doc.path, data):
        _Export(doc, out).read()
        return
    if is_aws_access_key(data):
        _access_key(doc, data["AccessKey"], out)
        return
    base: tuple = ("Role",) if isinstance(data.get("Role"), dict) else ()
    role = data["Role"] if base else data
    name = (text(role.get("RoleName")) or text(data.get("PolicyName"))
            or posixpath.splitext(posixpath.basename(doc.path))[0])
    policy = _Policy(doc, name)
    policy.permissions(data, ())
    policy.grants = [grant for grant in policy.grants if not denied(grant, policy.denies)]
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
