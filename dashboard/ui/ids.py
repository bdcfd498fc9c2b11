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
NODE = "node-store"  # the selected element id ("step:<name>", "artifact:<id>"), or None
META = "meta-store"  # what was loaded: the request, execution status, node count
STEP_NAMES = "step-names-store"  # step names of the loaded graph, for the search box
INTERVAL = "refresh-interval"

# Summary bar and messages
SUMMARY = "summary-bar"
MESSAGE = "message"  # the page's messages: every distinct note of the stores below, once
VIEW_NOTES = "view-notes-store"  # what loading the view had to say
CATALOG_NOTES = "catalog-notes-store"  # what listing the region's pipelines had to say

# Graph and its toolbar
GRAPH = "lineage-graph"
GRAPH_LOADING = "graph-loading"
DATA_VIEW = "data-view-toggle"
COLOR = "color-toggle"  # colour by: "status" or "risk" (the URL's color=)
LAYOUT_CHOICE = "layout-choice"
FIT = "fit-button"
ZOOM_IN = "zoom-in-button"
ZOOM_OUT = "zoom-out-button"
SEARCH = "step-search"
SEARCH_OPTIONS = "step-search-options"
SEARCH_MESSAGE = "step-search-message"  # no match, or the matches to choose from
SEARCH_MATCHES = "step-search-matches"  # the element ids of the steps the last search matched
MATCH = "search-match"  # {"type": MATCH, "step": <name>}: choose one of several matches
SELECT_STEP = "select-step"  # {"type": SELECT_STEP, "step": <name>}: e.g. "Failed at X"
# {"type": SELECT_NODE, "node": <element id>, "n": <place>}: a risk's source or path element
SELECT_NODE = "select-node"
EDGE_CAPTION = "edge-caption"
GRAPH_TOOLTIP = "graph-tooltip"  # a node's full name under the pointer
LEGEND = "legend"
LEGEND_TOGGLE = "legend-toggle"
LEGEND_OPEN = "legend-open-store"  # remembered in the browser (localStorage)
EXPORT_JSON = "export-json-button"
EXPORT_PNG = "export-png-button"
EXPORT_SVG = "export-svg-button"
# The graph's tools (pipeline.tools): focus, path, filters, groups; each held by the URL
GRAPH_TOOLS = "graph-tools"
FOCUS = "focus-depth"  # Off | 1 | 2 | All around the selected node (the URL's focus=)
HIDE_REST = "hide-rest-toggle"  # hide what focus, path or filters leave out (hide=1)
PATH_TO = "path-to-dropdown"  # the path's other end, a step (path=)
STATUS_FILTER = "status-filter"  # the step statuses kept (status=)
TYPE_FILTER = "type-filter"  # the step types kept (type=)
COLLAPSE_ALL = "collapse-all-button"  # every group collapsed (collapse=all)
EXPAND_ALL = "expand-all-button"  # every group drawn as its steps (collapse=none)
MINIMAP = "graph-minimap"  # the overview of a big graph (assets/graph_tools.js)
DOWNLOAD = "download"
CLIENTSIDE_SINK = "clientside-sink"  # a dummy output for clientside camera moves

# Side panel (a drawer on narrow screens)
WORKSPACE = "workspace"
PANEL = "side-panel"
DRAWER_TOGGLE = "drawer-toggle"
DRAWER_CLOSE = "drawer-close"

# Links between the pages (in each page's header)
NAV = "page-nav"

# The estate page (``/estate/view``)
ESTATE_PAGE = "estate-page"
ESTATE_URL = "estate-url"
ESTATE_REGION = "estate-region-dropdown"
ESTATE_SEARCH = "estate-search"
ESTATE_SEARCH_OPTIONS = "estate-search-options"  # node labels of the scope, for the search box
ESTATE_SEARCH_MESSAGE = "estate-search-message"  # what the search found, in words
ESTATE_REFRESH = "estate-refresh-button"
ESTATE_VIEW = "estate-view-store"  # {"region", "q"}: the scope and the search the graph shows
ESTATE_NODE = "estate-node-store"  # the selected node's id (an estate node id), or None
ESTATE_INTERVAL = "estate-progress-interval"  # polls while a first build is under way
ESTATE_MESSAGE = "estate-message"
ESTATE_SUMMARY = "estate-summary"
ESTATE_GRAPH = "estate-graph"
ESTATE_GRAPH_LOADING = "estate-graph-loading"
ESTATE_TOOLTIP = "estate-graph-tooltip"
ESTATE_FIT = "estate-fit-button"
ESTATE_COLOR = "estate-color-toggle"  # colour by: "status" or "risk" (the URL's color=)
# {"type": ESTATE_SELECT_NODE, "node": <node id>, "n": <place>}: a risk's source or path node
ESTATE_SELECT_NODE = "estate-select-node"
ESTATE_WORKSPACE = "estate-workspace"
ESTATE_PANEL = "estate-side-panel"
ESTATE_DRAWER_TOGGLE = "estate-drawer-toggle"
ESTATE_DRAWER_CLOSE = "estate-drawer-close"
ESTATE_SINK = "estate-clientside-sink"
ESTATE_LEGEND = "estate-legend"  # a <details>: the summary opens it, no callback

# The pipeline page's tabs (``?tab=``): the graph, an execution's timeline, the last runs' trends
TAB = "view-tab"  # Graph | Timeline | Trends: the URL's tab
TABS_BAR = "view-tabs"
TIMELINE_PANEL = "timeline-panel"  # over the graph's workspace while its tab is chosen
TIMELINE_AREA = "timeline-area"  # components.timeline_chart.timeline_view
TIMELINE_NOTES = "timeline-notes-store"  # what drawing the timeline had to say
TRENDS_PANEL = "trends-panel"
TRENDS_AREA = "trends-area"  # components.trend_charts.trends_view
TRENDS_NOTES = "trends-notes-store"
TRENDS_LAST = "trends-last"  # how many of the newest runs (the URL's last)
COMPARE_WITH = "compare-with-dropdown"  # another execution: opens the Compare page
ALL_EXECUTIONS = "all-executions-link"
NAVIGATE = "navigate"  # a location a callback sends the browser to (another page)

# The Compare page (``/compare/view``)
COMPARE_PAGE = "compare-page"
COMPARE_URL = "compare-url"
COMPARE_VIEW = "compare-view-store"  # {"region", "pipeline", "a", "b"}: what is compared
COMPARE_A = "compare-a-dropdown"
COMPARE_B = "compare-b-dropdown"
COMPARE_SWAP = "compare-swap-button"
COMPARE_ONLY = "compare-only-toggle"  # differences only (the URL's only=1)
COMPARE_REFRESH = "compare-refresh-button"
COMPARE_PIPELINE_LINK = "compare-pipeline-link"  # back to the pipeline page
COMPARE_MESSAGE = "compare-message"
COMPARE_SUMMARY_AREA = "compare-summary-area"  # components.compare_view.compare_summary
COMPARE_TABLE_AREA = "compare-table-area"  # components.compare_view.differences_table
COMPARE_SCHEMA_AREA = "compare-schema-area"  # components.compare_view.schema_drift_section
COMPARE_GRAPH = "compare-graph"
COMPARE_GRAPH_LOADING = "compare-graph-loading"
COMPARE_TOOLTIP = "compare-graph-tooltip"
COMPARE_FIT = "compare-fit-button"
COMPARE_SINK = "compare-clientside-sink"

# The Executions page (``/executions/view``)
EXECUTIONS_PAGE = "executions-page"
EXECUTIONS_URL = "executions-url"
# {"region", "pipeline", "status", "where": [[name, value]], "token", "limit"}: the page shown
EXECUTIONS_VIEW = "executions-view-store"
EXECUTIONS_NEXT_TOKEN = "executions-next-token-store"  # the shown page's nextToken, or None
EXECUTIONS_STATUS = "executions-status-dropdown"
EXECUTIONS_PARAM_NAME = "executions-param-name"
EXECUTIONS_PARAM_NAMES = "executions-param-names"  # the parameters of the page, for the box
EXECUTIONS_PARAM_VALUE = "executions-param-value"
EXECUTIONS_ADD_FILTER = "executions-add-filter-button"
EXECUTIONS_FILTERS = "executions-filters"  # the parameter filters in force, each removable
# {"type": EXECUTIONS_REMOVE_FILTER, "name": <parameter name>}: drop that filter
EXECUTIONS_REMOVE_FILTER = "executions-remove-filter"
EXECUTIONS_REFRESH = "executions-refresh-button"
EXECUTIONS_MESSAGE = "executions-message"
EXECUTIONS_SUMMARY = "executions-summary"
EXECUTIONS_TABLE = "executions-table"
EXECUTIONS_FIRST = "executions-first-button"
EXECUTIONS_NEXT = "executions-next-button"
