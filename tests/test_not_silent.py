"""Nothing silent (issue 14): a file nhilint recognises but cannot judge (a Helm template, a
Kustomize overlay or patch) is listed by --list-files with the reason, is no parse error
(NHI001), and the summary says how many were skipped; a `kind: List` is read as its items."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from nhilint.cli import main

HELM = "skipped: Helm template: rendered by helm, not read; lint `helm template` output"
TEMPLATE = "skipped: template ({{ ... }} actions): not YAML until rendered, not read; lint the rendered output"
OVERLAY = ("skipped: Kustomize overlay: built by kustomize, not read (the resources it names are read as they "
           "are); lint `kustomize build` output")
PATCH = "skipped: Kustomize patch: applied by kustomize, not read alone; lint `kustomize build` output"
SECRET_READER = """apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules:
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["lint", "--today", "2026-11-22", *args])
    return result.exit_code, result.output


def _listing(path: str = ".") -> dict[str, str]:
    code, output = _run("--list-files", path)
    assert code == 0, output
    return {line.split()[0]: line.split(None, 1)[1] for line in output.splitlines()[:-2]}


@pytest.fixture
def chdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_helm_templates_are_listed_with_the_reason_and_counted(chdir: Path) -> None:
    _write(chdir, {
        "chart/Chart.yaml": "apiVersion: v2\nname: agent\nversion: 1.0.0\n",
        "chart/values.yaml": "rbac:\n  create: true\n",
        # a template action where YAML wants a value, with a hint of AWS IAM (no templated
        # format): a template all the same, not NHI001
        "chart/templates/rbac.yaml": "{{- if .Values.rbac.create }}\n" + SECRET_READER
                                     + "# Statement\n{{- end }}\n",
        "chart/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: \"{{ .Values.a }}\"\n",
        # parses as written: read, and judged
        "chart/templates/role.yaml": SECRET_READER.replace("name: reader", 'name: "{{ .Release.Name }}"'),
    })
    listing = _listing()
    assert listing["chart/templates/rbac.yaml"] == HELM
    assert listing["chart/templates/cm.yaml"] == HELM
    assert listing["chart/templates/role.yaml"] == "kubernetes"
    assert listing["chart/values.yaml"] == "skipped: not a format nhilint reads"
    output = _run(".")[1]
    assert "NHI001" not in output
    assert [line.split(" ")[0] for line in output.splitlines()[:-2]] == ["chart/templates/role.yaml:7:15:"]
    assert output.endswith(" in 1 file; 2 skipped (--list-files says why)\n")


def test_a_template_outside_a_chart_is_skipped_not_a_parse_error(chdir: Path) -> None:
    _write(chdir, {"deploy/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .name }}\n"
                                     "  {{- if .x }}\n"})
    assert _listing() == {"deploy/sa.yaml": TEMPLATE}
    assert _run(".") == (0, "0 findings (0 errors, 0 warnings, 0 info) in 0 files; 1 skipped (--list-files says why)\n")


def test_a_github_expression_is_no_template(chdir: Path) -> None:
    """`${{ ... }}` is a workflow expression: a workflow that does not parse is NHI001."""
    _write(chdir, {".github/workflows/ci.yml": "on: push\njobs:\n  a:\n    run: ${{ github.sha }\n    x: [\n"})
    output = _run(".")[1]
    assert "NHI001" in output and "skipped" not in output


def test_a_json_file_that_does_not_parse_stays_a_parse_error(chdir: Path) -> None:
    _write(chdir, {".mcp.json": '{"mcpServers": {"a": {"command": "{{cmd}}",}\n'})
    output = _run(".")[1]
    assert "NHI001" in output and output.endswith(" in 1 file\n")


def test_kustomize_overlays_and_their_patches_are_listed_and_resources_read(chdir: Path) -> None:
    _write(chdir, {
        "base/kustomization.yaml": "resources:\n- role.yaml\n",
        "base/role.yaml": SECRET_READER,
        "overlay/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                                      "resources:\n- ../base\npatches:\n- path: more-rules.yaml\n"
                                      "- patch: |-\n    - op: remove\n      path: /rules/0\n"
                                      "patchesStrategicMerge:\n- sm.yaml\npatchesJson6902:\n- path: ops.yaml\n"
                                      "  target: {kind: ClusterRole, name: reader}\n",
        "overlay/more-rules.yaml": SECRET_READER.replace('["get"]', '["list"]'),
        "overlay/sm.yaml": SECRET_READER,
        "overlay/ops.yaml": "- op: add\n  path: /rules/-\n  value: {}\n",
    })
    assert _listing() == {
        "base/kustomization.yaml": OVERLAY, "base/role.yaml": "kubernetes",
        "overlay/kustomization.yaml": OVERLAY, "overlay/more-rules.yaml": PATCH, "overlay/ops.yaml": PATCH,
        "overlay/sm.yaml": PATCH}
    output = _run(".")[1]
    assert [line.split(" ")[0] for line in output.splitlines()[:-2]] == ["base/role.yaml:7:15:"]
    assert output.endswith(" in 1 file; 5 skipped (--list-files says why)\n")


def test_a_patch_named_by_an_overlay_is_skipped_when_named_alone(chdir: Path) -> None:
    """pre-commit names the changed files: the overlay is not among them, the patch is read."""
    _write(chdir, {"o/kustomization.yaml": "patchesStrategicMerge:\n- sm.yaml\n", "o/sm.yaml": SECRET_READER})
    assert _listing("o") == {"o/kustomization.yaml": OVERLAY, "o/sm.yaml": PATCH}
    assert _listing("o/sm.yaml") == {"o/sm.yaml": "kubernetes"}


def test_a_list_is_read_as_its_items_each_at_its_line(chdir: Path) -> None:
    items = "".join("- " + line[0:] + "\n" if i == 0 else "  " + line + "\n"
                    for i, line in enumerate(SECRET_READER.splitlines()))
    _write(chdir, {
        "get.yaml": "apiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: \"\"\nitems:\n" + items
                    + "- apiVersion: rbac.authorization.k8s.io/v1\n  kind: ClusterRoleBinding\n"
                      "  metadata: {name: b}\n"
                      "  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}\n"
                      "  subjects:\n  - {kind: ServiceAccount, name: agent, namespace: ai}\n",
        # the API's typed list: its items carry no kind of their own
        "roles.json": '{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleList", "items": [\n'
                      '  {"metadata": {"name": "pods"}, "rules": [\n'
                      '    {"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}]}]}\n',
    })
    code, output = _run("--select", "NHI310", ".")
    assert code == 1
    located = [line.split(" ", 3)[:3] for line in output.splitlines()[:-2]]
    assert located == [["get.yaml:12:17:", "warning", "NHI310"], ["roles.json:3:39:", "warning", "NHI310"]]
    assert "ServiceAccount ai/agent" in output  # the binding of the List joined to its role


def test_a_broken_symlink_is_counted_as_skipped(chdir: Path) -> None:
    _write(chdir, {"role.yaml": SECRET_READER})
    os.symlink("gone.yaml", chdir / "gone-link.yaml")
    assert _run("--select", "NHI310", ".")[1].endswith(
        " in 1 file; 1 skipped (--list-files says why)\n")


def test_a_file_read_up_to_a_template_document_says_the_rest_was_skipped(chdir: Path) -> None:
    _write(chdir, {"sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n---\n"
                              "{{- if .Values.b }}\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n"
                              "  name: {{ .Values.name }}\n{{- end }}\n"})
    assert _listing() == {"sa.yaml": "kubernetes (the rest " + TEMPLATE + ")"}
    output = _run(".")[1]
    assert "NHI001" not in output and output.endswith(" in 1 file\n")
