"""Kubernetes: service accounts, their tokens, RBAC roles and the bindings between them.

* A ServiceAccount is an Identity. Kubernetes has no owner, purpose or expiry field, so
  none of those rules apply (`declares` is empty).
* Its tokens are Credentials: the token it mounts into every pod by default
  (`source="automount"`, unless the account sets `automountServiceAccountToken: false`), a
  legacy `kubernetes.io/service-account-token` Secret (no TTL: it never expires), a
  projected token with its `expirationSeconds`. A pod spec's own
  `automountServiceAccountToken: true` is the opt-in Kubernetes recommends for the pod that
  calls the API, not a default: it is no credential of its own.
* Each rule of a Role or ClusterRole is a Grant (verbs as actions; API groups, resources
  and non-resource URLs as resources) that says what it covers in RBAC's words, so a
  wildcard rule is one NHI302 ("all verbs on all resources in all API groups"); escalation
  verbs (`escalate`, `bind`, `impersonate`, `create serviceaccounts/token`) and bindings to
  `cluster-admin` are administrative grants (NHI303), a binding to everyone of a kind
  (`system:authenticated`, ...) a wildcard holder (NHI302 at the subject).
* `link` joins bindings to roles and subjects across documents and files of a project:
  the service account holds its roles' grants, and each role's grants name who holds them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from nhilint.model import Credential, Grant, Identity, Inventory, Location, loaded_type
from nhilint.sources import SourceOutput
from nhilint.sources.mapping import item_locations, key_locations, list_pointers, mapping, sequence, text, texts
from nhilint.sources.yaml_loader import Document

if TYPE_CHECKING:
    from nhilint.facts import RbacAggregation, RbacBinding, RbacRule

FORMAT = "kubernetes"
AUTOMOUNT = "automount"
DEFAULT_PROJECTED_TTL = 3600  # ServiceAccountTokenProjection.expirationSeconds default
CLUSTER_ADMIN = "cluster-admin"
# Subjects that stand for everyone of a kind: binding a role to one grants it to all of them.
EVERYONE = {"system:anonymous": "anonymous requests", "system:unauthenticated": "every unauthenticated request",
            "system:authenticated": "every authenticated user",
            "system:serviceaccounts": "every service account in the cluster"}
NAMESPACE_ACCOUNTS = "system:serviceaccounts:"  # + a namespace: every service account in it
# (verbs, resources) pairs that let a holder raise its own privileges or act as someone else
ESCALATIONS: tuple[tuple[frozenset[str], frozenset[str]], ...] = (
    (frozenset({"escalate", "bind"}), frozenset({"roles", "clusterroles"})),
    (frozenset({"impersonate"}),
     frozenset({"users", "groups", "serviceaccounts", "uids", "userextras/scopes", "userextras"})),
    (frozenset({"create"}), frozenset({"serviceaccounts/token"})),
)
CERTIFICATES = "certificates.k8s.io"
CSR, CSR_APPROVAL = "certificatesigningrequests", "certificatesigningrequests/approval"
AGGREGATE_TO = "rbac.authorization.k8s.io/aggregate-to-"  # + admin | edit | view
BUILTIN_ROLES = ("admin", "edit", "view")
BOOTSTRAPPING = "kubernetes.io/bootstrapping"  # the label of the cluster's own default roles
POD_SPECS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


def service_account_name(namespace: str, name: str) -> str:
    return f"ServiceAccount {namespace}/{name}"


def role_key(kind: str, namespace: str, name: str) -> str:
    return f"ClusterRole {name}" if kind == "ClusterRole" else f"Role {namespace}/{name}"


class _Object:
    """One Kubernetes object of a document: its kind, name, namespace and locations."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.data: dict = doc.data
        self.kind: str = doc.data["kind"]
        metadata = mapping(self.data.get("metadata"))
        self.annotations = mapping(metadata.get("annotations"))
        self.labels = mapping(metadata.get("labels"))
        self.name = text(metadata.get("name")) or f"{doc.path}#{doc.index}"
        self.namespace = text(metadata.get("namespace")) or "default"
        # findings about the object as a whole point at its name
        self.location = (doc.value_location(("metadata", "name")) if "name" in metadata
                         else doc.value_location(()))

    def key(self, *pointer: Any) -> Location:
        return self.doc.key_location(pointer) if self.doc.has(pointer) else self.location


# Workload identity federation: the annotation that makes an account's pods a cloud identity
# -> (credential type, what the value names). The cloud session lasts an hour by default.
FEDERATED = {
    "eks.amazonaws.com/role-arn": ("aws-web-identity", "IAM role"),
    "iam.gke.io/gcp-service-account": ("gcp-workload-identity", "Google service account"),
    "azure.workload.identity/client-id": ("azure-workload-identity", "Azure managed identity"),
}


def _federated(obj: _Object, identity: str) -> tuple[Credential, ...]:
    """The cloud identity each federation annotation names, as a short-lived credential of
    the account whose `source` is the annotation's value (a role ARN, an e-mail, a client id).
    Only an EKS role is joined to anything (`aws_iam.link`): GKE and Azure are recorded."""
    found = []
    for key, (kind, what) in FEDERATED.items():
        value = text(obj.annotations.get(key))
        if value and value.strip():
            location = obj.doc.value_location(("metadata", "annotations", key))
            found.append(Credential(
                location=location, field_locations={"ttl": location}, identity=identity,
                name=f"{what} {value.strip()} ({key})", type=kind, issuance="jit", ttl="1h",
                source=value.strip()))
    return tuple(found)


def _service_account(obj: _Object, out: SourceOutput) -> None:
    name = service_account_name(obj.namespace, obj.name)
    credentials: tuple[Credential, ...] = ()
    if obj.data.get("automountServiceAccountToken") is not False:
        credentials = (_automounted(obj, name),)
    if obj.annotations:  # the link step puts them on the account, as it does its token Secrets
        out.objects.extend(_federated(obj, name))
    out.identities.append(Identity(
        location=obj.location, field_locations=key_locations(obj.doc, (), obj.data),
        name=name, source_format=FORMAT, declares=frozenset(), identity_type="service-account",
        identity_id=f"system:serviceaccount:{obj.namespace}:{obj.name}", has_identity_block=True,
        credentials=credentials,
    ))


def _automounted(obj: _Object, identity: str) -> Credential:
    # The mounted token is a bound token (about an hour, refreshed by the kubelet): its
    # risk is that every pod of the account gets one whether it calls the API or not (NHI306).
    pointer = ("automountServiceAccountToken",)
    setting = "automountServiceAccountToken: true" if obj.doc.has(pointer) else "automountServiceAccountToken unset"
    return Credential(location=obj.key(*pointer), identity=identity,
                      name=f"the API token of {identity} ({setting})",
                      type="service-account-token", issuance="jit", ttl="1h", source=AUTOMOUNT)


def _token_secret(obj: _Object, out: SourceOutput) -> None:
    if obj.data.get("type") != "kubernetes.io/service-account-token":
        return  # other Secrets: their values are scanned for secrets like any document's
    account = text(obj.annotations.get("kubernetes.io/service-account.name"))
    out.objects.append(Credential(
        location=obj.key("type"), identity=service_account_name(obj.namespace, account or "?"),
        name=f"Secret {obj.namespace}/{obj.name}", type="service-account-token",
        source=f"k8s://{obj.namespace}/secrets/{obj.name}",
        remedy="delete the Secret and mount a projected serviceAccountToken with a short "
               "expirationSeconds",
    ))


def _escalations(obj: _Object, role: str, index: int, rule: dict) -> list[Grant]:
    pointer = ("rules", index)
    verbs = texts(rule.get("verbs"))
    resources = set(texts(rule.get("resources")))
    verb_pointers = list_pointers(pointer + ("verbs",), rule.get("verbs"))
    grants = []
    for dangerous_verbs, targets in ESCALATIONS:
        reached = ["*"] if "*" in resources else sorted(resources & targets)
        for verb, verb_pointer in zip(verbs, verb_pointers):
            if verb in dangerous_verbs and reached:
                name = f"{role}: {verb} {', '.join(reached)}"
                grants.append(Grant(location=obj.doc.value_location(verb_pointer), identity=role,
                                    name=name, label=name, admin=True))
    return grants


def _listed(values: tuple[str, ...], every: str) -> str:
    return every if "*" in values else ", ".join(values)


def _api_groups(groups: tuple[str, ...]) -> str:
    if "*" in groups:
        return "all API groups"
    names = [group or "core" for group in groups] or ["core"]
    if len(names) == 1:
        return f"the {names[0]} API group"
    return f"the {', '.join(names[:-1])} and {names[-1]} API groups"


def _covers(rule: dict) -> tuple[str, str]:
    """What an RBAC rule allows, in RBAC's words, and the fix naming the lists that hold a wildcard."""
    lists = {name: texts(rule.get(key)) for name, key in (
        ("verbs", "verbs"), ("API groups", "apiGroups"), ("resources", "resources"),
        ("non-resource URLs", "nonResourceURLs"))}
    reached = []
    if lists["resources"] or lists["API groups"]:
        reached.append(f"{_listed(lists['resources'], 'all resources')} in {_api_groups(lists['API groups'])}")
    if lists["non-resource URLs"]:
        reached.append(_listed(lists["non-resource URLs"], "all non-resource URLs"))
    wild = [name for name, values in lists.items() if any("*" in value for value in values)]
    named = f"{', '.join(wild[:-1])} and {wild[-1]}" if len(wild) > 1 else "".join(wild)
    fix = f"list the {named} it needs" if wild else ""
    return f"{_listed(lists['verbs'], 'all verbs')} on {' and '.join(reached)}", fix


def _role_grants(rules: list[tuple[int, dict, dict[str, tuple[str, ...]]]]) -> frozenset[str]:
    """What the rules of one role grant that a rule of it needs beside its own (ROLE_* tags)."""
    from nhilint.facts import ROLE_CSR_APPROVAL, ROLE_CSR_CREATE

    tags = set()
    for _, rule, lists in rules:
        groups = lists["apiGroups"]
        if (CERTIFICATES not in groups and "*" not in groups) or texts(rule.get("resourceNames")):
            continue
        verbs, resources = set(lists["verbs"]), set(lists["resources"])
        every = "*" in resources
        if (every or CSR_APPROVAL in resources) and verbs & {"update", "patch", "*"}:
            tags.add(ROLE_CSR_APPROVAL)
        if (every or CSR in resources) and verbs & {"create", "*"}:
            tags.add(ROLE_CSR_CREATE)
    return frozenset(tags)


def _aggregates_to(obj: _Object) -> tuple[str, ...]:
    """The built-in roles a ClusterRole's `aggregate-to-*` labels add its rules to; none for
    the cluster's own default roles (the bootstrapping label), which are what they are made of."""
    labels = obj.labels
    if obj.kind != "ClusterRole" or not labels or BOOTSTRAPPING in labels:
        return ()
    return tuple(role for role in BUILTIN_ROLES
                 if str(labels.get(AGGREGATE_TO + role, "")).lower() == "true")


def _aggregation(obj: _Object, out: SourceOutput) -> None:
    selectors: list[str] = []
    for selector in sequence(mapping(obj.data.get("aggregationRule")).get("clusterRoleSelectors")):
        selector = mapping(selector)
        selectors.extend(f"{key}={text(value) or ''}" for key, value in mapping(selector.get("matchLabels")).items())
        for expression in sequence(selector.get("matchExpressions")):
            expression = mapping(expression)
            values = ", ".join(texts(expression.get("values")))
            selectors.append(f"{text(expression.get('key')) or '?'} {text(expression.get('operator')) or '?'}"
                             + (f" ({values})" if values else ""))
    from nhilint.facts import RbacAggregation

    out.objects.append(RbacAggregation(
        location=obj.key("aggregationRule"), role=role_key(obj.kind, obj.namespace, obj.name),
        selectors=tuple(selectors) or ("(no selector)",)))


def _role(obj: _Object, out: SourceOutput) -> None:
    role = role_key(obj.kind, obj.namespace, obj.name)
    if obj.kind == "ClusterRole" and isinstance(obj.data.get("aggregationRule"), dict):
        _aggregation(obj, out)
    # Each list read once: the Grant (for the wildcard and admin rules) and the RbacRule
    # (for the NHI31x rules) share them, and the locations they are made of.
    rules = [(index, rule, {f: texts(rule.get(f)) for f in ("verbs", "apiGroups", "resources", "nonResourceURLs")})
             for index, rule in enumerate(sequence(obj.data.get("rules"))) if isinstance(rule, dict)]
    role_grants = _role_grants(rules)
    aggregates_to = _aggregates_to(obj)
    from nhilint.facts import RbacRule  # loaded with the first Role: a costly dataclass module

    for index, rule, lists in rules:
        pointer = ("rules", index)
        pointers = {f: list_pointers(pointer + (f,), rule.get(f)) for f in lists}
        location, fields = obj.doc.value_location(pointer), key_locations(obj.doc, pointer, rule)
        verb_items = item_locations(obj.doc, "verbs", pointers["verbs"])
        covers, fix = _covers(rule)
        out.objects.append(Grant(
            location=location, field_locations=fields,
            item_locations=item_locations(obj.doc, "actions", pointers["verbs"])
            | item_locations(obj.doc, "resources", pointers["apiGroups"] + pointers["resources"]
                             + pointers["nonResourceURLs"]),
            identity=role, name=f"{role} rules[{index}]", label=f"{role} rules[{index}]",
            actions=lists["verbs"], resources=lists["apiGroups"] + lists["resources"] + lists["nonResourceURLs"],
            covers=covers, remedy=fix,
        ))
        out.objects.extend(_escalations(obj, role, index, rule))
        out.objects.append(RbacRule(
            location=location, field_locations=fields,
            item_locations=verb_items | item_locations(obj.doc, "resources", pointers["resources"]),
            role=role, index=index, cluster_role=obj.kind == "ClusterRole", namespace=obj.namespace,
            verbs=lists["verbs"], api_groups=lists["apiGroups"], resources=lists["resources"],
            resource_names=texts(rule.get("resourceNames")), aggregates_to=aggregates_to,
            role_grants=role_grants))


def _binding(obj: _Object, out: SourceOutput) -> None:
    ref = mapping(obj.data.get("roleRef"))
    role_name = text(ref.get("name")) or "?"
    role_kind = text(ref.get("kind")) or "ClusterRole"
    role = role_key(role_kind, obj.namespace, role_name)
    subjects = []
    binding = f"{obj.kind} {obj.name}"
    for index, subject in enumerate(sequence(obj.data.get("subjects"))):
        if isinstance(subject, dict) and subject.get("kind") == "ServiceAccount":
            namespace = text(subject.get("namespace")) or obj.namespace
            subjects.append(service_account_name(namespace, text(subject.get("name")) or "?"))
        elif isinstance(subject, dict):
            who = f"{subject.get('kind')} {subject.get('name')}"
            subjects.append(who)
            everyone = _everyone(text(subject.get("name")) or "")
            if everyone:
                # the role goes to every caller (or account) of a kind: a wildcard holder
                at = obj.doc.value_location(("subjects", index, "name"))
                out.objects.append(Grant(
                    location=at, item_locations={"resources[0]": at}, identity=binding,
                    name=f"{binding} -> {role} for {who}", label=binding, resources=("*",),
                    covers=f"{role} to {everyone} ({who})",
                    remedy="bind it to the users, groups or service accounts that need it"))
    where = obj.doc.value_location(("roleRef", "name")) if "name" in ref else obj.location
    from nhilint.facts import RbacBinding

    out.objects.append(RbacBinding(
        location=where, name=binding, role=role, role_name=role_name, role_kind=role_kind,
        namespace=obj.namespace, cluster_wide=obj.kind == "ClusterRoleBinding", subjects=tuple(subjects)))
    if role_name == CLUSTER_ADMIN:
        out.objects.append(Grant(location=where, identity=", ".join(subjects) or binding,
                                 name=f"{binding} -> {CLUSTER_ADMIN}",
                                 label=f"{binding} (roleRef {CLUSTER_ADMIN})", admin=True))


def _everyone(name: str) -> str | None:
    """Who a subject that stands for everyone of a kind is, in RBAC's words; None for anyone else."""
    if name.startswith(NAMESPACE_ACCOUNTS) and len(name) > len(NAMESPACE_ACCOUNTS):
        return f"every service account in namespace {name[len(NAMESPACE_ACCOUNTS):]}"
    return EVERYONE.get(name)


def _workload(obj: _Object, out: SourceOutput) -> None:
    pointer = POD_SPECS[obj.kind]
    spec: Any = obj.data
    for part in pointer:
        spec = mapping(spec.get(part))
    account = text(spec.get("serviceAccountName")) or text(spec.get("serviceAccount")) or "default"
    identity = service_account_name(obj.namespace, account)
    for v_index, volume in enumerate(sequence(spec.get("volumes"))):
        sources = mapping(mapping(volume).get("projected")).get("sources")
        for s_index, source in enumerate(sources if isinstance(sources, list) else []):
            token = mapping(source).get("serviceAccountToken")
            if not isinstance(token, dict):
                continue
            at = pointer + ("volumes", v_index, "projected", "sources", s_index, "serviceAccountToken")
            seconds = token.get("expirationSeconds", DEFAULT_PROJECTED_TTL)
            out.objects.append(Credential(
                location=obj.doc.key_location(at), field_locations={"ttl": obj.key(*at, "expirationSeconds")},
                identity=identity, type="service-account-token", issuance="jit",
                name=f"projected token '{text(mapping(volume).get('name'))}' of {obj.kind} {obj.name}",
                ttl=f"{seconds}s" if isinstance(seconds, int) and not isinstance(seconds, bool) else text(seconds),
                scopes=texts(token.get("audience")),
            ))


READERS: dict[str, Callable[[_Object, SourceOutput], None]] = {
    "ServiceAccount": _service_account, "Secret": _token_secret, "Role": _role,
    "ClusterRole": _role, "RoleBinding": _binding, "ClusterRoleBinding": _binding,
    **{kind: _workload for kind in POD_SPECS},
}


MAX_LIST_DEPTH = 4  # a List of Lists: kubectl never nests deeper


def list_items(doc: Document, depth: int = 0) -> list[Document]:
    """The items of a `kind: List` (`kubectl get -o yaml`) or a typed list (`RoleList`, from
    the API), each a document located where it is in the file. A typed list's items carry
    no `kind` or `apiVersion` of their own: they get the list's."""
    data = doc.data
    kind = data.get("kind") if isinstance(data, dict) else None
    items = data.get("items") if isinstance(data, dict) else None
    if not (isinstance(kind, str) and kind.endswith("List") and isinstance(items, list)) or depth > MAX_LIST_DEPTH:
        return [doc]
    typed = {"kind": kind[:-len("List")], "apiVersion": data.get("apiVersion")} if kind != "List" else {}
    positions: defaultdict[Any, dict] = defaultdict(dict)  # by item: one pass over the positions
    for pointer, span in doc.positions.items():
        if len(pointer) >= 2 and pointer[0] == "items":
            positions[pointer[1]][tuple(pointer[2:])] = span
    documents = []
    for index, item in enumerate(items):
        if isinstance(item, dict):
            item_doc = Document(doc.path, {**typed, **item} if typed else item, doc.index, positions[index])
            documents.extend(list_items(item_doc, depth + 1))
    return documents


def read(doc: Document, out: SourceOutput) -> None:
    obj = _Object(doc)
    READERS[obj.kind](obj, out)


def link(inventory: Inventory) -> None:
    """Join bindings to roles and subjects across the project's documents and files.

    Each role's grants are labelled with the service accounts bound to them (so a wildcard
    finding says who holds it), and each service account identity gets its roles' grants
    and its token Secrets.
    """
    holders: dict[str, set[str]] = defaultdict(set)
    bindings: dict[str, list[RbacBinding]] = defaultdict(list)
    # The RBAC facts are loaded with the first Role or binding read: until then there are none.
    rule_type = cast("type[RbacRule] | None", loaded_type("nhilint.facts.RbacRule"))
    aggregation_type = cast("type[RbacAggregation] | None", loaded_type("nhilint.facts.RbacAggregation"))
    for binding in inventory.of_type("nhilint.facts.RbacBinding"):
        holders[binding.role].update(binding.subjects)
        bindings[binding.role].append(binding)
    accounts = {i.name: i for i in inventory.identities if i.source_format == FORMAT}
    held: dict[str, list[Grant]] = defaultdict(list)
    extra_credentials: dict[str, list[Credential]] = defaultdict(list)
    for index, obj in enumerate(inventory.objects):
        if isinstance(obj, Grant) and holders.get(obj.identity):
            names = sorted(holders[obj.identity])
            obj = obj.joined(label=f"{obj.title} (bound to {', '.join(names)})")
            inventory.objects[index] = obj
            for name in names:
                held[name].append(obj)
        elif rule_type is not None and isinstance(obj, rule_type) and obj.role in bindings:
            inventory.objects[index] = obj.joined(
                holders=tuple(sorted(holders[obj.role])),
                cluster_bindings=tuple(b.name for b in bindings[obj.role] if b.cluster_wide),
                bound_namespaces=tuple(b.namespace for b in bindings[obj.role] if not b.cluster_wide))
        elif isinstance(obj, Credential) and obj.identity in accounts and obj.source != AUTOMOUNT:
            extra_credentials[obj.identity].append(obj)
        elif aggregation_type is not None and isinstance(obj, aggregation_type) and obj.role in bindings:
            inventory.objects[index] = obj.joined(
                holders=tuple(sorted(holders[obj.role])),
                cluster_bindings=tuple(b.name for b in bindings[obj.role] if b.cluster_wide))
    object_positions = {id(obj): index for index, obj in enumerate(inventory.objects)}
    for position, identity in enumerate(inventory.identities):
        if identity.name in held or identity.name in extra_credentials:
            joined = identity.joined(
                grants=identity.grants + tuple(held[identity.name]),
                credentials=identity.credentials + tuple(extra_credentials[identity.name]))
            inventory.identities[position] = joined
            inventory.objects[object_positions[id(identity)]] = joined
