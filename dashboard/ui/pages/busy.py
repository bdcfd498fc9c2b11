"""A Refresh button that looks busy while its page's render callback runs.

Dash's ``running=`` would disable it, but when the answer lands after the user went to
another page (a link clicked during a slow load, the estate's progress polling), the
renderer cannot find the button and logs "ID running component not found in layout".
So the button is an ordinary output of the render instead: Dash marks an output of a
callback in flight ``data-dash-is-loading`` (assets/dashboard.css draws it busy and takes no
clicks), and an output whose component is gone is dropped without a word.
"""

from __future__ import annotations

from typing import Any

from dash import Output

BUSY = "busy"  # the output's name in a render callback's output dict
NOT_BUSY: dict[str, Any] = {BUSY: False}  # what every render returns for it: enabled


def busy_while_running(button: str) -> dict[str, Output]:
    """The render callback's output that marks ``button`` busy while it runs."""
    return {BUSY: Output(button, "disabled")}
