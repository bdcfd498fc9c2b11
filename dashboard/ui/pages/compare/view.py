"""The Compare page's URL and what it shows: ``?region=&pipeline=&a=&b=[&only=1]``.

``a`` is the base, ``b`` the execution compared with it (ids or ARNs, as ``/compare`` takes
them); ``only=1`` shows the differences alone in the table (the graph is the same either
way). The URL (first load, back/forward, a shared link) sets the two dropdowns, the toggle
and the view; a user's choice in a dropdown, the swap button or the toggle pushes a URL.

Every value comes from the browser, so any may be of the wrong type: such a value counts as
absent here; what is compared is checked where the comparison is requested (``load``), as
the API checks it. Plain functions, tested without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from dash import no_update

from dashboard.ui import ids
from dashboard.ui.pages.graph_page import Outputs, query_values

ONLY_ON = "on"  # the "differences only" checkbox's value
MAX_URL_VALUE = 512


@dataclass(frozen=True)
class CompareView:
    region: str | None = None
    pipeline: str | None = None
    a: str | None = None  # the base
    b: str | None = None  # compared with a
    only: bool = False  # the table shows the differences alone

    def query(self) -> str:
        pairs = [(key, value) for key, value in (
            ("region", self.region), ("pipeline", self.pipeline), ("a", self.a),
            ("b", self.b)) if value]
        if self.only:
            pairs.append(("only", "1"))
        return "?" + urlencode(pairs) if pairs else ""

    def store(self) -> dict[str, Any]:
        """What the comparison depends on (not the table's toggle)."""
        return {"region": self.region, "pipeline": self.pipeline, "a": self.a, "b": self.b}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def parse_query(search: Any, default_region: str) -> CompareView:
    """The view of a URL's query string; blank and over-long values count as absent."""
    first = query_values(search, MAX_URL_VALUE)
    return CompareView(first("region") or default_region, first("pipeline"), first("a"),
                       first("b"), first("only") in ("1", "true"))


def only_of(value: Any) -> bool:
    """The toggle's value (a checklist's list) as on or off."""
    return isinstance(value, list) and ONLY_ON in value


def view_from_stores(view: Any, only: Any) -> CompareView:
    """The view the store holds, the toggle's value beside it; values of the wrong type are
    kept (the request refuses them with a note), a store that is not a mapping is nothing."""
    view = view if isinstance(view, Mapping) else {}
    return CompareView(view.get("region"), view.get("pipeline"), view.get("a"), view.get("b"),
                       only_of(only))


@dataclass(frozen=True)
class Sync(Outputs):
    """The outputs of ``sync_view``; ``no_update`` where nothing changes."""

    url_search: Any = no_update
    a: Any = no_update  # the dropdowns' values
    b: Any = no_update
    only: Any = no_update  # the checklist's value
    view: Any = no_update


def sync_view(trigger: Any, *, search: Any, a: Any, b: Any, only: Any,
              current: CompareView, default_region: str) -> Sync:
    """Keep URL, dropdowns, toggle and view in agreement; ``trigger``: the id of what changed
    (the URL, a dropdown, the swap button, the toggle)."""
    if trigger in (None, ids.COMPARE_URL):
        wanted = parse_query(search, default_region)
        return Sync(
            a=wanted.a if wanted.a != _text(a) else no_update,
            b=wanted.b if wanted.b != _text(b) else no_update,
            only=([ONLY_ON] if wanted.only else []) if only_of(only) != wanted.only
            else no_update,
            view=wanted.store() if wanted.store() != current.store() else no_update,
        )
    if trigger in (ids.COMPARE_A, ids.COMPARE_B):
        chosen_a, chosen_b = _text(a), _text(b)
        # The dropdowns cannot be cleared by a user: an empty value is a dropdown dropping a
        # value its options did not hold yet. Put it back.
        restore = Sync(a=current.a if chosen_a is None and current.a else no_update,
                       b=current.b if chosen_b is None and current.b else no_update)
        if restore != Sync():
            return restore
        new = replace(current, a=chosen_a, b=chosen_b)
        if new == current:
            return Sync()
        return Sync(url_search=new.query(), view=new.store())
    if trigger == ids.COMPARE_SWAP:
        if not (current.a or current.b):
            return Sync()
        new = replace(current, a=current.b, b=current.a)
        return Sync(url_search=new.query(), a=new.a, b=new.b, view=new.store())
    if trigger == ids.COMPARE_ONLY:
        if current.only == parse_query(search, default_region).only:
            return Sync()
        return Sync(url_search=current.query())
    return Sync()
