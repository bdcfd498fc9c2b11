"""A node's ``risk`` (``lineage.risk``: its own findings and those it inherits, with the path
from each source) as the graph's classes and the side panel's facts. Pure: no Dash, no I/O.

Both graph pages colour by status or by risk (``COLOR_STATUS``, ``COLOR_RISK``: the URL's
``color=``). Every node always carries its risk classes (``risk-high``, and ``risk-unverified``
when every finding that reaches it is a setting that could not be read); only the stylesheet
of the Risk colouring (``stylesheet.risk_rules``) draws them, so a toggle restyles the graph
without drawing it again. The ids in a risk (``source``, ``path``) are the graph's own
element ids: ``step:<name>`` and ``artifact:<id>`` in a lineage document (as
``elements.STEP_PREFIX`` and ``ARTIFACT_PREFIX``), the estate's node ids in an estate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lineage.policy import SEVERITIES

COLOR_STATUS = "status"
COLOR_RISK = "risk"
COLORS = (COLOR_STATUS, COLOR_RISK)
COLOR_CHOICES: tuple[tuple[str, str], ...] = ((COLOR_STATUS, "Status"), (COLOR_RISK, "Risk"))

NO_RISK = "none"  # a risk with no finding (severity null)
UNASSESSED = "unassessed"  # no risk in the document at all
UNKNOWN_SEVERITY = "unknown"  # a severity this version does not know
#: Every risk look the graph tells apart, mildest first (the legend's order).
RISK_LEVELS = (NO_RISK, *SEVERITIES, UNKNOWN_SEVERITY, UNASSESSED)
UNVERIFIED_CLASS = "risk-unverified"
VIOLATION, UNVERIFIED = "violation", "unverified"

# A node's own findings by their id: how an inherited finding id is read.
FindingsOf = Callable[[str], Sequence[Mapping[str, Any]]]


def color_of(value: Any) -> str:
    """A colouring from the browser (the URL, the toggle): anything but ``risk`` is status,
    as the pages treat an unknown layout."""
    return COLOR_RISK if value == COLOR_RISK else COLOR_STATUS


def risk_of(node: Mapping[str, Any]) -> Mapping[str, Any] | None:
    found = node.get("risk")
    return found if isinstance(found, Mapping) else None


def risk_level(risk: Mapping[str, Any] | None) -> str:
    """One of ``RISK_LEVELS``."""
    if risk is None:
        return UNASSESSED
    severity = risk.get("severity")
    if severity is None:
        return NO_RISK
    return str(severity) if severity in SEVERITIES else UNKNOWN_SEVERITY


def risk_class(level: str) -> str:
    return f"risk-{level if level in RISK_LEVELS else UNKNOWN_SEVERITY}"


def findings(value: Any) -> list[Mapping[str, Any]]:
    return [f for f in value if isinstance(f, Mapping)] if isinstance(value, list) else []


def reaches(risk: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    """The sources that reach a node (``inherited``), each a mapping with a text ``source``."""
    found = risk.get("inherited") if risk is not None else None
    return [r for r in found if isinstance(r, Mapping) and isinstance(r.get("source"), str)
            ] if isinstance(found, list) else []


def finding_ids(reach: Mapping[str, Any]) -> list[str]:
    found = reach.get("findings")
    return [str(f) for f in found if isinstance(f, str)] if isinstance(found, list) else []


def path_ids(reach: Mapping[str, Any]) -> list[str]:
    found = reach.get("path")
    return [p for p in found if isinstance(p, str)] if isinstance(found, list) else []


def inherited_findings(reach: Mapping[str, Any], own_of: FindingsOf
                       ) -> list[tuple[str, Mapping[str, Any] | None]]:
    """Each finding id of ``reach`` with the source's own finding of that id (``None`` when
    the source does not list it: shown by its id)."""
    by_id = {str(f.get("id")): f for f in own_of(str(reach["source"]))}
    return [(ident, by_id.get(ident)) for ident in finding_ids(reach)]


def only_unverified(risk: Mapping[str, Any] | None, own_of: FindingsOf) -> bool:
    """Whether a node has findings and every one (its own, and each inherited one as its
    source lists it) is a setting that could not be verified. An inherited finding its source
    does not list counts as a violation: the milder look is never given on a guess."""
    if risk is None or risk.get("severity") is None:
        return False
    kinds = [f.get("kind") for f in findings(risk.get("findings"))]
    for reach in reaches(risk):
        kinds += [f.get("kind") if f is not None else VIOLATION
                  for _, f in inherited_findings(reach, own_of)]
    return bool(kinds) and all(kind == UNVERIFIED for kind in kinds)


def risk_classes(risk: Mapping[str, Any] | None, own_of: FindingsOf) -> str:
    """``risk-high``, ``risk-medium risk-unverified``, ``risk-none``, ``risk-unassessed``."""
    classes = risk_class(risk_level(risk))
    return f"{classes} {UNVERIFIED_CLASS}" if only_unverified(risk, own_of) else classes


def own_findings_index(nodes: Sequence[tuple[str, Mapping[str, Any]]]) -> FindingsOf:
    """``own_of(id)``: the own findings of the node of that element id, from (id, node)."""
    index = {ident: findings((risk_of(node) or {}).get("findings")) for ident, node in nodes}

    def own_of(ident: str) -> Sequence[Mapping[str, Any]]:
        return index.get(ident, [])

    return own_of
