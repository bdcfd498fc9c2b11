"""The Executions page's URL and what it shows:
``?pipeline=&region=&status=&param.NAME=VALUE...&token=&limit=``.

``pipeline`` and ``region`` name the listing (region: the default region when absent);
``status`` (one of SageMaker's execution statuses) and each ``param.NAME=VALUE`` filter it, as
``/executions`` takes them; ``token`` is the ``nextToken`` of the page before (none: the
first page); ``limit``: how many a page holds (20 when absent, as ``/executions``). The
URL (first load, back/forward, a shared link) sets the status dropdown and
the view; a change of status, a filter added or removed, "Next page" or "First page" sets the
view and pushes a URL. A filter changed starts again at the first page (a token continues the
listing it came from only).

Every value comes from the browser, so any may be of the wrong type or malformed: here such a
value counts as absent, or is kept as given for the request to refuse with a note naming it
(``load``), as ``/executions`` would. Plain functions, tested without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qs, urlencode

from dash import no_update

from dashboard.ui import ids
from dashboard.ui.pages.graph_page import Outputs
from lineage.request import (
    MAX_PARAMETER_FILTERS,
    MAX_PARAMETER_VALUE,
    PAGE_TOKEN,
    PARAMETER_FILTER_PREFIX,
)

MAX_URL_VALUE = 1024
PAGE_SIZE = "20"
MAX_TOKEN = 4000  # lineage.request.PAGE_TOKEN's bound
# A few more than the API takes: the request refuses them, naming the bound, and the page
# still shows each one so that it can be removed.
MAX_URL_FILTERS = MAX_PARAMETER_FILTERS + 2


@dataclass(frozen=True)
class ExecutionsView:
    """What the page shows; every field is in the URL."""

    region: str
    pipeline: str | None = None
    status: str | None = None
    where: tuple[tuple[str, str], ...] = ()  # (NAME, VALUE), by name
    token: str | None = None
    limit: str | None = None  # as the URL gives it: the request checks it

    def query(self) -> str:
        pairs = [(key, value) for key, value in
                 (("pipeline", self.pipeline), ("region", self.region),
                  ("status", self.status)) if value]
        pairs += [(f"{PARAMETER_FILTER_PREFIX}{name}", value) for name, value in self.where]
        if self.token:
            pairs.append(("token", self.token))
        if self.limit:
            pairs.append(("limit", self.limit))
        return "?" + urlencode(pairs)

    def store(self) -> dict[str, Any]:
        return {"region": self.region, "pipeline": self.pipeline, "status": self.status,
                "where": [[name, value] for name, value in self.where], "token": self.token,
                "limit": self.limit}

    def params(self) -> dict[str, str | None]:
        """The view as ``/executions``' parameters (with the executions' parameter values:
        a column each)."""
        params: dict[str, str | None] = {
            "pipeline": self.pipeline, "region": self.region, "status": self.status,
            "token": self.token, "parameters": "true", "limit": self.limit or PAGE_SIZE}
        for name, value in self.where:
            params[f"{PARAMETER_FILTER_PREFIX}{name}"] = value
        return params

    def filtered(self, *, status: Any = no_update, where: Any = no_update) -> ExecutionsView:
        """This view with other filters: from the first page again."""
        return replace(self, status=self.status if status is no_update else status,
                       where=self.where if where is no_update else where, token=None)


def _text(value: Any, limit: int = MAX_URL_VALUE) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if value and len(value) <= limit else None


def _where(pairs: Any) -> tuple[tuple[str, str], ...]:
    """Filters from a store or the URL: (name, value) pairs of text, by name, last one of a
    name winning, at most :data:`MAX_URL_FILTERS`."""
    found: dict[str, str] = {}
    for pair in pairs if isinstance(pairs, list | tuple) else ():
        if (isinstance(pair, list | tuple) and len(pair) == 2
                and _text(pair[0], 256) and _text(pair[1], MAX_PARAMETER_VALUE)):
            found[str(pair[0]).strip()] = str(pair[1]).strip()
    return tuple(sorted(found.items()))[:MAX_URL_FILTERS]


def parse_query(search: Any, default_region: str) -> ExecutionsView:
    """The view of a URL's query string; blank and over-long values count as absent."""
    values = parse_qs((search if isinstance(search, str) else "").lstrip("?"),
                      keep_blank_values=False)

    def first(name: str, limit: int = MAX_URL_VALUE) -> str | None:
        items = values.get(name) or []
        return _text(items[0], limit) if items else None

    where = _where([(key[len(PARAMETER_FILTER_PREFIX):], items[0])
                    for key, items in values.items()
                    if key.startswith(PARAMETER_FILTER_PREFIX) and items])
    return ExecutionsView(region=first("region") or default_region, pipeline=first("pipeline"),
                          status=first("status"), where=where, token=first("token", MAX_TOKEN),
                          limit=first("limit", 8))


def view_from_store(view: Any, default_region: str) -> ExecutionsView | None:
    """The view the store holds; ``None`` before the URL was first read."""
    if not isinstance(view, Mapping):
        return None
    return ExecutionsView(region=_text(view.get("region")) or default_region,
                          pipeline=_text(view.get("pipeline")),
                          status=_text(view.get("status")), where=_where(view.get("where")),
                          token=_text(view.get("token"), MAX_TOKEN),
                          limit=_text(view.get("limit"), 8))


@dataclass(frozen=True)
class Sync(Outputs):
    """The outputs of ``sync_view``; ``no_update`` where nothing changes."""

    url_search: Any = no_update
    status: Any = no_update  # the status dropdown's value
    view: Any = no_update
    param_name: Any = no_update  # the filter's inputs, emptied once it is added
    param_value: Any = no_update


def sync_view(
    trigger: Any,
    *,
    search: Any,
    status: Any,
    name: Any,
    value: Any,
    next_token: Any,
    current: ExecutionsView | None,
    default_region: str,
) -> Sync:
    """Keep URL, status dropdown and view in agreement.

    ``trigger``: the id of what changed (the URL, the status dropdown, the filter's button or
    inputs, "Next page", "First page", or the pattern id of a filter's remove button,
    ``EXECUTIONS_REMOVE_FILTER``); ``next_token``: the shown page's ``nextToken``.
    """
    if trigger in (None, ids.EXECUTIONS_URL) or current is None:
        wanted = parse_query(search, default_region)
        return Sync(
            status=wanted.status if wanted.status != _text(status) else no_update,
            view=wanted.store() if current is None or wanted != current else no_update,
        )
    if trigger == ids.EXECUTIONS_STATUS:
        chosen = _text(status)
        if chosen == current.status:
            return Sync()
        return _go(current.filtered(status=chosen))
    if trigger in (ids.EXECUTIONS_ADD_FILTER, ids.EXECUTIONS_PARAM_VALUE,
                   ids.EXECUTIONS_PARAM_NAME):
        named, valued = _text(name, 256), _text(value, MAX_PARAMETER_VALUE)
        if named is None or valued is None:  # both are needed: nothing to add yet
            return Sync()
        where = _where([*current.where, (named, valued)])
        if where == current.where:
            return Sync(param_name="", param_value="")
        return replace(_go(current.filtered(where=where)), param_name="", param_value="")
    if isinstance(trigger, Mapping) and trigger.get("type") == ids.EXECUTIONS_REMOVE_FILTER:
        removed = trigger.get("name")
        where = tuple(pair for pair in current.where if pair[0] != removed)
        return Sync() if where == current.where else _go(current.filtered(where=where))
    if trigger == ids.EXECUTIONS_NEXT:
        token = _text(next_token, MAX_TOKEN)
        if token is None or not PAGE_TOKEN.fullmatch(token) or token == current.token:
            return Sync()
        return _go(replace(current, token=token))
    if trigger == ids.EXECUTIONS_FIRST:
        return Sync() if current.token is None else _go(replace(current, token=None))
    return Sync()


def _go(new: ExecutionsView) -> Sync:
    return Sync(url_search=new.query(), view=new.store())
