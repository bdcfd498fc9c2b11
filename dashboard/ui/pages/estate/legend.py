"""The estate page's legend: every node kind, edge kind, status, approval and bucket look the
estate graph draws, and what a search lights.

Which entries there are comes from the estate stylesheet's tables (``KIND_LOOK``,
``ESTATE_EDGE_LOOK`` with the data view's reads and writes, ``STATUS_LOOK``, ``APPROVAL_LOOK``)
and the graph's own classes (``graph.node_classes``); how each looks is read from the sheet
itself (``estate_stylesheet()``, the rules of the classes the graph gives), so the legend
cannot show what the graph does not draw. Shapes are drawn by the pipeline page's legend's
SVG helpers (``components.legend.shape_svg``). Each entry names the classes it explains
(``data-legend``), which the tests compare with the sheet. Coloured by risk, the Risk group
(the pipeline legend's, ``components.legend.risk_entries``) shows instead of the groups whose
looks the risk looks replace (status, approval, buckets).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from dash import html

from dashboard.ui import ids
from dashboard.ui.components.elements import VIA_READS, VIA_WRITES, status_class, via_class
from dashboard.ui.components.legend import (
    RISK_LEGEND,
    STATUS_LEGEND,
    risk_entries,
    shape_svg,
)
from dashboard.ui.components.stylesheet import (
    APPROVAL_LOOK,
    ESTATE_EDGE_LOOK,
    KIND_LOOK,
    OTHER_SHAPE,
    STATUS_LOOK,
    estate_stylesheet,
    icon_uri,
)
from dashboard.ui.pages.estate.graph import ENDPOINT_STATUS, node_classes, node_label
from lineage.models import UNKNOWN

Style = Mapping[str, Any]

#: The estate's edge kinds in the order the legend lists them: data first (the pipeline
#: page's data view looks), then the estate's own.
EDGE_KINDS: tuple[str, ...] = (VIA_READS, VIA_WRITES, *ESTATE_EDGE_LOOK)
#: A dataset's bucket settings (its ``s3``) of each look node_classes gives
#: (``artifact-<security>``), and what the look means.
BUCKET_SAMPLES: tuple[tuple[Mapping[str, Any] | None, str], ...] = (
    ({"encryption": "None"}, "bucket unencrypted, unversioned or open to the public"),
    ({"encryption": UNKNOWN}, "bucket settings unknown"),
    (None, "bucket settings not read"),
)
OTHER_KIND = "kind-other"

# Cytoscape's line and border styles as SVG dashes; "double" is drawn as two strokes.
_DASHES: Mapping[str, str] = {"dashed": "5 3", "dotted": "1.2 2.4"}
_MAX_BORDER = 3.0  # a 24 x 16 sample cannot show a 7 px border


def style_of(sheet: Sequence[Mapping[str, Any]], element: str, classes: Iterable[str]) -> Style:
    """What ``sheet`` gives an element (``node`` or ``edge``) with ``classes``: the rules of
    the element and of each class, alone or on the element (``.a``, ``edge.a``, in ``.a, .b``
    lists too), later ones winning, as in Cytoscape; pseudo-classes (``:selected``) are left
    out."""
    wanted = {element, *(f".{c}" for c in classes), *(f"{element}.{c}" for c in classes)}
    merged: dict[str, Any] = {}
    for rule in sheet:
        if any(part.strip() in wanted for part in str(rule["selector"]).split(",")):
            merged.update(rule["style"])
    return merged


def _svg(width: int, body: str) -> str:
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="16" '
           f'viewBox="0 0 {width} 16">{body}</svg>')
    return "data:image/svg+xml;utf8," + quote(svg)


def _stroke(colour: str, width: float, style: str) -> str:
    dash = _DASHES.get(style)
    dashes = f' stroke-dasharray="{dash}" stroke-linecap="round"' if dash else ""
    return f'stroke="{colour}" stroke-width="{width:g}"{dashes}'


def node_uri(style: Style) -> str:
    """A node of ``style`` drawn small: its shape, fill, border colour, style and width, and
    its opacity."""
    body = shape_svg(str(style.get("shape") or OTHER_SHAPE)) or shape_svg(OTHER_SHAPE) or ""
    border = str(style.get("border-style") or "solid")
    width = min(float(style.get("border-width") or 1.5), _MAX_BORDER)
    colour = str(style.get("border-color") or "#1f2933")
    fill = str(style.get("background-color") or "#ffffff")
    shape = f'<g fill="{fill}" {_stroke(colour, width, border)}>{body}</g>'
    if border == "double":  # the fill drawn through the middle of the border
        shape += f'<g fill="none" stroke="{fill}" stroke-width="{width / 3:g}">{body}</g>'
    return _svg(24, f'<g opacity="{float(style.get("opacity", 1)):g}">{shape}</g>')


def edge_uri(style: Style) -> str:
    """An edge of ``style``: its colour, line style and width, its arrow when it has one."""
    colour = str(style.get("line-color") or "#1f2933")
    width = min(float(style.get("width") or 1.5), _MAX_BORDER + 1)
    line = str(style.get("line-style") or "solid")
    body = f'<line x1="1" y1="8" x2="22" y2="8" {_stroke(colour, width, line)}/>'
    arrow = str(style.get("target-arrow-shape") or "none")
    if arrow == "chevron":
        body += f'<polyline points="21,4 27,8 21,12" fill="none" {_stroke(colour, 1.6, "")}/>'
    elif arrow != "none":
        body += f'<polygon points="21,4 28,8 21,12" fill="{colour}"/>'
    opacity = float(style.get("opacity", 1))
    return _svg(28, f'<g opacity="{opacity:g}">{body}</g>')


def _explains(classes: Iterable[str]) -> dict[str, Any]:
    """The ``data-legend`` attribute: the graph's classes an entry explains."""
    return {"data-legend": " ".join(classes)}


def _entry(image: str, text: str, classes: Iterable[str], *, title: str = "",
           edge: bool = False) -> html.Li:
    sample = "shape-sample edge-shape" if edge else "shape-sample"
    return html.Li([html.Img(src=image, alt="", className=sample), text],
                   title=title or text, **_explains(classes))


def _words(name: str) -> str:
    return name.replace("-", " ")


def _kind_entries(sheet: Sequence[Mapping[str, Any]]) -> list[html.Li]:
    entries = []
    for kind, (shape, _, _) in KIND_LOOK.items():
        # The classes the graph gives a node of the kind, less its status (told apart).
        classes = [c for c in node_classes({"kind": kind, "attributes": {}}).split()
                   if not c.startswith(("status-", "artifact-", "approval-", "risk-"))]
        entries.append(_entry(node_uri(style_of(sheet, "node", classes)), _words(kind),
                              [f"kind-{kind}"], title=f"{_words(kind)} ({shape})"))
    entries.append(_entry(node_uri(style_of(sheet, "node", ["estate-node", OTHER_KIND])),
                          "another kind", [OTHER_KIND]))
    return entries


def _edge_entries(sheet: Sequence[Mapping[str, Any]]) -> list[html.Li]:
    """One entry per look: kinds drawn alike (reads, writes) share one."""
    by_look: dict[str, list[str]] = {}
    for kind in EDGE_KINDS:
        look = edge_uri(style_of(sheet, "edge", ["edge", "estate-edge", via_class(kind)]))
        by_look.setdefault(look, []).append(kind)
    return [_entry(look, ", ".join(kinds), [via_class(k) for k in kinds], edge=True)
            for look, kinds in by_look.items()]


def _status_entries() -> list[html.Li]:
    """A pipeline's latest execution; an endpoint's status, told as the one it maps onto."""
    endpoint: dict[str, list[str]] = {}
    for aws, shown in ENDPOINT_STATUS.items():
        endpoint.setdefault(shown, []).append(aws)
    entries = []
    for status, look in STATUS_LOOK.items():
        text = look[4]
        if status in endpoint:
            text += f" (endpoint {', '.join(endpoint[status])})"
        entries.append(html.Li([html.Span(html.Img(src=icon_uri(status), alt=""),
                                          className=f"swatch {status_class(status)}"), text],
                               title=text, **_explains([status_class(status)])))
    return entries


def _approval_entries(sheet: Sequence[Mapping[str, Any]]) -> list[html.Li]:
    base = ["estate-node", "kind-model-package"]
    return [_entry(node_uri(style_of(sheet, "node", [*base, selector])), look[3], [selector],
                   title=f"model package: {look[3]}")
            for selector, look in APPROVAL_LOOK.items()]


def _bucket_entries(sheet: Sequence[Mapping[str, Any]]) -> list[html.Li]:
    """A dataset's look by its bucket's settings; its label's warning sign as the graph's."""
    entries = []
    for s3, text in BUCKET_SAMPLES:
        dataset = {"kind": "dataset", "label": text, "attributes": {"s3": s3}}
        classes = node_classes(dataset).split()
        entries.append(_entry(node_uri(style_of(sheet, "node", classes)), node_label(dataset),
                              [c for c in classes if c.startswith("artifact-")]))
    return entries


def _search_entries(sheet: Sequence[Mapping[str, Any]]) -> list[html.Li]:
    start = style_of(sheet, "node", ["estate-node", "kind-dataset", "query-start"])
    path = style_of(sheet, "edge", ["edge", "estate-edge", "on-path"])
    dimmed = style_of(sheet, "node", ["estate-node", "kind-pipeline", "dimmed"])
    halo = (f'<circle cx="12" cy="8" r="7.5" fill="{start["underlay-color"]}" '
            f'opacity="{float(start["underlay-opacity"]):g}"/>')
    return [
        html.Li([html.Img(src=_svg(24, halo), alt="", className="shape-sample"),
                 "where the search starts"], title="where the search starts",
                **_explains(["query-start"])),
        _entry(edge_uri(path), "on a path it finds", ["on-path"], edge=True),
        _entry(node_uri(dimmed), "not reached (dimmed)", ["dimmed"]),
    ]


def estate_legend() -> html.Details:
    """Closed by default over the graph's foot; the summary opens it (no callback)."""
    sheet = estate_stylesheet()
    groups = [
        ("Kinds", _kind_entries(sheet), ""),
        ("Edges", _edge_entries(sheet), ""),
        ("Status", _status_entries(), STATUS_LEGEND),
        ("Approval", _approval_entries(sheet), STATUS_LEGEND),
        ("Buckets", _bucket_entries(sheet), STATUS_LEGEND),
        ("Risk", risk_entries(), RISK_LEGEND),
        ("Search", _search_entries(sheet), ""),
    ]
    return html.Details(
        [html.Summary("Legend", className="estate-legend-summary",
                      title="Show or hide the legend"),
         html.Div([html.Div([html.H5(name), html.Ul(entries)],
                            className=f"legend-group {shown}".strip())
                   for name, entries, shown in groups], className="estate-legend-body")],
        id=ids.ESTATE_LEGEND,
        className="estate-legend",
        open=False,
    )
