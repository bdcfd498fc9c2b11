"""The dashboard: Dash pages over the same cached service as the JSON API.

``install_dashboard(app)`` puts the shell (the sandbox banner and the pages router's
container) and every page on an app made with ``use_pages=True``, and checks every callback
request before Dash reads it (``guard``). ``components`` holds what
pages share (graph elements, stylesheet, legend, panels, messages); ``pages`` one package or
module per page, its callbacks beside it.
"""

from __future__ import annotations

import functools
from typing import Any

import dash
import dash_cytoscape as cyto
from dash import ALL, ClientsideFunction, Input, Output, State, dcc, html

from dashboard.core.config import ESTATE_PAGE_PATH
from dashboard.core.state import state
from dashboard.ui import ids
from dashboard.ui.guard import install_callback_guard, install_router_guard
from dashboard.ui.pages import SHOWN, compare, estate, executions, not_found, pipeline

SANDBOX_TEXT = (
    "Sandbox data: this server reads from the embedded AWS sandbox (seeded example "
    "pipelines), not from an AWS account."
)
# Passed by the pages router to every page's layout (see dashboard.ui.pages).
ROUTING_INPUTS: dict[str, Any] = {SHOWN: State(ids.SHOWN_PAGE, "data")}


def shell(*, sandbox: bool) -> html.Div:
    """What every page is shown in."""
    children: list[Any] = [dcc.Store(id=ids.SHOWN_PAGE, data=None)]
    if sandbox:
        children.append(html.Div(SANDBOX_TEXT, id=ids.SANDBOX_BANNER, className="sandbox-banner",
                                 role="status"))
    children.append(dash.page_container)
    return html.Div(children, id=ids.SHELL, className="shell")


def install_dashboard(app: dash.Dash) -> None:
    """The shell, the pages and their callbacks (behind ``guard``); needs the app's
    ``AppState``."""
    # dagre is not in Cytoscape's core bundle (it roughly doubles the JS).
    cyto.load_extra_layouts()
    # A function, so each page load builds a fresh tree.
    app.layout = functools.partial(shell, sandbox=state(app.server).sandbox)
    pipeline.register(app)
    estate.register(app)
    compare.register(app)
    # GET /estate is the API's: a browser that asks it for a page is sent here (api.views).
    app.server.config[ESTATE_PAGE_PATH] = estate.PATH
    executions.register(app)
    not_found.register()
    # Once a page renders, the shell knows which one is on screen (its mark).
    untyped: Any = app
    untyped.clientside_callback(
        ClientsideFunction(namespace="lineage", function_name="shownPage"),
        Output(ids.SHOWN_PAGE, "data"),
        Input({"type": ids.PAGE_MARK, "page": ALL}, "data"),
    )
    install_callback_guard(app)
    set_up_before_serving(app)
    install_router_guard(app)  # the router's callback exists once the set-up ran


def set_up_before_serving(app: dash.Dash) -> None:
    """Run Dash's first-request set-up now, before any request.

    Dash finishes setting up on its first request (before_request hooks: the component
    bundles registered, the pages router's callback added, the layout checked), and marks
    each step done *before* doing it. A request on another thread meanwhile (a page's dozen
    scripts arrive at once, on a new or recycled gunicorn worker) finds no bundle registered
    (a 500 on a script: the renderer never starts, the page stays on "Loading...") or no
    router callback (no page). Done here, inside a request context, no request races it."""
    own = {"_setup_server", "router_sync", "router_async"}
    hooks = [hook for hook in app.server.before_request_funcs.get(None, [])
             if getattr(hook, "__name__", "") in own]
    with app.server.test_request_context("/"):
        for hook in hooks:
            hook()
