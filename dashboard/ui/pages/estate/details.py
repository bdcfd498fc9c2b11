"""The estate page's side panel: the selected node's details, its risk (its own findings and
those it inherits, each source and path a link that selects that node: first under its
heading when the graph is coloured by risk), its connections, how the search reached it, and
a link to the pipeline page at the run that produced it.

Everything from AWS is shown as text through ``panels.text`` (hidden characters escaped);
links are built here from the node's parts (``/?region=&pipeline=&execution=``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from dash import dcc, html

from dashboard.core.state import AppState
from dashboard.ui import ids
from dashboard.ui.components.elements import status_class
from dashboard.ui.components.messages import error_message
from dashboard.ui.components.panels import (
    fields,
    format_time,
    s3_settings,
    section,
    status_chip,
    text,
)
from dashboard.ui.components.risk import COLOR_RISK, risk_of
from dashboard.ui.components.risk_panel import risk_section
from dashboard.ui.pages import relative_path
from dashboard.ui.pages.estate.graph import (
    attributes,
    edges_of,
    estate_findings,
    node_status,
    nodes_of,
)
from dashboard.ui.pages.estate.load import KIND_WORDS, answer_search, fetch_estate
from dashboard.ui.pages.estate.view import EstateView

Component = Any
MAX_CONNECTIONS = 40
MAX_URIS = 10


def pipeline_href(region: Any, pipeline: Any, execution: Any = None) -> str | None:
    """The pipeline page at a pipeline (and an execution of it)."""
    if not isinstance(region, str) or not isinstance(pipeline, str) or not region or not pipeline:
        return None
    pairs = [("region", region), ("pipeline", pipeline)]
    if isinstance(execution, str) and execution:
        pairs.append(("execution", execution))
    return relative_path("/") + "?" + urlencode(pairs)


def execution_id(arn: Any) -> str | None:
    """``.../pipeline/P/execution/<id>`` -> ``<id>``."""
    if not isinstance(arn, str) or "/execution/" not in arn:
        return None
    return arn.rsplit("/execution/", 1)[-1] or None


def pipeline_of_id(node_id: Any) -> tuple[str, str] | None:
    """``pipeline:<account>:<region>:<name>`` -> (region, name)."""
    if not isinstance(node_id, str) or not node_id.startswith("pipeline:"):
        return None
    parts = node_id.split(":", 3)
    return (parts[2], parts[3]) if len(parts) == 4 and parts[2] and parts[3] else None


def pipeline_link(href: str | None, words: str) -> Component:
    if href is None:
        return html.Span("–")
    return dcc.Link(words, href=href, className="pipeline-link")


def panel_for(app: AppState, view: EstateView) -> list[Component]:
    try:
        document = fetch_estate(app, view.region)
    except Exception as exc:
        return [error_message(exc, region=view.region)]
    nodes = {str(n["id"]): n for n in nodes_of(document)}
    out: list[Component] = []
    node = nodes.get(view.node) if view.node else None
    if view.node and node is None:
        out.append(html.Div(f"Nothing with the id {text(view.node, 256)} in this scope.",
                            className="alert alert-info"))
    if node is None:
        out += [
            html.Div([html.H3("The estate", className="panel-title")], className="panel-heading"),
            html.P("Search for an S3 location or bucket to see what it feeds, or for an "
                   "endpoint, model or model package to see where it comes from. Select a "
                   "node to see its details.", className="muted hint"),
        ]
        return out
    details = node_panel(node, document)
    risk = node_risk(node, document, nodes)
    if view.color == COLOR_RISK:
        out += [*details[:1], risk, *details[1:]]
    else:
        out += [*details, risk]
    if view.q:
        reached = reach_section(app, view, document, str(node["id"]))
        if reached is not None:
            out.append(reached)
    out.append(connections(node, document, nodes))
    return out


def node_link(node: str, place: int) -> dict[str, Any]:
    """The pattern id of a button that selects the node ``node`` (``view.sync_view``)."""
    return {"type": ids.ESTATE_SELECT_NODE, "node": node, "n": place}


def node_risk(node: Mapping[str, Any], document: Mapping[str, Any],
              nodes: Mapping[str, Mapping[str, Any]]) -> Component:
    """The node's Risk section: sources and paths named by the nodes' labels."""

    def label_of(node_id: str) -> tuple[str, str]:
        label = str((nodes.get(node_id) or {}).get("label") or node_id)
        return label, label

    return risk_section(risk_of(node), node_id=str(node["id"]),
                        own_of=estate_findings(document), label_of=label_of, link=node_link)


def node_panel(node: Mapping[str, Any], document: Mapping[str, Any]) -> list[Component]:
    kind = str(node.get("kind"))
    attrs = attributes(node)
    name = text(node.get("label"), 256)
    heading: list[Component] = [html.H3(name, className="panel-title", title=name),
                                html.Span(KIND_WORDS.get(kind, (kind, kind))[0],
                                          className="chip chip-muted")]
    status = node_status(node)
    if kind == "endpoint":
        heading.append(html.Span(text(attrs.get("status"), 40),
                                 className=f"chip {status_class(status)}"))
    elif status is not None:
        heading.append(status_chip(status))
    out: list[Component] = [html.Div(heading, className="panel-heading")]
    rows: list[tuple[str, Any]] = []
    if node.get("region"):
        rows.append(("Region", text(node.get("region"), 64)))
    if node.get("account"):
        rows.append(("Account", text(node.get("account"), 32)))
    if attrs.get("arn"):
        rows.append(("ARN", html.Code(text(attrs.get("arn"), 512), className="arn")))
    if kind == "pipeline":
        rows += pipeline_rows(node)
    elif kind == "model-package":
        rows += [("Approval", html.Span(text(attrs.get("approvalStatus"), 64),
                                        className="approval")),
                 ("Status", text(attrs.get("status"), 64)),
                 ("Group", text(attrs.get("group"), 256)),
                 ("Version", text(attrs.get("version"), 16))]
    elif kind == "model":
        rows += model_rows(attrs)
    elif kind == "dataset":
        rows += [("Location", html.Code(text(attrs.get("uri") or node.get("label"), 1024),
                                        className="uri")),
                 ("Bucket", text(attrs.get("bucket"), 256))]
    if rows:
        out.append(fields(rows))
    urls = attrs.get("modelDataUrls")
    if isinstance(urls, list) and urls:
        out.append(section("Model data", uri_list(urls)))
    if kind == "dataset":
        out.append(section("Bucket settings", s3_settings(attrs.get("s3"))))
        uris = attrs.get("uris")
        if isinstance(uris, list) and uris:
            out.append(section(f"Locations folded into it ({len(uris)})", uri_list(uris)))
    return out


def uri_list(uris: Sequence[Any]) -> Component:
    items = [html.Li(html.Code(text(u, 1024), className="uri")) for u in uris[:MAX_URIS]]
    if len(uris) > MAX_URIS:
        items.append(html.Li(f"and {len(uris) - MAX_URIS} more", className="muted"))
    return html.Ul(items, className="step-list")


def pipeline_rows(node: Mapping[str, Any]) -> list[tuple[str, Any]]:
    attrs = attributes(node)
    latest = attrs.get("latestExecution") if isinstance(attrs.get("latestExecution"),
                                                        Mapping) else None
    read = [e for e in attrs.get("executionsRead") or [] if isinstance(e, str)]
    execution = read[0] if read else (latest or {}).get("id")
    href = pipeline_href(node.get("region"), node.get("label"), execution)
    rows: list[tuple[str, Any]] = []
    if latest is not None:
        rows += [("Latest run", html.Code(text(latest.get("id"), 128))),
                 ("Started", format_time(latest.get("startTime")))]
    else:
        rows.append(("Latest run", "never run"))
    rows += [("Last modified", format_time(attrs.get("lastModifiedTime"))),
             ("Lineage", pipeline_link(href, "Open in the pipeline page \u2197"))]
    return rows


def model_rows(attrs: Mapping[str, Any]) -> list[tuple[str, Any]]:
    trained = [t for t in attrs.get("trainedBy") or [] if isinstance(t, Mapping)]
    rows: list[tuple[str, Any]] = []
    for item in trained:
        found = pipeline_of_id(item.get("pipeline"))
        if found is None:
            continue
        region, name = found
        execution = execution_id(item.get("execution"))
        href = pipeline_href(region, name, execution)
        words = f"{text(name, 256)}, step {text(item.get('step'), 128)}" + (
            f", run {text(execution, 64)}" if execution else "")
        rows.append(("Trained by", pipeline_link(href, words)))
    return rows


def reach_section(app: AppState, view: EstateView, document: Mapping[str, Any],
                  node_id: str) -> Component | None:
    """How the search's answer reached this node: the path, the edge, its steps."""
    found = answer_search(app, view, document)
    for item in found.answer.get("reached") or []:
        if not isinstance(item, Mapping) or item.get("id") != node_id:
            continue
        by_id = {str(n["id"]): n for n in nodes_of(document)}
        path = [text((by_id.get(p) or {}).get("label") or p, 120)
                for p in item.get("path") or [] if isinstance(p, str)]
        rows: list[tuple[str, Any]] = [("Path", " \u2192 ".join(path))]
        if item.get("via"):
            rows.append(("Last edge", text(item.get("via"), 40)))
        steps = [text(s, 120) for s in item.get("steps") or []]
        if steps:
            rows.append(("Steps", ", ".join(steps)))
        return section("Reached by the search", fields(rows))
    return None


def connections(node: Mapping[str, Any], document: Mapping[str, Any],
                nodes: Mapping[str, Mapping[str, Any]]) -> Component:
    """The node's edges as a table: direction, kind, the other node, the steps."""
    node_id = str(node["id"])
    rows: list[Component] = []
    for edge in edges_of(document):
        if node_id == edge["to"]:
            direction, other = "\u2190 from", edge["from"]
        elif node_id == edge["from"]:
            direction, other = "\u2192 to", edge["to"]
        else:
            continue
        steps = ", ".join(text(s, 120) for s in edge.get("steps") or [])
        rows.append(html.Tr([
            html.Td(direction, className="num"),
            html.Td(text(edge.get("kind"), 40)),
            html.Td(text((nodes.get(other) or {}).get("label") or other, 256),
                    className="metric-name"),
            html.Td(steps or "–"),
        ]))
    if not rows:
        return section("Connections", html.P("None in this scope.", className="muted"))
    more = len(rows) - MAX_CONNECTIONS
    table = html.Table(
        [html.Thead(html.Tr([html.Th(""), html.Th("Edge"), html.Th("Node"), html.Th("Steps")])),
         html.Tbody(rows[:MAX_CONNECTIONS])],
        className="table connections-table",
    )
    return section(f"Connections ({len(rows)})", table,
                   *([html.P(f"and {more} more", className="muted")] if more > 0 else []))
