"""Kubernetes: service accounts, their tokens, RBAC roles and the bindings between them.

* A ServiceAccount is an Identity. Kubernetes has no owner, purpose or expiry field, so
  none of those rules apply (`declares` is empty).
* Its tokens are Credentials: an automatically mounted token (`source="automount"`), a
  legacy `kubernetes.io/service-account-token` Secret (no TTL: it never expires), a
  projected token with its `expirationSeconds`.
* Each rule of a Role or ClusterRole is a Grant (verbs as actions; API groups, resources
  and non-resource URLs as resources), so wildcards fire NHI302 at the exact item;
  escalation verbs (`escalate`, `bind`, `impersonate`, `create serviceaccounts/token`)
  and bindings to `cluster-admin` are administrative grants (NHI303).
* `link` joins bindings to roles and subjects across documents and files of a project:
  the service account holds its roles' grants, and each role's grants name who holds them.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any, Callable

from nhilint.model import Credential, Grant, Identity, Inventory, Location
from nhilint.sources import SourceOutput
from nhilint.sources.mapping import (item_locations, key_locations, list_pointers, mapping, sequence,
                                     text, texts)
from nhilint.sources.yaml_loader import Document

FORMAT = "kubernetes"
AUTOMOUNT = "automount"
DEFAULT_PROJECTED_TTL = 3600  # ServiceAccountTokenProjection.expirationSeconds default
CLUSTER_ADMIN = "cluster-admin"
# Groups that stand for everyone of a kind: binding a role to one grants it to all of them.
EVERYONE = frozenset({"system:anonymous", "system:unauthenticated", "system:authenticated",
                      "system:serviceaccounts"})
# (verbs, resources) pairs that let a holder raise its own privileges or act as someone else
ESCALATIONS: tuple[tuple[frozenset[str], frozenset[str]], ...] = (
    (frozenset({"escalate", "bind"}), frozenset({"roles", "clusterroles"})),
    (frozenset({"impersonate"}),
     frozenset({"users", "groups", "serviceaccounts", "uids", "userextras/scopes", "userextras"})),
    (frozenset({"create"}), frozenset({"serviceaccounts/token"})),
)
POD_SPECS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


@dataclasses.dataclass(frozen=True)
class Binding:
    """A RoleBinding or ClusterRoleBinding: who (`subjects`, identity names) holds which role."""

    location: Location
    name: str
    role: str  # the role's key, as `role_key` makes it
    subjects: tuple[str, ...]


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
        self.name = text(metadata.get("name")) or f"{doc.path}#{doc.index}"
        self.namespace = text(metadata.get("namespace")) or "default"
        # findings about the object as a whole point at its name
        self.location = (doc.value_location(("metadata", "name")) if "name" in metadata
                         else doc.value_location(()))

    def key(self, *pointer: Any) -> Location:
        return self.doc.key_location(pointer) if self.doc.has(pointer) else self.location


def _service_account(obj: _Object, out: SourceOutput) -> None:
    name = service_account_name(obj.namespace, obj.name)
    credentials = ()
    if obj.data.get("automountServiceAccountToken") is not False:
        credentials = (_automounted(obj, name, ("automountServiceAccountToken",)),)
    out.identities.append(Identity(
        location=obj.location, field_locations=key_locations(obj.doc, (), obj.data),
        name=name, source_format=FORMAT, declares=frozenset(), identity_type="service-account",
        identity_id=f"system:serviceaccount:{obj.namespace}:{obj.name}", has_identity_block=True,
        credentials=credentials,
    ))


def _automounted(obj: _Object, identity: str, pointer: tuple) -> Credential:
    # The mounted token is a bound token (about an hour, refreshed by the kubelet): its
    # risk is that every pod gets one whether it calls the API or not (NHI306).
    setting = "true" if obj.doc.has(pointer) else "unset"
    return Credential(location=obj.key(*pointer), identity=identity,
                      name=f"automountServiceAccountToken {setting} on {obj.kind} {obj.namespace}/{obj.name}",
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
                grants.append(Grant(
                    location=obj.doc.value_location(verb_pointer), identity=role,
                    name=f"{role}: {verb} {', '.join(reached)}", admin=True))
    return grants


def _role(obj: _Object, out: SourceOutput) -> None:
    role = role_key(obj.kind, obj.namespace, obj.name)
    for index, rule in enumerate(sequence(obj.data.get("rules"))):
        if not isinstance(rule, dict):
            continue
        pointer = ("rules", index)
        resource_fields = ("apiGroups", "resources", "nonResourceURLs")
        resources = tuple(r for f in resource_fields for r in texts(rule.get(f)))
        resource_pointers = [p for f in resource_fields for p in list_pointers(pointer + (f,), rule.get(f))]
        out.objects.append(Grant(
            location=obj.doc.value_location(pointer),
            field_locations=key_locations(obj.doc, pointer, rule),
            item_locations=item_locations(obj.doc, "actions",
                                          list_pointers(pointer + ("verbs",), rule.get("verbs")))
            | item_locations(obj.doc, "resources", resource_pointers),
            identity=role, name=f"{role} rules[{index}]", actions=texts(rule.get("verbs")),
            resources=resources,
        ))
        out.objects.extend(_escalations(obj, role, index, rule))


def _binding(obj: _Object, out: SourceOutput) -> None:
    ref = mapping(obj.data.get("roleRef"))
    role_name = text(ref.get("name")) or "?"
    role = role_key(text(ref.get("kind")) or "ClusterRole", obj.namespace, role_name)
    subjects = []
    binding = f"{obj.kind} {obj.name}"
    for index, subject in enumerate(sequence(obj.data.get("subjects"))):
        if isinstance(subject, dict) and subject.get("kind") == "ServiceAccount":
            namespace = text(subject.get("namespace")) or obj.namespace
            subjects.append(service_account_name(namespace, text(subject.get("name")) or "?"))
        elif isinstance(subject, dict):
            subjects.append(f"{subject.get('kind')} {subject.get('name')}")
            if subject.get("name") in EVERYONE:
                # the role goes to every (authenticated) caller or service account: a wildcard holder
                at = obj.doc.value_location(("subjects", index, "name"))
                out.objects.append(Grant(
                    location=at, item_locations={"resources[0]": at}, identity=binding,
                    name=f"{binding} -> {role} for group {subject.get('name')}", resources=("*",)))
    where = obj.doc.value_location(("roleRef", "name")) if "name" in ref else obj.location
    out.objects.append(Binding(where, binding, role, tuple(subjects)))
    if role_name == CLUSTER_ADMIN:
        out.objects.append(Grant(location=where, identity=", ".join(subjects) or binding,
                                 name=f"{binding} -> {CLUSTER_ADMIN}", admin=True))


def _workload(obj: _Object, out: SourceOutput) -> None:
    pointer = POD_SPECS[obj.kind]
    spec: Any = obj.data
    for part in pointer:
        spec = mapping(spec.get(part))
    account = text(spec.get("serviceAccountName")) or text(spec.get("serviceAccount")) or "default"
    identity = service_account_name(obj.namespace, account)
    if spec.get("automountServiceAccountToken") is True:
        out.objects.append(_automounted(obj, identity, pointer + ("automountServiceAccountToken",)))
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


def read(doc: Document, out: SourceOutput) -> None:
    obj = _Object(doc)
    READERS[obj.kind](obj, out)


def link(inventory: Inventory) -> None:
    """Join bindings to roles and subjects across the project's documents and files.

    Each role's grants are renamed for the service accounts bound to them (so a wildcard
    finding says who holds it), and each service account identity gets its roles' grants
    and its token Secrets.
    """
    holders: dict[str, set[str]] = defaultdict(set)
    for binding in inventory.of_type(Binding):
        holders[binding.role].update(binding.subjects)
    accounts = {i.name: i for i in inventory.identities if i.source_format == FORMAT}
    held: dict[str, list[Grant]] = defaultdict(list)
    extra_credentials: dict[str, list[Credential]] = defaultdict(list)
    for index, obj in enumerate(inventory.objects):
        if isinstance(obj, Grant) and holders.get(obj.identity):
            names = sorted(holders[obj.identity])
            obj = dataclasses.replace(obj, name=f"{obj.name} (bound to {', '.join(names)})")
            inventory.objects[index] = obj
            for name in names:
                held[name].append(obj)
        elif isinstance(obj, Credential) and obj.identity in accounts and obj.source != AUTOMOUNT:
            extra_credentials[obj.identity].append(obj)
    object_positions = {id(obj): index for index, obj in enumerate(inventory.objects)}
    for position, identity in enumerate(inventory.identities):
        if identity.name in held or identity.name in extra_credentials:
            joined = dataclasses.replace(
                identity, grants=identity.grants + tuple(held[identity.name]),
                credentials=identity.credentials + tuple(extra_credentials[identity.name]))
            inventory.identities[position] = joined
            inventory.objects[object_positions[id(identity)]] = joined
