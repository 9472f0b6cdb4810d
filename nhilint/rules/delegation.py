"""NHI4xx: delegation. Bounded depth, attenuated scopes, no cycles, no dangling delegates."""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase

from nhilint.model import Delegation, Identity, Inventory, Location, Violation
from nhilint.rules import Param, RuleContext, rule

_HEAD = "apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n  name: research-lead\n"
_MAX_CYCLES = 1000  # enumeration bound: a pathological graph must not stall the run


_by_name_cache: list[tuple[Inventory, int, dict[str, Identity]]] = []


def _identities_by_name(inventory: Inventory) -> dict[str, Identity]:
    """Name -> the first identity of that name (as Inventory.identity answers), built once per
    inventory: looking each delegate up by a scan made a long chain quadratic."""
    if _by_name_cache and _by_name_cache[0][0] is inventory and _by_name_cache[0][1] == len(inventory.identities):
        return _by_name_cache[0][2]
    names: dict[str, Identity] = {}
    for identity in inventory.identities:
        names.setdefault(identity.name, identity)
    _by_name_cache[:] = [(inventory, len(inventory.identities), names)]
    return names


def _delegate_location(delegation: Delegation, name: str) -> Location:
    for index, delegate in enumerate(delegation.delegates):
        if delegate == name:
            return delegation.item_locations.get(f"delegates[{index}]") or delegation.at("delegates")
    return delegation.at("delegates")


@rule(
    id="NHI401", name="delegation-without-max-depth", category="delegation", severity="error",
    targets=(Delegation,),
    summary="Delegation is allowed with no maximum depth.",
    rationale="Without a depth bound an agent can hand its authority to a sub-agent, which hands "
              "it on again, until nobody can say which agent acted or why.",
    remediation="Set `delegation.max_depth` (1 or 2 is typical).",
    references=("OWASP-AGENTIC-T3", "OWASP-AGENTIC-T13", "MAESTRO-L7"),
    bad=_HEAD + "delegation:\n  allowed: true\n  delegates: [web-searcher]\n  attenuation: subset\n",
    good=_HEAD + "delegation:\n  allowed: true\n  max_depth: 1\n  delegates: [web-searcher]\n  attenuation: subset\n",
)
def no_max_depth(delegation: Delegation, ctx: RuleContext) -> Iterator[Violation]:
    if delegation.allowed and delegation.max_depth is None:
        fix = delegation.remedy or "set delegation.max_depth"
        yield Violation(delegation.at("allowed"), f"'{delegation.identity}' may delegate with no "
                        f"max_depth; {fix}", delegation.identity, "delegation.max_depth")


@rule(
    id="NHI402", name="delegation-depth-above-maximum", category="delegation", severity="error",
    targets=(Delegation,),
    params=(Param("max_delegation_depth", 2, "int", "The deepest delegation chain allowed."),),
    summary="Delegation depth is above the ruleset maximum.",
    rationale="Each hop of delegation weakens accountability and multiplies the agents that can "
              "act with the original authority.",
    remediation="Lower `delegation.max_depth` to the maximum or below.",
    references=("OWASP-AGENTIC-T3", "MAESTRO-L7"),
    bad=_HEAD + "delegation:\n  allowed: true\n  max_depth: 5\n  attenuation: subset\n",
    good=_HEAD + "delegation:\n  allowed: true\n  max_depth: 1\n  attenuation: subset\n",
)
def depth_above_maximum(delegation: Delegation, ctx: RuleContext) -> Iterator[Violation]:
    limit = ctx.params["max_delegation_depth"]
    if delegation.allowed and delegation.max_depth is not None and delegation.max_depth > limit:
        yield Violation(delegation.at("max_depth"), f"'{delegation.identity}' allows delegation "
                        f"{delegation.max_depth} levels deep, above the maximum {limit}",
                        delegation.identity, "delegation.max_depth")


@rule(
    id="NHI403", name="delegation-without-attenuation", category="delegation", severity="error",
    targets=(Delegation,),
    summary="Delegation passes on authority without narrowing it.",
    rationale="A delegate should receive at most what its task needs, never the whole of its "
              "delegator's access; without attenuation every sub-agent is as powerful as the lead.",
    remediation="Set `delegation.attenuation: subset` and give each delegate only the scopes it needs.",
    references=("OWASP-AGENTIC-T3", "OWASP-NHI5", "NIST-CSF-PR.AA-05"),
    bad=_HEAD + "delegation:\n  allowed: true\n  max_depth: 1\n  attenuation: none\n",
    good=_HEAD + "delegation:\n  allowed: true\n  max_depth: 1\n  attenuation: subset\n",
)
def no_attenuation(delegation: Delegation, ctx: RuleContext) -> Iterator[Violation]:
    if delegation.allowed and delegation.attenuation in (None, "none"):
        fix = delegation.remedy or "set delegation.attenuation: subset"
        yield Violation(delegation.at("attenuation", "allowed"), f"'{delegation.identity}' "
                        f"delegates without attenuation; {fix}", delegation.identity,
                        "delegation.attenuation")


def _edges(inventory: Inventory) -> dict[str, tuple[str, ...]]:
    edges: dict[str, tuple[str, ...]] = {}
    for delegation in inventory.of_type(Delegation):
        if delegation.allowed:
            edges[delegation.identity] = tuple(sorted(set(delegation.delegates)))
    return edges


def _components(graph: dict[str, tuple[str, ...]], nodes: set[str]) -> list[set[str]]:
    """The strongly connected components of `graph` restricted to `nodes` that can hold a
    cycle (more than one node, or a node delegating to itself); Tarjan's, without recursion."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[set[str]] = []
    for root in sorted(nodes):
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(graph[root]))]
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in nodes:
                    continue
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(graph[nxt])))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph[node]:
                        found.append(component)
    return found


def _cycles_through(start: str, graph: dict[str, tuple[str, ...]], nodes: set[str],
                    limit: int) -> list[list[str]]:
    """Up to `limit` elementary cycles through `start` within `nodes` (Johnson's circuit
    search: a node stays blocked until a cycle through it is found, so the time is
    polynomial per cycle instead of exponential in the paths)."""
    cycles: list[list[str]] = []
    path = [start]
    blocked = {start}
    blockers: dict[str, set[str]] = {}
    closed = [False]  # per frame of `work`: whether a cycle went through it
    work = [(start, iter(graph[start]))]
    while work and len(cycles) < limit:
        node, successors = work[-1]
        for nxt in successors:
            if nxt not in nodes:
                continue
            if nxt == start:
                cycles.append([*path, start])
                closed[-1] = True
            elif nxt not in blocked:
                path.append(nxt)
                closed.append(False)
                blocked.add(nxt)
                work.append((nxt, iter(graph[nxt])))
                break
        else:
            work.pop()
            path.pop()
            found = closed.pop()
            if found:
                if closed:
                    closed[-1] = True
                unblock = [node]
                while unblock:
                    member = unblock.pop()
                    if member in blocked:
                        blocked.discard(member)
                        unblock.extend(blockers.pop(member, ()))
            else:
                for nxt in graph[node]:
                    if nxt in nodes:
                        blockers.setdefault(nxt, set()).add(node)
    return cycles


def _simple_cycles(edges: dict[str, tuple[str, ...]]) -> list[list[str]]:
    """Each elementary cycle once (at most _MAX_CYCLES), starting at its smallest name, in
    sorted order (so output is deterministic). Only strongly connected components can hold
    one: a delegation DAG, however many paths it has, costs one linear pass."""
    graph = {node: tuple(n for n in successors if n in edges) for node, successors in edges.items()}
    cycles: list[list[str]] = []
    work = _components(graph, set(graph))
    while work and len(cycles) < _MAX_CYCLES:
        component = work.pop()
        start = min(component)
        cycles.extend(_cycles_through(start, graph, component, _MAX_CYCLES - len(cycles)))
        work.extend(_components(graph, component - {start}))
    return sorted(cycles)


@rule(
    id="NHI404", name="delegation-cycle", category="delegation", severity="error",
    targets=(Inventory,),
    summary="Agents delegate to each other in a cycle.",
    rationale="A cycle lets authority loop back with each pass, defeats depth limits, and makes "
              "the chain of responsibility impossible to reconstruct.",
    remediation="Break the cycle: delegation should form a tree from the lead agent down.",
    references=("OWASP-AGENTIC-T13", "OWASP-AGENTIC-T8", "MAESTRO-L7"),
    bad=_HEAD + "delegation:\n  allowed: true\n  max_depth: 1\n  attenuation: subset\n  delegates: [writer]\n"
        "---\napiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n  name: writer\n"
        "delegation:\n  allowed: true\n  max_depth: 1\n  attenuation: subset\n  delegates: [research-lead]\n",
    good=_HEAD + "delegation:\n  allowed: true\n  max_depth: 1\n  attenuation: subset\n  delegates: [writer]\n"
         "---\napiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n  name: writer\n",
)
def delegation_cycle(inventory: Inventory, ctx: RuleContext) -> Iterator[Violation]:
    edges = _edges(inventory)
    by_name = {d.identity: d for d in inventory.of_type(Delegation)}
    for cycle in _simple_cycles(edges):
        first, second = cycle[0], cycle[1]
        path = " -> ".join(cycle)
        yield Violation(_delegate_location(by_name[first], second), f"delegation cycle: {path}; "
                        "delegation must form a tree", first, f"cycle:{path}")


def _covered(item: str, allowed: set[str]) -> bool:
    return item in allowed or any(fnmatchcase(item, pattern) for pattern in allowed if "*" in pattern)


def _excess(delegator: Identity, delegate: Identity) -> list[str]:
    """What `delegate` holds that `delegator` does not: scopes, tools and tool actions."""
    parent_scopes = {s for c in delegator.credentials for s in c.scopes}
    child_scopes = {s for c in delegate.credentials for s in c.scopes}
    excess = [f"scope '{s}'" for s in sorted(child_scopes) if not _covered(s, parent_scopes)]
    parent_tools = {g.name: set(g.actions) for g in delegator.grants}
    for grant in sorted(delegate.grants, key=lambda g: g.name):
        if grant.name not in parent_tools:
            excess.append(f"tool '{grant.name}'")
            continue
        for action in sorted(set(grant.actions)):
            if not _covered(action, parent_tools[grant.name]):
                excess.append(f"action '{action}' on tool '{grant.name}'")
    return excess


@rule(
    id="NHI405", name="delegate-exceeds-delegator", category="delegation", severity="error",
    targets=(Delegation,),
    params=(Param("check_without_subset", False, "bool",
                  "Check even when attenuation is not `subset` (the strict preset sets this)."),),
    summary="A delegate holds a scope, tool or action its delegator does not.",
    rationale="Delegation must only narrow authority; a delegate with more than its lead is a "
              "privilege escalation path through the sub-agent.",
    remediation="Remove the extra scopes and tools from the delegate, or stop delegating to it.",
    references=("OWASP-AGENTIC-T3", "OWASP-NHI5", "MAESTRO-L7"),
    bad=_HEAD + "credentials:\n  - name: t\n    scopes: [docs:read]\n"
        "delegation:\n  allowed: true\n  max_depth: 1\n  attenuation: subset\n  delegates: [writer]\n"
        "---\napiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n  name: writer\n"
        "credentials:\n  - name: t\n    scopes: [docs:read, docs:write]\n",
    good=_HEAD + "credentials:\n  - name: t\n    scopes: [docs:read, docs:write]\n"
         "delegation:\n  allowed: true\n  max_depth: 1\n  attenuation: subset\n  delegates: [writer]\n"
         "---\napiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n  name: writer\n"
         "credentials:\n  - name: t\n    scopes: [docs:write]\n",
)
def delegate_exceeds_delegator(delegation: Delegation, ctx: RuleContext) -> Iterator[Violation]:
    if not delegation.allowed:
        return
    if delegation.attenuation != "subset" and not ctx.params["check_without_subset"]:
        return
    identities = _identities_by_name(ctx.inventory)
    delegator = identities.get(delegation.identity)
    if delegator is None:
        return
    for name in sorted(set(delegation.delegates)):
        delegate = identities.get(name)
        if delegate is None or name == delegator.name:
            continue
        excess = _excess(delegator, delegate)
        if excess:
            yield Violation(_delegate_location(delegation, name), f"delegate '{name}' holds "
                            f"{', '.join(excess)} that '{delegator.name}' does not; a delegate "
                            "may only hold a subset", delegator.name, f"excess:{name}")


@rule(
    id="NHI406", name="delegate-not-found", category="delegation", severity="error",
    targets=(Delegation,),
    summary="A delegate names no identity that nhilint found.",
    rationale="A delegate without a manifest is an agent nobody has inventoried or reviewed; it "
              "may also be a typo that leaves the real delegate ungoverned.",
    remediation="Add a manifest for the delegate, fix the name, or remove it from `delegates`.",
    references=("NIST-AI-RMF-GOVERN-1.6", "OWASP-AGENTIC-T13"),
    bad=_HEAD + "delegation:\n  allowed: true\n  max_depth: 1\n  attenuation: subset\n  delegates: [ghost-agent]\n",
    good=_HEAD + "delegation:\n  allowed: true\n  max_depth: 1\n  attenuation: subset\n  delegates: [research-lead]\n",
)
def delegate_not_found(delegation: Delegation, ctx: RuleContext) -> Iterator[Violation]:
    known = _identities_by_name(ctx.inventory)
    for index, name in enumerate(delegation.delegates):
        if name not in known:
            where = delegation.item_locations.get(f"delegates[{index}]") or delegation.at("delegates")
            yield Violation(where, f"delegate '{name}' of '{delegation.identity}' has no manifest; "
                            "add one or fix the name", delegation.identity, f"delegate:{name}")


RULES = (no_max_depth, depth_above_maximum, no_attenuation, delegation_cycle,
         delegate_exceeds_delegator, delegate_not_found)
