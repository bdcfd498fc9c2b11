"""The pipeline page's URL and what it shows: ``?region=&pipeline=&execution=&node=``.

The URL (first load, back/forward) sets the dropdowns, the view and the selected node; a
user's change of a dropdown, a tap in the graph or a search sets the view and pushes a URL.
Plain functions, tested without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any
from urllib.parse import parse_qs, urlencode

from dash import no_update

from dashboard.ui import ids
from dashboard.ui.components.panels import text

LATEST = "latest"  # the execution dropdown's value for "the latest execution"
MAX_URL_VALUE = 512


@dataclass(frozen=True)
class View:
    """What the page shows: the URL's ``?region=&pipeline=&execution=&node=``."""

    region: str | None = None
    pipeline: str | None = None
    execution: str | None = None  # None: the latest
    node: str | None = None  # a step name or "artifact:<id>"

    def query(self) -> str:
        pairs = [(k, v) for k, v in asdict(self).items() if v]
        return "?" + urlencode(pairs) if pairs else ""

    def store(self) -> dict[str, str | None]:
        """What the graph depends on (not the selected node)."""
        return {"region": self.region, "pipeline": self.pipeline, "execution": self.execution}


def parse_query(search: str | None, default_region: str) -> View:
    """The view of a URL's query string; blank and over-long values count as absent."""
    values = parse_qs((search or "").lstrip("?"), keep_blank_values=False)

    def first(name: str) -> str | None:
        items = values.get(name) or []
        value = items[0].strip() if items else ""
        return value if value and len(value) <= MAX_URL_VALUE else None

    return View(
        region=first("region") or default_region,
        pipeline=first("pipeline"),
        execution=first("execution"),
        node=first("node"),
    )


def view_from_stores(view: Mapping[str, Any] | None, node: str | None) -> View:
    view = view or {}
    return View(view.get("region"), view.get("pipeline"), view.get("execution"), node)


@dataclass(frozen=True)
class Sync:
    """The outputs of ``sync_view``; ``no_update`` where nothing changes."""

    url_search: Any = no_update
    region: Any = no_update
    pipeline: Any = no_update
    execution: Any = no_update
    view: Any = no_update
    node: Any = no_update
    search_message: Any = no_update

    def outputs(self) -> dict[str, Any]:
        return {item.name: getattr(self, item.name) for item in fields(self)}


def sync_view(
    trigger: str | None,
    *,
    search: str | None,
    region: str | None,
    pipeline: str | None,
    execution: str | None,
    selected: Sequence[Mapping[str, Any]] | None,
    step_query: str | None,
    step_names: Sequence[str] | None,
    current: View,
    default_region: str,
) -> Sync:
    """Keep URL, dropdowns, the view and the selected node in agreement.

    The URL (first load, back/forward) sets everything else; a user's change of a dropdown,
    a tap in the graph or a search sets the view and pushes a new URL.
    """
    if trigger in (None, ids.URL):
        wanted = parse_query(search, default_region)
        wanted_execution = wanted.execution or LATEST
        return Sync(
            region=wanted.region if wanted.region != region else no_update,
            pipeline=wanted.pipeline if wanted.pipeline != pipeline else no_update,
            execution=wanted_execution if wanted_execution != execution else no_update,
            view=wanted.store() if wanted.store() != current.store() else no_update,
            node=wanted.node if wanted.node != current.node else no_update,
            search_message="",
        )
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
        new = View(region=region)
        return Sync(url_search=new.query(), pipeline=None, execution=LATEST, view=new.store(),
                    node=None, search_message="")
    if trigger == ids.PIPELINE:
        if not pipeline or pipeline == current.pipeline:
            return Sync()
        new = View(region=current.region or region, pipeline=pipeline)
        return Sync(url_search=new.query(), execution=LATEST, view=new.store(), node=None,
                    search_message="")
    if trigger == ids.EXECUTION:
        chosen = None if execution == LATEST else execution
        if chosen == current.execution:
            return Sync()
        new = replace(current, execution=chosen)
        return Sync(url_search=new.query(), view=new.store())
    if trigger == ids.GRAPH:
        chosen = next((str(d.get("id")) for d in selected or [] if d.get("id")), None)
        if chosen == current.node:
            return Sync()
        return Sync(url_search=replace(current, node=chosen).query(), node=chosen)
    if trigger == ids.SEARCH:
        found = find_step(step_query, step_names or [])
        if found is None:
            if not (step_query or "").strip():
                return Sync(search_message="")
            return Sync(search_message=f"No step matches \u201c{text(step_query, 80)}\u201d")
        if found == current.node:
            return Sync(search_message="")
        return Sync(url_search=replace(current, node=found).query(), node=found,
                    search_message="")
    return Sync()


def find_step(query: str | None, names: Sequence[str]) -> str | None:
    """Exact name, then the same ignoring case, then a prefix, then a part of a name."""
    wanted = (query or "").strip()
    if not wanted:
        return None
    if wanted in names:
        return wanted
    lowered = wanted.lower()
    for match in (
        lambda n: n.lower() == lowered,
        lambda n: n.lower().startswith(lowered),
        lambda n: lowered in n.lower(),
    ):
        hits = [name for name in names if match(name)]
        if hits:
            return hits[0]
    return None
