"""The pipeline page's URL and what it shows: the whole view lives in the query string.

``?region=&pipeline=&execution=&node=&data=1&layout=dagre&color=risk&tab=trends&last=50``:
the URL (first load, back/forward, a shared link) sets the dropdowns, the toggles, the tab,
the view and the selected node; a user's change of any of them, a tap in the graph, a search,
a "select this step" link, a risk's link to a node or a click on a trend chart's point sets
the view and pushes a URL. ``color`` (the colouring: ``risk``, or status when absent or
anything else) only restyles the graph: it is held by its toggle, not by the view store the
graph is drawn from. ``tab`` (``timeline``, ``trends``; the graph when absent or anything
else, as an unknown ``layout`` is) and ``last`` (the Trends tab's number of runs, checked
where trends are requested, as ``/trends`` checks it: a bad one is a note naming it) are held
by their controls the same way. A link to an artifact (``node=artifact:<id>``)
opens the data view, where artifacts are drawn. The URL names a step by its plain name; the
page holds the graph's element id (``step:<name>``): ``parse_query`` and ``View.query`` map
between them.

Every value comes from the browser, so any of them may be of the wrong type (a dict where a
string goes): such a value counts as absent here, and where it names what to load, the request
built from it is refused with a message (``validation``). Plain functions, tested without a
browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any
from urllib.parse import urlencode

from dash import html, no_update

from dashboard.ui import ids
from dashboard.ui.components.elements import (
    ARTIFACT_PREFIX,
    LAYOUT_AUTO,
    LAYOUT_CHOICES,
    NODE_PREFIXES,
    element_of_node,
    node_of_element,
    step_element_id,
)
from dashboard.ui.components.groups import GROUP_PREFIX
from dashboard.ui.components.panels import text
from dashboard.ui.components.risk import COLOR_STATUS, color_of
from dashboard.ui.components.trend_charts import TREND_CHART, execution_of_click
from dashboard.ui.components.visible import visible_text
from dashboard.ui.pages.graph_page import Outputs, query_values
from dashboard.ui.pages.pipeline.lens_query import (
    LENS_DEFAULTS,
    lens_from_query,
    lens_from_store,
    lens_pairs,
    lens_store,
    toggled_group,
)
from lineage.analytics_request import DEFAULT_RUNS

LATEST = "latest"  # the execution dropdown's value for "the latest execution"
DATA_VIEW_ON = "on"  # the data view checkbox's value
MAX_URL_VALUE = 512
MAX_MATCHES = 12  # a search lists at most this many steps to choose from
LAYOUTS = frozenset(value for value, _ in LAYOUT_CHOICES)
TAB_GRAPH, TAB_TIMELINE, TAB_TRENDS = "graph", "timeline", "trends"
TAB_CHOICES = ((TAB_GRAPH, "Graph"), (TAB_TIMELINE, "Timeline"), (TAB_TRENDS, "Trends"))
TABS = frozenset(value for value, _ in TAB_CHOICES)
DEFAULT_LAST = str(DEFAULT_RUNS)  # the Trends tab's runs when the URL names none


def tab_of(value: Any) -> str:
    """A tab's name; anything else (absent, unknown, not text) is the graph's."""
    return value if isinstance(value, str) and value in TABS else TAB_GRAPH


def last_of(value: Any) -> str | None:
    """The Trends tab's ``last`` as given (text; checked where trends are requested),
    ``None`` for the default or anything that is not text."""
    if not isinstance(value, str) or not value.strip() or value.strip() == DEFAULT_LAST:
        return None
    return value.strip()


@dataclass(frozen=True)
class View:
    """What the page shows; every field is in the URL."""

    region: str | None = None
    pipeline: str | None = None
    execution: str | None = None  # None: the latest
    node: str | None = None  # the selected element's id: "step:<name>" or "artifact:<id>"
    data: bool = False  # the data view: S3 artifacts drawn as nodes
    layout: str = LAYOUT_AUTO
    color: str = COLOR_STATUS  # the graph's colouring (components.risk.COLORS)
    tab: str = TAB_GRAPH  # the tab shown: TAB_GRAPH, TAB_TIMELINE or TAB_TRENDS
    last: str | None = None  # the Trends tab's runs, as the URL gives it (None: the default)
    # What the graph looks at and how its groups are folded (pipeline.lens_query).
    focus: str = LENS_DEFAULTS["focus"]  # "off", "1", "2" or "all": around the node
    hide: bool = False  # hide what the focus, path or filters leave out (else dimmed)
    path: str | None = None  # the path's other end (an element id), the node the first
    status: tuple[str, ...] = ()  # the step statuses kept (none: all)
    types: tuple[str, ...] = ()  # the step types kept (none: all)
    collapse: str | None = None  # "all", "none", group names; None: by size
    expand: tuple[str, ...] = ()  # groups open on a collapsed base
    invalid: tuple[tuple[str, str], ...] = ()  # (parameter, value) the page did not know

    def lens(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in LENS_DEFAULTS}

    def query(self) -> str:
        pairs: list[tuple[str, str]] = [
            (key, node_of_element(value) if key == "node" else value)
            for key, value in asdict(self).items()
            if key not in ("data", "layout", "color", "tab", "last", *LENS_DEFAULTS) and value
        ]
        if self.data:
            pairs.append(("data", "1"))
        if self.layout != LAYOUT_AUTO:
            pairs.append(("layout", self.layout))
        if self.color != COLOR_STATUS:
            pairs.append(("color", self.color))
        if self.tab != TAB_GRAPH:
            pairs.append(("tab", self.tab))
        if last_of(self.last) is not None:
            pairs.append(("last", str(self.last).strip()))
        pairs += lens_pairs(self.lens())
        return "?" + urlencode(pairs) if pairs else ""

    def store(self) -> dict[str, Any]:
        """What the graph depends on (not the selected node)."""
        return {"region": self.region, "pipeline": self.pipeline, "execution": self.execution,
                "data": self.data, "layout": self.layout, **lens_store(self.lens())}


def parse_query(search: Any, default_region: str) -> View:
    """The view of a URL's query string; blank, over-long and unknown values count as absent."""
    first = query_values(search, MAX_URL_VALUE)
    node = first("node")
    layout = first("layout")
    return View(
        region=first("region") or default_region,
        pipeline=first("pipeline"),
        execution=first("execution"),
        node=element_of_node(node) if node else None,
        # An artifact can only be shown where artifacts are drawn.
        data=first("data") in ("1", "true") or _is_artifact(node),
        layout=layout if layout in LAYOUTS else LAYOUT_AUTO,
        color=color_of(first("color")),
        tab=tab_of(first("tab")),
        last=last_of(first("last")),
        **lens_from_query(first),
    )


def view_from_stores(view: Any, node: Any, color: Any = None, tab: Any = None,
                     last: Any = None) -> View:
    """The view the stores hold (``color``, ``tab``, ``last``: the colouring toggle's, the
    tabs' and the Trends tab's runs' values). Region, pipeline and execution are kept as they
    are, of any type: what loads them refuses a wrong one with a message, never a different
    view."""
    view = view if isinstance(view, Mapping) else {}
    layout = view.get("layout")
    return View(view.get("region"), view.get("pipeline"), view.get("execution"), _text(node),
                data=bool(view.get("data")),
                layout=layout if isinstance(layout, str) and layout in LAYOUTS else LAYOUT_AUTO,
                color=color_of(color), tab=tab_of(tab), last=last_of(last),
                **lens_from_store(view))


def _text(value: Any) -> str | None:
    """A browser's value where text goes; anything else counts as absent."""
    return value if isinstance(value, str) else None


def _items(values: Any, kind: type) -> list[Any]:
    """The items of ``kind`` in a browser's list; anything else counts as absent."""
    return [item for item in values if isinstance(item, kind)] if isinstance(values, list) else []


@dataclass(frozen=True)
class Sync(Outputs):
    """The outputs of ``sync_view``; ``no_update`` where nothing changes."""

    url_search: Any = no_update
    region: Any = no_update
    pipeline: Any = no_update
    execution: Any = no_update
    data_view: Any = no_update  # the checkbox's value: [DATA_VIEW_ON] or []
    layout_choice: Any = no_update
    color: Any = no_update  # the colouring toggle's value
    view: Any = no_update
    node: Any = no_update
    search_message: Any = no_update
    search_matches: Any = no_update
    tab: Any = no_update  # the tabs' value
    last: Any = no_update  # the Trends tab's runs (the dropdown's value)


def _toggles(wanted: View, data_view: Any, layout_choice: Any, color: Any) -> dict[str, Any]:
    """The data view checkbox, the layout dropdown and the colouring as ``wanted`` has them."""
    checkbox = [DATA_VIEW_ON] if wanted.data else []
    return {
        "data_view": checkbox if checkbox != list(data_view or []) else no_update,
        "layout_choice": wanted.layout if wanted.layout != layout_choice else no_update,
        "color": wanted.color if wanted.color != color_of(color) else no_update,
    }


def sync_view(
    trigger: Any,
    *,
    search: Any,
    region: Any,
    pipeline: Any,
    execution: Any,
    selected: Any,
    step_query: Any,
    step_names: Any,
    current: View,
    default_region: str,
    data_view: Any = None,
    layout_choice: Any = None,
    color: Any = None,
    tab: Any = None,
    last: Any = None,
    trend_click: Any = None,
) -> Sync:
    """Keep URL, dropdowns, toggles, tabs, the view and the selected node in agreement.

    ``trigger`` is the id of what changed: a component id, or a pattern id (a dict) of a
    step link (``SELECT_STEP``), a search match (``MATCH``), a node link (``SELECT_NODE``:
    an artifact opens the data view) or a trend chart (``TREND_CHART``: ``trend_click``, its
    click, opens that execution in the graph tab). The values are as the browser sent them
    (``selected``: the tapped nodes' data; ``color``, ``tab``, ``last``: the colouring
    toggle's, the tabs' and the runs dropdown's, which ``current`` holds too); one of the
    wrong type counts as absent.
    """
    region, pipeline, execution = _text(region), _text(pipeline), _text(execution)
    layout_choice, step_query = _text(layout_choice), _text(step_query)
    data_view = _items(data_view, str)
    selected = _items(selected, Mapping)
    step_names = _items(step_names, str)
    if trigger in (None, ids.URL):
        wanted = parse_query(search, default_region)
        wanted_execution = wanted.execution or LATEST
        return Sync(
            region=wanted.region if wanted.region != region else no_update,
            pipeline=wanted.pipeline if wanted.pipeline != pipeline else no_update,
            execution=wanted_execution if wanted_execution != execution else no_update,
            **_toggles(wanted, data_view, layout_choice, color),
            view=wanted.store() if wanted.store() != current.store() else no_update,
            node=wanted.node if wanted.node != current.node else no_update,
            search_message="",
            tab=wanted.tab if wanted.tab != tab_of(tab) else no_update,
            last=(wanted.last or DEFAULT_LAST) if wanted.last != last_of(last) else no_update,
        )
    if isinstance(trigger, Mapping) and trigger.get("type") == ids.SELECT_NODE:
        return _select_node(trigger.get("node"), current)
    if isinstance(trigger, Mapping) and trigger.get("type") == TREND_CHART:
        return _open_execution(execution_of_click(trend_click), current)
    if isinstance(trigger, Mapping):  # a link that chooses a step
        step = str(trigger.get("step") or "")
        linked = step_element_id(step)
        if not step or linked == current.node:
            return Sync(search_message="")
        return Sync(url_search=replace(current, node=linked).query(), node=linked,
                    search_message="")
    # The dropdowns cannot be cleared by a user (clearable=False): an empty value is a
    # dropdown dropping a value its options did not hold yet (several may do it in one
    # batch, reported as one trigger). Put them all back.
    if trigger in (ids.REGION, ids.PIPELINE, ids.EXECUTION):
        restore = Sync(
            region=current.region if not region and current.region else no_update,
            pipeline=current.pipeline if not pipeline and current.pipeline else no_update,
            execution=(current.execution or LATEST) if not execution else no_update,
        )
        if restore != Sync():
            return restore
    if trigger == ids.REGION:
        if not region or region == current.region:
            return Sync()
        new = View(region=region, data=current.data, layout=current.layout,
                   color=current.color, tab=current.tab, last=current.last)
        return Sync(url_search=new.query(), pipeline=None, execution=LATEST, view=new.store(),
                    node=None, search_message="")
    if trigger == ids.PIPELINE:
        if not pipeline or pipeline == current.pipeline:
            return Sync()
        new = View(region=current.region or region, pipeline=pipeline, data=current.data,
                   layout=current.layout, color=current.color, tab=current.tab,
                   last=current.last)
        return Sync(url_search=new.query(), execution=LATEST, view=new.store(), node=None,
                    search_message="")
    if trigger == ids.EXECUTION:
        chosen = None if execution == LATEST else execution
        if chosen == current.execution:
            return Sync()
        new = replace(current, execution=chosen)
        return Sync(url_search=new.query(), view=new.store())
    if trigger == ids.DATA_VIEW:
        on = DATA_VIEW_ON in (data_view or [])
        if on == current.data:
            return Sync()
        # Leaving the data view leaves an artifact's selection behind with it.
        node = current.node if on or not _is_artifact(current.node) else None
        new = replace(current, data=on, node=node)
        return Sync(url_search=new.query(), view=new.store(), node=node)
    if trigger == ids.LAYOUT_CHOICE:
        choice = layout_choice if layout_choice in LAYOUTS else LAYOUT_AUTO
        if choice == current.layout:
            return Sync()
        new = replace(current, layout=choice)
        return Sync(url_search=new.query(), view=new.store())
    if trigger == ids.COLOR:
        if current.color == parse_query(search, default_region).color:
            return Sync()
        return Sync(url_search=current.query())
    if trigger == ids.TAB:
        if current.tab == parse_query(search, default_region).tab:
            return Sync()
        return Sync(url_search=current.query())
    if trigger == ids.TRENDS_LAST:
        if current.last == parse_query(search, default_region).last:
            return Sync()
        return Sync(url_search=current.query())
    if trigger == ids.GRAPH:  # a tap: the element's own id
        chosen = next((str(d.get("id")) for d in selected if d.get("id")), None)
        if chosen and chosen.startswith(GROUP_PREFIX):  # a group opens or closes
            tapped = next(d for d in selected if str(d.get("id")) == chosen)
            opens = tapped.get("collapsed") is True
            new = replace(current, **{**toggled_group(
                current.lens(), str(tapped.get("groupKey") or ""), opens,
                str(tapped.get("base") or "")), "invalid": ()})
            # A group closed over the selection (or the path's end) takes it with it.
            inside = set(_items(tapped.get("members"), str))
            if not opens:
                new = replace(new, node=None if new.node in inside else new.node,
                              path=None if new.path in inside else new.path)
            return Sync(url_search=new.query(), view=new.store(),
                        node=new.node if new.node != current.node else no_update)
        if chosen == current.node:
            return Sync()
        return Sync(url_search=replace(current, node=chosen).query(), node=chosen)
    if trigger == ids.SEARCH:
        return _search(step_query, step_names, current)
    return Sync()


def _open_execution(execution: str | None, current: View) -> Sync:
    """A trend chart's point: its execution in the graph tab (validated where it is loaded,
    as any URL value)."""
    if execution is None or len(execution) > MAX_URL_VALUE:
        return Sync()
    new = replace(current, execution=execution, node=None, tab=TAB_GRAPH)
    return Sync(url_search=new.query(), execution=execution,
                view=new.store() if new.store() != current.store() else no_update,
                node=None if current.node else no_update, tab=TAB_GRAPH, search_message="")


def _is_artifact(node: str | None) -> bool:
    return bool(node and node.startswith(ARTIFACT_PREFIX))


def _select_node(node: Any, current: View) -> Sync:
    """A link to an element (a risk's source or a node on its path): selected; an artifact
    opens the data view, where artifacts are drawn."""
    if not isinstance(node, str) or not node.startswith(NODE_PREFIXES) or node == current.node:
        return Sync()
    new = replace(current, node=node, data=current.data or _is_artifact(node))
    return Sync(url_search=new.query(), node=node,
                view=new.store() if new.store() != current.store() else no_update,
                data_view=[DATA_VIEW_ON] if new.data != current.data else no_update,
                search_message="")


def _search(query: str | None, names: Sequence[str], current: View) -> Sync:
    """One match is selected; several are listed to choose from; none is said in words.
    The graph marks the matches by their element ids (``search_matches``)."""
    found = find_steps(query, names)
    matches = [step_element_id(name) for name in found]
    if not found:
        if not (query or "").strip():
            return Sync(search_message="", search_matches=[])
        return Sync(search_message=f"No step matches \u201c{text(query, 80)}\u201d",
                    search_matches=[])
    if len(found) > 1:
        return Sync(search_message=match_list(found), search_matches=matches)
    (chosen,) = matches
    if chosen == current.node:
        return Sync(search_message="", search_matches=matches)
    return Sync(url_search=replace(current, node=chosen).query(), node=chosen,
                search_message="", search_matches=matches)


def match_list(names: Sequence[str]) -> Any:
    """The steps a search matched, each a button that selects it."""
    return [
        html.Span(f"{len(names)} matches:", className="match-count"),
        *[html.Button(text(name, 80), id={"type": ids.MATCH, "step": name}, n_clicks=0,
                      className="button match", title=text(name, 256))
          for name in names[:MAX_MATCHES]],
        *([html.Span(f"and {len(names) - MAX_MATCHES} more", className="match-count")]
          if len(names) > MAX_MATCHES else []),
    ]


def find_steps(query: str | None, names: Sequence[str]) -> list[str]:
    """The steps ``query`` names: the exact name alone, else the same ignoring case, else
    every name it begins or is part of (beginning first, in graph order). A name is also
    found as it is shown (``Train\\u202egnp``: its hidden characters escaped)."""
    wanted = (query or "").strip()
    if not wanted:
        return []
    shown = {name: visible_text(name) for name in names}
    exact = next((name for name in names if wanted in (name, shown[name])), None)
    if exact is not None:
        return [exact]
    lowered = wanted.lower()
    same = [name for name in names if shown[name].lower() == lowered]
    if same:
        return same
    prefix = [name for name in names if shown[name].lower().startswith(lowered)]
    part = [name for name in names if lowered in shown[name].lower() and name not in prefix]
    return prefix + part
