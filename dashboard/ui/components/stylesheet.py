"""THE Cytoscape stylesheet: every look of the graph, keyed by the classes of ``elements``.

Status colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies);
status is never told by colour alone: each status also has its own border style and an icon
drawn inside the node. Step types have shapes (one for every type of
``lineage.step_types.STEP_TYPES``, a test checks); edge kinds have line styles.
The legend (``dashboard.ui.components.legend``) is drawn from the same tables.

Coloured by risk (``color="risk"``), the sheet ends with ``risk_rules()``: each risk level
(``RISK_LOOK``) a fill from light to dark (a sequential scale: it reads in grey too), a border
that widens and doubles with the severity and the severity's letter drawn inside the node;
a node reached only by settings that could not be verified has a dashed border and a "?"
after its letter. Those rules come last, so they win over status, approval and bucket looks.

The Compare page's sheet (``compare_stylesheet()``) ends with ``change_rules()``: a look per
change class of ``lineage.compare`` (``CHANGE_LOOK``, ``CHANGE_EDGE_LOOK``), told by fill,
border and a mark inside the node; an edge keeps its kind's line style under its change's
colour.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from dashboard.ui.components.elements import (
    KNOWN_TYPES,
    STATUSES,
    status_class,
    type_class,
    via_class,
)
from dashboard.ui.components.risk import (
    COLOR_RISK,
    NO_RISK,
    UNASSESSED,
    UNKNOWN_SEVERITY,
    UNVERIFIED_CLASS,
    risk_class,
)
from lineage.compare import ADDED, CHANGE_CLASSES, CHANGED, REMOVED, SAME
from lineage.models import NOT_STARTED, UNKNOWN

# status -> (fill, icon colour, border style, border width, legend text)
STATUS_LOOK: dict[str, tuple[str, str, str, float, str]] = {
    "Succeeded": ("#009E73", "#ffffff", "solid", 2.0, "Succeeded"),
    "Executing": ("#0072B2", "#ffffff", "dashed", 4, "Executing"),
    "Starting": ("#56B4E9", "#10222e", "dotted", 4, "Starting"),
    "Stopping": ("#E69F00", "#231800", "solid", 5, "Stopping"),
    "Stopped": ("#CC79A7", "#2a0f1f", "double", 6, "Stopped"),
    "Failed": ("#D55E00", "#ffffff", "double", 7, "Failed"),
    NOT_STARTED: ("#eceff3", "#52606d", "dotted", 2, "Not started"),
    UNKNOWN: ("#bfc6cf", "#1f2933", "dashed", 2, "Unknown"),
}
BORDER_COLOUR = "#1f2933"

# The icon inside a node, per status: 24x24 SVG path data.
_ICON_PATHS: dict[str, tuple[str, bool]] = {  # (path, filled)
    "Succeeded": ("M5 12.5l4.5 4.5L19 7.5", False),
    "Failed": ("M6.5 6.5l11 11M17.5 6.5l-11 11", False),
    "Executing": ("M8 5.5v13l10.5-6.5z", True),
    "Starting": ("M12 4.5v7.5l5 3", False),
    "Stopping": ("M7 5.5h3.5v13H7zM13.5 5.5H17v13h-3.5z", True),
    "Stopped": ("M6.5 6.5h11v11h-11z", True),
    NOT_STARTED: ("M12 5a7 7 0 1 0 0.01 0", False),
    UNKNOWN: ("M9 9a3 3 0 1 1 4 2.8c-.7.3-1 .9-1 1.7M12 17v.5", False),
}

# step type -> its Cytoscape shape; types of one family share one.
TYPE_SHAPES: dict[str, str] = {
    "Processing": "round-rectangle",
    "Training": "ellipse",
    "NotebookJob": "bottom-round-rectangle",
    "Tuning": "pentagon",
    "Transform": "hexagon",
    "Model": "barrel",
    "CreateModel": "barrel",
    "RegisterModel": "tag",
    "Condition": "diamond",
    "Fail": "octagon",
    "Lambda": "rhomboid",
    "Callback": "rhomboid",
    "QualityCheck": "round-triangle",
    "ClarifyCheck": "round-triangle",
    "EMR": "round-pentagon",
    "EMRServerless": "round-pentagon",
    "AutoML": "star",
    "EndpointConfig": "cut-rectangle",
    "Endpoint": "round-hexagon",
    "InferenceComponent": "round-tag",
    "Lineage": "concave-hexagon",
    "BedrockCustomModel": "round-heptagon",
    "BedrockCustomModelDeployment": "round-heptagon",
    "BedrockProvisionedModelThroughput": "round-heptagon",
    "BedrockModelImport": "round-heptagon",
}
# A type this version does not know: a shape no known type has.
OTHER_SHAPE = "rectangle"
ARTIFACT_SHAPE = "barrel"

# via -> (colour, line style, width, arrow, legend text)
EDGE_LOOK: dict[str, tuple[str, str, float, str, str]] = {
    "dependsOn": ("#52606d", "dashed", 1.6, "chevron", "dependsOn"),
    "ref:Get": ("#1f2933", "solid", 2.4, "triangle", "ref:Get"),
    "condition": ("#7b4fa3", "dotted", 2.4, "triangle", "condition if/else"),
    "artifact": ("#9aa5b1", "solid", 1.0, "triangle", "S3 path"),
    "writes": ("#b08900", "solid", 1.2, "triangle", "S3 read/write"),
    "reads": ("#b08900", "solid", 1.2, "triangle", "S3 read/write"),
}

ARTIFACT_FILL = "#fff8e1"
ARTIFACT_BORDER = "#b08900"
INSECURE_BORDER = "#D55E00"
SELECTED_UNDERLAY = "#ffd400"
PATH_COLOUR = "#0b6bcb"
DIMMED_OPACITY = 0.15


def icon_uri(status: str) -> str:
    path, filled = _ICON_PATHS.get(status, _ICON_PATHS[UNKNOWN])
    colour = STATUS_LOOK.get(status, STATUS_LOOK[UNKNOWN])[1]
    paint = (
        f'fill="{colour}" stroke="none"'
        if filled
        else f'fill="none" stroke="{colour}" stroke-width="2.6" stroke-linecap="round" '
        f'stroke-linejoin="round"'
    )
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24">'
        f'<path d="{path}" {paint}/></svg>'
    )
    return "data:image/svg+xml;utf8," + quote(svg)


# risk level -> (fill, letter colour, border style, border width, letter, legend text); the
# fills darken with the severity (Okabe-Ito yellow, orange, vermillion, then a dark red).
RISK_LOOK: dict[str, tuple[str, str, str, float, str, str]] = {
    NO_RISK: ("#f5f7fa", "#52606d", "solid", 1.5, "", "No finding"),
    "low": ("#F0E442", "#3a3500", "solid", 2.5, "L", "Low"),
    "medium": ("#E69F00", "#231800", "solid", 4, "M", "Medium"),
    "high": ("#D55E00", "#ffffff", "double", 6, "H", "High"),
    "critical": ("#6b0f1a", "#ffffff", "double", 8, "C", "Critical"),
    UNKNOWN_SEVERITY: ("#bfc6cf", "#1f2933", "dotted", 2, "?", "Severity unknown"),
    UNASSESSED: ("#ffffff", "#7b8794", "dotted", 1.5, "\u2013", "Not assessed"),
}
# Only settings that could not be read: the border dashed, a "?" after the letter.
UNVERIFIED_BORDER = "dashed"
UNVERIFIED_TEXT = "only settings that could not be verified"
RISK_BORDER = "#1f2933"


def risk_icon_uri(level: str, unverified: bool = False) -> str:
    """The letter drawn inside a node of a risk level (24x24 SVG); none for no finding."""
    _, ink, _, _, letter, _ = RISK_LOOK.get(level, RISK_LOOK[UNKNOWN_SEVERITY])
    shown = f"{letter}?" if unverified and letter else letter
    size = 15 if len(shown) < 2 else 12
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24">'
        f'<text x="12" y="{12 + size * 0.36:g}" text-anchor="middle" font-size="{size}" '
        'font-weight="700" font-family="DejaVu Sans, Arial, sans-serif" '
        f'fill="{ink}">{shown}</text></svg>'
    )
    return "data:image/svg+xml;utf8," + quote(svg)


def risk_rules() -> list[dict[str, Any]]:
    """The Risk colouring: a look per risk level, the unverified look over it."""
    rules: list[dict[str, Any]] = [
        # Artifacts (and datasets) carry no icon otherwise: place the letter as steps do.
        {"selector": ".artifact", "style": {
            "background-fit": "none", "background-width": "60%", "background-height": "60%",
            "background-clip": "none"}},
    ]
    for level, (fill, _, border, width, letter, _) in RISK_LOOK.items():
        rules.append({"selector": f".{risk_class(level)}", "style": {
            "background-color": fill, "border-color": RISK_BORDER, "border-style": border,
            "border-width": width,
            "background-image": risk_icon_uri(level) if letter else "none",
        }})
    for level, (_, _, _, _, letter, _) in RISK_LOOK.items():
        if letter and level not in (UNASSESSED, NO_RISK):
            rules.append({"selector": f".{risk_class(level)}.{UNVERIFIED_CLASS}", "style": {
                "border-style": UNVERIFIED_BORDER,
                "background-image": risk_icon_uri(level, unverified=True),
            }})
    return rules


def stylesheet(color: str | None = None) -> list[dict[str, Any]]:
    """The pipeline page's sheet; ``color="risk"``: coloured by risk (``risk_rules``)."""
    sheet = _status_stylesheet()
    return [*sheet, *risk_rules()] if color == COLOR_RISK else sheet


def _status_stylesheet() -> list[dict[str, Any]]:
    sheet: list[dict[str, Any]] = [
        {
            "selector": "node",
            "style": {
                "label": "data(label)",
                # Cytoscape takes a plain list: quoted names make the whole property invalid.
                "font-family": "Inter, Segoe UI, DejaVu Sans, Arial, sans-serif",
                "font-size": 12,
                "color": "#1f2933",
                "text-valign": "bottom",
                "text-halign": "center",
                "text-margin-y": 6,
                "text-wrap": "ellipsis",
                "text-max-width": 150,
                "text-background-color": "#ffffff",
                "text-background-opacity": 0.85,
                "text-background-padding": 2,
                "text-background-shape": "round-rectangle",
                "width": 46,
                "height": 46,
                "border-color": BORDER_COLOUR,
            },
        },
        {
            "selector": ".step",
            "style": {
                "shape": OTHER_SHAPE,
                "background-fit": "none",
                "background-width": "55%",
                "background-height": "55%",
                "background-clip": "none",
            },
        },
    ]
    for step_type in KNOWN_TYPES:
        sheet.append(
            {"selector": f".{type_class(step_type)}", "style": {"shape": TYPE_SHAPES[step_type]}}
        )
    # Wider shapes read better for these.
    sheet.append({"selector": ".type-processing, .type-transform", "style": {"width": 58}})
    sheet.append({"selector": ".type-condition", "style": {"width": 52, "height": 52}})
    for status in (*STATUSES, UNKNOWN):
        fill, _, border, width, _ = STATUS_LOOK[status]
        sheet.append(
            {
                "selector": f".{status_class(status)}",
                "style": {
                    "background-color": fill,
                    "border-style": border,
                    "border-width": width,
                    "background-image": icon_uri(status),
                },
            }
        )
    sheet += [
        {"selector": ".status-notstarted",
         "style": {"color": "#52606d", "border-color": "#7b8794"}},
        {"selector": ".cache-hit", "style": {"background-opacity": 0.7}},
        # A branch the Condition did not take: fainter than a step that may still run.
        {"selector": ".not-run", "style": {"opacity": 0.55, "border-style": "dashed"}},
        {"selector": ".search-match", "style": {"underlay-color": "#0b6bcb",
                                                 "underlay-opacity": 0.35,
                                                 "underlay-padding": 7}},
        {
            "selector": ".artifact",
            "style": {
                "shape": ARTIFACT_SHAPE,
                "width": 30,
                "height": 34,
                "background-color": ARTIFACT_FILL,
                "border-color": ARTIFACT_BORDER,
                "border-width": 1.5,
                "font-size": 10,
                "color": "#3e4c59",
                "text-max-width": 130,
            },
        },
        {
            "selector": ".artifact-insecure",
            "style": {
                "border-color": INSECURE_BORDER,
                "border-width": 3.5,
                "border-style": "double",
                "color": "#8a3200",
                "font-weight": "bold",
            },
        },
        {"selector": ".artifact-unknown", "style": {"border-style": "dashed"}},
        {"selector": ".artifact-not-read", "style": {"border-style": "dotted"}},
        {
            "selector": "edge",
            "style": {
                "curve-style": "bezier",
                "arrow-scale": 1.1,
                "font-size": 10,
                "color": "#3e4c59",
                "text-background-color": "#ffffff",
                "text-background-opacity": 0.9,
                "text-background-padding": 2,
                "text-rotation": "autorotate",
            },
        },
    ]
    for via, (colour, line, width, arrow, _) in EDGE_LOOK.items():
        sheet.append(
            {
                "selector": f".{via_class(via)}",
                "style": {
                    "line-color": colour,
                    "target-arrow-color": colour,
                    "line-style": line,
                    "width": width,
                    "target-arrow-shape": arrow,
                },
            }
        )
    sheet += [
        # if/else always; the referenced property of a ref:Get when it is selected (and in the
        # caption under the graph on hover).
        {"selector": ".via-condition", "style": {"label": "data(label)", "font-weight": "bold"}},
        {
            "selector": ".via-ref-get:selected",
            "style": {"label": "data(property)", "width": 3.5, "line-color": "#0b6bcb",
                      "target-arrow-color": "#0b6bcb"},
        },
        {
            "selector": "node:selected",
            "style": {
                "underlay-color": SELECTED_UNDERLAY,
                "underlay-opacity": 0.75,
                "underlay-padding": 9,
                "underlay-shape": "ellipse",
                "font-weight": "bold",
            },
        },
        {"selector": "edge:selected", "style": {"underlay-color": SELECTED_UNDERLAY,
                                                 "underlay-opacity": 0.6, "underlay-padding": 4}},
        *lens_rules(),
    ]
    return sheet


# What the graph's tools mark (components.lens, components.groups).
GROUP_FILL = "#f5f7fa"
GROUP_BORDER = "#7b8794"
PATH_WIDTH = 4.0
LENS_LOOK: dict[str, str] = {  # class -> legend text
    "dimmed": "outside the focus, path or filters (dimmed; hidden with “Hide the rest”)",
    "on-path": "on a path between the two chosen nodes",
    "focus-root": "the node the focus is on",
    "group-collapsed": "a collapsed group: its name, steps and status counts (click: expand)",
    "group-expanded": "an expanded group around its steps (click its box: collapse)",
    "aggregated": "its members' links, one edge (×n: how many)",
}
# Labels under this many screen pixels are not drawn (a smudge at a far zoom).
MIN_ZOOMED_FONT = 7


def lens_rules() -> list[dict[str, Any]]:
    """Groups, aggregated edges, and what focus, path and filters mark (after the status
    looks; the selection's underlay stays)."""
    return [
        {"selector": "node", "style": {"min-zoomed-font-size": MIN_ZOOMED_FONT}},
        {"selector": "edge", "style": {"min-zoomed-font-size": MIN_ZOOMED_FONT}},
        {"selector": ".group-collapsed", "style": {
            "width": 64, "height": 64, "font-size": 14, "font-weight": "bold",
            "border-color": BORDER_COLOUR, "border-style": "double", "border-width": 6,
            "text-max-width": 340,
            # Bigger than a step's label: a group's name reads at a zoom a step's does not.
            "min-zoomed-font-size": 5}},
        {"selector": ".group-expanded", "style": {
            "shape": "round-rectangle", "background-color": GROUP_FILL,
            "background-opacity": 0.6, "background-image": "none", "border-color": GROUP_BORDER,
            "border-style": "dashed", "border-width": 1.5, "padding": 18,
            "text-valign": "top", "text-halign": "center", "text-margin-y": -4,
            "font-size": 13, "font-weight": "bold", "color": "#3e4c59"}},
        # An open group on an open base: a parent that draws nothing and takes no taps.
        {"selector": ".group-latent", "style": {
            "background-opacity": 0, "border-width": 0, "label": "", "padding": 0,
            "background-image": "none", "events": "no", "underlay-opacity": 0}},
        {"selector": ".aggregated", "style": {
            "label": "data(label)", "font-size": 11, "font-weight": "bold"}},
        {"selector": ".dimmed", "style": {"opacity": DIMMED_OPACITY}},
        {"selector": ".hidden", "style": {"display": "none"}},
        {"selector": ".on-path", "style": {"font-weight": "bold", "border-color": PATH_COLOUR}},
        {"selector": ".path-edge", "style": {
            "line-color": PATH_COLOUR, "target-arrow-color": PATH_COLOUR, "width": PATH_WIDTH,
            "z-index": 10}},
        {"selector": ".path-end, .focus-root", "style": {
            "underlay-color": PATH_COLOUR, "underlay-opacity": 0.35, "underlay-padding": 9}},
        {"selector": "node:selected", "style": {"underlay-color": SELECTED_UNDERLAY,
                                                 "underlay-opacity": 0.75}},
    ]



# -- the estate page ---------------------------------------------------------------------------

# estate node kind -> (shape, width, height)
KIND_LOOK: dict[str, tuple[str, float, float]] = {
    "pipeline": ("round-rectangle", 64, 40),
    "dataset": (ARTIFACT_SHAPE, 30, 34),
    "model-package-group": ("round-tag", 40, 40),
    "model-package": ("tag", 40, 40),
    "model": ("ellipse", 40, 40),
    "endpoint-config": ("cut-rectangle", 44, 34),
    "endpoint": ("round-hexagon", 48, 44),
}
KIND_FILL = "#e4ebf2"
# A model package's approval: its border (colour, style, width, legend text).
APPROVAL_LOOK: dict[str, tuple[str, str, float, str]] = {
    "approval-approved": ("#009E73", "solid", 4, "Approved"),
    "approval-rejected": ("#D55E00", "double", 6, "Rejected"),
    "approval-pendingmanualapproval": ("#E69F00", "dashed", 4, "Pending approval"),
    "approval-unknown": ("#7b8794", "dotted", 2, "Approval unknown"),
}
# estate edge kind -> (colour, line style, width, arrow); reads and writes as on the
# pipeline page's data view (EDGE_LOOK).
ESTATE_EDGE_LOOK: dict[str, tuple[str, str, float, str]] = {
    "registers": ("#7b4fa3", "solid", 1.6, "triangle"),
    "contains": ("#9aa5b1", "dotted", 1.0, "none"),
    "packages": ("#52606d", "dashed", 1.4, "triangle"),
    "builds": ("#52606d", "solid", 1.6, "triangle"),
    "configures": ("#0072B2", "dashed", 1.6, "triangle"),
    "serves": ("#0072B2", "solid", 2.0, "triangle"),
    "deploys": ("#0072B2", "dotted", 2.0, "triangle"),
}


def estate_stylesheet(color: str | None = None) -> list[dict[str, Any]]:
    """The estate page's sheet: the pipeline page's (status looks, datasets as artifacts,
    reads and writes), then a shape per node kind, approvals, edge kinds, and the highlight
    of a search (``on-path``, ``query-start``; ``dimmed`` for the rest); ``color="risk"``:
    the risk looks over all of them (``risk_rules``)."""
    sheet: list[dict[str, Any]] = [
        {"selector": ".estate-node", "style": {
            "background-color": KIND_FILL, "border-width": 1.5,
            "background-fit": "none", "background-width": "55%", "background-height": "55%",
            "background-clip": "none",
        }},
        *stylesheet(),
    ]
    for kind, (shape, width, height) in KIND_LOOK.items():
        sheet.append({"selector": f".kind-{kind}",
                      "style": {"shape": shape, "width": width, "height": height}})
    sheet.append({"selector": ".kind-other", "style": {"shape": OTHER_SHAPE}})
    for selector, (colour, style, width, _) in APPROVAL_LOOK.items():
        sheet.append({"selector": f".{selector}", "style": {
            "border-color": colour, "border-style": style, "border-width": width}})
    for kind, (colour, line, width, arrow) in ESTATE_EDGE_LOOK.items():
        sheet.append({"selector": f".{via_class(kind)}", "style": {
            "line-color": colour, "target-arrow-color": colour, "line-style": line,
            "width": width, "target-arrow-shape": arrow}})
    sheet += [
        {"selector": ".dimmed", "style": {"opacity": DIMMED_OPACITY}},
        {"selector": "node.on-path", "style": {"font-weight": "bold"}},
        {"selector": "edge.on-path", "style": {
            "line-color": PATH_COLOUR, "target-arrow-color": PATH_COLOUR, "width": 3.5,
            "z-index": 10}},
        {"selector": ".query-start", "style": {
            "underlay-color": PATH_COLOUR, "underlay-opacity": 0.35, "underlay-padding": 9}},
        {"selector": "node:selected", "style": {
            "underlay-color": SELECTED_UNDERLAY, "underlay-opacity": 0.75,
            "underlay-padding": 9, "underlay-shape": "ellipse"}},
    ]
    return [*sheet, *risk_rules()] if color == COLOR_RISK else sheet


# -- the Compare page ----------------------------------------------------------------------------

# change class (lineage.compare) -> (fill, mark colour, border style, border width, mark,
# legend text). Told apart by colour, by border and by the mark drawn inside the node.
CHANGE_LOOK: dict[str, tuple[str, str, str, float, str, str]] = {
    ADDED: ("#009E73", "#ffffff", "solid", 5, "+", "Added (only in b)"),
    REMOVED: ("#D55E00", "#ffffff", "dashed", 4, "\u2212", "Removed (only in a)"),
    CHANGED: ("#E69F00", "#231800", "double", 6, "~", "Changed"),
    SAME: ("#eceff3", "#52606d", "solid", 1.5, "", "Same"),
}
# change class -> (line colour, width, the mark at the edge's source); the line keeps its
# kind's style (EDGE_LOOK): dashed still says dependsOn.
CHANGE_EDGE_LOOK: dict[str, tuple[str, float, str]] = {
    ADDED: ("#009E73", 3.5, "+"),
    REMOVED: ("#D55E00", 3.5, "\u2212"),
    CHANGED: ("#E69F00", 3.0, "~"),
    SAME: ("#9aa5b1", 1.2, ""),
}
REMOVED_OPACITY = 0.7  # in a only: still drawn, fainter than what b ran


def change_class(change: str | None) -> str:
    """``change-added`` ...; a class this version does not know reads as changed (look)."""
    return f"change-{change}" if change in CHANGE_CLASSES else f"change-{CHANGED}"


def change_icon_uri(change: str) -> str:
    """The mark drawn inside a node of a change class (24x24 SVG); none for same."""
    _, ink, _, _, mark, _ = CHANGE_LOOK.get(change, CHANGE_LOOK[CHANGED])
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24">'
        '<text x="12" y="18" text-anchor="middle" font-size="18" font-weight="700" '
        f'font-family="DejaVu Sans, Arial, sans-serif" fill="{ink}">{mark}</text></svg>'
    )
    return "data:image/svg+xml;utf8," + quote(svg)


def change_rules() -> list[dict[str, Any]]:
    """Coloured by change: a look per change class for nodes and edges, over the status
    looks (they come after them)."""
    rules: list[dict[str, Any]] = []
    for change, (fill, _, border, width, mark, _) in CHANGE_LOOK.items():
        rules.append({"selector": f"node.{change_class(change)}", "style": {
            "background-color": fill, "background-opacity": 1, "border-color": BORDER_COLOUR,
            "border-style": border, "border-width": width,
            "background-image": change_icon_uri(change) if mark else "none",
        }})
    for change, (colour, width, mark) in CHANGE_EDGE_LOOK.items():
        rules.append({"selector": f"edge.{change_class(change)}", "style": {
            "line-color": colour, "target-arrow-color": colour, "width": width,
            "source-label": mark, "source-text-offset": 16, "font-size": 14,
            "font-weight": "bold", "color": colour,
        }})
    rules.append({"selector": f".{change_class(REMOVED)}", "style": {
        "opacity": REMOVED_OPACITY}})
    return rules


def compare_stylesheet() -> list[dict[str, Any]]:
    """The Compare page's sheet: the pipeline page's (shapes, edge kinds, selection), the
    change looks last."""
    return [*stylesheet(), *change_rules()]
