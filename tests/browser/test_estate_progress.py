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
