"""NHI31x: Kubernetes RBAC, judged by what a grant lets its holder do.

NHI302 and NHI303 catch wildcards and the administrative grants (cluster-admin, `bind`,
`escalate`, `impersonate`, `create serviceaccounts/token`). These rules name the grants
without a wildcard that still hand over the cluster's keys: reading Secrets, running
commands in pods, starting pods (which run as any service account of their namespace) and
bindings to the built-in `admin` and `edit` roles.

They read two facts the Kubernetes source records, `RbacRule` (one rule of a Role or
ClusterRole, with who holds it once bindings are joined) and `RbacBinding`. A rule whose
resources are `*` is left to NHI302, which already says "all resources": naming each
family it reaches as well would repeat one fix four times; so is a rule of all verbs (`*`),
which NHI302 reports as "all verbs on ...", and these rules judge once it lists them.
Grants of named resources are warnings: controllers need some of them (an ingress
controller reads TLS Secrets), so the message names the holder and the narrower grant to
use, for a maintainer to decide.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from nhilint.model import Violation

if TYPE_CHECKING:  # the facts load with the first file of their format, not on every run
    from nhilint.facts import RbacBinding, RbacRule

from nhilint.rules import RuleContext, first_few, rule

_ROLE = ("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: agent\n"
         "  namespace: tools\nrules:\n")
_BOUND = ("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n"
          "  name: agent\n  namespace: tools\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n"
          "  kind: Role\n  name: agent\nsubjects:\n  - kind: ServiceAccount\n    name: agent\n")
_REFERENCES = ("OWASP-NHI5", "OWASP-AGENTIC-T3", "NIST-CSF-PR.AA-05", "MAESTRO-L4")


# -- NHI310 -------------------------------------------------------------------------------

_READ = frozenset({"get", "list", "watch"})
CORE = ""  # the core API group (as nhilint.facts.CORE)
_SECRETS = {"secrets": frozenset({CORE})}


@rule(
    id="NHI310", name="secret-read-grant", category="privilege", severity="warning",
    targets=("nhilint.facts.RbacRule",), references=_REFERENCES,
    summary="A Kubernetes role reads Secrets (`get`, `list` or `watch` on `secrets`) without "
            "naming them.",
    rationale="Secrets hold service account tokens, TLS keys and cloud credentials: an identity "
              "that lists them can act as every account whose token it reads. Through a "
              "ClusterRoleBinding it reads every namespace's Secrets.",
    remediation="Name the Secrets the workload needs in `resourceNames`, and grant the read in a "
                "Role of the namespace that holds them rather than a ClusterRole bound cluster-wide.",
    bad=_ROLE + '  - apiGroups: [""]\n    resources: ["secrets"]\n    verbs: ["get", "list"]\n' + _BOUND,
    good=_ROLE + '  - apiGroups: [""]\n    resources: ["secrets"]\n    resourceNames: ["agent-api-key"]\n'
         '    verbs: ["get"]\n' + _BOUND,
)
def secret_read_grant(rule_: RbacRule, ctx: RuleContext) -> Iterator[Violation]:
    verbs, indexes = rule_.matching(_READ, _SECRETS)
    if not indexes:
        return
    fix = ("name the Secrets it needs in resourceNames" if not rule_.cluster_role else
           "name the Secrets it needs in resourceNames, or grant the read in a Role of the namespace "
           "that holds them")
    yield Violation(
        rule_.resource_at(indexes[0]),
        f"{rule_.title}{rule_.held()} lets it read {rule_.scope('every Secret')} ({', '.join(verbs)}), "
        f"service account tokens and TLS keys included; {fix}", rule_.role,
        f"{rule_.role}.rules[{rule_.index}].secrets.read")


# -- NHI311 -------------------------------------------------------------------------------

_INTO_PODS = {"pods/exec": "run commands in", "pods/attach": "attach to",
              "pods/portforward": "open connections to"}
_NODE_PROXY = "nodes/proxy"


@rule(
    id="NHI311", name="pod-exec-grant", category="privilege", severity="warning",
    targets=("nhilint.facts.RbacRule",), references=_REFERENCES,
    summary="A Kubernetes role may exec into, attach to or port-forward to pods, or proxy to "
            "the kubelet (`pods/exec`, `pods/attach`, `pods/portforward`, `nodes/proxy`).",
    rationale="A command run in a pod runs with that pod's service account token, mounted "
              "Secrets and network reach: the holder becomes every workload it can reach. "
              "`nodes/proxy` reaches the kubelet, whose API runs commands in every pod on the "
              "node, even with `get` alone (a WebSocket exec is a GET).",
    remediation="Remove the subresource from standing roles; grant it for a debugging session "
                "only, through a binding created and deleted with the session.",
    bad=_ROLE + '  - apiGroups: [""]\n    resources: ["pods/exec"]\n    verbs: ["create"]\n' + _BOUND,
    good=_ROLE + '  - apiGroups: [""]\n    resources: ["pods", "pods/log"]\n    verbs: ["get", "list"]\n' + _BOUND,
)
def pod_exec_grant(rule_: RbacRule, ctx: RuleContext) -> Iterator[Violation]:
    reached = dict.fromkeys(_INTO_PODS, frozenset({CORE}))
    if rule_.cluster_role and (rule_.cluster_bindings or not rule_.bound_namespaces):
        reached[_NODE_PROXY] = frozenset({CORE})  # nodes are cluster-scoped: a RoleBinding grants none
    verbs, indexes = rule_.matching(frozenset({"get", "create"}), reached)
    if not indexes:
        return
    named = [rule_.resources[i] for i in indexes]
    does = []
    pod_actions = [_INTO_PODS[r] for r in named if r in _INTO_PODS]
    if pod_actions:
        joined = pod_actions[0] if len(pod_actions) == 1 else f"{', '.join(pod_actions[:-1])} and {pod_actions[-1]}"
        does.append(f"{joined} {rule_.scope('any pod')}")
    if _NODE_PROXY in named:
        does.append("call the kubelet API of every node, which runs commands in any pod on it")
    fix = ("grant it only for a debugging session" if pod_actions else
           "grant it only to a node agent that must call the kubelet")
    yield Violation(
        rule_.resource_at(indexes[0]),
        f"{rule_.title}{rule_.held()} grants {', '.join(verbs)} on {', '.join(named)}: it can "
        f"{' and '.join(does)}, with the pods' service account tokens and Secrets; "
        f"{fix}", rule_.role, f"{rule_.role}.rules[{rule_.index}].pods.exec")


# -- NHI313 -------------------------------------------------------------------------------

_APPS = frozenset({"apps", "extensions"})
_WORKLOADS = {"pods": frozenset({CORE}), "replicationcontrollers": frozenset({CORE}),
              "deployments": _APPS, "daemonsets": _APPS, "replicasets": _APPS,
              "statefulsets": frozenset({"apps"}), "jobs": frozenset({"batch"}),
              "cronjobs": frozenset({"batch"})}


@rule(
    id="NHI313", name="workload-create-grant", category="privilege", severity="warning",
    targets=("nhilint.facts.RbacRule",), references=_REFERENCES,
    summary="A Kubernetes role creates or changes pods or the workloads that make them "
            "(Deployments, DaemonSets, StatefulSets, ReplicaSets, Jobs, CronJobs, "
            "ReplicationControllers).",
    rationale="A pod may name any service account of its namespace and mount any of its "
              "Secrets, so whoever creates or edits pods there runs code with every account's "
              "privileges, whatever its own role says.",
    remediation="Bind the role only to the deployer that needs it, and restrict the service "
                "accounts and Secrets its pods may use with an admission policy "
                "(ValidatingAdmissionPolicy, Kyverno or Gatekeeper).",
    bad=_ROLE + '  - apiGroups: ["apps"]\n    resources: ["deployments"]\n'
        '    verbs: ["get", "create", "patch"]\n' + _BOUND,
    good=_ROLE + '  - apiGroups: ["apps"]\n    resources: ["deployments"]\n    verbs: ["get", "list", "watch"]\n'
         + _BOUND,
)
def workload_create_grant(rule_: RbacRule, ctx: RuleContext) -> Iterator[Violation]:
    verbs, indexes = rule_.matching(frozenset({"create", "update", "patch"}), _WORKLOADS)
    if not indexes:
        return
    named = ", ".join(rule_.resources[i] for i in indexes)
    act = ", ".join(verbs)
    yield Violation(
        rule_.resource_at(indexes[0]),
        f"{rule_.title}{rule_.held()} lets it {act} {named} in {rule_.where()}: "
        "the pods it starts or changes run any code as any service account there, with its token "
        "and Secrets; bind it only to the deployer and limit the accounts pods may use with an "
        "admission policy", rule_.role, f"{rule_.role}.rules[{rule_.index}].workloads.write")


# -- NHI314 -------------------------------------------------------------------------------

_BUILTIN = {
    "admin": "read every Secret, run pods as any service account and grant roles",
    "edit": "read every Secret and run pods as any service account",
}


@rule(
    id="NHI314", name="builtin-role-binding", category="privilege", severity="warning",
    targets=("nhilint.facts.RbacBinding",), references=_REFERENCES,
    summary="A binding to the built-in `admin` or `edit` ClusterRole (`cluster-admin` is NHI303).",
    rationale="`edit` reads every Secret of the namespace and creates pods that run as any of "
              "its service accounts; `admin` adds granting roles. Bound by a ClusterRoleBinding, "
              "they hold in every namespace, kube-system included.",
    remediation="Bind a Role that lists the verbs and resources the identity needs, in the "
                "namespace it works in.",
    bad=_BOUND.replace("kind: Role\n  name: agent", "kind: ClusterRole\n  name: edit").lstrip("-\n"),
    good=_BOUND.replace("kind: Role\n  name: agent", "kind: ClusterRole\n  name: view").lstrip("-\n"),
)
def builtin_role_binding(binding: RbacBinding, ctx: RuleContext) -> Iterator[Violation]:
    does = _BUILTIN.get(binding.role_name) if binding.role_kind == "ClusterRole" else None
    if does is None:
        return
    where = "every namespace" if binding.cluster_wide else f"namespace {binding.namespace}"
    who = first_few(list(binding.subjects), len(binding.subjects)) or "its subjects"
    yield Violation(
        binding.location,
        f"{binding.name} binds the built-in ClusterRole {binding.role_name} to {who}, which lets "
        f"it {does} in {where}; bind a Role listing only the verbs and resources it needs",
        binding.name, f"{binding.name}.roleRef.{binding.role_name}")


RULES = (secret_read_grant, pod_exec_grant, workload_create_grant, builtin_role_binding)
