"""SPIRE: registration entries (`spire-server entry create -data` JSON), the controller
manager's `ClusterSPIFFEID` resources, and the Server's `server.conf` and the Agent's
`agent.conf` (HCL; the latter also as a Kubernetes ConfigMap's `agent.conf`).

Each entry is an Identity with its SPIFFE ID. Its SVIDs are Credentials whose TTL is the
entry's (`x509_svid_ttl`, `jwt_svid_ttl`, legacy `ttl`; `ttl`/`jwtTtl` in a
ClusterSPIFFEID) or SPIRE's default (1h X.509, 5m JWT), so NHI202 compares them with the
ruleset maximum. `admin: true` is an administrative grant (NHI303); `downstream: true`
lets the workload mint identities for others, a delegation with no bound (NHI401, NHI403).
Selectors that match a whole namespace, or a ClusterSPIFFEID without a `podSelector`,
hand the identity to every workload there: a wildcard (NHI302). An `agent.conf` is a
`SpireAgentConfig` fact, how the agent comes to trust its server (NHI207).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from typing import Any

from nhilint.facts import SpireAgentConfig
from nhilint.model import Credential, Delegation, Grant, Identity, Location
from nhilint.sources import SourceOutput
from nhilint.sources.detect import is_cluster_spiffe_id, is_spire_agent_configmap
from nhilint.sources.mapping import mapping, sequence, text
from nhilint.sources.yaml_loader import Document

FORMAT = "spire"
DEFAULT_TTLS = {"X.509-SVID": "1h", "JWT-SVID": "5m"}


def _ttl(value: Any) -> str | None:
    """An entry TTL as duration text: integer seconds (0 means the server default) or a Go duration."""
    if isinstance(value, bool) or value in (None, 0, "", "0s"):
        return None
    return f"{value}s" if isinstance(value, int) else text(value)


class _Entry:
    def __init__(self, doc: Document, pointer: tuple, data: dict, name: str, spiffe_id: str,
                 title: str) -> None:
        self.doc, self.pointer, self.data, self.name, self.spiffe_id = doc, pointer, data, name, spiffe_id
        self.title = title  # how findings name the entry: "SPIRE entry spiffe://...", "ClusterSPIFFEID x"

    def key(self, *path: Any) -> Location:
        return self.doc.key_location(self.pointer + path)

    def svid(self, kind: str, *keys: str) -> Credential:
        key = next((k for k in keys if _ttl(self.data.get(k)) is not None), None)
        ttl = _ttl(self.data.get(key)) if key else DEFAULT_TTLS[kind]
        location = self.key(key) if key else self.doc.value_location(self.pointer)
        return Credential(location=location, field_locations={"ttl": location}, identity=self.name,
                          name=f"{kind} of {self.name}", type=kind.lower(), issuance="jit", ttl=ttl)

    def wildcard(self, where: Location, why: str, covers: str, fix: str) -> Grant:
        return Grant(location=where, item_locations={"resources[0]": where}, identity=self.name,
                     name=f"{self.name} ({why})", label=self.title, resources=("*",), covers=covers,
                     remedy=fix)

    def identity(self, credentials: tuple[Credential, ...], grants: list[Grant]) -> Identity:
        data = self.data
        if data.get("admin") is True:
            grants.append(Grant(location=self.key("admin"), identity=self.name, admin=True,
                                name=f"{self.name} (admin: true, SPIRE Server admin APIs)",
                                label=f"{self.title} (admin: true: the SPIRE Server admin APIs)"))
        delegation = None
        if data.get("downstream") is True:
            delegation = Delegation(
                location=self.key("downstream"), identity=self.name, allowed=True,
                remedy="remove downstream: true unless the workload is a nested SPIRE server, and "
                       "give that server a trust domain or path of its own")
        return Identity(location=self.doc.value_location(self.pointer), name=self.name,
                        source_format=FORMAT, declares=frozenset(), identity_type="spiffe",
                        identity_id=self.spiffe_id, has_identity_block=True, credentials=credentials,
                        grants=tuple(grants), delegation=delegation)


def _namespace_only(selectors: Any) -> bool:
    """True when the selectors pin nothing but a Kubernetes namespace (or nothing at all)."""
    values = [f"{mapping(s).get('type')}:{mapping(s).get('value')}" for s in sequence(selectors)]
    return all(v.startswith("k8s:ns:") for v in values)


def _registration_entry(doc: Document, index: int, data: dict, out: SourceOutput) -> None:
    spiffe_id = text(data.get("spiffe_id")) or f"entries[{index}]"
    entry = _Entry(doc, ("entries", index), data, spiffe_id, spiffe_id, f"SPIRE entry {spiffe_id}")
    grants = []
    if _namespace_only(data.get("selectors")):
        where = entry.key("selectors") if "selectors" in data else entry.doc.value_location(entry.pointer)
        grants.append(entry.wildcard(
            where, "selectors match every workload in the namespace",
            "its identity to every workload in the namespace (its selectors pin nothing else)",
            "add selectors that pin the workload (k8s:sa:NAME, k8s:pod-label:KEY:VALUE)"))
    credentials = (entry.svid("X.509-SVID", "x509_svid_ttl", "ttl"), entry.svid("JWT-SVID", "jwt_svid_ttl", "ttl"))
    out.identities.append(entry.identity(credentials, grants))


def _cluster_spiffe_id(doc: Document, out: SourceOutput) -> None:
    spec = mapping(doc.data.get("spec"))
    name = f"ClusterSPIFFEID {text(mapping(doc.data.get('metadata')).get('name')) or '?'}"
    entry = _Entry(doc, ("spec",), spec, name, text(spec.get("spiffeIDTemplate")) or "", name)
    grants = []
    if not mapping(spec.get("podSelector")):
        where = entry.key("podSelector") if "podSelector" in spec else doc.key_location(("spec",))
        grants.append(entry.wildcard(where, "no podSelector: every pod gets this identity",
                                     "its identity to every pod it applies to (no podSelector)",
                                     "add a podSelector that matches the workload's pods"))
    credentials = (entry.svid("X.509-SVID", "ttl"), entry.svid("JWT-SVID", "jwtTtl"))
    out.identities.append(entry.identity(credentials, grants))


def read(doc: Document, out: SourceOutput) -> None:
    if is_cluster_spiffe_id(doc.path, doc.data):
        _cluster_spiffe_id(doc, out)
        return
    if is_spire_agent_configmap(doc.path, doc.data):
        _agent_configmap(doc, out)
        return
    for index, data in enumerate(doc.data["entries"]):
        _registration_entry(doc, index, data, out)


# SPIRE Server `server.conf` and SPIRE Agent `agent.conf` (HCL): read by a line scan of the
# `server { ... }` or `agent { ... }` block's flat settings; nothing else in the file is
# interpreted. The server's are the default SVID TTLs every entry without its own gets, and
# `admin_ids`, the SPIFFE IDs allowed to call the admin APIs; the agent's say how it learns
# to trust the server that issues its SVIDs (a trust bundle file or URL, or blindly).
_HCL_KEY = re.compile(r"^(\s*)(\w+)\s*=")
_HCL_COMMENT = re.compile(r"\s(?:#|//)")  # `spiffe://` is no comment
_HCL_BLOCK = {name: re.compile(rf"^\s*{name}\s*\{{") for name in ("server", "agent")}
# A string, or the unterminated rest of the line: consumed whole either way, so the search
# never restarts at each escaped quote inside it (quadratic over a run of `\"`).
_HCL_STRING_OR_REST = re.compile(r'"((?:[^"\\]|\\.)*)("|\\?$)')
Settings = dict[str, tuple[str, int, int]]  # name -> (raw value, line, column), in the scanned text


def _strings(value: str) -> list[str]:
    """The contents of the closed double-quoted strings in `value`."""
    return [m.group(1) for m in _HCL_STRING_OR_REST.finditer(value) if m.group(2) == '"']


def _first_string(value: str) -> str:
    return (_strings(value) or [""])[0]


def _uncommented(lines: list[str]) -> list[str]:
    """The lines with `/* ... */` comments blanked (a commented-out setting is not set)."""
    result, inside = [], False
    for line in lines:
        kept, rest = "", line
        while rest:
            if inside:
                end = rest.find("*/")
                if end < 0:
                    kept += " " * len(rest)
                    break
                kept, rest, inside = kept + " " * (end + 2), rest[end + 2:], False
            else:
                begin = rest.find("/*")
                if begin < 0 or "#" in rest[:begin] or "//" in rest[:begin].replace("://", ""):
                    kept += rest
                    break
                kept, rest, inside = kept + rest[:begin] + "  ", rest[begin + 2:], True
        result.append(kept)
    return result


def _block_settings(text_: str, block: str) -> Settings | None:
    """The flat settings of the first top-level `block { ... }`, or None without one."""
    settings: Settings = {}
    depth = outer = 0  # inside the block; in other blocks (a nested `agent {` is no agent block)
    found = False
    for number, line in enumerate(_uncommented(text_.splitlines()), start=1):
        stripped = line.split("#", 1)[0]
        if depth == 1:
            match = _HCL_KEY.match(line)
            if match:
                # The value ends at the first comment: a search, not a lazy match with an
                # optional tail, which backtracked quadratically over a run of spaces.
                rest = line[match.end():]
                comment = _HCL_COMMENT.search(rest)
                value = (rest[:comment.start()] if comment else rest).strip()
                settings.setdefault(match.group(2), (value, number, len(match.group(1)) + 1))
        if depth == 0 and outer == 0 and _HCL_BLOCK[block].match(stripped):
            depth, found = 1, True
            continue
        change = stripped.count("{") - stripped.count("}")
        if depth:
            depth += change
            if depth <= 0:
                break
        else:
            outer = max(0, outer + change)
    return settings if found else None


SERVER_TTLS = {"default_x509_svid_ttl": "X.509-SVID", "default_jwt_svid_ttl": "JWT-SVID"}


def read_file(path: str, text_: str, out: SourceOutput) -> None:
    if posixpath.basename(path) == "agent.conf":
        _agent_conf(text_, lambda line, column, width: Location(path, line, column, line, column + width - 1), out)
        return
    settings = _block_settings(text_, "server")
    if not settings or "trust_domain" not in settings:
        return  # a server.conf of some other program
    domain = _first_string(settings["trust_domain"][0]) or "?"
    name = f"SPIRE Server {domain}"

    def at(setting: str) -> Location:
        _, line, column = settings[setting]
        return Location(path, line, column, line, column + len(setting) - 1)

    credentials = tuple(
        Credential(location=at(key), field_locations={"ttl": at(key)}, identity=name,
                   name=f"default {kind} of {name}", type=kind.lower(), issuance="jit",
                   ttl=(_strings(settings[key][0]) or [settings[key][0]])[0])
        for key, kind in SERVER_TTLS.items() if key in settings)
    grants = tuple(Grant(location=at("admin_ids"), identity=name, admin=True,
                         name=f"{name} admin_ids: {admin}", label=f"{name} admin_ids: {admin}")
                   for admin in _strings(settings["admin_ids"][0])) if "admin_ids" in settings else ()
    out.identities.append(Identity(location=at("trust_domain"), name=name, source_format=FORMAT,
                                   declares=frozenset(), identity_type="spiffe",
                                   identity_id=f"spiffe://{domain}", has_identity_block=True,
                                   credentials=credentials, grants=grants))


AGENT_SETTINGS = ("trust_domain", "server_address", "insecure_bootstrap", "trust_bundle_path",
                  "trust_bundle_url", "trust_bundle_format", "trust_bundle_unix_socket")


def _agent_conf(text_: str, locate: Callable[[int, int, int], Location], out: SourceOutput) -> None:
    """An `agent.conf`'s `agent { ... }` block as a SpireAgentConfig; `locate(line, column,
    width)` places a position of the text in its file (a ConfigMap holds it a few lines down)."""
    settings = _block_settings(text_, "agent")
    if not settings or "trust_domain" not in settings:
        return  # an agent.conf of some other program
    value = {key: settings[key][0] for key in AGENT_SETTINGS if key in settings}
    where = {key: locate(settings[key][1], settings[key][2], len(key)) for key in value}
    domain = _first_string(value["trust_domain"]) or "?"
    out.objects.append(SpireAgentConfig(
        location=where["trust_domain"], field_locations=where, identity=f"SPIRE Agent {domain}",
        trust_domain=domain, server_address=_first_string(value.get("server_address", "")),
        insecure_bootstrap=value.get("insecure_bootstrap", "").strip('"').lower() == "true",
        trust_bundle_path=_first_string(value.get("trust_bundle_path", "")),
        trust_bundle_url=_first_string(value.get("trust_bundle_url", "")),
        trust_bundle_format=_first_string(value.get("trust_bundle_format", "")),
        trust_bundle_unix_socket=_first_string(value.get("trust_bundle_unix_socket", ""))))


def _agent_configmap(doc: Document, out: SourceOutput) -> None:
    """A Kubernetes ConfigMap holding a SPIRE Agent's `agent.conf` (how SPIRE runs on a cluster)."""
    conf = text(mapping(doc.data.get("data")).get("agent.conf")) or ""
    start = doc.value_location(("data", "agent.conf"))
    key = doc.key_location(("data", "agent.conf"))
    if start.end_line - start.line >= len(conf.splitlines()):
        # A literal block (`agent.conf: |`): its lines follow the key's, indented (as the
        # YAML of every chart and tutorial is) two columns past it.
        def locate(line: int, column: int, width: int) -> Location:
            return Location(doc.path, start.line + line, key.column + 1 + column, start.line + line,
                            key.column + column + width)
    else:  # quoted or folded: its lines are not the file's; every setting is at the value
        def locate(line: int, column: int, width: int) -> Location:
            return start
    _agent_conf(conf, locate, out)
