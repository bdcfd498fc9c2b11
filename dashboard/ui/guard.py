"""Callback requests checked before Dash reads them: a malformed one is a 400, logged once.

Dash trusts the body of ``POST /_dash-update-component``: ``{}``, ``[1,2,3]``, an unknown
output or a dict where an id goes made it raise (``KeyError``, ``AttributeError``,
``TypeError``, its own ``CallbackException``) and answer 500 with a whole trace in the log, a
flood any client could cause. So before Dash dispatches, the body must be what its renderer
sends (``problem``): a JSON object whose ``output`` names a server-side callback of the app,
whose ``outputs``, ``inputs`` and ``state`` are the ones that callback declares (ids and
properties, in order; a pattern with ``ALL`` arrives as the list of the ids it matched), and
whose ``changedPropIds`` is a list of strings. Otherwise: ``400 {"message": "malformed
callback request"}`` and one warning line saying why, no trace. Should Dash still refuse a
request while decoding it (before the callback runs), the same answer.

What happens once a callback runs is not the client's fault: a failure there keeps its 500
and its trace (the page's callbacks catch their own failures and say them in the page).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

import dash
from dash import _callback as dash_callback
from dash.exceptions import PreventUpdate
from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from dashboard.core.requests import request_id

logger = logging.getLogger("dashboard.callbacks")

MALFORMED = "malformed callback request"
CALLBACK_PATH = "_dash-update-component"
# A pattern id's wildcards as Dash declares them (``{"step": ["ALL"], ...}``).
MANY = (["ALL"], ["ALLSMALLER"])  # arrive as a list of the ids they matched
ONE = (["MATCH"],)  # arrives as one id
# What a pattern's wildcard may match: Dash's own rule for the values of a dict id.
ID_VALUES = (str, int, float, bool)
# Frames that mean the callback itself ran: a failure from there on is the app's, not the
# request's. (Dash's private functions: a Dash without them fails this import, loudly.)
CALLBACK_RAN = frozenset({
    dash_callback._invoke_callback.__code__,
    dash_callback._async_invoke_callback.__code__,
    dash_callback._prepare_response.__code__,
})


def install_callback_guard(app: dash.Dash) -> None:
    """Check every callback request before Dash's own dispatch sees it."""
    untyped: Any = app
    endpoint = untyped.config.routes_pathname_prefix + CALLBACK_PATH
    views = app.server.view_functions
    # The map as Dash holds it at each request (it adds global callbacks on the first one).
    views[endpoint] = guarded(views[endpoint], lambda: untyped.callback_map)


# The pages router (Dash's own callback, added by ``set_up_before_serving``) reads its
# location unchecked: a pathname that is not a string under the app's prefix, or a search that
# is not a string, made it raise (AttributeError, UnsupportedRelativePath) and answer 500. A
# browser never sends either; such a value is read as a path no page has (the not-found view)
# or as no query at all.
ROUTER_OUTPUT = "_pages_content.children"
ROUTER_LOCATION = "_pages_location"
UNKNOWN_PATH = "__no-such-page__"


def install_router_guard(app: dash.Dash) -> None:
    """Dash's pages router answers any location value; call once its callback exists."""
    untyped: Any = app
    prefix: str = untyped.config.requests_pathname_prefix
    for key, spec in untyped.callback_map.items():
        if ROUTER_OUTPUT in key and "callback" in spec:
            # Dash hands the callback its inputs' values by position, in declared order.
            where = {item["property"]: i for i, item in enumerate(spec["inputs"])
                     if item["id"] == ROUTER_LOCATION}
            spec["callback"] = _routed_safely(spec["callback"], prefix, where)


def _routed_safely(route: Callable[..., Any], prefix: str,
                   where: Mapping[str, int]) -> Callable[..., Any]:
    @functools.wraps(route)
    def checked(*args: Any, **kwargs: Any) -> Any:
        values = list(args)
        path_at, search_at = where.get("pathname"), where.get("search")
        if path_at is not None and path_at < len(values):
            pathname = values[path_at]
            if pathname is not None and not (isinstance(pathname, str)
                                             and pathname.startswith(prefix)):
                values[path_at] = prefix + UNKNOWN_PATH
        if search_at is not None and search_at < len(values):
            search = values[search_at]
            if search is not None and not isinstance(search, str):
                values[search_at] = ""
        return route(*values, **kwargs)

    return checked


def guarded(dispatch: Callable[..., Any],
            callbacks: Callable[[], Mapping[str, Any]]) -> Callable[..., Any]:
    @functools.wraps(dispatch)  # Dash's name for it ("dash.dash.dispatch") stays
    def checked(*args: Any, **kwargs: Any) -> Any:
        found = problem(callbacks(), request.get_json(silent=True))
        if found is not None:
            return refuse(found)
        try:
            return dispatch(*args, **kwargs)
        except (PreventUpdate, HTTPException):
            raise  # Dash's 204 for "nothing to update"; Flask's own answers
        except Exception as exc:
            if callback_ran(exc):
                raise
            return refuse(f"Dash could not decode it ({type(exc).__name__})")

    return checked


def refuse(reason: str) -> Response:
    """The 400 of a malformed request, and its one log line."""
    rid = request_id()
    logger.warning(MALFORMED, extra={"fields": {
        "event": "malformed-callback", "message": f"{MALFORMED}: {reason}",
        "requestId": rid}})
    response = jsonify({"message": MALFORMED})
    response.status_code = 400
    return response


def callback_ran(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code in CALLBACK_RAN:
            return True
        tb = tb.tb_next
    return False


# -- what the renderer sends --------------------------------------------------------------------


def problem(callbacks: Mapping[str, Any], body: Any) -> str | None:
    """What is wrong with a callback request's body; ``None`` when it is one the renderer
    could have sent for a callback of ``callbacks`` (``app.callback_map``). Values are not
    looked at: the callbacks validate those."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    output = body.get("output")
    if not isinstance(output, str):
        return "output is not a string"
    spec = callbacks.get(output)
    if not isinstance(spec, Mapping) or "callback" not in spec:
        return "output names no callback of the server"  # a clientside one has none here
    changed = body.get("changedPropIds")
    if not isinstance(changed, list) or not all(isinstance(p, str) for p in changed):
        return "changedPropIds is not a list of strings"
    if not spec.get("no_output") and not _outputs_match(output, body.get("outputs")):
        return "outputs are not the callback's"
    if not _all_match(spec["inputs"], body.get("inputs")):
        return "inputs are not the callback's"
    if not _all_match(spec["state"], body.get("state", [])):
        return "state is not the callback's"
    return None


def _outputs_match(output: str, given: Any) -> bool:
    """``..a.x...b.y..`` is several outputs (a list of them), ``a.x`` one."""
    if output.startswith(".."):
        parts = output[2:-2].split("...")
        return _all_match([_dependency(part) for part in parts], given)
    return _matches(_dependency(output), given)


def _dependency(part: str) -> dict[str, str]:
    component, prop = part.rsplit(".", 1)
    return {"id": component, "property": prop}


def _all_match(declared: list[Mapping[str, str]], given: Any) -> bool:
    return (isinstance(given, list) and len(given) == len(declared)
            and all(_matches(d, g) for d, g in zip(declared, given, strict=True)))


def _matches(declared: Mapping[str, str], given: Any) -> bool:
    """``given`` is the declared dependency: a plain id, or the ids a pattern matched."""
    prop = _property(declared["property"])
    pattern = json.loads(declared["id"]) if declared["id"].startswith("{") else None
    if pattern is None:
        return (isinstance(given, dict) and given.get("id") == declared["id"]
                and _property(given.get("property")) == prop)
    if any(value in MANY for value in pattern.values()):
        return isinstance(given, list) and all(_one_of(pattern, prop, item) for item in given)
    return _one_of(pattern, prop, given)


def _one_of(pattern: Mapping[str, Any], prop: str | None, given: Any) -> bool:
    if not isinstance(given, dict) or _property(given.get("property")) != prop:
        return False
    component = given.get("id")
    if not isinstance(component, dict) or component.keys() != pattern.keys():
        return False
    return all(
        isinstance(component[key], ID_VALUES) if wanted in MANY or wanted in ONE
        else component[key] == wanted
        for key, wanted in pattern.items()
    )


def _property(value: Any) -> str | None:
    """A property name without Dash's ``@<hash>`` of a duplicate output."""
    return value.split("@", 1)[0] if isinstance(value, str) else None
