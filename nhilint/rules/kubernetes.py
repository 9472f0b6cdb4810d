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
    from nhilint.facts import RbacAggregation, RbacBinding, RbacRule

from nhilint.rules import SHOWN_IN_A_MESSAGE, RuleContext, first_few, rule

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


# -- NHI312 -------------------------------------------------------------------------------

_CERTIFICATES = "certificates.k8s.io"
ROLE_CSR_APPROVAL, ROLE_CSR_CREATE = "csr-approval", "csr-create"  # as nhilint.facts
_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client"
_NODE_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet"
_KUBERNETES_SIGNERS = "kubernetes.io/*"
_CLUSTER_ROLE = ("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: agent\n"
                 "rules:\n")
_CLUSTER_BOUND = ("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n"
                  "  name: agent\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n"
                  "  name: agent\nsubjects:\n  - kind: ServiceAccount\n    name: agent\n    namespace: tools\n")
_APPROVAL = ('  - apiGroups: ["certificates.k8s.io"]\n    resources: ["certificatesigningrequests"]\n'
             '    verbs: ["create", "get"]\n'
             '  - apiGroups: ["certificates.k8s.io"]\n    resources: ["certificatesigningrequests/approval"]\n'
             '    verbs: ["update"]\n')


def _cluster_scoped(rule_: RbacRule) -> bool:
    """Whether the rule reaches cluster-scoped objects: a ClusterRole bound cluster-wide (or
    not bound in the repository); a Role, or a ClusterRole bound by RoleBindings only, reaches none."""
    return rule_.cluster_role and bool(rule_.cluster_bindings or not rule_.bound_namespaces)


@rule(
    id="NHI312", name="certificate-approval-grant", category="privilege", severity="error",
    targets=("nhilint.facts.RbacRule",), references=_REFERENCES,
    summary="A Kubernetes ClusterRole approves certificate signing requests (`approve` on "
            "`signers`, with `update` on `certificatesigningrequests/approval`) for a signer "
            "of API client certificates.",
    rationale="The `kubernetes.io/kube-apiserver-client` signer issues a client certificate for "
              "whatever user and groups the request names, `system:masters` (cluster-admin, "
              "beyond RBAC) included, and a certificate cannot be revoked before it expires. "
              "An identity that can approve such requests, and create them, issues itself "
              "credentials for anyone; `kube-apiserver-client-kubelet` does the same for nodes.",
    remediation="Name in `resourceNames` of the `signers` rule only the signers the approver "
                "serves (its own, or `kubernetes.io/kubelet-serving`), never the API client "
                "signers, and keep `create` on certificatesigningrequests away from the approver.",
    bad=_CLUSTER_ROLE + _APPROVAL + '  - apiGroups: ["certificates.k8s.io"]\n    resources: ["signers"]\n'
        '    resourceNames: ["kubernetes.io/kube-apiserver-client"]\n    verbs: ["approve"]\n' + _CLUSTER_BOUND,
    good=_CLUSTER_ROLE + _APPROVAL + '  - apiGroups: ["certificates.k8s.io"]\n    resources: ["signers"]\n'
         '    resourceNames: ["kubernetes.io/kubelet-serving"]\n    verbs: ["approve"]\n' + _CLUSTER_BOUND,
)
def certificate_approval_grant(rule_: RbacRule, ctx: RuleContext) -> Iterator[Violation]:
    if (ROLE_CSR_APPROVAL not in rule_.role_grants or "approve" not in rule_.verbs or "*" in rule_.verbs
            or "signers" not in rule_.resources or not _cluster_scoped(rule_)
            or not ({_CERTIFICATES, "*"} & set(rule_.api_groups))):
        return
    names = rule_.resource_names
    if not names:
        signers = f"every signer, {_CLIENT_SIGNER} included"
    elif _KUBERNETES_SIGNERS in names:
        signers = f"every kubernetes.io signer, {_CLIENT_SIGNER} included"
    elif _CLIENT_SIGNER in names or _NODE_SIGNER in names:
        signers = " and ".join(n for n in (_CLIENT_SIGNER, _NODE_SIGNER) if n in names)
    else:
        return  # the signers it names issue no API client certificate of Kubernetes' own
    certificate = ("a node's client certificate for any node name (system:node:*, with the node's read of "
                   "its pods' Secrets)" if names and _CLIENT_SIGNER not in names and _KUBERNETES_SIGNERS not in names
                   else "a client certificate for any user and group, system:masters (cluster-admin) included")
    how = ("request and approve" if ROLE_CSR_CREATE in rule_.role_grants else "approve any request for")
    yield Violation(
        rule_.resource_at(rule_.resources.index("signers")),
        f"{rule_.title}{rule_.held()} approves certificate signing requests of {signers}, and its role "
        f"updates certificatesigningrequests/approval: it can {how} {certificate}; name only the signers "
        "it serves in resourceNames, never the API client signers", rule_.role,
        f"{rule_.role}.rules[{rule_.index}].signers.approve")


# -- NHI315 -------------------------------------------------------------------------------

_ADMISSION = frozenset({"admissionregistration.k8s.io"})
_MUTATING, _VALIDATING = "mutatingwebhookconfigurations", "validatingwebhookconfigurations"
_WEBHOOKS = {_MUTATING: _ADMISSION, _VALIDATING: _ADMISSION}
_WEBHOOK_WRITES = frozenset({"create", "update", "patch"})
_WEBHOOK_VERBS = _WEBHOOK_WRITES | {"delete", "deletecollection"}


@rule(
    id="NHI315", name="admission-webhook-grant", category="privilege", severity="warning",
    targets=("nhilint.facts.RbacRule",), references=_REFERENCES,
    summary="A Kubernetes ClusterRole creates, changes or deletes admission webhook "
            "configurations (`mutatingwebhookconfigurations`, `validatingwebhookconfigurations`) "
            "without naming them.",
    rationale="A webhook configuration says which server the API server sends objects to before "
              "it stores them: whoever writes one receives every object it chooses, Secrets "
              "included, and with a mutating webhook rewrites them (injects a container into "
              "every pod, swaps images); whoever deletes one switches off the policy it enforces.",
    remediation="Name the webhook configurations the identity maintains in `resourceNames` (a "
                "controller that patches its own `caBundle`), and leave creating and deleting "
                "them to the installer.",
    bad=_CLUSTER_ROLE + '  - apiGroups: ["admissionregistration.k8s.io"]\n'
        '    resources: ["mutatingwebhookconfigurations"]\n    verbs: ["get", "update"]\n' + _CLUSTER_BOUND,
    good=_CLUSTER_ROLE + '  - apiGroups: ["admissionregistration.k8s.io"]\n'
         '    resources: ["mutatingwebhookconfigurations"]\n    resourceNames: ["agent-webhook"]\n'
         '    verbs: ["get", "update"]\n' + _CLUSTER_BOUND,
)
def admission_webhook_grant(rule_: RbacRule, ctx: RuleContext) -> Iterator[Violation]:
    if not _cluster_scoped(rule_):
        return  # webhook configurations are cluster-scoped: a RoleBinding grants none
    verbs, indexes = rule_.matching(_WEBHOOK_VERBS, _WEBHOOKS)
    if not indexes:
        return
    named = [rule_.resources[i] for i in indexes]
    does = []
    if _WEBHOOK_WRITES.intersection(verbs):
        rewrite = " and rewrite it (inject a container into every pod, swap images)" if _MUTATING in named else ""
        does.append(f"send every object written to the cluster, Secrets included, to a server it names{rewrite}")
    does.append("switch off the policy a webhook enforces")  # an update can empty it, as a delete does
    yield Violation(
        rule_.resource_at(indexes[0]),
        f"{rule_.title}{rule_.held()} lets it {', '.join(verbs)} {', '.join(named)}: it can "
        f"{', or '.join(does)}; name the configurations it maintains in resourceNames and leave "
        "creating and deleting them to the installer", rule_.role,
        f"{rule_.role}.rules[{rule_.index}].admission.webhooks")


# -- NHI316 -------------------------------------------------------------------------------

_BUILTIN_LABELS = tuple(f"rbac.authorization.k8s.io/aggregate-to-{r}" for r in ("admin", "edit", "view"))


@rule(
    id="NHI316", name="aggregated-role-binding", category="privilege", severity="warning",
    targets=("nhilint.facts.RbacAggregation",), references=_REFERENCES,
    summary="A ClusterRole with an `aggregationRule` (it holds the rules of every ClusterRole "
            "whose labels match) is bound to a service account.",
    rationale="An aggregated ClusterRole has no rules of its own: the controller copies in the "
              "rules of every ClusterRole with matching labels, those installed later by any "
              "chart or operator included. A service account bound to it gains whatever the "
              "next labelled role grants, with no change to its own binding to review.",
    remediation="Bind the service account to a ClusterRole (or Role) that lists its rules; keep "
                "aggregated roles for people, as the built-in admin, edit and view are.",
    bad='apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: agent\n'
        'aggregationRule:\n  clusterRoleSelectors:\n    - matchLabels:\n'
        '        example.com/aggregate-to-agent: "true"\nrules: []\n' + _CLUSTER_BOUND,
    good=_CLUSTER_ROLE + '  - apiGroups: ["example.com"]\n    resources: ["widgets"]\n'
         '    verbs: ["get", "list"]\n' + _CLUSTER_BOUND,
)
def aggregated_role_binding(aggregation: RbacAggregation, ctx: RuleContext) -> Iterator[Violation]:
    accounts = sorted({h for h in aggregation.holders if h.startswith("ServiceAccount ")})
    if not accounts:
        return  # people bound to an aggregated role is what aggregation is for
    shown = aggregation.selectors[:SHOWN_IN_A_MESSAGE]
    more = len(aggregation.selectors) - len(shown)
    selectors = " or ".join(shown) + (f" or {more} more selectors" if more > 0 else "")
    builtin = any(s.startswith(_BUILTIN_LABELS) for s in aggregation.selectors)
    how = "cluster-wide " if aggregation.cluster_bindings else ""
    yield Violation(
        aggregation.location,
        f"{aggregation.role} holds the rules of every ClusterRole labelled {selectors}"
        f"{' (what the built-in admin, edit and view roles are made of)' if builtin else ''}, those installed "
        f"later included, and is bound {how}to {first_few(accounts, len(accounts))}: any new role so "
        "labelled widens what the account can do; bind it a ClusterRole that lists its rules", aggregation.role,
        f"{aggregation.role}.aggregationRule")


# -- NHI317 -------------------------------------------------------------------------------

_IMPERSONATED = frozenset({CORE, "authentication.k8s.io"})
_RBAC = frozenset({"rbac.authorization.k8s.io"})
# (what it lets a holder do, verbs, resources, whether edit and admin already grant it)
_EXTENSIONS: tuple[tuple[str, frozenset[str], dict[str, frozenset[str]], bool], ...] = (
    ("read Secrets", _READ, _SECRETS, True),
    ("run commands in pods", frozenset({"get", "create"}), dict.fromkeys(_INTO_PODS, frozenset({CORE})), True),
    ("create or change pods and the workloads that make them", frozenset({"create", "update", "patch"}),
     _WORKLOADS, True),
    ("create service account tokens", frozenset({"create"}), {"serviceaccounts/token": frozenset({CORE})}, True),
    ("impersonate service accounts", frozenset({"impersonate"}), {"serviceaccounts": frozenset({CORE})}, True),
    ("impersonate users and groups", frozenset({"impersonate"}),
     dict.fromkeys(("users", "groups", "uids", "userextras", "userextras/scopes"), _IMPERSONATED), False),
    ("grant roles beyond their own (escalate, bind)", frozenset({"escalate", "bind"}),
     dict.fromkeys(("roles", "clusterroles"), _RBAC), False),
    ("change the cluster's admission webhooks", _WEBHOOK_VERBS, _WEBHOOKS, False),
)
_VIEW = "view"


@rule(
    id="NHI317", name="builtin-role-extension", category="privilege", severity="warning",
    targets=("nhilint.facts.RbacRule",), references=_REFERENCES,
    summary="A ClusterRole labelled `rbac.authorization.k8s.io/aggregate-to-admin`, `-edit` or "
            "`-view` adds to those built-in roles a grant they do not hold (reading Secrets, exec "
            "or writing workloads to `view`; impersonating users, `escalate`, `bind` or webhook "
            "writes to any of them).",
    rationale="The built-in admin, edit and view ClusterRoles take in the rules of every "
              "ClusterRole with their aggregation label, and they are bound to most people and "
              "tools of a cluster. A chart that adds Secrets read to `view` hands it to every "
              "read-only user and dashboard. Adding read access to a controller's own custom "
              "resources is what the labels are for, and is not reported.",
    remediation="Aggregate only what the built-in role already means (read for `view`, the "
                "namespace's own objects for `edit` and `admin`); grant the rest in a role bound "
                "to who needs it, or drop the label.",
    bad=_CLUSTER_ROLE.replace("  name: agent\n", "  name: agent-view\n  labels:\n"
                              '    rbac.authorization.k8s.io/aggregate-to-view: "true"\n')
        + '  - apiGroups: [""]\n    resources: ["secrets"]\n    verbs: ["get", "list"]\n',
    good=_CLUSTER_ROLE.replace("  name: agent\n", "  name: agent-view\n  labels:\n"
                               '    rbac.authorization.k8s.io/aggregate-to-view: "true"\n')
         + '  - apiGroups: ["example.com"]\n    resources: ["widgets"]\n    verbs: ["get", "list", "watch"]\n',
)
def builtin_role_extension(rule_: RbacRule, ctx: RuleContext) -> Iterator[Violation]:
    targets = rule_.aggregates_to
    if not targets:
        return
    to_view = _VIEW in targets
    does, first = [], -1
    for what, verbs, resources, edit_has in _EXTENSIONS:
        if edit_has and not to_view:
            continue  # edit and admin already read Secrets, exec and run pods as any account
        if resources is _WEBHOOKS and not _cluster_scoped(rule_):
            continue
        _, indexes = rule_.matching(verbs, resources)
        if indexes:
            does.append(what)
            first = indexes[0] if first < 0 else min(first, indexes[0])
    if not does:
        return
    roles = [t for t in targets if t == _VIEW or not all(
        edit_has for what, _, _, edit_has in _EXTENSIONS if what in does)]
    names = roles[0] if len(roles) == 1 else f"{', '.join(roles[:-1])} and {roles[-1]}"
    labels = f"aggregate-to-{roles[0]} label" if len(roles) == 1 else "aggregate-to-* labels"
    yield Violation(
        rule_.resource_at(first),
        f"{rule_.title} is aggregated into the built-in {names} ClusterRole{'s' if len(roles) > 1 else ''} "
        f"by its {labels}: every holder of {names} can {' and '.join(does)}; grant "
        "this in a role bound to who needs it, or drop the label", rule_.role,
        f"{rule_.role}.rules[{rule_.index}].aggregate-to")


RULES = (secret_read_grant, pod_exec_grant, certificate_approval_grant, workload_create_grant,
         builtin_role_binding, admission_webhook_grant, aggregated_role_binding, builtin_role_extension)
