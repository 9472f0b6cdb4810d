"""NHI340-NHI349: what an MCP server entry hands the server it starts or the connection it
opens, in any client's config (Claude, Cursor, VS Code, Windsurf, Continue, Zed, opencode,
Goose, ...).

The fact is `McpServer`, read by `sources/mcp.py`: the launcher (after a Windows `cmd /c`),
its arguments, the package or image it runs, and a remote server's URL. The package's
version is NHI305's (`platform.py`), auto-approval NHI307's, literal secrets in `-e
NAME=value` or `env` NHI204's.

NHI343-NHI346 judge Claude Code settings files (the `ClaudeSettings` fact): what their
`permissions` let the agent do without asking (any command, any file change, any URL), and
the switches that start or run a repository's commands unasked. An `allow` rule for a whole
MCP server (`mcp__github`, `mcp__*`) is an auto-approved Grant, NHI307's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from nhilint.model import Violation

if TYPE_CHECKING:  # the facts load with the first file of their format, not on every run
    from nhilint.facts import ClaudeSettings, McpServer

from nhilint.rules import RuleContext, plain_http_host, rule

_DOCKER = ("docker", "podman")
_SOCKET = re.compile(r"(?:^|/)(?:docker|podman)\.sock$|^//\./pipe/docker_engine$")
_HOME = re.compile(r"^(?:~|\$HOME|\$\{HOME\}|\$\{env:HOME\}|\$\{userHome\}|%USERPROFILE%|%HOMEPATH%|/root"
                   r"|/home/[^/]+|/Users/[^/]+|[A-Za-z]:/Users/[^/]+)$", re.IGNORECASE)
_ROOT = re.compile(r"^(?:/|[A-Za-z]:/?|[A-Za-z]:)$")
_FILESYSTEM = re.compile(r"filesystem")  # @modelcontextprotocol/server-filesystem, mcp-server-filesystem, ...
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
        host = plain_http_host(url)
        if not host:
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


# -- Claude Code settings ------------------------------------------------------------------

_TOOL_RULE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*$", re.DOTALL)
_EDIT_TOOLS = ("Edit", "Write", "MultiEdit", "NotebookEdit")  # an `Edit` rule covers them all
_EVERYTHING = ("", "*", "**", ":*", "* *")
# Programs that run the code or command they are given (`python -c`, `sh -c`, `node -e`)
_INTERPRETER = re.compile(r"^(?:(?:ba|z|da|k|c|tc|fi)?sh|fish|pwsh|powershell|cmd|py|python[0-9.]*|pypy[0-9.]*"
                          r"|node|nodejs|deno|ruby[0-9.]*|perl[0-9.]*|php[0-9.]*|lua[0-9.]*|luajit|osascript"
                          r"|tclsh|rscript|irb|jshell)$")
# Words that run the command after them, which Claude Code matches as written (`env`, `sudo`,
# `xargs`) or strips before matching (`timeout`, `nice`, `nohup`, `time`, `stdbuf`)
_WRAPPERS = frozenset({"env", "sudo", "doas", "xargs", "exec", "eval", "command", "builtin", "timeout",
                       "nice", "nohup", "time", "stdbuf", "ionice", "watch"})
# Programs that fetch and run any package, or run any command, through these subcommands
_RUNNERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "npx": ((),), "bunx": ((),), "pnpx": ((),), "uvx": ((),),
    "npm": (("exec",), ("x",)), "pnpm": (("dlx",),), "yarn": (("dlx",),), "bun": (("x",), ("-e",)),
    "uv": (("run",), ("tool", "run")), "pipx": (("run",),), "poetry": (("run",),), "go": (("run",),),
    "docker": (("run",), ("container", "run")), "podman": (("run",), ("container", "run"))}
_RUNS = {"docker": "run any container, with the host's files or the Docker socket mounted,",
         "podman": "run any container, with the host's files mounted,",
         "uv": "run any command or package", "bun": "run any JavaScript code or package",
         "poetry": "run any command", "go": "run any Go package"}
_NETWORK = frozenset({"curl", "wget", "nc", "ncat", "netcat", "socat", "ssh", "scp", "sftp", "rsync", "ftp",
                      "telnet", "http", "https", "xh", "aria2c"})
_SCHEME_ONLY = re.compile(r"^[a-z][a-z0-9+.-]*:(?://)?$", re.IGNORECASE)
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def _parse(entry: str) -> tuple[str, str | None]:
    """(tool, specifier) of a permission rule; the specifier is None for a bare tool name."""
    match = _TOOL_RULE.match(entry)
    if not match:
        return entry.strip(), None
    return match.group(1), (match.group(2).strip() if match.group(2) is not None else None)


def _bash_pattern(spec: str | None) -> str:
    """A Bash rule's command pattern, with the legacy `prefix:*` written as `prefix *`."""
    pattern = (spec or "").strip()
    if pattern.endswith(":*"):
        pattern = pattern[:-2].rstrip() + " *"
    return pattern


def _program_words(pattern: str) -> list[str]:
    """The fixed words of a command pattern before its first `*`, from the program on (variable
    assignments and wrapper commands dropped); [] when the program itself is a wildcard."""
    fixed = pattern.split("*", 1)[0]
    words = fixed.split()
    if words and not fixed[-1:].isspace():
        words[-1] += "*"  # `py*`, `curl http://*`: the wildcard is part of the word
    while words and (_ASSIGNMENT.match(words[0]) or _basename(words[0]) in _WRAPPERS):
        words = words[1:]
        while words and (words[0].startswith("-") or words[0].isdigit() or re.match(r"^\d+[smhd]$", words[0])):
            words = words[1:]  # the wrapper's options (`timeout 30`, `nice -n 5`, `xargs -0`)
    return words


def _basename(word: str) -> str:
    name = word.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return name.removesuffix(".exe")


def _arguments(words: list[str]) -> list[str]:
    """The words after the program that are not options."""
    return [w for w in words[1:] if not w.startswith("-")]


def bash_grant(spec: str | None) -> str:
    """What a Bash allow rule lets the agent do unasked, or "" for a rule scoped to a command
    (`Bash(git status)`, `Bash(npm run test:*)`, `Bash(python scripts/build.py:*)`)."""
    pattern = _bash_pattern(spec)
    if pattern in _EVERYTHING:
        return "run any shell command"
    if pattern.startswith("*"):
        return "run any program (the rule's command starts with a wildcard)"
    if "*" not in pattern:
        return ""  # an exact command
    words = _program_words(pattern)
    if not words:
        return "run any shell command"
    program = _basename(words[0])
    if program.endswith("*"):
        return "run any shell command"  # `Bash(py*)`: the program itself is a wildcard
    arguments = _arguments(words)
    if _INTERPRETER.match(program) and not arguments:
        return f"run any code with `{program}`, and so any command,"
    if program in _RUNNERS:
        after = [w for w in words[1:] if not w.startswith("-")] if not _RUNNERS[program][0] else words[1:]
        for subcommand in _RUNNERS[program]:
            head = tuple(after[:len(subcommand)])
            if head == subcommand[:len(head)] and not _arguments(["", *after[len(subcommand):]]):
                return _RUNS.get(program, "download and run any package")
    if program in _NETWORK and not any("*" not in a and not _SCHEME_ONLY.match(a) for a in arguments):
        return f"send any file it can read to any host, and download anything, with `{program}`,"
    return ""


def _edit_grant(spec: str | None) -> str:
    """What an Edit/Write rule lets the agent change unasked, or "" for a scoped path."""
    if spec is None:
        return "any file it can reach"
    path = spec.strip().replace("\\", "/")
    trimmed = re.sub(r"(?:/?\*\*?)+(?:/\*)?$", "", path)
    if path.startswith("//") and trimmed.strip("/") == "":
        return "any file on the machine"
    if trimmed in ("", ".", "./", "/"):
        return "any file of the project"
    if trimmed in ("~", "~/", "$HOME", "${HOME}"):
        return "any file of the home directory (shell start-up files, SSH keys and cloud credentials included)"
    return ""


def _web_fetch_grant(spec: str | None) -> bool:
    if spec is None:
        return True
    value = spec.strip()
    return value in ("", "*", "**") or (value.startswith("domain:") and value[7:].strip() in ("", "*", "*.*"))


def _covered(settings: ClaudeSettings, tool: str, spec: str | None) -> bool:
    """Whether a deny or ask rule of the same file takes the allow rule over (deny, then ask,
    then allow: the first that matches decides)."""
    for rule_text in settings.deny + settings.ask:
        other_tool, other = _parse(rule_text)
        if other_tool != tool and not (other_tool == "Edit" and tool in _EDIT_TOOLS):
            continue
        if other is None or other.strip() in _EVERYTHING or other.strip() == (spec or "").strip():
            return True
        if tool == "WebFetch" and _web_fetch_grant(other):
            return True
        if tool == "Bash" and spec is not None:
            wider, narrower = _bash_pattern(other), _bash_pattern(spec)
            if wider.endswith(" *") and wider.count("*") == 1 and (
                    narrower.startswith(wider[:-1]) or narrower == wider[:-2]):
                return True
    return False


def _allowed(settings: ClaudeSettings, tools: tuple[str, ...]) -> Iterator[tuple[int, str, str | None, str]]:
    """(index, entry, specifier, tool) of the allow rules for `tools` no deny or ask rule covers."""
    for index, entry in enumerate(settings.allow):
        tool, spec = _parse(entry)
        if tool in tools and not _covered(settings, tool, spec):
            yield index, entry.strip(), spec, tool


_ASK = "or move the rule to `ask`"
# the first line says where the file lies: Claude Code reads these by their place
_CLAUDE_SETTINGS = '# .claude/settings.json\n{"permissions": {"allow": [%s]}}'


@rule(
    id="NHI343", name="claude-code-runs-any-command", category="privilege", severity="error",
    targets=("nhilint.facts.ClaudeSettings",),
    summary="Claude Code settings let the agent run any shell command without asking: `Bash`, "
            "`Bash(*)`, an interpreter, package runner or network tool with a wildcard "
            "(`Bash(python:*)`, `Bash(npx:*)`, `Bash(curl:*)`), or `defaultMode: "
            "\"bypassPermissions\"`.",
    rationale="An `allow` rule runs the matching tool call with no one asked. `Bash` and `Bash(*)` "
              "match every command; `python`, `node`, `sh` and the like run any code they are "
              "given (`python -c`), `npx`, `uvx`, `npm exec` and `docker run` any package or "
              "container, and `curl` or `wget` can upload any file the user can read to any host. "
              "A prompt injection in a file, issue or web page the agent reads then runs with the "
              "user's shell, keys and tokens. `bypassPermissions` skips every prompt at once. A "
              "rule scoped to a command (`Bash(npm run test:*)`, `Bash(git status)`, `Bash(python "
              "scripts/build.py:*)`, `Bash(curl https://api.example.com/:*)`) is what the setting "
              "is for, and an allow rule that a `deny` or `ask` rule of the same file covers grants "
              "nothing; neither is reported.",
    remediation="Allow the commands the agent needs by name (`Bash(npm run test:*)`, `Bash(git "
                "diff:*)`), move broad rules to `ask`, and use `defaultMode: \"default\"` outside "
                "a disposable sandbox.",
    references=("OWASP-AGENTIC-T2", "OWASP-AGENTIC-T3", "OWASP-NHI5", "MAESTRO-L3"),
    bad=_CLAUDE_SETTINGS % '"Bash(python3:*)", "Read"',
    good=_CLAUDE_SETTINGS % '"Bash(python3 -m pytest:*)", "Read"',
    language="json",
)
def claude_any_command(settings: ClaudeSettings, ctx: RuleContext) -> Iterator[Violation]:
    if settings.default_mode == "bypassPermissions":
        yield Violation(settings.at("defaultMode"), 'Claude Code defaultMode "bypassPermissions" runs '
                        "every tool call without asking, any shell command and file change included; "
                        'use defaultMode "default" and allow the commands the agent needs by name',
                        "Claude Code", "claude-default-mode:bypassPermissions")
    for index, entry, spec, _ in _allowed(settings, ("Bash",)):
        grant = bash_grant(spec)
        if grant:
            program = _program_words(_bash_pattern(spec))[:1]
            example = ("Bash(curl https://api.example.com/:*)" if program and _basename(program[0]) in _NETWORK
                       else "Bash(npm run test:*)")
            yield Violation(settings.rule_at("allow", index), f"Claude Code permissions.allow rule "
                            f"'{entry}' lets the agent {grant} without asking; allow only the "
                            f"commands it needs ({example}) {_ASK}",
                            "Claude Code", f"claude-allow:{entry}")


@rule(
    id="NHI344", name="claude-code-edits-any-file", category="privilege", severity="warning",
    targets=("nhilint.facts.ClaudeSettings",),
    summary="Claude Code settings let the agent change any file without asking: `Edit`, `Write`, "
            "`MultiEdit` or `NotebookEdit` with no path or a path that covers the project, the "
            "home directory or the machine, or `defaultMode: \"acceptEdits\"`.",
    rationale="Unreviewed edits are how a prompt injection makes itself permanent: it rewrites a "
              "build script, a test or a CI workflow that later runs with the user's or the "
              "pipeline's credentials, or a shell start-up file in the home directory. In a "
              "project's checked-in settings the choice is made for every contributor. An edit "
              "rule scoped to the folders the agent works on (`Edit(docs/**)`, `Edit(src/**)`) "
              "is narrower and not reported, nor is a rule a `deny` or `ask` rule covers.",
    remediation="Scope edit rules to the folders the agent works on (`Edit(src/**)`, "
                "`Edit(docs/**)`) and let it ask for the rest, or move the rule to `ask`.",
    references=("OWASP-AGENTIC-T2", "OWASP-AGENTIC-T3", "OWASP-NHI5"),
    bad=_CLAUDE_SETTINGS % '"Edit", "Read"', good=_CLAUDE_SETTINGS % '"Edit(docs/**)", "Read"',
    language="json",
)
def claude_edits_any_file(settings: ClaudeSettings, ctx: RuleContext) -> Iterator[Violation]:
    if settings.default_mode == "acceptEdits":
        yield Violation(settings.at("defaultMode"), 'Claude Code defaultMode "acceptEdits" accepts '
                        "every file change of the agent without asking; use defaultMode \"default\" "
                        "and allow edits of the folders it works on (Edit(src/**))",
                        "Claude Code", "claude-default-mode:acceptEdits")
    for index, entry, spec, tool in _allowed(settings, _EDIT_TOOLS):
        grant = _edit_grant(spec)
        if grant:
            verb = "write" if tool == "Write" else "change"
            yield Violation(settings.rule_at("allow", index), f"Claude Code permissions.allow rule "
                            f"'{entry}' lets the agent {verb} {grant} without asking; scope it to the "
                            f"folders it works on (Edit(src/**)) {_ASK}",
                            "Claude Code", f"claude-allow:{entry}")


@rule(
    id="NHI345", name="claude-code-fetches-any-url", category="privilege", severity="warning",
    targets=("nhilint.facts.ClaudeSettings",),
    summary="Claude Code settings let the agent fetch any URL without asking: `WebFetch` with no "
            "domain, or `WebFetch(domain:*)`.",
    rationale="An unscoped `WebFetch` lets a prompt injection send what the agent has read (code, "
              "secrets in `.env` files, tokens in its context) to any host in a URL, and pulls "
              "pages anyone writes into the agent's context, where they can carry further "
              "instructions. (Some versions ignore `domain:*` and still ask; it is reported for "
              "what it asks for.) A rule for named domains (`WebFetch(domain:docs.python.org)`) "
              "is not reported.",
    remediation="Allow the domains the agent reads (`WebFetch(domain:docs.python.org)`, "
                "`WebFetch(domain:*.github.com)`) and let it ask for the rest.",
    references=("OWASP-AGENTIC-T2", "OWASP-NHI5", "MAESTRO-L3"),
    bad=_CLAUDE_SETTINGS % '"WebFetch"', good=_CLAUDE_SETTINGS % '"WebFetch(domain:docs.python.org)"',
    language="json",
)
def claude_fetches_any_url(settings: ClaudeSettings, ctx: RuleContext) -> Iterator[Violation]:
    for index, entry, spec, _ in _allowed(settings, ("WebFetch",)):
        if _web_fetch_grant(spec):
            yield Violation(settings.rule_at("allow", index), f"Claude Code permissions.allow rule "
                            f"'{entry}' lets the agent fetch any URL without asking, so a prompt "
                            "injection can send what it read to any host; allow only the domains it "
                            f"needs (WebFetch(domain:docs.python.org)) {_ASK}",
                            "Claude Code", f"claude-allow:{entry}")


@rule(
    id="NHI346", name="claude-code-runs-repository-commands", category="privilege", severity="error",
    targets=("nhilint.facts.ClaudeSettings",),
    summary="Claude Code settings start every MCP server a repository names without asking "
            "(`enableAllProjectMcpServers: true`), or a project's checked-in settings set the "
            "`apiKeyHelper` command.",
    rationale="A project's `.mcp.json` names commands to run; with `enableAllProjectMcpServers` "
              "they start without the per-server prompt, so cloning a repository or merging a "
              "change to its `.mcp.json` runs new code on the machine with the user's rights. "
              "`apiKeyHelper` is a shell command Claude Code runs to get the API key: in the user's "
              "or managed settings that is its purpose, but in a project's `.claude/settings.json` "
              "anyone who can change the repository chooses a command that runs on each "
              "contributor's machine, with their environment and credentials.",
    remediation="Remove `enableAllProjectMcpServers` and approve project servers by name "
                "(`enabledMcpjsonServers: [\"github\"]`); set `apiKeyHelper` in "
                "`~/.claude/settings.json` or managed settings, not in a repository.",
    references=("OWASP-AGENTIC-T2", "OWASP-AGENTIC-T3", "OWASP-NHI3", "MAESTRO-L7"),
    bad='# .claude/settings.json\n{"enableAllProjectMcpServers": true, "permissions": {"allow": ["Read"]}}',
    good='# .claude/settings.json\n{"enabledMcpjsonServers": ["github"], "permissions": {"allow": ["Read"]}}',
    language="json",
)
def claude_repository_commands(settings: ClaudeSettings, ctx: RuleContext) -> Iterator[Violation]:
    if settings.enable_all_project_mcp_servers:
        yield Violation(settings.at("enableAllProjectMcpServers"), "Claude Code "
                        "enableAllProjectMcpServers: true starts every MCP server a repository's "
                        ".mcp.json names without asking, so a change to that file runs new commands on "
                        "this machine; remove it and approve servers by name (enabledMcpjsonServers)",
                        "Claude Code", "claude-enable-all-project-mcp-servers")
    if settings.api_key_helper and settings.scope == "project":
        yield Violation(settings.at("apiKeyHelper"), "Claude Code apiKeyHelper in a project's "
                        ".claude/settings.json is a shell command anyone who can change the repository "
                        "chooses, run on each contributor's machine with their credentials; set it in "
                        "~/.claude/settings.json or managed settings instead",
                        "Claude Code", "claude-api-key-helper")


RULES = (container_escape, plain_http, filesystem_too_broad, claude_any_command, claude_edits_any_file,
         claude_fetches_any_url, claude_repository_commands)
