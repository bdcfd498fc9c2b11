"""Component ids of the dashboard, in one place (layout, callbacks and browser tests use them)."""

from __future__ import annotations

# The shell around every page
SHELL = "shell"
SANDBOX_BANNER = "sandbox-banner"
SHOWN_PAGE = "shown-page-store"  # the name of the page the router rendered last
PAGE_MARK = "page-mark"  # {"type": PAGE_MARK, "page": <name>}: a page's own mark in its layout

# The pipeline page's header
PAGE = "page"
REGION = "region-dropdown"
PIPELINE = "pipeline-dropdown"
EXECUTION = "execution-dropdown"
REFRESH = "refresh-button"
LAST_SCANNED = "last-scanned"

# Page state
URL = "url"
VIEW = "view-store"  # {"region", "pipeline", "execution"}: what the graph shows
NODE = "node-store"  # the selected step name, or "artifact:<id>", or None
META = "meta-store"  # what was loaded: the request, execution status, node count
STEP_NAMES = "step-names-store"  # step names of the loaded graph, for the search box
INTERVAL = "refresh-interval"

# Summary bar and messages
SUMMARY = "summary-bar"
MESSAGE = "message"
CATALOG_MESSAGE = "catalog-message"  # the pipeline list of a region could not be read

# Graph and its toolbar
GRAPH = "lineage-graph"
GRAPH_LOADING = "graph-loading"
DATA_VIEW = "data-view-toggle"
LAYOUT_CHOICE = "layout-choice"
FIT = "fit-button"
ZOOM_IN = "zoom-in-button"
ZOOM_OUT = "zoom-out-button"
SEARCH = "step-search"
SEARCH_OPTIONS = "step-search-options"
SEARCH_MESSAGE = "step-search-message"
EDGE_CAPTION = "edge-caption"
LEGEND = "legend"
EXPORT_JSON = "export-json-button"
EXPORT_PNG = "export-png-button"
DOWNLOAD = "download"
CLIENTSIDE_SINK = "clientside-sink"  # a dummy output for clientside camera moves

# Side panel
PANEL = "side-panel"
