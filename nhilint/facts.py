"""Located facts of platform files that rules read besides the format-neutral model:
Kubernetes RBAC rules and bindings, GitHub Actions jobs and steps, MCP server entries and
Claude Code settings, A2A agent cards, SPIRE agent configs.

Sources make them and rules judge them, as `nhilint.cedar.ast` is for Cedar policies; this
module imports nothing of nhilint but the model, so neither side reaches into the other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from nhilint.model import Located, Location, first_few

# -- Kubernetes RBAC ---------------------------------------------------------------------

CORE = ""  # the core API group, as RBAC writes it
ROLE_CSR_APPROVAL = "csr-approval"  # update or patch certificatesigningrequests/approval
ROLE_CSR_CREATE = "csr-create"  # create certificatesigningrequests


@dataclass(frozen=True)
class RbacRule(Located):
    """One rule of a Role or ClusterRole, and who holds it (filled in when bindings are joined).

    `item_locations` has `verbs[i]` and `resources[i]`, the items of those lists.
    """

    role: str = ""  # "Role ns/name" or "ClusterRole name"
    index: int = 0
    cluster_role: bool = False
    namespace: str = ""  # a Role's namespace
    verbs: tuple[str, ...] = ()
    api_groups: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    resource_names: tuple[str, ...] = ()
    holders: tuple[str, ...] = ()  # subjects of the bindings to the role
    cluster_bindings: tuple[str, ...] = ()  # ClusterRoleBindings to it: it holds in every namespace
    bound_namespaces: tuple[str, ...] = ()  # namespaces of the RoleBindings to it
    # the built-in roles (admin, edit, view) its role's `aggregate-to-*` labels add it to
    aggregates_to: tuple[str, ...] = ()
    # what any rule of the same role grants, for rules that need two grants (ROLE_* tags)
    role_grants: frozenset[str] = frozenset()

    @property
    def title(self) -> str:
        return f"{self.role} rules[{self.index}]"

    def where(self) -> str:
        """Where the rule holds: one namespace, some, or every namespace."""
        if not self.cluster_role:
            return f"namespace {self.namespace}"
        if self.cluster_bindings:
            return "every namespace"
        if self.bound_namespaces:
            names = sorted(set(self.bound_namespaces))
            return f"namespace{'s' if len(names) > 1 else ''} {first_few(names, len(names))}"
        return "every namespace it is bound in"

    def scope(self, what: str) -> str:
        return f"{what} of {self.where()}"

    def held(self) -> str:
        """Who holds the rule, for a message: " (bound cluster-wide to ...)" or ""."""
        if not self.holders:
            return ""
        names = sorted(set(self.holders))
        how = "cluster-wide " if self.cluster_bindings else ""
        return f" (bound {how}to {first_few(names, len(names))})"

    def matching(self, verbs: frozenset[str], resources: dict[str, frozenset[str]]) -> tuple[list[str], list[int]]:
        """The rule's verbs among `verbs` and the indexes of its resources among `resources`
        (resource -> its API groups) whose group the rule names; none if it names its objects
        (`resourceNames`) or grants all verbs (NHI302 reports that)."""
        if self.resource_names or "*" in self.verbs:
            return [], []  # limited to named objects (the fix these rules ask for), or NHI302's
        held_verbs = [v for v in self.verbs if v in verbs]
        groups = set(self.api_groups) or {CORE}
        indexes = [i for i, r in enumerate(self.resources)
                   if r in resources and ("*" in groups or groups & resources[r])]
        return (held_verbs, indexes) if held_verbs and indexes else ([], [])

    def resource_at(self, index: int) -> Location:
        return self.item_locations.get(f"resources[{index}]") or self.at("resources")


@dataclass(frozen=True)
class RbacBinding(Located):
    """A RoleBinding or ClusterRoleBinding; `location` is its `roleRef.name`."""

    name: str = ""  # "RoleBinding name"
    role: str = ""  # the role's key, as the source makes it
    role_name: str = ""
    role_kind: str = ""  # Role | ClusterRole
    namespace: str = ""
    cluster_wide: bool = False
    subjects: tuple[str, ...] = ()


@dataclass(frozen=True)
class RbacAggregation(Located):
    """A ClusterRole's `aggregationRule`: it holds the rules of every ClusterRole whose labels
    match one of its selectors. `location` is the `aggregationRule` key; holders as RbacRule's."""

    role: str = ""  # "ClusterRole name"
    selectors: tuple[str, ...] = ()  # "key=value" (matchLabels), "key in (a, b)" (matchExpressions)
    holders: tuple[str, ...] = ()
    cluster_bindings: tuple[str, ...] = ()


# -- GitHub Actions ----------------------------------------------------------------------

@dataclass(frozen=True)
class WorkflowStep(Located):
    """One step of a job: `field_locations` has `uses`, `run`, `with.<input>` and `env.<name>`."""

    uses: str = ""  # the action reference (`owner/repo@ref`); "" for a `run:` step
    inputs: Mapping[str, str] = field(default_factory=dict)  # `with:`, text values only
    env: Mapping[str, str] = field(default_factory=dict)
    run: str = ""


@dataclass(frozen=True)
class WorkflowJob(Located):
    """One job: its token's write scopes and what it passes to its steps.

    `field_locations` has `uses` (a reusable workflow call) and `secrets.<name>`.
    """

    identity: str = ""  # the workflow's identity ("workflow ci.yml")
    name: str = ""
    triggers: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()  # scopes the token may write ("*": write-all)
    default_permissions: bool = False  # no `permissions:` for it: the repository default
    env: Mapping[str, str] = field(default_factory=dict)  # the job's own `env:`
    inherited_env: Mapping[str, str] = field(default_factory=dict)  # the workflow's `env:`
    uses: str = ""  # a reusable workflow it calls
    secrets: Mapping[str, str] = field(default_factory=dict)  # `secrets:` passed to that call
    steps: tuple[WorkflowStep, ...] = ()


# -- MCP client configs ------------------------------------------------------------------

@dataclass(frozen=True)
class McpServer(Located):
    """One server entry of an MCP client config: the program it launches or the URL it opens.

    `item_locations` has `args[i]` for each text argument of the launcher (after a Windows
    `cmd /c`), `field_locations` has `url`.
    """

    identity: str = ""
    launcher: str = ""  # npx, uvx, docker, ... ("" for a remote server or a local program)
    args: tuple[str, ...] = ()  # the launcher's text arguments
    package: str = ""  # the package or image it runs, as written ("" when none)
    package_index: int = -1  # its position in `args`
    url: str = ""  # the remote server's URL ("" for a local one)
    auth_headers: tuple[str, ...] = ()  # the names of headers that carry a credential
    # arguments the source already reads as a grant of every file (`/`, `~`: NHI302)
    wildcard_roots: tuple[str, ...] = ()

    def arg(self, index: int) -> Location:
        return self.item_locations.get(f"args[{index}]", self.location)

    @property
    def package_name(self) -> str:
        """The package without its version (`@scope/pkg`, `pkg`), lower case."""
        name = self.package
        name = name[:name.find("@", 1)] if name.find("@", 1) > 0 else name
        return re.split(r"[=<>~!\[]", name, maxsplit=1)[0].lower()


@dataclass(frozen=True)
class ClaudeSettings(Located):
    """A Claude Code settings file (`.claude/settings.json`, `.claude/settings.local.json`,
    `~/.claude/settings.json`, `managed-settings.json`): its permission rules as written and
    the switches that start or run something without asking.

    `item_locations` has `allow[i]`, `deny[i]` and `ask[i]` (the i-th text rule of each list);
    `field_locations` has `defaultMode`, `enableAllProjectMcpServers` and `apiKeyHelper` (their
    values). The helper's command is not kept: it may hold a key.
    """

    scope: str = "project"  # project (.claude/settings.json) | local | user | managed
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    ask: tuple[str, ...] = ()
    default_mode: str = ""
    enable_all_project_mcp_servers: bool = False
    api_key_helper: bool = False  # an `apiKeyHelper` command is set

    def rule_at(self, kind: str, index: int) -> Location:
        return self.item_locations.get(f"{kind}[{index}]", self.location)


# -- A2A agent cards ---------------------------------------------------------------------


@dataclass(frozen=True)
class CardUrl:
    """A URL of a card that callers or their tokens travel to."""

    field: str  # how a message names it: "url", "additionalInterfaces[0].url", "tokenUrl of scheme corp"
    url: str
    location: Location
    token_endpoint: bool = False  # an OAuth / OpenID Connect URL (tokens are issued there)


@dataclass(frozen=True)
class ScopeSet:
    """One alternative of a security requirement list (alternatives are OR-ed): the
    `(scheme, scope)` pairs a caller must hold together, each with its item's location."""

    scopes: tuple[tuple[str, str], ...] = ()
    locations: tuple[Location, ...] = ()


@dataclass(frozen=True)
class SkillSecurity:
    """A skill's own security requirements (`skills[i].security`, v1.0 `securityRequirements`)."""

    label: str
    location: Location  # the requirement list's key
    alternatives: tuple[ScopeSet, ...] = ()


@dataclass(frozen=True)
class AgentCard(Located):
    """One A2A agent card: its endpoints, what callers send it, and its security requirements."""

    identity: str = ""  # the card's name
    urls: tuple[CardUrl, ...] = ()
    sends: tuple[str, ...] = ()  # what callers present: "bearer tokens", "API keys", "passwords"
    default: tuple[ScopeSet, ...] = ()  # the card-wide requirement's alternatives (none: open)
    skills: tuple[SkillSecurity, ...] = ()


# -- SPIRE Agent -------------------------------------------------------------------------


@dataclass(frozen=True)
class SpireAgentConfig(Located):
    """The `agent { ... }` block of a SPIRE Agent's `agent.conf`: how it bootstraps trust in
    the SPIRE Server that issues its and its workloads' SVIDs.

    `field_locations` has each setting read (`insecure_bootstrap`, `trust_bundle_url`, ...).
    """

    identity: str = ""  # "SPIRE Agent <trust domain>"
    trust_domain: str = ""
    server_address: str = ""
    insecure_bootstrap: bool = False
    trust_bundle_path: str = ""
    trust_bundle_url: str = ""
    trust_bundle_format: str = ""  # pem (the default) | spiffe
    trust_bundle_unix_socket: str = ""  # the URL is fetched over this local socket


# -- Effective access --------------------------------------------------------------------
# `nhilint.access` joins identities, bindings, delegation and evaluated policies into these;
# the drift rules (NHI8xx) and the access reporters read them.

# The kinds of `Via.kind` (normative in the access report's JSON: add kinds, never rename).
VIA_KINDS = ("manifest-tool", "credential-scope", "k8s-binding", "k8s-role-rule", "iam-statement",
             "workflow-permission", "mcp-server", "a2a-skill", "spire-entry", "cedar-policy", "rego-rule",
             "delegation")
POLICY_VIA = frozenset({"cedar-policy", "rego-rule"})  # grants decided by an evaluated policy
PLATFORM_VIA = frozenset({"k8s-role-rule", "iam-statement"})  # grants of the role an agent runs as


@dataclass(frozen=True)
class Via:
    """One link of what gives a grant: a manifest tool, a RoleBinding, a Role rule, a policy."""

    kind: str
    id: str
    location: Location

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "id": self.id, "location": self.location.to_dict()}


@dataclass(frozen=True)
class AccessGrant:
    """An action an identity may take on a resource, under `conditions` (human-readable, empty
    when unconditional), given by the chain `via` (outermost first: the binding before the
    role rule). A reached grant (an identity's `reach`) also has the delegation `path` from
    the identity to the delegate that holds it, and whether it exceeds the attenuation the
    path declares."""

    action: str
    resource: str
    via: tuple[Via, ...]
    conditions: tuple[str, ...] = ()
    effect: str = "allow"
    path: tuple[str, ...] = ()
    exceeds_attenuation: bool = False

    def sort_key(self) -> tuple:
        first = self.via[0].location if self.via else Location("")
        return (self.path, self.action, self.resource, self.conditions, first.path, first.line,
                tuple(v.id for v in self.via))

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"action": self.action, "resource": self.resource, "effect": self.effect,
                                   "conditions": list(self.conditions), "via": [v.to_dict() for v in self.via]}
        if self.path:
            data["path"] = list(self.path)
            data["exceeds_attenuation"] = self.exceeds_attenuation
        return data


@dataclass(frozen=True)
class DeclaredAction:
    """An action an agent manifest declares (a tool's `actions` item), with its item's location."""

    tool: str
    action: str
    resources: tuple[str, ...]
    location: Location


@dataclass(frozen=True)
class IdentityAccess(Located):
    """The effective access of one identity. `location` is the identity's own.

    `declared` is what its manifest declares (agents only); `principal` the policy principal
    it was evaluated as (`Agent::"support-triage"`), None when no policy knows it; `runs_as`
    the platform identities (a Kubernetes ServiceAccount, an IAM role) whose grants it uses.
    """

    name: str = ""
    kind: str = ""  # agent | service-account | workflow | mcp-server | a2a-agent | iam-role | ...
    grants: tuple[AccessGrant, ...] = ()
    reach: tuple[AccessGrant, ...] = ()
    declared: tuple[DeclaredAction, ...] = ()
    principal: str | None = None
    runs_as: tuple[str, ...] = ()
    delegation_location: Location | None = None  # its `delegation` key, where escalations point

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "kind": self.kind, "location": self.location.to_dict(),
                "grants": [g.to_dict() for g in self.grants], "reach": [g.to_dict() for g in self.reach]}


def action_name(action: str) -> str:
    """A Cedar action id's name (`Action::"pay"`, `Ns::Action::"pay"` -> `pay`); other text as is."""
    if action.endswith('"') and '::"' in action:
        return action[action.index('::"') + 3:-1]
    return action
