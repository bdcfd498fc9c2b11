"""The browser tests' console: an object given to ``console.error`` is logged as its text
(conftest's CONSOLE_AS_TEXT), so a SEVERE entry names what failed, and stays SEVERE."""

from __future__ import annotations

import dash

from tests.browser.test_dashboard import Duo, js, severe_logs


def test_an_error_object_is_logged_as_its_text_and_stays_severe(
    dash_duo: Duo, mlops_app: dash.Dash
) -> None:
    dash_duo.start_server(mlops_app)
    js(dash_duo, "console.error({message: 'Callback failed', status: 500});"
                 "console.error(new TypeError('no such node'));")
    messages = [str(entry["message"]) for entry in severe_logs(dash_duo)]
    # Chromium quotes the logged text: what matters is that the object's fields are in it.
    assert any("Callback failed" in m and "status" in m and "500" in m for m in messages), \
        messages
    assert any("TypeError: no such node" in m for m in messages), messages
