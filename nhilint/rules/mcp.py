"""NHI340-NHI349: what an MCP server entry hands the server it starts or the connection it
opens, in any client's config (Claude, Cursor, VS Code, Windsurf, Continue, Zed, opencode,
Goose, ...).

The fact is `McpServer`, read by `sources/mcp.py`: the launcher (after a Windows `cmd /c`),
its arguments, the package or image it runs, and a remote server's URL. The package's
version is NHI305's (`platform.py`), auto-approval NHI307's, literal secrets in `-e
NAME=value` or `env` NHI204's.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from typing import TYPE_CHECKING

from nhilint.model import Violation

if TYPE_CHECKING:  # the facts load with the first file of their format, not on every run
    from nhilint.facts import McpServer

from nhilint.rules import RuleContext, rule

_DOCKER = ("docker", "podman")
_SOCKET = re.compile(r"(?:^|/)(?:docker|podman)\.sock$|^//\./pipe/docker_engine$")
_HOME = re.compile(r"^(?:~|\$HOME|\$\{HOME\}|\$\{env:HOME\}|\$\{userHome\}|%USERPROFILE%|%HOMEPATH%|/root"
                   r"|/home/[^/]+|/Users/[^/]+|[A-Za-z]:/Users/[^/]+)$", re.IGNORECASE)
_ROOT = re.compile(r"^(?:/|[A-Za-z]:/?|[A-Za-z]:)$")
_FILESYSTEM = re.compile(r"filesystem")  # @modelcontextprotocol/server-filesystem, mcp-server-filesystem, ...
_LOOPBACK = re.compile(r"^(?:localhost|127(?:\.\d{1,3}){3}|::1|0\.0\.0\.0)$|\.localhost$")
_REMOTE_PROXIES = ("mcp-remote",)


def host_folder(path: str) -> str:
    """'the whole filesystem', 'a home directory' or '' for a host path as written."""
    path = path.strip().replace("\\", "/")
    path = path.rstrip("/") or "/"
    if _ROOT.match(path):
        return "the whole filesystem"
    if _HOME.match(path):
        return "a home directory"
    return ""


def _volume_source(value: str) -> str:
    """The host side of `-v SOURCE:TARGET[:opts]` (a Windows drive's colon kept)."""
    drive = re.match(r"^[A-Za-z]:[\\/]", value)
    rest = value[2:] if drive else value
    return (value[:2] if drive else "") + rest.split(":", 1)[0]


def _mount_source(value: str) -> str:
    fields = dict(part.partition("=")[::2] for part in value.split(","))
    return fields.get("source") or fields.get("src") or "" if fields.get("type", "volume") == "bind" else ""


def _read_only(option: str, value: str) -> bool:
    if option == "--mount":
        return any(part in ("readonly", "ro", "readonly=true", "ro=true") for part in value.split(","))
    return "ro" in value.rsplit(":", 1)[-1].split(",") if value.count(":") >= 2 else False


def _docker_options(server: McpServer) -> Iterator[tuple[int, str, str]]:
    """(argument index, the option as written, what it lets the server do) for the options of
    `docker run` before the image that hand the container the host."""
    end = server.package_index if server.package_index >= 0 else len(server.args)
    args = server.args
    index = 1  # after `run`
    while index < end:
        option, has_value, value = args[index].partition("=")
        at = index
        if not has_value and index + 1 < end and option in (
                "-v", "--volume", "--mount", "--network", "--net", "--pid", "--cap-add"):
            index += 1
            value = args[index]
        index += 1
        written = args[at] if has_value or not value else f"{option} {value}"
        if option == "--privileged" and value.lower() in ("", "true"):
            yield at, option, ("runs it with every capability and the host's devices, as root on the "
                               "host in all but name")
            continue
        source = (_volume_source(value) if option in ("-v", "--volume")
                  else _mount_source(value) if option == "--mount" else "")
        if source and _SOCKET.search(source.replace("\\", "/")):
            yield at, written, ("gives it the Docker socket: it can start a privileged container that "
                                "mounts the host, so it controls the host")
        elif source and host_folder(source):
            root = _ROOT.match(source.replace("\\", "/").rstrip("/") or "/")
            what = "the host's whole filesystem" if root else "a home directory of the host"
            can = "read" if _read_only(option, value) else "read and change"
            yield at, written, (f"mounts {what} into it: it can {can} every file there, "
                                "SSH keys and cloud credentials included")
        elif option in ("--network", "--net") and value == "host":
            yield at, written, ("puts it on the host's network: it can reach every service listening "
                                "on the host's localhost and interfaces")
        elif option == "--pid" and value == "host":
            yield at, written, "lets it see and signal every process of the host"
        elif option == "--cap-add" and value.upper().removeprefix("CAP_") in ("ALL", "SYS_ADMIN"):
            yield at, written, "gives it the capability to mount filesystems and escape the container"


_DOCKER_MCP = ('{"mcpServers": {"github": {"command": "docker", "args": ["run", "-i", "--rm", %s'
               '"ghcr.io/github/github-mcp-server:v0.9.1"]}}}')


@rule(
    id="NHI340", name="mcp-server-container-escape", category="privilege", severity="error",
    targets=("nhilint.facts.McpServer",),
    summary="A tool server runs in a container that is handed the host: `--privileged`, the Docker "
            "socket, the host's root or a home directory, or the host's network or processes.",
    rationale="A container is what keeps a tool server (and whatever a prompt injection makes it "
              "do) away from the machine the agent runs on. `--privileged`, `-v "
              "/var/run/docker.sock:...`, `-v /:/host`, a mounted home directory, `--network host` "
              "and `--pid host` each give that machine back: its files and credentials, its "
              "local services, or, through the Docker socket, root on it.",
    remediation="Drop the option: mount only the project folder the server needs (read-only where "
                "it can be), publish the one port it needs instead of the host network, and never "
                "mount the Docker socket into a tool server.",
    references=("OWASP-AGENTIC-T3", "OWASP-NHI5", "MAESTRO-L4"),
    bad=_DOCKER_MCP % '"-v", "/var/run/docker.sock:/var/run/docker.sock", ',
    good=_DOCKER_MCP % '"-v", "./workspace:/workspace:ro", ',
    language="json",
)
def container_escape(server: McpServer, ctx: RuleContext) -> Iterator[Violation]:
    if server.launcher not in _DOCKER or not server.args or server.args[0] != "run":
        return
    for index, written, effect in _docker_options(server):
        yield Violation(server.arg(index), f"MCP server '{server.identity}': `{written}` "
                        f"{effect}; remove it and mount or publish only what the server needs",
                        server.identity, f"container:{server.identity}:{written}")


_REMOTE_MCP = '{"mcpServers": {"crm": {"type": "http", "url": "%s://crm.example.net/mcp"}}}'


@rule(
    id="NHI341", name="mcp-server-plain-http", category="privilege", severity="error",
    targets=("nhilint.facts.McpServer",),
    summary="A client reaches a remote tool server over plain `http://`.",
    rationale="Over plain HTTP anyone on the network path (a café Wi-Fi, a proxy, a compromised "
              "router) reads every tool call and result and the credential the client sends "
              "with them, and can change what the agent is told or does. Loopback addresses "
              "(`localhost`, `127.0.0.1`) never leave the machine and are not reported.",
    remediation="Use the server's `https://` URL (or a TLS-terminating proxy in front of it).",
    references=("OWASP-NHI4", "OWASP-AGENTIC-T3", "MAESTRO-L4"),
    bad=_REMOTE_MCP % "http", good=_REMOTE_MCP % "https",
    language="json",
)
def plain_http(server: McpServer, ctx: RuleContext) -> Iterator[Violation]:
    urls = [(server.url, server.field_locations.get("url"))] if server.url else []
    if server.package_index >= 0 and server.package_name.endswith(_REMOTE_PROXIES):
        urls += [(arg, server.arg(i)) for i, arg in enumerate(server.args)
                 if i > server.package_index and arg.startswith("http")]
    for url, location in urls:
        try:
            parts = urllib.parse.urlsplit(url.strip())
            host = parts.hostname or ""
        except ValueError:
            continue
        if parts.scheme.lower() != "http" or not host or _LOOPBACK.search(host) or "${" in url:
            continue
        sends = (f" and the {', '.join(server.auth_headers)} header it sends" if server.auth_headers else "")
        yield Violation(location or server.location, f"MCP server '{server.identity}' is reached over "
                        f"plain http at {host}: anyone on the network path can read and change its "
                        f"tool calls and results{sends}; use its https:// URL",
                        server.identity, f"plain-http:{server.identity}")


_FS_MCP = ('{"mcpServers": {"files": {"command": "npx", "args": '
           '["-y", "@modelcontextprotocol/server-filesystem@2025.7.1", "%s"]}}}')


@rule(
    id="NHI342", name="mcp-filesystem-server-too-broad", category="privilege", severity="error",
    targets=("nhilint.facts.McpServer",),
    summary="A filesystem tool server is given a drive (`C:\\`) or a home directory "
            "(`/home/me`, `/Users/me`, `C:\\Users\\me`).",
    rationale="A filesystem server can read and write every file under the folders it is "
              "given. Rooted at `/`, a drive or a home directory, that is the SSH keys, the "
              "cloud and registry credentials (`~/.aws`, `~/.npmrc`, `~/.kube`), the browser "
              "profiles and every other project, for any prompt injection in a file the agent "
              "reads. (`/`, `~` and `$HOME` are reported as a wildcard grant, NHI302.)",
    remediation="Pass only the project folders the agent needs (`/home/me/src/app`), and a "
                "read-only server or mount where it only reads.",
    references=("OWASP-AGENTIC-T3", "OWASP-NHI5", "MAESTRO-L4"),
    bad=_FS_MCP % "/Users/me", good=_FS_MCP % "/home/me/src/app",
    language="json",
)
def filesystem_too_broad(server: McpServer, ctx: RuleContext) -> Iterator[Violation]:
    if server.launcher in _DOCKER or server.package_index < 0:
        return  # a container sees its mounts (NHI340 judges those), not the host's paths
    if not _FILESYSTEM.search(server.package_name):
        return
    for index in range(server.package_index + 1, len(server.args)):
        folder = host_folder(server.args[index])
        if folder and server.args[index].strip() not in server.wildcard_roots:
            yield Violation(server.arg(index), f"filesystem server '{server.identity}' is "
                            f"rooted at {server.args[index].strip()} ({folder}): it can read and "
                            "change every file there, SSH keys and cloud credentials included; pass "
                            "only the project folders it needs", server.identity,
                            f"filesystem-root:{server.identity}:{server.args[index].strip()}")


RULES = (container_escape, plain_http, filesystem_too_broad)
