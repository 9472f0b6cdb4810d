"""MCP client configurations: Claude Desktop and Code, Cursor, VS Code, Cline, Roo, Gemini
CLI, Windsurf, Amazon Q (JSON `mcpServers`/`servers`), Continue (`mcpServers` lists in
`.continue/config.yaml` and `.continue/mcpServers/*.yaml`), Zed (`context_servers`),
opencode (`mcp`, a command list), Goose (`extensions`, `cmd`/`uri`), and Codex `config.toml`.

Each server is an Identity (the format has no owner, purpose or expiry: `declares` is
empty) and an `McpServer` fact (its launcher, arguments, package and URL). What the config
can get wrong, mapped to the rules:

* literal secrets in `env`, `headers`, `args` (`-e NAME=value` too) and URLs: secret
  candidates (NHI204); a literal `Authorization` bearer token to a remote server is also a
  static credential with no lifetime (NHI201);
* `alwaysAllow`/`autoApprove` lists, Gemini `trust: true`, Codex `approval_policy =
  "never"`: auto-approved grants (NHI307);
* any server given `/` or the home folder, Codex `sandbox_mode = "danger-full-access"`: a
  wildcard resource (NHI302); a filesystem server given a drive or a home directory (NHI342);
* `npx`, `pnpm dlx`, `npm exec`, `yarn dlx`, `bunx`, `uvx`, `pipx run`, `docker run` (also
  through `cmd /c`) of a package without an exact version: an unpinned Package (NHI305);
* `docker run` options that hand the container the host (NHI340), and remote servers over
  plain http (NHI341);
* Claude Code settings files: a `ClaudeSettings` fact of their permission rules and switches
  (any command, file change or URL allowed unasked, `bypassPermissions`, `acceptEdits`,
  `enableAllProjectMcpServers`, a project's `apiKeyHelper`: NHI343-NHI346), and an allow rule
  for a whole MCP server as an auto-approved grant (NHI307).
"""

from __future__ import annotations

import os
import posixpath
import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

from nhilint.facts import ClaudeSettings, McpServer
from nhilint.model import Credential, Grant, Identity, Location, Package, SecretCandidate
from nhilint.secrets import classify, find_secrets
from nhilint.sources import SourceOutput
from nhilint.sources.detect import is_goose_extensions, is_opencode_servers
from nhilint.sources.mapping import mapping, text
from nhilint.sources.toml_positions import TomlError, load_toml
from nhilint.sources.yaml_loader import Document

FORMAT = "mcp"
HOME_ROOTS = frozenset({"/", "~", "~/", "$HOME", "${HOME}", "${env:HOME}", "${userHome}", "%USERPROFILE%"})
AUTO_APPROVE_KEYS = ("alwaysAllow", "autoApprove")
HEADER_KEYS = ("headers", "http_headers")
URL_KEYS = ("url", "httpUrl", "serverUrl")
# launcher -> (ecosystem, the subcommands that run a package: `pipx run`, `uv tool run`,
# `npm exec` or `npm x`; () when the launcher itself does)
LAUNCHERS: dict[str, tuple[str, tuple[tuple[str, ...], ...]]] = {
    "npx": ("npm", ((),)), "bunx": ("npm", ((),)), "pnpx": ("npm", ((),)),
    "npm": ("npm", (("exec",), ("x",))), "pnpm": ("npm", (("dlx",),)), "yarn": ("npm", (("dlx",),)),
    "bun": ("npm", (("x",),)), "uvx": ("pypi", ((),)), "uv": ("pypi", (("tool", "run"),)),
    "pipx": ("pypi", (("run",),)), "docker": ("oci", (("run",),)), "podman": ("oci", (("run",),))}
# Windows shells that run the launcher: `"command": "cmd", "args": ["/c", "npx", "-y", "pkg"]`
SHELLS = frozenset({"cmd", "powershell", "pwsh"})
_SHELL_OPTIONS = frozenset({"/c", "/k", "/s", "/q", "/d", "-command", "-c", "-noprofile", "-nologo"})
# Options whose value is the package to fetch (the word after it is a program of that package).
_PACKAGE_OPTIONS = {"npm": frozenset({"-p", "--package"}), "pypi": frozenset({"--from", "--spec"}),
                    "oci": frozenset()}
# Options that take a separate value, which is not the package (`uvx --python 3.12 pkg`,
# `docker run -p 127.0.0.1:8085:8085 image`): from `npx`, `uv tool run`, `pipx run` and
# `docker run --help`.
_VALUE_OPTIONS = {
    "npm": frozenset({"-c", "--call", "--registry", "--cache", "--userconfig", "--prefix", "-w",
                      "--workspace", "--node-options", "--loglevel"}),
    # `pnpm dlx -c` and `yarn dlx -q` take no value
    "pnpm": frozenset({"--reporter", "--dir", "-C", "--allow-build", "--filter", "-F"}),
    "yarn": frozenset({"--cwd"}),
    "bun": frozenset({"--cwd", "--registry"}),
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
# opencode's substitutions: `{env:NAME}`, `{file:path}` (a reference, not a value)
_OPENCODE_REFERENCE = re.compile(r"\{(?:env|file):[^}]+\}")
_HEADER_ARG = re.compile(r"^\s*([A-Za-z0-9-]+)\s*:\s*(.+)$")


def _servers(data: dict) -> Iterator[tuple[tuple, str, dict]]:
    """Every server entry of a config: (pointer, name, entry)."""
    maps: list[tuple[tuple, Any]] = [((key,), data.get(key)) for key in ("mcpServers", "servers", "mcp_servers")]
    maps.append((("context_servers",), data.get("context_servers")))  # Zed
    mcp = mapping(data.get("mcp"))
    if isinstance(mcp.get("servers"), dict):  # VS Code settings.json
        maps.append((("mcp", "servers"), mcp["servers"]))
    elif is_opencode_servers(mcp):
        maps.append((("mcp",), mcp))
    if is_goose_extensions(data.get("extensions")):
        maps.append((("extensions",), data["extensions"]))
    for project, settings in mapping(data.get("projects")).items():  # ~/.claude.json local scope
        maps.append((("projects", project, "mcpServers"), mapping(settings).get("mcpServers")))
    for pointer, servers in maps:
        if isinstance(servers, dict):
            for name, server in servers.items():
                if isinstance(server, dict):
                    yield pointer + (name,), str(name), server
        elif isinstance(servers, list) and pointer == ("mcpServers",):  # Continue: a list of blocks
            for index, server in enumerate(servers):
                if isinstance(server, dict):
                    yield pointer + (index,), text(server.get("name")) or f"mcpServers[{index}]", server


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
        # Where the program and its arguments are: `command` + `args` (most clients), `cmd` +
        # `args` (Goose), `command: {path, args}` (Zed), `command: [program, *args]` (opencode)
        command = data.get("command", data.get("cmd"))
        self.args_path: tuple = ("args",)
        self.args_offset = 0
        if isinstance(command, dict):
            command, self.args_path = command.get("path"), ("command", "args")
        elif isinstance(command, list):
            command, self.args_path, self.args_offset = (command[0] if command else None), ("command",), 1
        args: Any = data
        for key in self.args_path:
            args = mapping(args).get(key)
        self.command = text(command)
        self.args: list = args[self.args_offset:] if isinstance(args, list) else []

    def at(self, *path: Any) -> Location:
        return self.doc.value_location(self.pointer + path)

    def key(self, *path: Any) -> Location:
        return self.doc.key_location(self.pointer + path)

    def arg_at(self, index: int) -> Location:
        return self.at(*self.args_path, index + self.args_offset)

    def headers(self) -> Iterator[tuple[tuple, dict]]:
        for path in [(field,) for field in HEADER_KEYS] + [("requestOptions", "headers")]:
            value: Any = self.data
            for key in path:
                value = mapping(value).get(key)
            if isinstance(value, dict):
                yield path, value

    def read(self) -> None:
        self._headers()
        self._args()
        urls: list[tuple[tuple[str | int, ...], str]] = [
            ((key,), self.data[key]) for key in URL_KEYS if isinstance(self.data.get(key), str)]
        for env in ("env", "environment", "envs"):
            urls += [((env, name), value) for name, value in mapping(self.data.get(env)).items()
                     if isinstance(value, str) and "://" in value]
        urls += [(self.args_path + (index + self.args_offset,), arg) for index, arg in enumerate(self.args)
                 if isinstance(arg, str) and "://" in arg]
        for path, url in urls:
            for part, shape in _url_secrets(url):
                self._secret(self.at(*path), shape, f"{path[0]} URL {part}")
        self._approvals()
        self._fact()
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

    def _fact(self) -> None:
        """The server as launched or reached, for the rules that judge its options (NHI340-NHI349)."""
        launcher, words = _launch(self.command, self.args)
        package = _package(self.command, self.args)
        url = next(((key, self.data[key]) for key in (*URL_KEYS, "uri") if isinstance(self.data.get(key), str)), None)
        auth = tuple(str(header) for _, headers in self.headers() for header in headers
                     if str(header).lower() in ("authorization", "x-api-key", "api-key", "x-auth-token")
                     or "token" in str(header).lower())
        self.out.objects.append(McpServer(
            location=self.doc.key_location(self.pointer), identity=self.name,
            launcher=launcher if launcher in LAUNCHERS else "",
            args=tuple(word for _, word in words),
            item_locations={f"args[{position}]": self.arg_at(index) for position, (index, _) in enumerate(words)},
            field_locations={"url": self.at(url[0])} if url else {},
            package=package[2] if package else "",
            package_index=next((p for p, (i, _) in enumerate(words) if package and i == package[0]), -1),
            url=url[1] if url else "", auth_headers=auth,
            wildcard_roots=tuple(a.strip() for a in self.args if isinstance(a, str) and a.strip() in HOME_ROOTS)))

    def _headers(self) -> None:
        for path, headers in self.headers():
            for header, value in headers.items():
                if isinstance(value, str) and _OPENCODE_REFERENCE.search(value):
                    continue
                shape = classify(value, str(header))
                if shape and str(header).lower() == "authorization":
                    self._bearer(self.key(*path, header), self.at(*path, header), shape,
                                 f"{'.'.join(path)}.{header}")

    def _args(self) -> None:
        args = self.args
        if not args:
            return
        for index, key, shape in _arg_secrets(args):
            if key.lower() == "authorization":
                self._bearer(self.arg_at(index), self.arg_at(index), shape, f"args[{index}]")
            else:
                self._secret(self.arg_at(index), shape, key)
        package = _package(self.command, args)
        for index, arg in enumerate(args):
            if isinstance(arg, str) and arg.strip() in HOME_ROOTS:
                self.grants.append(Grant(
                    location=self.arg_at(index), item_locations={"resources[0]": self.arg_at(index)},
                    identity=self.name, name=f"{self.name} (filesystem root {arg.strip()})",
                    label=f"MCP server '{self.name}'", resources=("*",),
                    covers=f"every file under {arg.strip()} (its root folder)",
                    remedy="pass only the folders it needs"))
        if package is not None:
            index, ecosystem, spec, version, launcher = package
            self.out.objects.append(Package(location=self.arg_at(index), identity=self.name,
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


def _launch(command: str | None, args: list) -> tuple[str, list[tuple[int, str]]]:
    """The launcher's name and its text arguments with their indexes in `args`, through a
    Windows shell (`cmd /c npx -y pkg`)."""
    words = [(i, a) for i, a in enumerate(args) if isinstance(a, str)]
    launcher = _program(command)
    while launcher in SHELLS:
        while words and words[0][1].lower() in _SHELL_OPTIONS:
            words = words[1:]
        if not words:
            break
        launcher, words = _program(words[0][1]), words[1:]
    return launcher, words


def _program(command: str | None) -> str:
    name = posixpath.basename((command or "").replace("\\", "/")).lower()
    return name.removesuffix(".exe").removesuffix(".cmd")


def _package(command: str | None, args: list) -> tuple[int, str, str, str | None, str] | None:
    """(argument index, ecosystem, package as written, exact version or None, launcher)."""
    launcher, words = _launch(command, args)
    if launcher not in LAUNCHERS:
        return None
    ecosystem, subcommands = LAUNCHERS[launcher]
    subcommand = next((sub for sub in subcommands
                       if tuple(word for _, word in words[:len(sub)]) == sub), None)
    if subcommand is None:
        return None
    words = words[len(subcommand):]
    value_options = _VALUE_OPTIONS.get(launcher, _VALUE_OPTIONS[ecosystem])
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
            skip_next = not has_value and option in value_options
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
    for pointer, name, server in _servers(data):
        _Server(doc, pointer, name, server, out).read()
    if isinstance(data, dict) and _claude_scope(doc.path) and (
            isinstance(data.get("permissions"), dict) or any(key in data for key in CLAUDE_SWITCHES)):
        _claude_settings(doc, data, out)


# Claude Code settings: the permission rules as written, `defaultMode`, and the switches that
# start (`enableAllProjectMcpServers`) or run (`apiKeyHelper`) something unasked, as a
# ClaudeSettings fact that NHI343-NHI346 judge. An `allow` rule naming a whole MCP server
# (`mcp__github`, `mcp__github__*`, `mcp__*`) pre-approves every tool of it: an auto-approved
# Grant (NHI307), as a client's `alwaysAllow` list is. Scoped rules (`mcp__github__get_issue`)
# are what the setting is for.
CLAUDE = "Claude Code"
CLAUDE_SWITCHES = ("enableAllProjectMcpServers", "apiKeyHelper")
_WHOLE_SERVER = re.compile(r"^(?:mcp__[^_]+(?:__\*)?|mcp__\*)$")


def _claude_scope(path: str) -> str:
    """project | local | user | managed, or "" for a file that is no Claude Code settings file."""
    name = posixpath.basename(path)
    if name == "managed-settings.json":
        return "managed"
    if "/.claude/" not in "/" + path.replace("\\", "/") or name not in ("settings.json", "settings.local.json"):
        return ""
    if name == "settings.local.json":
        return "local"
    folder = os.path.dirname(os.path.dirname(os.path.abspath(path)))
    return "user" if folder == os.path.expanduser("~") else "project"


def _claude_settings(doc: Document, data: dict, out: SourceOutput) -> None:
    base = ("permissions",)
    permissions = mapping(data.get("permissions"))
    lists: dict[str, tuple[str, ...]] = {}
    items: dict[str, Location] = {}
    for kind in ("allow", "deny", "ask"):
        entries = permissions.get(kind)
        texts = [(index, entry) for index, entry in enumerate(entries if isinstance(entries, list) else [])
                 if isinstance(entry, str)]
        lists[kind] = tuple(entry for _, entry in texts)
        items.update({f"{kind}[{position}]": doc.value_location(base + (kind, index))
                      for position, (index, _) in enumerate(texts)})
    fields = {"defaultMode": doc.value_location(base + ("defaultMode",))} if "defaultMode" in permissions else {}
    fields.update({key: doc.value_location((key,)) for key in CLAUDE_SWITCHES if key in data})
    helper = data.get("apiKeyHelper")
    out.objects.append(ClaudeSettings(
        location=doc.key_location(base) if "permissions" in data else Location(doc.path, 1, 1),
        item_locations=items, field_locations=fields, scope=_claude_scope(doc.path),
        allow=lists["allow"], deny=lists["deny"], ask=lists["ask"],
        default_mode=text(permissions.get("defaultMode")) or "",
        enable_all_project_mcp_servers=data.get("enableAllProjectMcpServers") is True,
        api_key_helper=isinstance(helper, str) and bool(helper.strip())))
    for position, entry in enumerate(lists["allow"]):
        if _WHOLE_SERVER.match(entry.strip()):
            out.objects.append(Grant(location=items[f"allow[{position}]"],
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
