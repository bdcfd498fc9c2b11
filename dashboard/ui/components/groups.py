"""Steps grouped by a natural key, and a graph folded by those groups. Pure: no Dash, no I/O.

Two keys, in this order (a step joins one group at most):

- **a Condition's branch**: the steps a Condition's ``if`` (or ``else``) branch holds (the
  document's ``condition`` edges with their ``branch``), key ``<condition>:if``;
- **a name family**: names equal once every run of digits is read as ``*`` (``Train-03-A``
  -> ``Train-*-A``, ``DummyCond17`` -> ``DummyCond*``, ``emr_step_2`` -> ``emr_step_*``); a
  name without digits whose last part is one letter after ``-`` or ``_`` reads that letter as
  ``*`` (``Train-A`` -> ``Train-*``). A family is of siblings: one whose members depend on
one another (``DummyCond1`` inside ``DummyCond2``'s branch) would hide its own structure, and
is no group.

A group needs ``MIN_MEMBERS`` steps. ``collapsed_keys`` resolves the URL's ``collapse=`` and
``expand=`` against a document's groups; ``fold`` redraws nodes and links with each collapsed
group as one node (its name, member count and status counts), its members' links aggregated
(one per pair of ends, none from a group to itself), and each open group as a compound
parent around its members (a visible box when opened from a folded base).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MIN_MEMBERS = 2
COLLAPSE_ABOVE = 60  # a pipeline with more steps opens with its groups collapsed
COLLAPSE_ALL, COLLAPSE_NONE = "all", "none"
GROUP_PREFIX = "group:"
MAX_GROUP_NAMES = 64  # group names in one URL value at most
BRANCHES = ("if", "else")

_DIGITS = re.compile(r"\d+")
_LETTER_SUFFIX = re.compile(r"(?<=[-_])[A-Za-z]$")

# The order statuses are counted in, worst first (a collapsed group looks like its worst).
STATUS_ORDER = ("Failed", "Stopping", "Stopped", "Executing", "Starting", "Unknown",
                "NotStarted", "Succeeded")


@dataclass(frozen=True)
class Group:
    key: str  # unique in its document; the URL names a group by it
    kind: str  # "branch" or "family"
    members: tuple[str, ...]  # step names, in the document's order

    @property
    def element_id(self) -> str:
        return group_element_id(self.key)


def group_element_id(key: str) -> str:
    return f"{GROUP_PREFIX}{key}"


def family_key(name: str) -> str | None:
    """The family a step name belongs to (see the module's docstring); ``None``: none."""
    if _DIGITS.search(name):
        return _DIGITS.sub("*", name)
    if _LETTER_SUFFIX.search(name):
        return _LETTER_SUFFIX.sub("*", name)
    return None


def step_groups(document: Mapping[str, Any]) -> list[Group]:
    """The groups of a document's steps: Condition branches first, then name families."""
    graph = document.get("graph") or {}
    names = [str(node.get("id")) for node in graph.get("nodes") or [] if isinstance(node, Mapping)]
    known = set(names)
    order = {name: i for i, name in enumerate(names)}
    branches: dict[str, list[str]] = {}
    for edge in graph.get("edges") or []:
        if not isinstance(edge, Mapping) or edge.get("via") != "condition":
            continue
        source, target, branch = str(edge.get("from")), str(edge.get("to")), edge.get("branch")
        if branch in BRANCHES and source in known and target in known:
            members = branches.setdefault(f"{source}:{branch}", [])
            if target not in members:
                members.append(target)
    groups: list[Group] = []
    taken: set[str] = set()
    for key, members in branches.items():
        free = [m for m in members if m not in taken]
        if len(free) >= MIN_MEMBERS:
            groups.append(Group(key, "branch", tuple(sorted(free, key=order.__getitem__))))
            taken.update(free)
    families: dict[str, list[str]] = {}
    for name in names:
        family = family_key(name) if name not in taken else None
        if family is not None:
            families.setdefault(family, []).append(name)
    linked = {(str(e.get("from")), str(e.get("to"))) for e in graph.get("edges") or []
              if isinstance(e, Mapping)}
    used = {group.key for group in groups}
    for key, members in families.items():
        inside = set(members)
        chained = any(a in inside and b in inside for a, b in linked)
        if len(members) >= MIN_MEMBERS and not chained:
            unique = key
            while unique in used:  # a family spelled like a branch's key: kept apart
                unique += "'"
            used.add(unique)
            groups.append(Group(unique, "family", tuple(members)))
    return groups


@dataclass(frozen=True)
class Folding:
    """How a document's groups are drawn: which are collapsed, and the base they came from."""

    collapsed: frozenset[str]
    base: str  # COLLAPSE_ALL (groups open as boxes) or COLLAPSE_NONE
    unknown: tuple[str, ...] = ()  # group names the URL gave that this document has not


def parse_collapse(value: str | None) -> str | None | tuple[str, ...]:
    """The URL's ``collapse=``: ``all``, ``none``, a list of group names, or ``None``
    (absent: by size). Blank names are dropped."""
    if value is None or not value.strip():
        return None
    if value.strip() in (COLLAPSE_ALL, COLLAPSE_NONE):
        return value.strip()
    return names_of(value) or None


def names_of(value: str | None) -> tuple[str, ...]:
    """A comma-separated list of group names, blanks dropped, each once, in order."""
    seen: dict[str, None] = {}
    for part in (value or "").split(","):
        if part.strip():
            seen.setdefault(part.strip(), None)
    return tuple(seen)[:MAX_GROUP_NAMES]


def collapsed_keys(groups: Sequence[Group], step_count: int, collapse: str | None,
                   expand: Iterable[str] = ()) -> Folding:
    """Which groups are collapsed for the URL's ``collapse=`` (as ``View`` holds it: ``all``,
    ``none``, comma-separated names, or ``None``: collapsed above ``COLLAPSE_ABOVE`` steps)
    and ``expand=`` (groups open although the base is collapsed)."""
    keys = [group.key for group in groups]
    chosen = parse_collapse(collapse)
    if chosen is None:
        chosen = COLLAPSE_ALL if step_count > COLLAPSE_ABOVE else COLLAPSE_NONE
    if chosen == COLLAPSE_NONE:
        return Folding(frozenset(), COLLAPSE_NONE)
    if chosen == COLLAPSE_ALL:
        opened = names_of(",".join(expand))
        return Folding(frozenset(keys) - set(opened), COLLAPSE_ALL,
                       tuple(name for name in opened if name not in keys))
    listed = tuple(chosen)
    return Folding(frozenset(name for name in listed if name in keys), COLLAPSE_NONE,
                   tuple(name for name in listed if name not in keys))


def group_label(key: str, counts: Mapping[str, int]) -> str:
    """``Train-*-A · 12 · 12 succeeded`` (statuses worst first)."""
    total = sum(counts.values())
    said = ", ".join(f"{counts[status]} {_status_words(status)}"
                     for status in _ordered(counts))
    return f"{key} \u00b7 {total} \u00b7 {said}" if said else f"{key} \u00b7 {total}"


def _status_words(status: str) -> str:
    return {"NotStarted": "not started"}.get(status, status.lower())


def _ordered(counts: Mapping[str, int]) -> list[str]:
    rank = {status: i for i, status in enumerate(STATUS_ORDER)}
    return sorted(counts, key=lambda status: (rank.get(status, len(rank)), status))


def worst_status(counts: Mapping[str, int]) -> str:
    ordered = _ordered(counts)
    return ordered[0] if ordered else "NotStarted"


Link = tuple[str, str, str, dict[str, Any]]  # source id, target id, via, extra data


def fold(
    nodes: Sequence[dict[str, Any]],
    links: Sequence[Link],
    groups: Sequence[Group],
    folding: Folding,
    *,
    element_id: Callable[[str], str],
    look: Callable[[str, str], str],
) -> tuple[list[dict[str, Any]], list[Link]]:
    """Nodes and links with each collapsed group drawn as one node.

    ``nodes`` are Cytoscape node elements (data ``id``, ``status``, ``type``); ``element_id``
    maps a step name to its element id, ``look(type, status)`` gives a node's type and status
    classes. A collapsed group's node carries its members' ids,
    count and status counts; its links are its members' links to the rest, one per pair of
    ends (``count``: how many it stands for), none to itself. A group open on a collapsed
    base (``expand=``) is a compound parent of its members.
    """
    by_id = {node["data"]["id"]: node for node in nodes}
    representative: dict[str, str] = {}
    group_nodes: list[dict[str, Any]] = []
    parents: dict[str, str] = {}
    for group in groups:
        members = [element_id(name) for name in group.members if element_id(name) in by_id]
        if len(members) < MIN_MEMBERS:
            continue
        counts: dict[str, int] = {}
        types: dict[str, int] = {}
        for member in members:
            data = by_id[member]["data"]
            counts[str(data.get("status"))] = counts.get(str(data.get("status")), 0) + 1
            types[str(data.get("type"))] = types.get(str(data.get("type")), 0) + 1
        collapsed = group.key in folding.collapsed
        step_type = next(iter(types)) if len(types) == 1 else ""
        data = {
            "id": group.element_id,
            "label": group_label(group.key, counts) if collapsed
            else f"{group.key} \u00b7 {len(members)}",
            "kind": "group",
            "groupKey": group.key,
            "groupKind": group.kind,
            "type": step_type,
            "status": worst_status(counts),
            "members": members,
            "count": len(members),
            "statusCounts": {status: counts[status] for status in _ordered(counts)},
            "collapsed": collapsed,
            "base": folding.base,
        }
        if collapsed:
            group_nodes.append({"data": data, "selected": False, "classes": (
                f"group group-collapsed group-{group.kind} {look(step_type, data['status'])}")})
            representative.update({member: group.element_id for member in members})
        else:
            # Open: a box around its members. On an open base (a small pipeline, "Expand
            # all") the box is latent, drawn as nothing: the members keep one parent in every
            # state, since Cytoscape removes a parent's children with it (and cannot move a
            # node into a parent by its data) when the page patches one view into another.
            look_of = "group-expanded" if folding.base == COLLAPSE_ALL else "group-latent"
            group_nodes.append({"data": data, "selected": False,
                                "classes": f"group {look_of} group-{group.kind}"})
            parents.update({member: group.element_id for member in members})
    if not group_nodes:
        return list(nodes), list(links)
    kept: list[dict[str, Any]] = []
    for node in nodes:
        node_id = node["data"]["id"]
        if node_id in representative:
            continue
        if node_id in parents:
            node = {**node, "data": {**node["data"], "parent": parents[node_id]}}
        kept.append(node)
    folded: list[Link] = []
    merged: dict[tuple[str, str], int] = {}
    for source, target, via, extra in links:
        ends = representative.get(source, source), representative.get(target, target)
        if ends == (source, target):
            folded.append((source, target, via, extra))
            continue
        if ends[0] == ends[1]:
            continue  # inside one collapsed group
        if ends in merged:
            index = merged[ends]
            first = folded[index]
            folded[index] = (*first[:3], {**first[3], "count": first[3]["count"] + 1})
            continue
        merged[ends] = len(folded)
        kept_extra = {"branch": extra["branch"]} if extra.get("branch") else {}
        folded.append((ends[0], ends[1], via, {**kept_extra, "count": 1, "aggregated": True}))
    for index in merged.values():
        source, target, via, extra = folded[index]
        said = [extra.get("branch") or "", f"\u00d7{extra['count']}" if extra["count"] > 1 else ""]
        folded[index] = (source, target, via, {**extra, "label": " ".join(filter(None, said))})
    return [*kept, *group_nodes], folded
