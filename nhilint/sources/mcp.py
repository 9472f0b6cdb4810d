"""MCP client configurations: Claude Desktop and Code, Cursor, VS Code, Cline, Gemini CLI,
Windsurf (JSON), and Codex `config.toml`.

Each server is an Identity (the format has no owner, purpose or expiry: `declares` is
empty). What the config can get wrong, mapped to the shared rules:

* literal secrets in `env`, `headers`, `args` and URLs: secret candidates (NHI204); a
  literal `Authorization` bearer token to a remote server is also a static credential
  with no lifetime (NHI201);
* `alwaysAllow`/`autoApprove` lists, Gemini `trust: true`, Codex `approval_policy =
  "never"`: auto-approved grants (NHI307);
* a filesystem server rooted at `/` or the home folder, Codex `sandbox_mode =
  "danger-full-access"`: a wildcard resource (NHI302);
* `npx -y pkg`, `uvx pkg`, `docker run image` without a version: an unpinned Package (NHI305).
"""

from __future__ import annotations

import posixpath
import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

from nhilint.model import Credential, Grant, Identity, Location, Package, SecretCandidate
from nhilint.secrets import classify, find_secrets
from nhilint.sources import SourceOutput
from nhilint.sources.detect import is_claude_settings
from nhilint.sources.mapping import mapping, text
from nhilint.sources.toml_positions import TomlError, load_toml
from nhilint.sources.yaml_loader import Document

FORMAT = "mcp"
HOME_ROOTS = frozenset({"/", "~", "~/", "$HOME", "${HOME}", "${env:HOME}", "${userHome}", "%USERPROFILE%"})
AUTO_APPROVE_KEYS = ("alwaysAllow", "autoApprove")
HEADER_KEYS = ("headers", "http_headers")
URL_KEYS = ("url", "httpUrl", "serverUrl")
# launcher -> (ecosystem, the subcommand that runs a package: `pipx run`, `uv tool run`)
LAUNCHERS = {"npx": ("npm", ()), "bunx": ("npm", ()), "pnpx": ("npm", ()), "uvx": ("pypi", ()),
             "uv": ("pypi", ("tool", "run")), "pipx": ("pypi", ("run",)), "docker": ("oci", ("run",)),
             "podman": ("oci", ("run",))}
# Options whose value is the package to fetch (the word after it is a program of that package).
_PACKAGE_OPTIONS = {"npm": frozenset({"-p", "--package"}), "pypi": frozenset({"--from", "--spec"}),
                    "oci": frozenset()}
# Options that take a separate value, which is not the package (`uvx --python 3.12 pkg`,
# `docker run -p 127.0.0.1:8085:8085 image`): from `npx`, `uv tool run`, `pipx run` and
# `docker run --help`.
_VALUE_OPTIONS = {
    "npm": frozenset({"-c", "--call", "--registry", "--cache", "--userconfig", "--prefix", "-w",
                      "--workspace", "--node-options", "--loglevel"}),
    "pypi": frozenset({
        "--with", "--with-editable", "--with-requirements", "-p", "--python", "-c", "--constraints",
        "--overrides", "--build-constraints", "--index", "--default-index", "-i", "--index-url",
        "--extra-index-url", "-f", "--find-links", "--index-strategy", "--keyring-provider",
        "--resolution", "--prerelease", "--exclude-newer", "--link-mode", "-P", "--upgrade-package",
        "--reinstall-package", "--refresh-package", "--no-build-package", "--no-binary-package",
        "-C", "--config-setting", "--directory", "--project", "--config-file", "--cache-dir",
        "--color", "--env-file", "--allow-insecure-host", "--python-preference", "--pip-args",
        "--backend"}),
    "oci": frozenset({
        "-a", "--attach", "-c", "--cpu-shares", "-e", "--env", "--env-file", "-h", "--hostname",
        "-l", "--label", "--label-file", "-m", "--memory", "-p", "--publish", "-u", "--user", "-v",
        "--volume", "-w", "--workdir", "--add-host", "--annotation", "--blkio-weight", "--cap-add",
        "--cap-drop", "--cgroup-parent", "--cgroupns", "--cidfile", "--cpus", "--cpuset-cpus",
        "--cpuset-mems", "--device", "--dns", "--dns-option", "--dns-search", "--domainname",
        "--entrypoint", "--expose", "--gpus", "--group-add", "--health-cmd", "--health-interval",
        "--health-retries", "--health-timeout", "--ip", "--ip6", "--ipc", "--isolation", "--link",
        "--log-driver", "--log-opt", "--mac-address", "--memory-reservation", "--memory-swap",
        "--mount", "--name", "--network", "--net", "--network-alias", "--pid", "--pids-limit",
        "--platform", "--pull", "--restart", "--runtime", "--security-opt", "--shm-size",
        "--stop-signal", "--stop-timeout", "--storage-opt", "--sysctl", "--tmpfs", "--ulimit",
        "--userns", "--uts", "--volume-driver", "--volumes-from", "--pod", "--secret"}),
}
_EXACT_VERSION = re.compile(r"^v?\d+(?:\.\d+)*(?:[-+][0-9A-Za-z.-]+)?$")
# npm reads `pkg@1` and `pkg@1.4` as ranges: only a whole semantic version is one release
_EXACT_NPM_VERSION = re.compile(r"^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$")
_HEADER_ARG = re.compile(r"^\s*([A-Za-z0-9-]+)\s*:\s*(.+)$")


def _server_maps(data: dict) -> Iterator[tuple[tuple, dict]]:
    """Every map of servers in a config, with its pointer."""
    for key in ("mcpServers", "servers", "mcp_servers"):
        if isinstance(data.get(key), dict):
            yield (key,), data[key]
    if isinstance(mapping(data.get("mcp")).get("servers"), dict):
        yield ("mcp", "servers"), data["mcp"]["servers"]
    for project, settings in mapping(data.get("projects")).items():  # ~/.claude.json local scope
        if isinstance(mapping(settings).get("mcpServers"), dict):
            yield ("projects", project, "mcpServers"), settings["mcpServers"]


def _arg_secrets(args: list) -> Iterator[tuple[int, str, tuple[str, str]]]:
    """(index, key, shape) for literal secrets in command-line arguments: `--api-key VALUE`,
    `--token=VALUE`, `-e NAME=VALUE`, `--header "Authorization: Bearer VALUE"`."""
    previous = None
    for index, arg in enumerate(args):
        if not isinstance(arg, str):
            previous = None
            continue
        key, value = previous, arg
        if arg.startswith("-") and "=" in arg:
            key, value = arg.split("=", 1)
        elif "=" in arg and previous in ("-e", "--env"):
            key, value = arg.split("=", 1)
        elif header := _HEADER_ARG.match(arg):
            key, value = header.groups()
        shape = classify(value, key.lstrip("-") if key else None)
        if shape:
            yield index, key or "args", shape
        previous = arg if arg.startswith("-") else None


def _url_secrets(url: str) -> Iterator[tuple[str, tuple[str, str]]]:
    """(where, shape) for a password in the URL's user part and secrets in its query."""
    try:
        parts = urllib.parse.urlsplit(url)
        password = parts.password
    except ValueError:
        return
    shape = classify(urllib.parse.unquote(password), "password") if password else None
    if shape:
        yield "password", ("password in a URL", shape[1])
    for key, value in urllib.parse.parse_qsl(parts.query):
        shape = classify(value, key)
        if shape:
            yield key, shape


class _Server:
    """One server entry of a config, read into the model."""

    def __init__(self, doc: Document, pointer: tuple, name: str, data: dict, out: SourceOutput) -> None:
        self.doc, self.pointer, self.name, self.data, self.out = doc, pointer, name, data, out
        self.credentials: list[Credential] = []
        self.grants: list[Grant] = []

    def at(self, *path: Any) -> Location:
        return self.doc.value_location(self.pointer + path)

    def key(self, *path: Any) -> Location:
        return self.doc.key_location(self.pointer + path)

    def read(self) -> None:
        self._headers()
        self._args()
        urls: list[tuple[tuple[str | int, ...], str]] = [
            ((key,), self.data[key]) for key in URL_KEYS if isinstance(self.data.get(key), str)]
        urls += [(("env", name), value) for name, value in mapping(self.data.get("env")).items()
                 if isinstance(value, str) and "://" in value]
        args = self.data.get("args")
        urls += [(("args", index), arg) for index, arg in enumerate(args if isinstance(args, list) else [])
                 if isinstance(arg, str) and "://" in arg]
        for path, url in urls:
            for part, shape in _url_secrets(url):
                self._secret(self.at(*path), shape, f"{path[0]} URL {part}")
        self._approvals()
        self.out.identities.append(Identity(
            location=self.doc.key_location(self.pointer), name=self.name, source_format=FORMAT,
            declares=frozenset(), identity_type="mcp-server",
            credentials=tuple(self.credentials), grants=tuple(self.grants)))

    def _secret(self, location: Location, shape: tuple[str, str], key: str) -> None:
        self.out.objects.append(SecretCandidate(location=location, kind=shape[0], hint=shape[1],
                                                key=key, identity=self.name))

    def _bearer(self, key_location: Location, value_location: Location, shape: tuple[str, str],
                where: str) -> None:
        # A literal bearer token to a remote server: static, shared, never expires (NHI201, NHI204).
        self.credentials.append(Credential(
            location=key_location, field_locations={"value": value_location},
            identity=self.name, name=f"{self.name} {where}", type="bearer-token",
            has_inline_value=True, value_hint=shape[1],
            remedy="use the server's OAuth sign-in, or a token from ${input:...} or the environment"))

    def _headers(self) -> None:
        for field in HEADER_KEYS:
            for header, value in mapping(self.data.get(field)).items():
                shape = classify(value, str(header))
                if shape and str(header).lower() == "authorization":
                    self._bearer(self.key(field, header), self.at(field, header), shape,
                                 f"{field}.{header}")

    def _args(self) -> None:
        args = self.data.get("args")
        if not isinstance(args, list):
            return
        for index, key, shape in _arg_secrets(args):
            if key.lower() == "authorization":
                self._bearer(self.at("args", index), self.at("args", index), shape, f"args[{index}]")
            else:
                self._secret(self.at("args", index), shape, key)
        for index, arg in enumerate(args):
            if isinstance(arg, str) and arg.strip() in HOME_ROOTS:
                self.grants.append(Grant(
                    location=self.at("args", index), item_locations={"resources[0]": self.at("args", index)},
                    identity=self.name, name=f"{self.name} (filesystem root {arg.strip()})",
                    label=f"MCP server '{self.name}'", resources=("*",),
                    covers=f"every file under {arg.strip()} (its root folder)",
                    remedy="pass only the folders it needs"))
        package = _package(text(self.data.get("command")), args)
        if package is not None:
            index, ecosystem, spec, version, launcher = package
            self.out.objects.append(Package(location=self.at("args", index), identity=self.name,
                                            ecosystem=ecosystem, name=spec, version=version,
                                            launcher=launcher))

    def _approvals(self) -> None:
        for field in AUTO_APPROVE_KEYS:
            tools = self.data.get(field)
            if isinstance(tools, list) and tools:
                name = f"MCP server '{self.name}' ({field})"
                self.grants.append(Grant(
                    location=self.key(field), identity=self.name, auto_approved=True, name=name,
                    label=name, actions=tuple(str(t) for t in tools if not isinstance(t, (dict, list)))))
        if self.data.get("trust") is True:
            name = f"MCP server '{self.name}' (trust: true)"
            self.grants.append(Grant(location=self.key("trust"), identity=self.name, auto_approved=True,
                                     name=name, label=name))


def _package(command: str | None, args: list) -> tuple[int, str, str, str | None, str] | None:
    """(argument index, ecosystem, package as written, exact version or None, launcher)."""
    launcher = posixpath.basename((command or "").replace("\\", "/")).lower().removesuffix(".cmd")
    launcher = launcher.removesuffix(".exe")
    if launcher not in LAUNCHERS:
        return None
    ecosystem, subcommand = LAUNCHERS[launcher]
    words = [(i, a) for i, a in enumerate(args) if isinstance(a, str)]
    if tuple(word for _, word in words[:len(subcommand)]) != subcommand:
        return None
    words = words[len(subcommand):]
    chosen = None
    skip_next = False
    for position, (index, word) in enumerate(words):
        if skip_next:
            skip_next = False
            continue
        option, has_value, value = word.partition("=")
        if option in _PACKAGE_OPTIONS[ecosystem]:
            chosen = (index, value) if has_value else (words[position + 1] if position + 1 < len(words) else None)
            break
        if word.startswith("-"):
            skip_next = not has_value and option in _VALUE_OPTIONS[ecosystem]
            continue
        chosen = (index, word)
        break
    if chosen is None:
        return None
    index, spec = chosen
    if spec.startswith((".", "/", "~")) or "${" in spec:
        return None  # a local path or a templated name: not fetched from a registry
    return index, ecosystem, spec, _version(ecosystem, spec), launcher


def _version(ecosystem: str, spec: str) -> str | None:
    if ecosystem == "npm":
        name_end = spec.find("@", 1)  # a scoped name starts with '@'
        version = spec[name_end + 1:] if name_end > 0 else ""
    elif ecosystem == "pypi":
        version = spec.split("==", 1)[1] if "==" in spec else (spec.split("@", 1)[1] if "@" in spec else "")
    else:
        if "@sha256:" in spec:
            return spec.split("@", 1)[1]
        last = spec.rsplit("/", 1)[-1]
        version = last.split(":", 1)[1] if ":" in last else ""
    exact = _EXACT_NPM_VERSION if ecosystem == "npm" else _EXACT_VERSION
    return version if exact.match(version) else None


def read(doc: Document, out: SourceOutput) -> None:
    data = doc.data
    for pointer, servers in _server_maps(data):
        for name, server in servers.items():
            if isinstance(server, dict):
                _Server(doc, pointer + (name,), str(name), server, out).read()
    if is_claude_settings(doc.path, data):
        _claude_permissions(doc, data["permissions"], out)


# Claude Code permissions: `defaultMode: bypassPermissions` runs everything unasked, and an
# `allow` rule naming a whole tool (`Bash`, `Bash(*)`) or a whole MCP server (`mcp__github`,
# `mcp__github__*`) pre-approves every call of it. Scoped rules (`Bash(npm run test:*)`,
# `mcp__github__get_issue`) are what the setting is for.
CLAUDE = "Claude Code"
_WHOLE_TOOL = re.compile(r"^(?:Bash(?:\((?:\*|:\*)?\))?|mcp__[^_]+(?:__\*)?|mcp__\*)$")


def _claude_permissions(doc: Document, permissions: dict, out: SourceOutput) -> None:
    base = ("permissions",)
    if permissions.get("defaultMode") == "bypassPermissions":
        out.objects.append(Grant(location=doc.value_location(base + ("defaultMode",)), identity=CLAUDE,
                                 auto_approved=True, name=f'{CLAUDE} defaultMode "bypassPermissions"'))
    allow = permissions.get("allow")
    for index, entry in enumerate(allow if isinstance(allow, list) else []):
        if isinstance(entry, str) and _WHOLE_TOOL.match(entry.strip()):
            out.objects.append(Grant(location=doc.value_location(base + ("allow", index)),
                                     identity=CLAUDE, auto_approved=True, actions=(entry,),
                                     name=f"{CLAUDE} permissions.allow",
                                     label=f"{CLAUDE} permissions.allow rule '{entry}'"))


# Codex `config.toml`: the same server entries under [mcp_servers.*], and global switches.
CODEX = "codex"


def _codex_switches(doc: Document, table: tuple, settings: dict, out: SourceOutput) -> None:
    where = ".".join(str(p) for p in table) + "." if table else ""
    if settings.get("approval_policy") == "never":
        out.objects.append(Grant(location=doc.key_location(table + ("approval_policy",)),
                                 identity=CODEX, auto_approved=True,
                                 name=f'Codex {where}approval_policy = "never"'))
    if settings.get("sandbox_mode") == "danger-full-access":
        location = doc.value_location(table + ("sandbox_mode",))
        out.objects.append(Grant(location=location, item_locations={"resources[0]": location},
                                 identity=CODEX, resources=("*",),
                                 name=f'Codex {where}sandbox_mode = "danger-full-access"',
                                 label=f'Codex {where}sandbox_mode = "danger-full-access"',
                                 covers="every command it runs the whole machine, with no sandbox",
                                 remedy='use sandbox_mode = "workspace-write"'))


def read_file(path: str, text_: str, out: SourceOutput) -> None:
    try:
        doc = load_toml(path, text_)
    except TomlError as exc:
        out.problem("NHI001", exc.location, f"invalid TOML: {exc.message}")
        return
    data = doc.data
    _codex_switches(doc, (), data, out)
    for profile, settings in mapping(data.get("profiles")).items():
        if isinstance(settings, dict):
            _codex_switches(doc, ("profiles", profile), settings, out)
    read(doc, out)
    for pointer, key, shape in find_secrets(data):
        out.objects.append(SecretCandidate(location=doc.value_location(pointer), kind=shape[0],
                                           hint=shape[1], key=key))
