"""The first graph in a real Chromium: it comes with the router's answer (no callback before
it, none after that redraws it or moves the camera), a cold pipeline shows its outline first
and then its details, and a page opened on a server that is only starting draws."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash
import pytest

from dashboard.ui import ids
from tests.browser.conftest import AppFactory
from tests.browser.test_dashboard import (
    REGION,
    Duo,
    graph_steps,
    js,
    lineage,
    severe_logs,
    wait,
)

# Every callback request of the page and its answer's status, from the page's own fetch.
RECORD_CALLBACKS = """
(() => {
  window.__callbacks = [];
  const original = window.fetch.bind(window);
  window.fetch = (resource, init) => {
    const url = String(resource && resource.url || resource);
    if (!url.includes('_dash-update-component')) { return original(resource, init); }
    let output = '', changed = [];
    try {
      const asked = JSON.parse(init.body);
      output = asked.output;
      changed = asked.changedPropIds || [];
    } catch (e) { output = '?'; }
    const call = {output: output, changed: changed, status: null, at: performance.now()};
    window.__callbacks.push(call);
    return original(resource, init).then(response => {
      call.status = response.status;
      const copy = response.clone();
      copy.text().then(text => { call.body = text; });
      return response;
    });
  };
})();
"""
CAMERA = "return [window.cy.zoom(), window.cy.pan().x, window.cy.pan().y]"
SETTLED = "return document.querySelector('[data-dash-is-loading=\"true\"]') === null"


def record_callbacks(duo: Duo) -> None:
    duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                               {"source": RECORD_CALLBACKS})


def callbacks(duo: Duo) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = js(duo, "return window.__callbacks || []")
    return found


def wait_laid_out(duo: Duo) -> None:
    """Until the layout has run and fitted the graph (assets/dashboard.js marks each fit)."""
    wait(duo, lambda: js(duo, "return Boolean(window.cy && window.cy.__fitted)"
                              " && !window.cy.animated()"), "a laid-out graph")
    time.sleep(0.5)  # the first fit settles


def message(duo: Duo) -> str:
    text: str = js(duo, f"const m = document.getElementById('{ids.MESSAGE}');"
                        "return m ? m.innerText : ''")
    return text


def test_a_shared_link_draws_with_the_routers_answer_and_keeps_the_camera(
    dash_duo: Duo, mlops_app: dash.Dash
) -> None:
    record_callbacks(dash_duo)
    dash_duo.start_server(mlops_app)
    lineage(dash_duo, "scale-pipeline")  # the document cached by the server
    dash_duo.driver.get(f"{dash_duo.server_url}/?region={REGION}&pipeline=scale-pipeline")
    wait(dash_duo, lambda: len(graph_steps(dash_duo)) > 0, "the scale-pipeline graph")
    # The graph came in the router's answer (the page's layout), not from a callback.
    first = callbacks(dash_duo)[0]
    assert "_pages_content.children" in first["output"], first["output"]
    wait(dash_duo, lambda: callbacks(dash_duo)[0].get("body"), "the router's answer")
    assert '"step:' in callbacks(dash_duo)[0]["body"]
    wait_laid_out(dash_duo)
    js(dash_duo, "const cy = window.cy; cy.zoom(1.7); cy.panBy({x: 41, y: -23});"
                 "cy.__kept = 'this instance';")
    before = js(dash_duo, CAMERA)
    # Every callback fired on load lands; none redraws the graph or moves the camera.
    time.sleep(2.0)
    wait(dash_duo, lambda: js(dash_duo, SETTLED) and all(
        c["status"] is not None for c in callbacks(dash_duo)), "the load's callbacks")
    # No second layout run (a redraw of the same shape keeps the layout: no_update).
    laid_out = [c["changed"] for c in callbacks(dash_duo)
                if f"{ids.GRAPH}.layout" in c["output"] and c["status"] == 200
                and '"layout":' in c.get("body", "")]
    assert laid_out == [], f"a callback ran the graph's layout again: {laid_out}"
    assert js(dash_duo, "return window.cy.__kept") == "this instance"
    after = js(dash_duo, CAMERA)
    assert abs(after[0] - before[0]) < 1e-6, (before, after)
    assert abs(after[1] - before[1]) < 0.5 and abs(after[2] - before[2]) < 0.5, (before, after)
    assert severe_logs(dash_duo) == []


def test_a_cold_pipeline_shows_its_outline_then_its_details(
    dash_duo: Duo, start_sandbox: Any, dashboard_app: AppFactory
) -> None:
    """Every AWS call answered 400 ms late: the outline (the run and its steps' statuses) is
    drawn long before the document's Describe* and bucket rounds are done."""
    slow = start_sandbox(latency_ms=400)
    dash_duo.start_server(dashboard_app(slow.endpoint))
    dash_duo.driver.get(f"{dash_duo.server_url}/?region={REGION}&pipeline=mlops-pipeline")
    wait(dash_duo, lambda: "Train" in graph_steps(dash_duo), "the outline's graph", timeout=60)
    assert "Reading details" in message(dash_duo)
    wait_laid_out(dash_duo)
    js(dash_duo, "const cy = window.cy; cy.zoom(1.4); cy.panBy({x: 17, y: 9});"
                 "cy.__kept = 'this instance';")
    before = js(dash_duo, CAMERA)
    wait(dash_duo, lambda: "Reading details" not in message(dash_duo), "the details",
         timeout=60)
    # The same steps: redrawn in place, the camera where the user left it.
    assert "Train" in graph_steps(dash_duo)
    assert js(dash_duo, "return window.cy.__kept") == "this instance"
    after = js(dash_duo, CAMERA)
    assert abs(after[0] - before[0]) < 1e-6, (before, after)
    assert severe_logs(dash_duo) == []
    # The slow sandbox's other answers (the executions' listing) land before it stops.
    wait(dash_duo, lambda: "Latest:" in dash_duo.find_element(f"#{ids.EXECUTION}").text
         and js(dash_duo, SETTLED), "the page's other callbacks", timeout=60)


# -- a server that is only starting -----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def starting_server(tmp_path: Path) -> Iterator[str]:
    """``sagemaker-lineage serve --sandbox`` on a free port, its URL as soon as the port
    accepts (its workers may still be starting); stopped at the end."""
    port = free_port()
    command = shutil.which("sagemaker-lineage", path=str(Path(sys.executable).parent))
    assert command, "the sagemaker-lineage command is not installed"
    log = (tmp_path / "serve.log").open("w")
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    process = subprocess.Popen([command, "serve", "--sandbox", "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT, env=env,
                               stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "the port never accepted"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        log.close()


def test_a_page_opened_as_the_server_starts_draws_its_graph(
    dash_duo: Duo, starting_server: str
) -> None:
    """Not a timing test: 60 s is only where waiting becomes a failure."""
    dash_duo.driver.get(f"{starting_server}/?region={REGION}&pipeline=mlops-pipeline")
    wait(dash_duo, lambda: "Train" in graph_steps(dash_duo), "the graph", timeout=60)
    assert severe_logs(dash_duo) == []
