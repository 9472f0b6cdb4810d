"""GitHub Actions workflows: what the `GITHUB_TOKEN`, OIDC tokens and secrets of a workflow reach.

The workflow is an Identity (no owner or expiry field: `declares` is empty).

* `permissions: write-all`, or a job with no `permissions` block anywhere (the token then
  gets the repository default, historically read-write on everything): a wildcard
  action (NHI302) at the block or the job.
* `id-token: write` on a job without an `environment`: minting cloud credentials is a
  high-risk action that no environment protection rule (required reviewers) gates (NHI304).
* `secrets: inherit` on a reusable-workflow call: every repository secret is delegated
  without attenuation (NHI403).
"""

from __future__ import annotations

import posixpath
from typing import Any

from nhilint.model import Delegation, Grant, Identity
from nhilint.sources import SourceOutput
from nhilint.sources.yaml_loader import Document

FORMAT = "github-actions"


def _write_all(doc: Document, identity: str, pointer: tuple, scope: str) -> Grant:
    location = doc.value_location(pointer)
    return Grant(location=location, item_locations={"actions[0]": location}, identity=identity,
                 name=f"GITHUB_TOKEN of {scope} (permissions: write-all)", actions=("*",))


def _no_permissions(doc: Document, identity: str, job: str) -> Grant:
    location = doc.key_location(("jobs", job))
    return Grant(location=location, item_locations={"actions[0]": location}, identity=identity,
                 name=f"GITHUB_TOKEN of job {job} (no permissions block: the repository default)",
                 actions=("*",))


def _id_token_pointer(top: Any, job: dict, job_pointer: tuple) -> tuple | None:
    """Where `id-token: write` applies to the job from (its own block, else the workflow's)."""
    if "permissions" in job:
        block, pointer = job["permissions"], job_pointer + ("permissions",)
    else:
        block, pointer = top, ("permissions",)
    if isinstance(block, dict) and block.get("id-token") == "write":
        return pointer + ("id-token",)
    return None


def read(doc: Document, out: SourceOutput) -> None:
    data = doc.data
    name = f"workflow {posixpath.basename(doc.path)}"
    grants: list[Grant] = []
    top = data.get("permissions")
    if top == "write-all":
        grants.append(_write_all(doc, name, ("permissions",), "the workflow"))
    for job_name, job in data["jobs"].items():
        if not isinstance(job, dict):
            continue
        job_pointer = ("jobs", job_name)
        permissions = job.get("permissions")
        if permissions == "write-all":
            grants.append(_write_all(doc, name, job_pointer + ("permissions",), f"job {job_name}"))
        elif permissions is None and "permissions" not in data:
            grants.append(_no_permissions(doc, name, str(job_name)))
        id_token = _id_token_pointer(top, job, job_pointer)
        if id_token is not None and not job.get("environment"):
            grants.append(Grant(
                location=doc.key_location(id_token), identity=name, risk="high",
                remedy="run the job in an environment with required reviewers (environment: ...)",
                requires_approval=False, name=f"job {job_name} id-token: write (cloud credentials, no environment)",
                actions=("id-token:write",)))
        if job.get("secrets") == "inherit":
            where = doc.value_location(job_pointer + ("secrets",))
            out.objects.append(Delegation(
                location=doc.key_location(job_pointer + ("secrets",)),
                field_locations={"attenuation": where}, identity=name, allowed=True, max_depth=1,
                attenuation="none", remedy="pass the secrets the called workflow needs by name "
                "instead of secrets: inherit"))
    out.identities.append(Identity(
        location=doc.value_location(()), field_locations={
            "permissions": doc.key_location(("permissions",))} if "permissions" in data else {},
        name=name, source_format=FORMAT, declares=frozenset(), identity_type="github-token",
        grants=tuple(grants)))

