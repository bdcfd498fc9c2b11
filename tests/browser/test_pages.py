"""Dash's pages router in a real Chromium: a tap (which writes ?node=) never rebuilds the page,
so the graph keeps its zoom and position; an unknown path shows the not-found view."""

from __future__ import annotations

import time

import dash
from selenium.webdriver.common.by import By

from dashboard.ui import ids
from tests.browser.test_dashboard import (
    REGION,
    Duo,
    graph_steps,
    js,
    panel_text,
    selected_nodes,
    tap_until,
    url_query,
    wait,
)


def test_a_tap_keeps_the_graph_zoom_and_position(dash_duo: Duo, mlops_app: dash.Dash) -> None:
    dash_duo.start_server(mlops_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/?region={REGION}&pipeline=mlops-pipeline")
    wait(dash_duo, lambda: "Train" in graph_steps(dash_duo), "mlops graph")
    wait(dash_duo, lambda: js(dash_duo, "return window.cy.$id('step:Train')"
                                        ".renderedPosition().x > 0 && !window.cy.animated()"),
         "a laid-out graph")
    time.sleep(0.5)  # the first fit settles
    # The user's own view: zoomed in and moved; and a mark on this Cytoscape instance.
    js(dash_duo, "const cy = window.cy; cy.zoom(1.3); cy.center(cy.$id('step:Train'));"
                 "cy.panBy({x: 37, y: -21}); cy.__kept = 'this instance';")
    before = js(dash_duo, "return [window.cy.zoom(), window.cy.pan().x, window.cy.pan().y]")
    tap_until(dash_duo, "Train")
    wait(dash_duo, lambda: panel_text(dash_duo).startswith("Train"), "Train's panel")
    time.sleep(1.5)  # long enough for the router's answer to the new URL to have landed
    after = js(dash_duo, "return [window.cy.zoom(), window.cy.pan().x, window.cy.pan().y]")
    assert js(dash_duo, "return window.cy.__kept") == "this instance", "the graph was rebuilt"
    assert abs(after[0] - before[0]) < 1e-6, (before, after)  # the zoom
    assert abs(after[1] - before[1]) < 0.5 and abs(after[2] - before[2]) < 0.5, (before, after)
    assert selected_nodes(dash_duo) == ["step:Train"]

    # Back and forward change the query string under the router too (its own location
    # follows the browser's history): the page must still not be rebuilt.
    dash_duo.find_element(f"#{ids.SEARCH}").send_keys("evaluate\n")
    wait(dash_duo, lambda: url_query(dash_duo).get("node") == "Evaluate", "node=Evaluate")
    dash_duo.driver.back()
    wait(dash_duo, lambda: panel_text(dash_duo).startswith("Train"), "back to Train")
    dash_duo.driver.back()
    wait(dash_duo, lambda: "node" not in url_query(dash_duo), "back to no node")
    time.sleep(1.5)
    assert js(dash_duo, "return window.cy.__kept") == "this instance", "rebuilt on back"
    assert abs(js(dash_duo, "return window.cy.zoom()") - before[0]) < 1e-6


def test_an_unknown_path_shows_the_not_found_view(dash_duo: Duo, mlops_app: dash.Dash) -> None:
    dash_duo.start_server(mlops_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/no/such/page")
    dash_duo.wait_for_contains_text(".not-found", "Page not found")
    assert dash_duo.driver.find_elements(By.ID, ids.GRAPH) == []
    dash_duo.find_element(".not-found a").click()
    dash_duo.wait_for_element(f"#{ids.REGION}")
    wait(dash_duo, lambda: dash_duo.driver.current_url.rstrip("/") == dash_duo.server_url,
         "back on the pipeline page")
    assert "Choose a pipeline" in dash_duo.find_element(f"#{ids.MESSAGE}").text
