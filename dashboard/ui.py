"""Puts the dashboard on the Dash app of ``dashboard.app.create_app``."""

from __future__ import annotations

import functools

import dash
import dash_cytoscape as cyto

from dashboard.api import EXTENSION, ApiState
from dashboard.callbacks import register_callbacks
from dashboard.layout import DEFAULT_REFRESH_SEC, build_layout


def install_dashboard(app: dash.Dash, *, refresh_sec: int = DEFAULT_REFRESH_SEC) -> None:
    """The page and its callbacks; needs the ``ApiState`` that ``create_app`` keeps."""
    # dagre is not in Cytoscape's core bundle (FIELD-NOTES: it doubles the JS).
    cyto.load_extra_layouts()
    api: ApiState = app.server.extensions[EXTENSION]
    # A function: every page load builds a fresh tree (Dash calls it per request).
    app.layout = functools.partial(
        build_layout,
        regions=api.regions,
        default_region=api.settings.default_region,
        sandbox=api.sandbox,
        refresh_sec=refresh_sec,
    )
    register_callbacks(app)
