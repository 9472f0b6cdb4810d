"""`nhilint init`: a commented configuration and the pre-commit hook, never overwriting."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from nhilint import __version__
from nhilint.cli import main
from nhilint.initialize import CONFIG_TEMPLATE, PRE_COMMIT_SNIPPET
from tests.conftest import REPO


def init(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["init", *args])
    return result.exit_code, result.output  # stdout and stderr, as a user sees them


def test_writes_a_commented_config_and_the_pre_commit_hook(tmp_path: Path) -> None:
    code, out = init(str(tmp_path))
    assert code == 0
    assert out == f"wrote {tmp_path / '.nhilint.yaml'}\nwrote {tmp_path / '.pre-commit-config.yaml'}\n"
    config = (tmp_path / ".nhilint.yaml").read_text(encoding="utf-8")
    assert config == CONFIG_TEMPLATE and config.count("\n# ") >= 5
    hooks = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert hooks == {"repos": [{"repo": "https://github.com/nhilint/nhilint", "rev": f"v{__version__}",
                                "hooks": [{"id": "nhilint"}]}]}


def test_the_config_is_valid() -> None:
    schema = json.loads((REPO / "schemas" / "config.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator(schema).validate(yaml.safe_load(CONFIG_TEMPLATE))


def test_the_hook_ids_exist() -> None:
    published = {hook["id"] for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    snippet = yaml.safe_load(PRE_COMMIT_SNIPPET.replace("# - id", "- id"))
    assert {hook["id"] for hook in snippet[0]["hooks"]} == published == {"nhilint", "nhilint-test"}


def test_an_existing_config_stops_everything(tmp_path: Path) -> None:
    (tmp_path / ".nhilint.yaml").write_text("extends: [strict]\n", encoding="utf-8")
    code, out = init(str(tmp_path))
    assert code == 2
    assert "already exists" in out and "does not overwrite" in out
    assert (tmp_path / ".nhilint.yaml").read_text(encoding="utf-8") == "extends: [strict]\n"
    assert not (tmp_path / ".pre-commit-config.yaml").exists()


def test_an_existing_pre_commit_config_is_left_alone_and_the_snippet_printed(tmp_path: Path) -> None:
    existing = "repos: []  # ours\n"
    (tmp_path / ".pre-commit-config.yaml").write_text(existing, encoding="utf-8")
    code, out = init(str(tmp_path))
    assert code == 0
    assert (tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8") == existing
    assert (tmp_path / ".nhilint.yaml").exists()
    assert PRE_COMMIT_SNIPPET in out and "add this under its `repos:`" in out


def test_no_pre_commit(tmp_path: Path) -> None:
    assert init("--no-pre-commit", str(tmp_path))[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".nhilint.yaml"]


def test_the_new_project_lints_clean(tmp_path: Path) -> None:
    assert init(str(tmp_path))[0] == 0
    result = CliRunner().invoke(main, ["lint", str(tmp_path)])
    assert result.exit_code == 0, result.output


def test_the_commented_examples_are_valid_too(tmp_path: Path) -> None:
    """Uncommenting the examples gives a configuration nhilint accepts."""
    examples = [line[4:] for line in CONFIG_TEMPLATE.splitlines() if line.startswith("#   ")]
    config = tmp_path / "examples.yaml"
    config.write_text("\n".join(examples) + "\n", encoding="utf-8")
    assert yaml.safe_load(config.read_text())["rules"]["NHI202"] == {"severity": "error", "max_ttl": "30m"}
    result = CliRunner().invoke(main, ["lint", "--config", str(config), str(tmp_path)])
    assert result.exit_code == 0, result.output
