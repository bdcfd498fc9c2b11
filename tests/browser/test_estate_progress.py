"""The first build of a large estate on the Estate page, in a real Chromium: the page says how
many pipelines are read, draws what it has, and fills in until the estate is whole (issue 12).
A sandbox of its own, slow enough (150 ms per call, 60 generated pipelines) that the build
outlasts the first answer."""

from __future__ import annotations

import re
from typing import Any

import dash
import pytest
from selenium.webdriver.common.by import By

from dashboard.ui import ids
from lineage.sandbox import SandboxProcess
from tests.browser.conftest import AppFactory
from tests.browser.test_dashboard import REGION, Duo, js
from tests.browser.test_estate_page import node_count, wait

PROGRESS = re.compile(r"(\d+) of (\d+) pipelines read")


@pytest.fixture
def slow_estate_app(start_sandbox: Any, dashboard_app: AppFactory) -> dash.Dash:
    sandbox: SandboxProcess = start_sandbox(latency_ms=150, estate_size=60)
    return dashboard_app(sandbox.endpoint)


def message(duo: Duo) -> str:
    found = duo.driver.find_elements(By.ID, ids.ESTATE_MESSAGE)
    return found[0].text if found else ""


def test_a_first_build_shows_progress_and_draws_what_it_has(
    dash_duo: Duo, slow_estate_app: dash.Dash
) -> None:
    dash_duo.start_server(slow_estate_app)
    dash_duo.driver.set_window_size(1440, 900)
    dash_duo.driver.get(f"{dash_duo.server_url}/estate/view?region={REGION}")
    seen = wait(dash_duo, lambda: PROGRESS.search(message(dash_duo)), "the build's progress",
                timeout=30)
    read, total = int(seen.group(1)), int(seen.group(2))
    assert total > 60 and read < total
    wait(dash_duo, lambda: node_count(dash_duo) > 0, "what is read so far, drawn")
    partial = node_count(dash_duo)

    wait(dash_duo, lambda: "pipelines read" not in message(dash_duo), "the whole estate",
         timeout=120)
    assert node_count(dash_duo) > partial  # filled in as the rest arrived
    pipelines: int = js(dash_duo, "return window.cy.nodes('.kind-pipeline').length")
    assert pipelines == total


# Counts the page's fetches still waiting for an answer (Dash's callbacks are fetches; the
# pages router keeps the same window, so the count survives a change of page).
COUNT_FETCHES = """
if (!window.__pending) {
  window.__pending = 0;
  const fetchOriginal = window.fetch.bind(window);
  window.fetch = (...args) => {
    window.__pending += 1;
    return fetchOriginal(...args).finally(() => { window.__pending -= 1; });
  };
}
"""


def test_leaving_the_page_while_its_build_runs_logs_no_error(
    dash_duo: Duo, slow_estate_app: dash.Dash
) -> None:
    """The Refresh button is busy while the render runs (an output in flight, not Dash's
    ``running=``, whose answer finds no button once the page changed and logs an error)."""
    dash_duo.start_server(slow_estate_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/estate/view?region={REGION}")
    js(dash_duo, COUNT_FETCHES)
    refresh = f"#{ids.ESTATE_REFRESH}"
    wait(dash_duo, lambda: dash_duo.find_element(refresh).get_attribute("data-dash-is-loading")
         == "true", "the Refresh button busy while the estate is read", timeout=30)
    assert dash_duo.find_element(refresh).value_of_css_property("pointer-events") == "none"
    dash_duo.find_element("#nav-pipeline").click()  # while the render's answer is awaited
    wait(dash_duo, lambda: dash_duo.driver.find_elements(By.ID, ids.PIPELINE), "the other page")
    wait(dash_duo, lambda: js(dash_duo, "return window.__pending") == 0,
         "every answer landed, the estate's too", timeout=60)
    assert not dash_duo.driver.find_elements(By.ID, ids.ESTATE_REFRESH)
    assert [e for e in dash_duo.driver.get_log("browser") if e["level"] == "SEVERE"] == []
