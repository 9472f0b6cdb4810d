"""GitHub Actions workflows: what the `GITHUB_TOKEN` and the secrets of a workflow reach.

The workflow is an Identity (no owner or expiry field: `declares` is empty).

* No `permissions` block at the top and jobs without their own: their token gets the
  repository's default permissions, which the file does not show (NHI308, once per
  workflow, at `jobs:`, or at the first such job when other jobs have a block).
* `permissions: write-all` (workflow or job): write access to every scope (NHI302).
* `secrets: inherit` on a call of another repository's reusable workflow: every repository
  secret delegated without attenuation (NHI403). A workflow of the same repository
  (`uses: ./.github/workflows/...`) is changed through the same reviews and could name the
  secrets itself: inheriting them hands nothing to anyone else.
* `id-token: write` is not a finding: it lets a job ask for a short-lived OIDC token, the
  keyless replacement for stored cloud keys (signing, provenance, cloud login). What the
  token may do is decided by the cloud side's trust policy, which nhilint checks where it is
  in view (an AWS trust policy for GitHub's OIDC without a `sub` condition is NHI302).

Each job is also a `WorkflowJob` fact (rules/workflows.py, NHI330-NHI339): the workflow's
triggers, the scopes its token may write, the secrets it passes, and its steps' `uses`,
`with`, `env` and `run`.
"""

from __future__ import annotations

import posixpath

from nhilint.facts import WorkflowJob, WorkflowStep
from nhilint.model import Delegation, Grant, Identity
from nhilint.sources import SourceOutput
from nhilint.sources.mapping import LazyLocations, mapping, sequence, text
from nhilint.sources.yaml_loader import Document

FORMAT = "github-actions"
LOCAL_WORKFLOW = "./"  # `uses: ./.github/workflows/x.yml`: a workflow of the same repository


def _write_all(doc: Document, identity: str, pointer: tuple, scope: str) -> Grant:
    location = doc.value_location(pointer)
    return Grant(location=location, item_locations={"actions[0]": location}, identity=identity,
                 name=f"GITHUB_TOKEN of {scope} (permissions: write-all)",
                 label=f"the GITHUB_TOKEN of {scope}", actions=("*",),
                 covers="write access to every scope (permissions: write-all)",
                 remedy="grant only the scopes it needs (permissions: contents: read, ...)")


def _default_permissions(doc: Document, identity: str, jobs: dict) -> Grant | None:
    """The token of the jobs that set no `permissions` in a workflow that sets none at the top."""
    defaulted = [str(name) for name, job in jobs.items() if "permissions" not in job]
    if not defaulted:
        return None
    if len(defaulted) == len(jobs):
        location, label = doc.key_location(("jobs",)), "the GITHUB_TOKEN"
    else:
        location = doc.key_location(("jobs", defaulted[0]))
        label = f"the GITHUB_TOKEN of job{'s' if len(defaulted) > 1 else ''} {', '.join(defaulted)}"
    return Grant(location=location, identity=identity, name=f"GITHUB_TOKEN of {', '.join(defaulted)}",
                 label=label, granted_by_default=True)


def _triggers(data: dict) -> tuple[str, ...]:
    on = data["on"] if "on" in data else data.get(True)  # YAML 1.1 reads `on:` as true
    if isinstance(on, dict):
        return tuple(str(k) for k in on)
    if isinstance(on, list):
        return tuple(str(t) for t in on if text(t) is not None)
    return (str(on),) if text(on) is not None else ()


def _writes(permissions: object) -> tuple[str, ...]:
    """The scopes a `permissions:` value lets the token write ("*": write-all)."""
    if permissions == "write-all":
        return ("*",)
    return tuple(str(scope) for scope, level in mapping(permissions).items() if level == "write")


def _texts(value: object) -> dict[str, str]:
    """A mapping's scalar values as text (booleans as YAML writes them)."""
    return {str(k): ("true" if v is True else "false" if v is False else str(v))
            for k, v in mapping(value).items() if text(v) is not None}


def _locations(doc: Document, pointer: tuple, data: dict, *sections: str) -> LazyLocations:
    pointers = {key: pointer + (key,) for key in ("uses", "run") if key in data}
    for section in sections:
        pointers.update({f"{section}.{k}": pointer + (section, k) for k in mapping(data.get(section))})
    return LazyLocations(doc, pointers, of_keys=False)


def _job(doc: Document, identity: str, data: dict, job_name: str, job: dict) -> WorkflowJob:
    pointer = ("jobs", job_name)
    permissions = job["permissions"] if "permissions" in job else data.get("permissions")
    steps = []
    for index, step in enumerate(sequence(job.get("steps"))):
        if isinstance(step, dict):
            step_pointer = pointer + ("steps", index)
            steps.append(WorkflowStep(
                location=doc.value_location(step_pointer),
                field_locations=_locations(doc, step_pointer, step, "with", "env"),
                uses=text(step.get("uses")) or "", inputs=_texts(step.get("with")),
                env=_texts(step.get("env")), run=text(step.get("run")) or ""))
    secrets = job.get("secrets")
    return WorkflowJob(
        location=doc.key_location(pointer), field_locations=_locations(doc, pointer, job, "secrets"),
        identity=identity, name=str(job_name), triggers=_triggers(data), writes=_writes(permissions),
        default_permissions="permissions" not in job and "permissions" not in data,
        env=_texts(job.get("env")), inherited_env=_texts(data.get("env")),
        uses=text(job.get("uses")) or "", secrets=_texts(secrets), steps=tuple(steps))


def read(doc: Document, out: SourceOutput) -> None:
    data = doc.data
    name = f"workflow {posixpath.basename(doc.path)}"
    grants: list[Grant] = []
    if data.get("permissions") == "write-all":
        grants.append(_write_all(doc, name, ("permissions",), "the workflow"))
    jobs = {job_name: job for job_name, job in data["jobs"].items() if isinstance(job, dict)}
    defaulted = None if "permissions" in data else _default_permissions(doc, name, jobs)
    if defaulted is not None:
        grants.append(defaulted)
    for job_name, job in jobs.items():
        job_pointer = ("jobs", job_name)
        out.objects.append(_job(doc, name, data, job_name, job))
        if job.get("permissions") == "write-all":
            grants.append(_write_all(doc, name, job_pointer + ("permissions",), f"job {job_name}"))
        called = str(job.get("uses", ""))
        if job.get("secrets") == "inherit" and not called.startswith(LOCAL_WORKFLOW):
            where = doc.value_location(job_pointer + ("secrets",))
            out.objects.append(Delegation(
                location=doc.key_location(job_pointer + ("secrets",)),
                field_locations={"attenuation": where}, identity=name, allowed=True, max_depth=1,
                attenuation="none", remedy=f"pass the secrets {called or 'the called workflow'} "
                "needs by name instead of secrets: inherit"))
    out.identities.append(Identity(
        location=doc.value_location(()), field_locations={
            "permissions": doc.key_location(("permissions",))} if "permissions" in data else {},
        name=name, source_format=FORMAT, declares=frozenset(), identity_type="github-token",
        grants=tuple(grants)))
