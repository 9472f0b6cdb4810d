"""NHI330-NHI339: what a GitHub Actions workflow hands to the code and actions it runs.

The facts are the jobs of a workflow (`WorkflowJob`, with its steps), read by
`sources/github_actions.py`: which triggers start it, which scopes its `GITHUB_TOKEN` may
write, which secrets it references, and what each step uses and passes. The rules judge
them; `permissions: write-all` (NHI302), a job without permissions (NHI308) and
`secrets: inherit` to another repository (NHI403) are the token grants of the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from nhilint.model import Located, Location, Violation

if TYPE_CHECKING:  # the facts load with the first file of their format, not on every run
    from nhilint.facts import WorkflowJob, WorkflowStep

from nhilint.rules import RuleContext, first_few, rule

# `${{ secrets.NAME }}`, `secrets['NAME']`: the secrets an expression reads
_SECRET = re.compile(r"\bsecrets\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_-]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])")
_TOKEN = re.compile(r"\bgithub\s*\.\s*token\b")
_ALL_SECRETS = re.compile(r"\btojson\s*\(\s*secrets\s*\)", re.IGNORECASE)
# What the triggers below give a job: the base repository's token and secrets, while the
# pull request's head is code anyone who opens a pull request wrote
PRIVILEGED_TRIGGERS = ("pull_request_target", "workflow_run")
_HEAD_REF = re.compile(
    r"github\s*\.\s*(?:event\s*\.\s*pull_request\s*\.\s*head\s*\.\s*(?:sha|ref)"
    r"|head_ref|event\s*\.\s*workflow_run\s*\.\s*head_(?:sha|branch))\b"
    r"|refs/pull/.*/(?:head|merge)")
# Secrets that hold identifiers, not credentials (`AZURE_CLIENT_ID`, `AWS_ACCOUNT_ID`)
_IDENTIFIER = re.compile(r"(?:^|_)IDS?$", re.IGNORECASE)
_FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
_TRUSTED_OWNERS = ("actions/", "github/")


def secrets_in(text: str) -> list[str]:
    """The secrets an expression text reads, `GITHUB_TOKEN` for `github.token`."""
    names = [a or b for a, b in _SECRET.findall(text)]
    if _TOKEN.search(text):
        names.append("GITHUB_TOKEN")
    return names


def _job_secrets(job: WorkflowJob) -> list[str]:
    texts = [*job.env.values(), *job.inherited_env.values(), *job.secrets.values()]
    for step in job.steps:
        texts += [*step.inputs.values(), *step.env.values(), step.run]
    return sorted({name for text in texts for name in secrets_in(text)})


def _action(uses: str) -> str:
    return uses.split("@", 1)[0].lower()


def _is_checkout(step: WorkflowStep) -> bool:
    return _action(step.uses) == "actions/checkout"


def _false(value: str | None) -> bool:
    return (value or "").strip().lower() == "false"


_WF = ("# .github/workflows/ci.yml\non: %s\npermissions:\n  contents: %s\njobs:\n  test:\n"
       "    runs-on: ubuntu-latest\n    steps:\n%s")


@rule(
    id="NHI330", name="untrusted-checkout-with-secrets", category="privilege", severity="error",
    targets=("nhilint.facts.WorkflowJob",),
    summary="A `pull_request_target` or `workflow_run` job checks out the pull request's head "
            "while it holds secrets or a write token.",
    rationale="These triggers run with the base repository's secrets and a token that may write, "
              "even for a pull request from a fork; checking out the head and building or "
              "testing it runs code anyone can propose, which can read those secrets and push "
              "with that token (the 'pwn request').",
    remediation="Build and test the pull request in a `pull_request` workflow, which gets no "
                "secrets and a read-only token from forks, and pass its results to a privileged "
                "workflow as an artifact; or keep the privileged job from checking out the head.",
    references=("OWASP-NHI5", "OWASP-NHI2", "OWASP-AGENTIC-T3", "NIST-CSF-PR.AA-05"),
    bad=_WF % ("pull_request_target", "write", "      - uses: actions/checkout@v4\n        with:\n"
               "          ref: ${{ github.event.pull_request.head.sha }}\n      - run: make test\n"),
    good=_WF % ("pull_request", "read", "      - uses: actions/checkout@v4\n      - run: make test\n"),
)
def untrusted_checkout(job: WorkflowJob, ctx: RuleContext) -> Iterator[Violation]:
    trigger = next((t for t in job.triggers if t in PRIVILEGED_TRIGGERS), None)
    if trigger is None:
        return
    secrets = [s for s in _job_secrets(job) if s != "GITHUB_TOKEN"]
    holds = []
    if secrets:
        holds.append(f"secret{'s' if len(secrets) > 1 else ''} "
                     f"{first_few([f'{s}' for s in secrets[:3]], len(secrets))}")
    if job.writes:
        holds.append("a token that writes " + ("every scope" if "*" in job.writes else ", ".join(job.writes)))
    elif job.default_permissions:
        holds.append("a token with the repository's default permissions (which may write)")
    if not holds:
        return
    for step in job.steps:
        where = _head_checkout(step)
        if where:
            yield Violation(step.at(where), f"job '{job.name}' runs on {trigger} "
                            f"with {' and '.join(holds)} and checks out the pull request's "
                            "head, so code from any fork runs with them; test the head in a "
                            "`pull_request` workflow and keep secrets and write scopes out of "
                            "this job", job.identity, f"untrusted-checkout:{job.name}")
            return  # one finding a job: the fix is the same


# A `run:` step that fetches or checks out the pull request's head: `git fetch origin
# pull/${{ github.event.pull_request.number }}/head`, `git checkout ${{ github.head_ref }}`,
# `gh pr checkout ${{ github.event.number }}`
_GIT_CHECKOUT = re.compile(r"\b(?:git\s+(?:fetch|checkout|switch|pull|merge|reset|worktree\s+add)"
                           r"|gh\s+pr\s+checkout)\b")
_PULL_HEAD = re.compile(r"\bpull/\$\{\{\s*github\s*\.\s*event\s*\.\s*(?:pull_request\s*\.\s*)?number\s*\}\}"
                        r"/(?:head|merge)\b")


def _head_checkout(step: WorkflowStep) -> str:
    """The field of `step` that checks out the pull request's head ("" if none)."""
    if _is_checkout(step):
        for key in ("ref", "repository"):
            value = step.inputs.get(key, "")
            if _HEAD_REF.search(value) or (key == "repository" and "head.repo" in value):
                return f"with.{key}"
        return ""
    for line in step.run.splitlines():
        command = _GIT_CHECKOUT.search(line)
        if command and (command.group(0).startswith("gh") or _HEAD_REF.search(line, command.end())
                        or _PULL_HEAD.search(line, command.end())):
            return "run"
    return ""


_PUSHES = re.compile(r"\bgit\s+(?:push|commit)\b")
# Actions that push with the credentials checkout persisted (they take no token of their own)
_GIT_PUSHERS = ("helm/chart-releaser-action", "stefanzweifel/git-auto-commit-action",
                "endbug/add-and-commit", "jamesives/github-pages-deploy-action")
# Scopes with which the token in .git/config can change code, releases, packages or runs;
# `statuses`, `checks`, `security-events`, `issues` and `pull-requests` writes cannot push
_PERSISTED_WRITES = frozenset({"*", "contents", "packages", "actions", "deployments", "pages"})


def _pushes_with_git(step: WorkflowStep) -> bool:
    """A later step that may push with the persisted credentials (a local action may too)."""
    return bool(_PUSHES.search(step.run)) or step.uses.startswith("./") or _action(step.uses) in _GIT_PUSHERS


@rule(
    id="NHI332", name="checkout-persists-credentials", category="privilege", severity="warning",
    targets=("nhilint.facts.WorkflowJob",),
    summary="`actions/checkout` leaves a write token (or a personal token) in `.git/config`.",
    rationale="Unless `persist-credentials: false` is set, `actions/checkout` writes the token "
              "into `.git/config`, where every later step of the job, and the dependencies and "
              "build scripts it runs, can read it; with write scopes or a personal access token "
              "that is enough to push code or publish a release.",
    remediation="Set `persist-credentials: false` on the checkout, and hand the token only to "
                "the step that pushes.",
    references=("OWASP-NHI2", "OWASP-NHI5", "NIST-CSF-PR.AA-05"),
    bad=_WF % ("push", "write", "      - uses: actions/checkout@v4\n      - run: make build\n"),
    good=_WF % ("push", "write", "      - uses: actions/checkout@v4\n        with:\n"
                "          persist-credentials: false\n      - run: make build\n"),
)
def checkout_persists_credentials(job: WorkflowJob, ctx: RuleContext) -> Iterator[Violation]:
    writes = [s for s in job.writes if s in _PERSISTED_WRITES]
    for index, step in enumerate(job.steps):
        if not _is_checkout(step) or _false(step.inputs.get("persist-credentials")):
            continue
        token = [s for s in secrets_in(step.inputs.get("token", "")) if s != "GITHUB_TOKEN"]
        if not token and not writes:
            continue
        later = job.steps[index + 1:]
        if any(_pushes_with_git(s) for s in later):
            continue  # a later step pushes with the persisted token: the job needs it there
        what = (f"the secret {token[0]}" if token else "a GITHUB_TOKEN that writes "
                + ("every scope" if "*" in writes else ", ".join(writes)))
        yield Violation(step.at("uses"), f"actions/checkout leaves {what} in .git/config, where "
                        f"every later step of job '{job.name}' can read it; set "
                        "persist-credentials: false", job.identity,
                        f"persisted-credentials:{job.name}:{index}")


def _is_third_party(uses: str) -> bool:
    lowered = uses.lower()
    return not (lowered.startswith(("./", "docker://")) or lowered.startswith(_TRUSTED_OWNERS) or not uses)


def _unpinned(uses: str) -> bool:
    ref = uses.partition("@")[2]
    return not _FULL_SHA.match(ref)


@rule(
    id="NHI333", name="unpinned-action-gets-secret", category="privilege", severity="warning",
    targets=("nhilint.facts.WorkflowJob",),
    summary="A third-party action or workflow referenced by a branch or tag receives a secret or token.",
    rationale="A tag or branch can be moved to new code by whoever controls the action's "
              "repository (or steals its maintainer's credentials, as with tj-actions/changed-files "
              "in 2025); the next run hands that code the secret.",
    remediation="Pin the action to a full 40-character commit SHA (keep the tag in a comment) "
                "and let Dependabot or Renovate update it.",
    references=("OWASP-NHI3", "OWASP-NHI2", "MAESTRO-L7"),
    bad=_WF % ("push", "read", "      - uses: some-org/deploy-action@v2\n        with:\n"
               "          token: ${{ secrets.DEPLOY_TOKEN }}\n"),
    good=_WF % ("push", "read", "      - uses: some-org/deploy-action@"
                "0123456789abcdef0123456789abcdef01234567 # v2\n        with:\n"
                "          token: ${{ secrets.DEPLOY_TOKEN }}\n"),
)
def unpinned_action_gets_secret(job: WorkflowJob, ctx: RuleContext) -> Iterator[Violation]:
    calls: list[tuple[str, Location, list[str]]] = []
    if _is_third_party(job.uses) and _unpinned(job.uses):
        calls.append((job.uses, job.at("uses"), sorted({n for v in job.secrets.values() for n in secrets_in(v)})))
    for step in job.steps:
        if _is_third_party(step.uses) and _unpinned(step.uses):
            passed = [*step.inputs.values(), *step.env.values()]
            calls.append((step.uses, step.at("uses"), sorted({n for v in passed for n in secrets_in(v)})))
    for uses, location, names in calls:
        names = [n for n in names if not _IDENTIFIER.search(n)]
        if not names:
            continue
        ref = uses.partition("@")[2] or "its default branch"
        shown = first_few(names[:3], len(names))
        yield Violation(location, f"{_action(uses)} is referenced by '{ref}', which its owner can "
                        f"move to other code, and receives {shown}; pin it to a full commit SHA",
                        job.identity, f"unpinned-secret:{job.name}:{_action(uses)}")


@rule(
    id="NHI334", name="all-secrets-passed", category="privilege", severity="error",
    targets=("nhilint.facts.WorkflowJob",),
    summary="`${{ toJSON(secrets) }}` hands every secret of the repository to one step.",
    rationale="`toJSON(secrets)` serialises every repository, environment and organisation secret "
              "the workflow can see, including ones added later, into one value; the step, and "
              "anything it logs or runs, gets all of them.",
    remediation="Pass only the secrets the step needs, each by name (`${{ secrets.NAME }}`).",
    references=("OWASP-NHI2", "OWASP-NHI5", "NIST-CSF-PR.AA-05"),
    bad=_WF % ("push", "read", "      - run: ./deploy.sh\n        env:\n"
               "          SECRETS: ${{ toJSON(secrets) }}\n"),
    good=_WF % ("push", "read", "      - run: ./deploy.sh\n        env:\n"
                "          DEPLOY_TOKEN: ${{ secrets.DEPLOY_TOKEN }}\n"),
)
def all_secrets_passed(job: WorkflowJob, ctx: RuleContext) -> Iterator[Violation]:
    places: list[tuple[Mapping[str, str], Located, str]] = [(job.env, job, "env."), (job.secrets, job, "secrets.")]
    for step in job.steps:
        places += [(step.inputs, step, "with."), (step.env, step, "env."), ({"run": step.run}, step, "")]
    for values, owner, prefix in places:
        for key, value in values.items():
            if _ALL_SECRETS.search(value):
                yield Violation(owner.at(prefix + key), f"toJSON(secrets) in '{prefix}{key}' of job "
                                f"'{job.name}' hands every secret of the repository to it; pass the "
                                "secrets it needs by name", job.identity,
                                f"all-secrets:{job.name}:{prefix}{key}")


# Agent actions and the inputs that say which tools the agent may use
_CLAUDE = ("anthropics/claude-code-action", "anthropics/claude-code-base-action")
_SKIP_PERMISSIONS = re.compile(r"--dangerously-skip-permissions\b|--permission-mode[\s=]+['\"]?bypassPermissions")
_ALLOWED_FLAG = re.compile(r"--allowed-?tools(?:\s+|=)(\"[^\"]*\"|'[^']*'|\S+)", re.IGNORECASE)
# A tool rule that allows every command of a shell, or every tool: `Bash`, `Bash(*)`, `Bash(:*)`, `*`
_UNBOUNDED_TOOL = re.compile(r"^(?:\*|Bash(?:\(\s*:?\*\s*\))?)$")


def _unbounded_tools(value: str) -> list[str]:
    items = [t.strip().strip("\"'") for t in re.split(r",(?![^()]*\))|\n", value)]
    return [t for t in items if _UNBOUNDED_TOOL.match(t)]


@rule(
    id="NHI335", name="agent-action-unrestricted-tools", category="privilege", severity="warning",
    targets=("nhilint.facts.WorkflowJob",),
    summary="An AI agent action may run any shell command (`Bash` unrestricted, `*`, or permissions skipped).",
    rationale="The agent reads issues, comments and code that others wrote; a prompt injection in "
              "them can make an agent with an unrestricted shell print or send the job's token, the "
              "model's API key and every secret in its environment, or push with the token.",
    remediation="List the commands the agent needs (`Bash(npm test:*)`, `Bash(git diff:*)`) "
                "instead of `Bash`, and drop `--dangerously-skip-permissions`.",
    references=("OWASP-AGENTIC-T2", "OWASP-AGENTIC-T3", "OWASP-NHI5", "MAESTRO-L3"),
    bad=_WF % ("issue_comment", "read", "      - uses: anthropics/claude-code-action@v1\n        with:\n"
               "          claude_args: --allowedTools \"Bash,Read\"\n"),
    good=_WF % ("issue_comment", "read", "      - uses: anthropics/claude-code-action@v1\n        with:\n"
                "          claude_args: --allowedTools \"Bash(npm test:*),Read\"\n"),
)
def agent_unrestricted_tools(job: WorkflowJob, ctx: RuleContext) -> Iterator[Violation]:
    for index, step in enumerate(job.steps):
        if _action(step.uses) not in _CLAUDE:
            continue
        for key, value in step.inputs.items():
            found: list[str] = []
            if key in ("allowed_tools", "allowedTools"):
                found = _unbounded_tools(value)
            elif key in ("claude_args", "claude_code_args"):
                found = [t for flag in _ALLOWED_FLAG.findall(value) for t in _unbounded_tools(flag.strip("\"'"))]
                if _SKIP_PERMISSIONS.search(value):
                    found.append("--dangerously-skip-permissions")
            if found:
                skips = found[-1].startswith("--")
                what = "skips every permission check" if skips else f"may use '{found[0]}' (any command)"
                fix = ("drop --dangerously-skip-permissions and allow only the commands it needs"
                       if skips else "allow only the commands it needs (Bash(npm test:*))")
                yield Violation(step.at(f"with.{key}"), f"the agent of job '{job.name}' {what}, so a "
                                "prompt injection in what it reads can run any shell command with the "
                                f"job's token and secrets; {fix}", job.identity,
                                f"agent-tools:{job.name}:{index}:{key}")


# Cloud sign-in actions, the inputs that take a long-lived key, and the OIDC way each offers
_CLOUD_KEY_INPUTS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "aws-actions/configure-aws-credentials": (
        ("aws-secret-access-key",), "an IAM user's access key",
        "assume a role through GitHub's OIDC (`role-to-assume`, with `permissions: id-token: write`)"),
    "google-github-actions/auth": (
        ("credentials_json",), "a service account key",
        "use Workload Identity Federation (`workload_identity_provider` and `service_account`, "
        "with `permissions: id-token: write`)"),
    "azure/login": (
        ("creds",), "a service principal's client secret",
        "use a federated credential (`client-id`, `tenant-id` and `subscription-id` only, "
        "with `permissions: id-token: write`)"),
}


@rule(
    id="NHI336", name="long-lived-cloud-key-in-workflow", category="privilege", severity="warning",
    targets=("nhilint.facts.WorkflowJob",),
    summary="A workflow signs in to a cloud with a long-lived key where GitHub's OIDC token would do.",
    rationale="A key stored as a repository secret works from anywhere until someone rotates it: "
              "a step, an action or a log that leaks it hands over the cloud account for months. "
              "AWS, Google Cloud and Azure all accept the job's short-lived OIDC token instead, "
              "scoped to the repository, branch or environment and valid for minutes.",
    remediation="Trust GitHub's OIDC provider in the cloud account for this repository (and branch "
                "or environment), switch the sign-in action to its OIDC inputs, give the job "
                "`permissions: id-token: write`, then delete the key and its secret.",
    references=("OWASP-NHI7", "OWASP-NHI2", "NIST-CSF-PR.AA-05"),
    bad=_WF % ("push", "read", "      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n"
               "          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}\n"
               "          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n"
               "          aws-region: eu-west-1\n"),
    good=_WF % ("push", "read", "      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n"
                "          role-to-assume: arn:aws:iam::123456789012:role/deploy\n"
                "          aws-region: eu-west-1\n"),
)
def long_lived_cloud_key(job: WorkflowJob, ctx: RuleContext) -> Iterator[Violation]:
    for step in job.steps:
        known = _CLOUD_KEY_INPUTS.get(_action(step.uses))
        if known is None:
            continue
        inputs, what, fix = known
        for name in inputs:
            value = step.inputs.get(name, "").strip()
            if not value:
                continue
            source = first_few(secrets_in(value), len(secrets_in(value))) or "a literal value"
            yield Violation(step.at(f"with.{name}"), f"job '{job.name}' signs in to the cloud with {what} "
                            f"(`{name}` from {source}), which works from anywhere until it is rotated; "
                            f"{fix}, then delete the key", job.identity,
                            f"cloud-key:{job.name}:{_action(step.uses)}:{name}")


RULES = (untrusted_checkout, checkout_persists_credentials, unpinned_action_gets_secret,
         all_secrets_passed, agent_unrestricted_tools, long_lived_cloud_key)
