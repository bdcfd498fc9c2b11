"""The legend: every status, risk level, edge kind and shape the graph can draw, from the
stylesheet's own tables (``stylesheet``), so it cannot say something the graph does not do.

The Status group (``legend-status``) and the Risk group (``legend-risk``) are both in the
legend; the page's colouring (``colour_class``) decides which one shows (``assets``' CSS)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from dash import html

from dashboard.ui import ids
from dashboard.ui.components.elements import STATUSES, status_class, via_class
from dashboard.ui.components.risk import (
    COLOR_RISK,
    UNVERIFIED_CLASS,
    color_of,
    risk_class,
)
from dashboard.ui.components.stylesheet import (
    ARTIFACT_BORDER,
    ARTIFACT_FILL,
    ARTIFACT_SHAPE,
    EDGE_LOOK,
    GROUP_BORDER,
    GROUP_FILL,
    LENS_LOOK,
    OTHER_SHAPE,
    PATH_COLOUR,
    RISK_BORDER,
    RISK_LOOK,
    STATUS_LOOK,
    TYPE_SHAPES,
    UNVERIFIED_BORDER,
    UNVERIFIED_TEXT,
    icon_uri,
)
from lineage.models import NOT_STARTED

# Each Cytoscape shape as SVG in a 24 x 16 box; "round-" shapes are drawn with round joins.
_POLYGONS: Mapping[str, str] = {
    "rectangle": "1,1 23,1 23,15 1,15",
    "cut-rectangle": "4,1 20,1 23,4 23,12 20,15 4,15 1,12 1,4",
    "diamond": "12,1 23,8 12,15 1,8",
    "triangle": "12,1 23,15 1,15",
    "pentagon": "12,1 23,6.5 19,15 5,15 1,6.5",
    "hexagon": "6,1 18,1 23,8 18,15 6,15 1,8",
    "concave-hexagon": "1,1 23,1 19,8 23,15 1,15 5,8",
    "heptagon": "12,1 20,3.5 23,9 19,15 5,15 1,9 4,3.5",
    "octagon": "7,1 17,1 23,5 23,11 17,15 7,15 1,11 1,5",
    "tag": "1,1 17,1 23,8 17,15 1,15",
    "rhomboid": "6,1 23,1 18,15 1,15",
    "star": "12,0.5 14.6,5.6 20,6 16,9.6 17.4,15 12,12 6.6,15 8,9.6 4,6 9.4,5.6",
}
_PATHS: Mapping[str, str] = {
    "ellipse": '<ellipse cx="12" cy="8" rx="11" ry="7"/>',
    "round-rectangle": '<rect x="1" y="1" width="22" height="14" rx="4"/>',
    "bottom-round-rectangle": '<path d="M1 1H23V10Q23 15 18 15H6Q1 15 1 10Z"/>',
    "barrel": '<path d="M4 1H20Q24 8 20 15H4Q0 8 4 1Z"/>',
}


def shape_svg(shape: str) -> str | None:
    """The SVG element that draws ``shape``; ``None`` for a shape this legend cannot draw."""
    if shape in _PATHS:
        return _PATHS[shape]
    points = _POLYGONS.get(shape.removeprefix("round-"))
    if points is None:
        return None
    join = ' stroke-linejoin="round"' if shape.startswith("round-") else ""
    return f'<polygon points="{points}"{join}/>'


def shape_uri(shape: str, fill: str = "#cbd2d9", stroke: str = "#52606d") -> str:
    body = shape_svg(shape) or _PATHS["round-rectangle"]
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="16" viewBox="0 0 24 16" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="1.5">{body}</svg>'
    )
    return "data:image/svg+xml;utf8," + quote(svg)


def shape_entries() -> list[tuple[str, str]]:
    """(shape, the types drawn with it) in table order, then unknown types and S3 objects."""
    by_shape: dict[str, list[str]] = {}
    for step_type, shape in TYPE_SHAPES.items():
        by_shape.setdefault(shape, []).append(step_type)
    entries = [(shape, ", ".join(types)) for shape, types in by_shape.items()]
    entries.append((OTHER_SHAPE, "a step type this version does not know"))
    return entries


_RISK_DASHES: Mapping[str, str] = {"dashed": "4 2.5", "dotted": "1.2 2.2"}
RISK_LEGEND = "legend-risk"
STATUS_LEGEND = "legend-status"
COLOUR_RISK_CLASS = "colour-risk"


def colour_class(base: str, color: Any) -> str:
    """A legend's class for a colouring: ``colour-risk`` shows its Risk group instead of the
    status looks."""
    return f"{base} {COLOUR_RISK_CLASS}" if color_of(color) == COLOR_RISK else base


def risk_sample_uri(level: str, unverified: bool = False) -> str:
    """A node of a risk level drawn small, from ``RISK_LOOK``: its fill, its border's style
    and width (thinner than on the graph), its letter."""
    fill, ink, border, width, letter, _ = RISK_LOOK[level]
    style = UNVERIFIED_BORDER if unverified else border
    stroke = min(width / 2, 3.0)
    dash = _RISK_DASHES.get(style)
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    box = '<rect x="1.5" y="1.5" width="29" height="13" rx="3"'
    body = f'{box} fill="{fill}" stroke="{RISK_BORDER}" stroke-width="{stroke:g}"{dashes}/>'
    if style == "double":
        body += f'{box} fill="none" stroke="{fill}" stroke-width="{stroke / 3:g}"/>'
    shown = f"{letter}?" if unverified and letter else letter
    if shown:
        body += (f'<text x="16" y="12" text-anchor="middle" font-size="10" font-weight="700" '
                 f'font-family="DejaVu Sans, Arial, sans-serif" fill="{ink}">{shown}</text>')
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="32" height="16" '
           f'viewBox="0 0 32 16">{body}</svg>')
    return "data:image/svg+xml;utf8," + quote(svg)


def _explains(name: str) -> dict[str, Any]:
    """The ``data-legend`` attribute: the class an entry explains."""
    return {"data-legend": name}


def risk_entries() -> list[html.Li]:
    """Each risk level of ``RISK_LOOK``, then the unverified look; each names the classes
    it explains (``data-legend``)."""
    entries = [
        html.Li([html.Img(src=risk_sample_uri(level), alt="", className="risk-sample"),
                 look[5]], title=look[5], **_explains(risk_class(level)))
        for level, look in RISK_LOOK.items()
    ]
    entries.append(html.Li(
        [html.Img(src=risk_sample_uri("medium", unverified=True), alt="",
                  className="risk-sample"), UNVERIFIED_TEXT],
        title="Every finding that reaches it is a bucket setting that could not be read "
              "(access denied): unverified, never a pass",
        **_explains(UNVERIFIED_CLASS)))
    return entries


# A sample of each tools' class (stylesheet.LENS_LOOK), drawn as the graph draws it.
_LENS_SAMPLES: Mapping[str, str] = {
    "dimmed": '<rect x="2" y="2" width="20" height="12" rx="3" fill="#009E73" '
              'fill-opacity="0.15" stroke="#1f2933" stroke-opacity="0.15"/>',
    "on-path": f'<path d="M1 8H23" stroke="{PATH_COLOUR}" stroke-width="4"/>',
    "focus-root": f'<circle cx="12" cy="8" r="7" fill="{PATH_COLOUR}" fill-opacity="0.35"/>'
                  '<circle cx="12" cy="8" r="4" fill="#009E73"/>',
    "group-collapsed": '<rect x="2" y="2" width="20" height="12" rx="2" fill="#009E73" '
                       'stroke="#1f2933" stroke-width="3"/>',
    "group-expanded": f'<rect x="1" y="1" width="22" height="14" rx="3" fill="{GROUP_FILL}" '
                      f'stroke="{GROUP_BORDER}" stroke-dasharray="3 2"/>',
    "aggregated": '<path d="M1 10H23" stroke="#1f2933" stroke-width="2"/>'
                  '<text x="12" y="7" font-size="7" text-anchor="middle" '
                  'font-family="DejaVu Sans, Arial, sans-serif">\u00d7n</text>',
}


def lens_entries() -> list[html.Li]:
    """What the graph's tools mark: dimmed, path, focus, groups (``LENS_LOOK``)."""
    def sample(body: str) -> str:
        svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="24" height="16" '
               f'viewBox="0 0 24 16">{body}</svg>')
        return "data:image/svg+xml;utf8," + quote(svg)

    return [html.Li([html.Img(src=sample(_LENS_SAMPLES[name]), alt="",
                              className="shape-sample"), text],
                    title=text, **_explains(name))
            for name, text in LENS_LOOK.items()]


def legend() -> html.Div:
    """Hidden until the toolbar's Legend button shows it (as this browser left it)."""
    statuses = [
        html.Li([html.Span(html.Img(src=icon_uri(status), alt=""),
                           className=f"swatch {status_class(status)}"),
                 STATUS_LOOK[status][4]])
        for status in STATUSES
    ]
    statuses += [
        html.Li([html.Span(html.Img(src=icon_uri(NOT_STARTED), alt=""),
                           className=f"swatch {status_class(NOT_STARTED)} not-run"),
                 "Not run (branch not taken)"],
                title="In the branch of a Condition that chose the other one"),
        html.Li([html.Span(html.Img(src=icon_uri("Succeeded"), alt=""),
                           className=f"swatch {status_class('Succeeded')} cache-hit"),
                 "cache hit (lighter)"],
                title="The step reused the result of an earlier execution"),
    ]
    edges = [
        html.Li([html.Span(className=f"edge-sample {via_class(via)}"), look[4]])
        for via, look in EDGE_LOOK.items()
        if via != "reads"
    ]
    shapes = [
        html.Li([html.Img(src=shape_uri(shape), alt="", title=shape, className="shape-sample"),
                 label])
        for shape, label in shape_entries()
    ]
    artifact = shape_uri(ARTIFACT_SHAPE, ARTIFACT_FILL, ARTIFACT_BORDER)
    shapes.append(html.Li([html.Img(src=artifact, alt="", title=ARTIFACT_SHAPE,
                                    className="shape-sample"),
                           "S3 object (data view)"]))
    shapes.append(html.Li([html.Span("\u26a0", className="badge-sample"), "insecure bucket"],
                          title="The bucket is unencrypted, unversioned or not blocked from "
                                "public access"))
    return html.Div(
        [
            html.Div([html.H5("Status"), html.Ul(statuses)],
                     className=f"legend-group {STATUS_LEGEND}"),
            html.Div([html.H5("Risk"), html.Ul(risk_entries())],
                     className=f"legend-group {RISK_LEGEND}"),
            html.Div([html.H5("Edges"), html.Ul(edges)], className="legend-group"),
            html.Div([html.H5("Shapes"), html.Ul(shapes)], className="legend-group"),
            html.Div([html.H5("Focus, path, groups"), html.Ul(lens_entries())],
                     className="legend-group legend-lens"),
        ],
        id=ids.LEGEND,
        className="legend",
        hidden=True,
        role="region",
        title="Legend",
    )
