"""What the graph pages (pipeline, estate) share: their start-up wiring, the graph and its side
panel in the layout, the "Colour by: Status | Risk" toggle and the callback that restyles the
graph and its legend by it, the browser-side callbacks of the graph, the URL's query values,
the link a callback was triggered by and the outputs of a callback by name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import Any, cast
from urllib.parse import parse_qs

import dash
import dash_cytoscape as cyto
from dash import ClientsideFunction, Input, Output, State, ctx, dcc, html

from dashboard.core.state import state
from dashboard.ui.components.legend import colour_class
from dashboard.ui.components.risk import COLOR_CHOICES, COLOR_STATUS, color_of
from dashboard.ui.pages import page_layout, page_mark, register_page

Sheet = Callable[[str], list[dict[str, Any]]]


def register_graph_page(
    app: dash.Dash,
    module: str,
    *,
    name: str,
    path: str,
    title: str,
    build_layout: Callable[..., html.Div],
    register_callbacks: Callable[[dash.Dash], None],
    first_view: Callable[[html.Div, dict[str, Any]], None] | None = None,
) -> None:
    """Register page ``name`` at ``path``: its layout built from the server's regions, its title
    marked in the sandbox, and its callbacks. ``first_view(page, query)``: fills the built
    page in from the URL's query (else the page's own callbacks read it)."""

    def build(**query: Any) -> html.Div:
        app_state = state()
        page = build_layout(regions=app_state.regions,
                            default_region=app_state.settings.default_region)
        page.children = [page_mark(name), *page.children]
        if first_view is not None:
            first_view(page, query)
        return page

    def page_title() -> str:
        return f"{title} (sandbox)" if state().sandbox else title

    register_page(module, path=path, title=page_title, layout=page_layout(name, build))
    register_callbacks(app)


def workspace(graph_area: Any, *, workspace_id: str, panel_id: str, close_id: str) -> html.Main:
    """The graph area beside the side panel (a drawer on narrow screens)."""
    return html.Main(
        [
            graph_area,
            html.Aside(
                [
                    html.Button("\u00d7", id=close_id, n_clicks=0,
                                className="button icon drawer-close",
                                title="Close the details"),
                    html.Div(id=panel_id),
                ],
                className="side-panel",
            ),
        ],
        id=workspace_id,
        className="workspace",
    )


def graph_loading(
    *, graph_id: str, loading_id: str, layout: dict[str, Any], stylesheet: Sequence[Any]
) -> dcc.Loading:
    """The Cytoscape graph, empty, under a spinner shown while its elements load."""
    return dcc.Loading(
        cyto.Cytoscape(
            id=graph_id,
            elements=[],
            layout=layout,
            stylesheet=stylesheet,
            minZoom=0.05,
            maxZoom=3,
            boxSelectionEnabled=False,
            # Not dash-cytoscape's own resize handling: it rescales the camera on every resize,
            # so a graph nobody moved would no longer be fitted (assets/dashboard.js refits).
            responsive=False,
            className="graph",
            style={"width": "100%", "height": "100%"},
        ),
        id=loading_id,
        type="circle",
        delay_show=250,
        target_components={graph_id: "elements"},  # type: ignore[arg-type]
        overlay_style={"visibility": "visible", "opacity": 0.45},
        parent_className="graph-loading",
    )


def register_graph_clientside(
    app: dash.Dash,
    *,
    sink: str,
    node: str,
    graph: str,
    tooltip: str,
    workspace_id: str,
    drawer_toggle: str,
    drawer_close: str,
    graph_events: str,
    drawer: str,
) -> None:
    """The browser-side callbacks (assets/dashboard.js) of a graph page: the selection focused,
    the graph's own listeners (function ``graph_events``), and the drawer (function ``drawer``)."""
    untyped: Any = app
    # The selection (URL, search, back/forward) selected in the graph and centred.
    untyped.clientside_callback(
        ClientsideFunction(namespace="lineage", function_name="focus"),
        Output(sink, "title"),
        Input(node, "data"), Input(graph, "elements"),
    )
    # The graph's own listeners: tooltips, and a refit when its box changes size.
    untyped.clientside_callback(
        ClientsideFunction(namespace="lineage", function_name=graph_events),
        Output(tooltip, "title"),
        Input(graph, "elements"),
    )
    # The side panel: a drawer on narrow screens, opened by a selection or the button.
    untyped.clientside_callback(
        ClientsideFunction(namespace="lineage", function_name=drawer),
        Output(workspace_id, "className"),
        Input(node, "data"), Input(drawer_toggle, "n_clicks"),
        Input(drawer_close, "n_clicks"),
        State(workspace_id, "className"),
        prevent_initial_call=True,
    )


def colour_toggle(toggle_id: str) -> html.Div:
    """"Colour by: Status | Risk" (its value is the URL's ``color``, status by default)."""
    return html.Div(
        [html.Span("Colour by", className="control-label colour-label"),
         dcc.RadioItems(id=toggle_id,
                        options=[{"label": label, "value": value}
                                 for value, label in COLOR_CHOICES],
                        value=COLOR_STATUS, inline=True, className="toggle colour-toggle",
                        labelStyle={"display": "inline-flex"})],
        className="colour-choice", title="Colour the graph by run status or by risk",
    )


def colour_look(color: Any, sheet: Sheet, legend_class: str) -> dict[str, Any]:
    """The graph's stylesheet and its legend's class for a colouring (anything but ``risk``
    is status)."""
    chosen = color_of(color)
    return {"stylesheet": sheet(chosen), "legend": colour_class(legend_class, chosen)}


def register_colour(app: dash.Dash, *, toggle: str, graph: str, legend: str, sheet: Sheet,
                    legend_class: str) -> None:
    """The toggle restyles the graph (its stylesheet: no new elements, no new layout) and
    switches its legend's Status group for the Risk group."""

    @app.callback(
        output={"stylesheet": Output(graph, "stylesheet"), "legend": Output(legend, "className")},
        inputs={"color": Input(toggle, "value")},
    )
    def _colour(color: Any) -> dict[str, Any]:
        return colour_look(color, sheet, legend_class)


def clicked_link() -> Any:
    """What triggered the running callback: a component id, the pattern id of a link that was
    clicked, or ``"appeared"`` for a link that only appeared (Dash calls a pattern callback
    when its components are added, with no clicks)."""
    if not ctx.triggered:
        return None
    first = ctx.triggered[0]
    trigger = ctx.triggered_id
    if isinstance(trigger, dict) and not first.get("value"):
        return "appeared"
    return trigger


def query_values(search: Any, max_length: int) -> Callable[[str], str | None]:
    """``first(name)``: the first value of ``name`` in a URL's query string; blank and over-long
    (``max_length``) values, and a query that is not text, count as absent."""
    values = parse_qs((search if isinstance(search, str) else "").lstrip("?"),
                      keep_blank_values=False)

    def first(name: str) -> str | None:
        items = values.get(name) or []
        value = items[0].strip() if items else ""
        return value if value and len(value) <= max_length else None

    return first


class Outputs:
    """For a dataclass of a callback's outputs: ``outputs()``, its fields by name."""

    def outputs(self) -> dict[str, Any]:
        return {item.name: getattr(self, item.name) for item in fields(cast(Any, self))}
