"""A malformed callback request is a 400 and one warning line; a real one is served.

Each body is posted to the app's own ``/_dash-update-component``; the server's log is read
where the JSON logging writes it (the ``dashboard`` logger, which does not propagate).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import dash
import pytest
from dash import _callback as dash_callback
from dash.exceptions import CallbackException

from dashboard.core.logs import JsonFormatter
from dashboard.core.state import install_state, state
from dashboard.server.app import create_app
from dashboard.ui import ids
from dashboard.ui.guard import MALFORMED, guarded
from tests.dashboard.conftest import FakeCached
from tests.dashpost import CALLBACK_PATH, callback_body
from tests.helpers import CapturedLog

MESSAGES = f"{ids.MESSAGE}.children"  # a callback with two plain inputs, no AWS
SYNC = f"{ids.URL}.search"  # the view's: pattern inputs (ALL) and state
NOTE = {"kind": "info", "title": "Hello.", "detail": ""}
# Dash's own refusal while decoding, and the frame its callbacks run in (both untyped).
UNTYPED_REFUSAL: Any = CallbackException
INVOKE: Any = dash_callback._invoke_callback


class Lines(CapturedLog):
    """The server's log lines, as the JSON logging writes them."""

    def above_info(self) -> list[dict[str, Any]]:
        return [json.loads(JsonFormatter().format(r)) for r in self.records
                if r.levelno > logging.INFO]


@pytest.fixture(scope="module")
def app() -> dash.Dash:
    made = create_app({"CACHE_TYPE": "NullCache"})
    install_state(made.server, replace(state(made.server), cached=FakeCached()))
    return made


@pytest.fixture
def lines() -> Iterator[Lines]:
    handler = Lines()
    logger = logging.getLogger("dashboard")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def post(app: dash.Dash, body: Any, *, raw: bool = False) -> Any:
    data = body if raw else json.dumps(body)
    return app.server.test_client().post(CALLBACK_PATH, data=data,
                                         content_type="application/json")


def valid(app: dash.Dash, output: str = MESSAGES,
          values: dict[str, Any] | None = None) -> dict[str, Any]:
    """A body as the renderer sends it, the first of ``values`` the one that changed."""
    changed = list(values or {})[:1]
    return callback_body(app, output, values, changed=changed)


def edited(body: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(body))
    target: Any = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


def malformed_bodies(app: dash.Dash) -> dict[str, Any]:
    good = valid(app, MESSAGES, {f"{ids.CATALOG_NOTES}.data": [NOTE]})
    sync = valid(app, SYNC)
    return {
        "empty object": {},
        "a list": [1, 2, 3],
        "a string": "x",
        "a number": 5,
        "not JSON": b"{not json",
        "unknown output": {**good, "output": "nope.children"},
        "a clientside callback": {**good, "output": f"{ids.CLIENTSIDE_SINK}.children"},
        "output a dict": {**good, "output": {"id": ids.MESSAGE}},
        "no inputs": {k: v for k, v in good.items() if k != "inputs"},
        "one input too few": {**good, "inputs": good["inputs"][:1]},
        "one input too many": {**good, "inputs": [*good["inputs"], good["inputs"][0]]},
        "inputs swapped": {**good, "inputs": good["inputs"][::-1]},
        "an input's id a dict": edited(good, ("inputs", 0, "id"), {"a": 1}),
        "an input's property a dict": edited(good, ("inputs", 0, "property"), {"a": 1}),
        "an input a string": edited(good, ("inputs", 0), "catalog-notes-store.data"),
        "outputs wrong": {**good, "outputs": [{"id": "x", "property": "children"}]},
        "outputs a dict": {**good, "outputs": {"id": ids.MESSAGE, "property": "children"}},
        "changedPropIds a string": {**good, "changedPropIds": "x.y"},
        "changedPropIds holding a dict": {**good, "changedPropIds": [{"a": 1}]},
        "state missing": {k: v for k, v in sync.items() if k != "state"},
        "a pattern input not a list": edited(sync, ("inputs", 8), {"id": "x"}),
        "a pattern's match of another type": edited(sync, ("inputs", 8), [
            {"id": {"type": ids.MATCH, "step": "Train"}, "property": "n_clicks", "value": 1}]),
        "a pattern's match holding a dict": edited(sync, ("inputs", 8), [
            {"id": {"type": ids.SELECT_STEP, "step": {"a": 1}}, "property": "n_clicks"}]),
        "a pattern's match with a key more": edited(sync, ("inputs", 8), [
            {"id": {"type": ids.SELECT_STEP, "step": "A", "x": 1}, "property": "n_clicks"}]),
    }


CASES = list(malformed_bodies(create_app({"CACHE_TYPE": "NullCache"})))


@pytest.mark.parametrize("case", CASES)
def test_a_malformed_request_is_400_and_one_warning_line(
    app: dash.Dash, lines: Lines, case: str
) -> None:
    body = malformed_bodies(app)[case]
    response = post(app, body, raw=isinstance(body, bytes))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json() == {"message": MALFORMED}
    logged = lines.above_info()
    assert len(logged) == 1, logged
    (line,) = logged
    assert (line["level"], line["logger"]) == ("WARNING", "dashboard.callbacks")
    assert line["message"].startswith(MALFORMED) and "trace" not in line
    assert line["requestId"] == response.headers["X-Request-Id"]


def test_real_requests_are_served_without_a_word(app: dash.Dash, lines: Lines) -> None:
    shown = post(app, valid(app, MESSAGES, {f"{ids.CATALOG_NOTES}.data": [NOTE]}))
    assert shown.status_code == 200
    assert "Hello." in shown.get_data(as_text=True)
    # Pattern inputs as the renderer sends them: ALL as the list of the ids it matched.
    sync = edited(valid(app, SYNC, {f"{ids.URL}.search": "?pipeline=p"}), ("inputs", 8), [
        {"id": {"type": ids.SELECT_STEP, "step": "Train"}, "property": "n_clicks", "value": 0},
        {"id": {"type": ids.SELECT_STEP, "step": 7}, "property": "n_clicks", "value": None}])
    answer = post(app, sync)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.get_json()["response"][ids.VIEW]["data"]["pipeline"] == "p"
    # Nothing to update: Dash's own 204.
    nothing = valid(app, f"{ids.EXECUTION}.options")
    assert post(app, nothing).status_code in (200, 204)
    assert lines.above_info() == []


def test_a_bug_in_a_callback_keeps_its_500_and_its_trace(
    app: dash.Dash, lines: Lines, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr("dashboard.ui.pages.pipeline.callbacks.shown", broken)
    response = post(app, valid(app, MESSAGES, {f"{ids.CATALOG_NOTES}.data": [NOTE]}))
    assert response.status_code == 500
    (line,) = lines.above_info()
    assert line["level"] == "ERROR" and "RuntimeError: a bug" in line["trace"]


def test_what_dash_refuses_while_decoding_is_400_too(app: dash.Dash, lines: Lines) -> None:
    """Dash's own refusals (before the callback runs) and a bug (once it ran) told apart."""

    def refusing() -> Any:
        raise UNTYPED_REFUSAL("Inputs do not match callback definition")

    def failing_callback() -> Any:
        def callback() -> Any:
            raise KeyError("a bug in the callback")

        return INVOKE(callback)

    body = valid(app, MESSAGES, {f"{ids.CATALOG_NOTES}.data": [NOTE]})
    with app.server.test_request_context(CALLBACK_PATH, method="POST", json=body):
        response = guarded(refusing, lambda: app.callback_map)()
        assert response.status_code == 400 and response.get_json() == {"message": MALFORMED}
        assert "CallbackException" in lines.above_info()[0]["message"]
        with pytest.raises(KeyError):
            guarded(failing_callback, lambda: app.callback_map)()
    assert len(lines.above_info()) == 1
