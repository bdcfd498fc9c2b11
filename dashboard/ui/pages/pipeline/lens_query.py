"""The URL's parameters of what the graph looks at, and how groups are folded.

``focus=1|2|all`` (around ``node=``), ``hide=1`` (hide what is outside instead of dimming
it), ``path=<node>`` (every path between it and ``node=``), ``status=Failed,Executing`` and
``type=Training,Processing`` (the steps kept), ``collapse=all|none|<group>,...`` and
``expand=<group>,...`` (``components.groups``). A value this page does not know is dropped
(the default is shown) and named in a note (``invalid``); group names are checked against
the document where it is drawn. Plain functions over ``View``'s fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from dashboard.ui.components.elements import KNOWN_TYPES, STATUSES, element_of_node, node_of_element
from dashboard.ui.components.groups import COLLAPSE_ALL, COLLAPSE_NONE, names_of
from dashboard.ui.components.lens import FOCUS_DEPTHS, FOCUS_OFF
from lineage.models import UNKNOWN

FILTER_STATUSES = (*STATUSES, UNKNOWN)
FILTER_TYPES = KNOWN_TYPES
ON = ("1", "true")
# The View fields held here, with their defaults.
LENS_DEFAULTS: dict[str, Any] = {
    "focus": FOCUS_OFF, "hide": False, "path": None, "status": (), "types": (),
    "collapse": None, "expand": (), "invalid": (),
}


def _listed(value: str | None, allowed: tuple[str, ...], name: str,
            invalid: list[tuple[str, str]]) -> tuple[str, ...]:
    chosen = names_of(value)
    for item in chosen:
        if item not in allowed:
            invalid.append((name, item))
    return tuple(item for item in allowed if item in chosen)  # in the page's order


def lens_from_query(first: Callable[[str], str | None]) -> dict[str, Any]:
    """View's lens fields from a URL's values (``first(name)``: the first value or None)."""
    invalid: list[tuple[str, str]] = []
    focus = first("focus")
    if focus is not None and focus not in FOCUS_DEPTHS:
        invalid.append(("focus", focus))
        focus = None
    hide = first("hide")
    if hide is not None and hide not in (*ON, "0", "false"):
        invalid.append(("hide", hide))
    path = first("path")
    collapse = first("collapse")
    if collapse is not None and collapse not in (COLLAPSE_ALL, COLLAPSE_NONE):
        collapse = ",".join(names_of(collapse)) or None
    return {
        "focus": focus or FOCUS_OFF,
        "hide": hide in ON,
        "path": element_of_node(path) if path else None,
        "status": _listed(first("status"), FILTER_STATUSES, "status", invalid),
        "types": _listed(first("type"), FILTER_TYPES, "type", invalid),
        "collapse": collapse,
        "expand": names_of(first("expand")),
        "invalid": tuple(invalid),
    }


def lens_pairs(fields: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The URL's pairs for View's lens fields (defaults left out; ``invalid`` never)."""
    pairs: list[tuple[str, str]] = []
    if fields["focus"] != FOCUS_OFF:
        pairs.append(("focus", fields["focus"]))
    if fields["hide"]:
        pairs.append(("hide", "1"))
    if fields["path"]:
        pairs.append(("path", node_of_element(fields["path"])))
    if fields["status"]:
        pairs.append(("status", ",".join(fields["status"])))
    if fields["types"]:
        pairs.append(("type", ",".join(fields["types"])))
    if fields["collapse"]:
        pairs.append(("collapse", fields["collapse"]))
    if fields["expand"]:
        pairs.append(("expand", ",".join(fields["expand"])))
    return pairs


def lens_store(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The lens fields as the view store holds them (JSON: lists, not tuples), defaults
    left out (a view without any is stored as before them)."""
    return {key: list(value) if isinstance(value, tuple) else value
            for key, value in fields.items()
            if key in LENS_DEFAULTS and value != LENS_DEFAULTS[key]}


def lens_from_store(store: Mapping[str, Any]) -> dict[str, Any]:
    """The lens fields of a view store as the browser sent it back; a value of the wrong
    shape is the default."""
    def text(key: str) -> str | None:
        value = store.get(key)
        return value if isinstance(value, str) and value else None

    def items(key: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
        value = store.get(key)
        listed = [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
        return tuple(v for v in listed if allowed is None or v in allowed)

    invalid = store.get("invalid")
    focus = text("focus")
    return {
        "focus": focus if focus in FOCUS_DEPTHS else FOCUS_OFF,
        "hide": store.get("hide") is True,
        "path": text("path"),
        "status": items("status", FILTER_STATUSES),
        "types": items("types", FILTER_TYPES),
        "collapse": text("collapse"),
        "expand": items("expand"),
        "invalid": tuple((str(pair[0]), str(pair[1])) for pair in invalid
                         if isinstance(pair, list) and len(pair) == 2)
        if isinstance(invalid, list) else (),
    }


def toggled_group(fields: Mapping[str, Any], key: str, collapsed: bool, base: str
                  ) -> dict[str, Any]:
    """The lens fields after a tap on group ``key`` (``collapsed``: as drawn; ``base``: the
    folding it was drawn from): a collapsed group opens, an open one closes."""
    if base == COLLAPSE_ALL:
        expand = [name for name in fields["expand"] if name != key]
        if collapsed:
            expand.append(key)
        return {**fields, "expand": tuple(expand)}
    listed = fields["collapse"] if fields["collapse"] not in (None, COLLAPSE_ALL,
                                                               COLLAPSE_NONE) else ""
    names = [name for name in names_of(listed) if name != key]
    if not collapsed:
        names.append(key)
    return {**fields, "collapse": ",".join(names) or COLLAPSE_NONE}
