"""What the platform formats say about shapes found in public repositories, word for word:
the opt-in Kubernetes recommends, RBAC rules and bindings in RBAC's words, a workflow's
default token, keyless OIDC, local reusable workflows, launcher options that take a value
(fixtures in fixtures/shapes/); and the findings on those repositories' own files
(../shared/corpus/realworld, read in place)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhilint.api import lint_paths
from tests.conftest import SHARED, TODAY

SHAPES = Path(__file__).parent / "fixtures" / "shapes"
CORPUS = SHARED / "corpus" / "realworld"
_FIX_306 = ("is mounted into every pod that uses the account; set automountServiceAccountToken: false "
            "on the ServiceAccount and true only in the pod specs that call the API")
_FIX_308 = ("gets the repository's default permissions, which may be read-write; add "
            "`permissions: contents: read` at the top and grant more per job")
_REBIND = "bind it to the users, groups or service accounts that need it"
_PIN = "without a pinned version; pin an exact version"
_W310 = "service account tokens and TLS keys included; name the Secrets it needs in resourceNames"
_W310_CLUSTER = f"{_W310}, or grant the read in a Role of the namespace that holds them"
_W313 = ("the pods it starts or changes run any code as any service account there, with its token and "
         "Secrets; bind it only to the deployer and limit the accounts pods may use with an admission policy")

SHAPE_FINDINGS = {
    "kubernetes": [
        # controller.yaml: the account turns the token on; its Deployment and Jobs add nothing,
        # nor does a pod opting in whose account is elsewhere. opt-in.yaml: nothing at all.
        ("NHI306", "controller.yaml", 8, 1, "the API token of ServiceAccount ingress/controller "
         f"(automountServiceAccountToken: true) {_FIX_306}"),
        ("NHI302", "everyone.yaml", 11, 11, "ClusterRoleBinding open-to-all grants ClusterRole viewer "
         f"to every authenticated user (Group system:authenticated); {_REBIND}"),
        ("NHI302", "everyone.yaml", 14, 11, "ClusterRoleBinding open-to-all grants ClusterRole viewer "
         f"to every unauthenticated request (Group system:unauthenticated); {_REBIND}"),
        ("NHI302", "everyone.yaml", 17, 11, "ClusterRoleBinding open-to-all grants ClusterRole viewer "
         f"to anonymous requests (User system:anonymous); {_REBIND}"),
        ("NHI302", "everyone.yaml", 31, 11, "RoleBinding every-account grants Role jobs/runner to every "
         f"service account in namespace jobs (Group system:serviceaccounts:jobs); {_REBIND}"),
        ("NHI302", "wildcards.yaml", 7, 17, "Role default/get-pods rules[0] grants get, list on all "
         "resources in the core API group; list the resources it needs"),
        ("NHI302", "wildcards.yaml", 11, 13, "Role default/get-pods rules[1] grants all verbs on "
         "deployments, jobs in the apps and batch API groups; list the verbs it needs"),
        ("NHI302", "wildcards.yaml", 12, 17, "Role default/get-pods rules[2] grants all verbs on all "
         "resources in all API groups; list the verbs, API groups and resources it needs"),
    ],
    "github_actions": [
        # ci.yml: no block anywhere, two jobs: one finding at `jobs:`. scorecards.yml:
        # id-token: write is no finding. images.yml: inheriting into ./ workflows is none.
        ("NHI308", ".github/workflows/ci.yml", 3, 1, f"no `permissions:` block: the GITHUB_TOKEN {_FIX_308}"),
        ("NHI403", ".github/workflows/images.yml", 16, 14, "'workflow images.yml' delegates without "
         "attenuation; pass the secrets acme/platform/.github/workflows/deploy.yml@v3 needs by name "
         "instead of secrets: inherit"),
    ],
    "mcp": [
        # the values of -p, -e, --name, --network, -v, --python, --with, --from, --spec are
        # not the package; npx's `@1` is a range, uvx's `@1` is one release
        ("NHI305", ".mcp.json", 3, 136, f"'published-port' runs image 'ghcr.io/acme/web-mcp' through docker {_PIN}"),
        ("NHI340", ".mcp.json", 4, 77, "MCP server 'pinned-port': `--network host` puts it on the host's "
         "network: it can reach every service listening on the host's localhost and interfaces; remove it "
         "and mount or publish only what the server needs"),
        ("NHI305", ".mcp.json", 7, 79, f"'from-unpinned' runs pypi package 'mcp-server-time' through uvx {_PIN}"),
        ("NHI305", ".mcp.json", 8, 76, f"'uv-tool-run' runs pypi package 'mcp-server-sqlite' through uv {_PIN}"),
        ("NHI305", ".mcp.json", 11, 52, f"'npx-range' runs npm package '@acme/mcp-server@1' through npx {_PIN}"),
    ],
}


def _findings(folder: Path, monkeypatch: pytest.MonkeyPatch, *paths: str) -> list[tuple]:
    monkeypatch.chdir(folder)  # finding paths relative to the folder
    findings = lint_paths(list(paths) or ["."], today=TODAY).findings
    return [(f.rule, f.location.path, f.location.line, f.location.column, f.message) for f in findings]


@pytest.mark.parametrize("name", sorted(SHAPE_FINDINGS))
def test_shapes_found_in_public_repositories(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _findings(SHAPES / name, monkeypatch) == SHAPE_FINDINGS[name]


def test_no_grant_is_called_a_tool_outside_manifests(monkeypatch: pytest.MonkeyPatch) -> None:
    fixtures = Path(__file__).parent / "fixtures"
    for folder in [*fixtures.glob("*/bad"), *SHAPES.iterdir()]:
        for *_, message in _findings(folder, monkeypatch):
            assert "tool '" not in message, message


# The files named in the review of nhilint's findings on public repositories, each with every
# finding nhilint now makes on it (nothing, where the review found only noise).
CORPUS_FINDINGS = {
    # ServiceAccounts set automountServiceAccountToken: true: one finding each, none per workload
    "kubernetes+ingress-nginx/deploy/static/provider/cloud/deploy.yaml": [
        ("NHI306", 10, 1, "the API token of ServiceAccount ingress-nginx/ingress-nginx "
         f"(automountServiceAccountToken: true) {_FIX_306}"),
        ("NHI306", 23, 1, "the API token of ServiceAccount ingress-nginx/ingress-nginx-admission "
         f"(automountServiceAccountToken: true) {_FIX_306}"),
        ("NHI310", 58, 5, "Role ingress-nginx/ingress-nginx rules[1] (bound to ServiceAccount "
         "ingress-nginx/ingress-nginx) lets it read every Secret of namespace ingress-nginx (get, list, watch), "
         f"{_W310}"),
        ("NHI310", 140, 5, "Role ingress-nginx/ingress-nginx-admission rules[0] (bound to ServiceAccount "
         "ingress-nginx/ingress-nginx-admission) lets it read every Secret of namespace ingress-nginx (get), "
         f"{_W310}"),
        ("NHI310", 162, 5, "ClusterRole ingress-nginx rules[0] (bound cluster-wide to ServiceAccount "
         "ingress-nginx/ingress-nginx) lets it read every Secret of every namespace (list, watch), "
         f"{_W310_CLUSTER}"),
        # the admission job patches its own webhook's caBundle, but may update every one
        ("NHI315", 240, 5, "ClusterRole ingress-nginx-admission rules[0] (bound cluster-wide to ServiceAccount "
         "ingress-nginx/ingress-nginx-admission) lets it update validatingwebhookconfigurations: it can send "
         "every object written to the cluster, Secrets included, to a server it names, or switch off the "
         "policy a webhook enforces; name the configurations it maintains in resourceNames and leave "
         "creating and deleting them to the installer"),
    ],
    # the account turns the token off, the exporter's pod opts in: what Kubernetes recommends
    # the exporter lists every Secret of the cluster (it exports only their metadata, but a list
    # returns their data): true, and a maintainer may keep it (REVIEW.md)
    "kubernetes+kube-state-metrics/examples/standard": [
        ("NHI310", 14, 9, "ClusterRole kube-state-metrics rules[0] (bound cluster-wide to ServiceAccount "
         "kube-system/kube-state-metrics) lets it read every Secret of every namespace (list, watch), "
         f"{_W310_CLUSTER}"),
    ],
    # seven calls of a workflow of the same repository with secrets: inherit (nothing); two
    # build jobs check out with the workflow's contents/packages write token left in .git/config
    "kubernetes+ingress-nginx/.github/workflows/images.yaml": [
        ("NHI332", 142, 13, "actions/checkout leaves a GITHUB_TOKEN that writes contents, packages in "
         ".git/config, where every later step of job 'kube-webhook-certgen' can read it; set "
         "persist-credentials: false"),
        ("NHI332", 176, 15, "actions/checkout leaves a GITHUB_TOKEN that writes contents, packages in "
         ".git/config, where every later step of job 'nginx' can read it; set persist-credentials: false"),
    ],
    # id-token: write for keyless signing (scorecards) and npm provenance
    "kubernetes+ingress-nginx/.github/workflows/scorecards.yml": [],
    "microsoft+playwright-mcp/.github/workflows/publish.yml": [],
    # no permissions block: once per workflow, a warning at `jobs:`
    "microsoft+playwright-mcp/.github/workflows/ci.yml": [
        ("NHI308", 9, 1, f"no `permissions:` block: the GITHUB_TOKEN {_FIX_308}"),
    ],
    "modelcontextprotocol+servers/.github/workflows/release.yml": [
        ("NHI308", 7, 3, f"no `permissions:` block: the GITHUB_TOKEN of job create-metadata {_FIX_308}"),
        ("NHI332", 228, 15, "actions/checkout leaves a GITHUB_TOKEN that writes contents in .git/config, "
         "where every later step of job 'create-release' can read it; set persist-credentials: false"),
    ],
    "stackrox+kube-linter/tests/checks/wildcard-in-rules.yml": [
        ("NHI302", 20, 13, "Role namespace-dev/role1 rules[0] grants all verbs on secrets in the core API "
         "group; list the verbs it needs"),
    ],
    "fugue+regula/rego/tests/rules/k8s/access_to_create_pods/inputs/invalid_example.yaml": [
        ("NHI302", 6, 17, "Role default/get-pods rules[0] grants list, get, watch, create on pods in all "
         "API groups; list the API groups it needs"),
        ("NHI313", 7, 17, f"Role default/get-pods rules[0] lets it create pods in namespace default: {_W313}"),
        ("NHI313", 10, 17, "Role default/get-pods rules[1] lets it create, update, patch deployments in "
         f"namespace default: {_W313}"),
    ],
    "open-policy-agent+gatekeeper-library/library/general/disallowanonymous/samples/no-anonymous-bindings/"
    "example_disallowed.yaml": [
        ("NHI302", 12, 9, "ClusterRoleBinding cluster-role-binding-2 grants ClusterRole cluster-role-2 to "
         f"every authenticated user (Group system:authenticated); {_REBIND}"),
        ("NHI302", 15, 9, "ClusterRoleBinding cluster-role-binding-2 grants ClusterRole cluster-role-2 to "
         f"every unauthenticated request (Group system:unauthenticated); {_REBIND}"),
        ("NHI302", 18, 9, "ClusterRoleBinding cluster-role-binding-2 grants ClusterRole cluster-role-2 to "
         f"anonymous requests (Group system:anonymous); {_REBIND}"),
    ],
    "salesforce+cloudsplaining/examples/policies/wildcards.json": [
        ("NHI302", 7, 9, "IAM policy statement 0 of wildcards grants the wildcard action 'ecr:*'; list "
         "the actions it needs"),
        ("NHI302", 8, 9, "IAM policy statement 0 of wildcards grants the wildcard action 's3:*'; list "
         "the actions it needs"),
        ("NHI302", 10, 19, "IAM policy statement 0 of wildcards grants the wildcard resource '*'; list "
         "the resources it needs"),
    ],
}


@pytest.mark.parametrize("path", sorted(CORPUS_FINDINGS))
def test_public_repository_files(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the real-world corpus is absent ({CORPUS}); it sits beside the repository in CI")
    found = [(rule, line, column, message) for rule, _, line, column, message
             in _findings(CORPUS, monkeypatch, path)]
    assert found == CORPUS_FINDINGS[path]
