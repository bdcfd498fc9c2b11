"""Browser tests: Dash's ``dash_duo`` driving Debian's Chromium, headless, as root.

``.ci/run`` installs ``chromium`` and ``chromium-driver``; without them these tests are
skipped (and say so). The dashboard runs in this process (dash_duo's threaded server)
against the session's sandbox; see ``tests.browser.harness``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dash
import pytest
from selenium.webdriver.chrome.options import Options

# Root needs --no-sandbox; without the background-networking flags Chromium keeps calling
# Google's hosts, which this network refuses: one list of flags for tests and the bench.
from dashboard.bench.browser import CHROME_ARGS
from dashboard.core.state import state
from lineage.sandbox import SandboxProcess
from tests.browser.harness import make_app

CHROMIUM = Path("/usr/bin/chromium")
HERE = Path(__file__).resolve().parent


def pytest_setup_options() -> Any:
    """dash's testing plugin asks for the webdriver options here."""
    options: Any = Options()  # selenium is untyped
    if CHROMIUM.exists():
        options.binary_location = str(CHROMIUM)
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    return options


# dash[testing] pins selenium <= 4.2, which calls a urllib3 API that urllib3 deprecates.
SELENIUM_WARNING = "ignore:HTTPResponse.getheader:DeprecationWarning"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    installed = shutil.which("chromedriver") and (CHROMIUM.exists() or shutil.which("chromium"))
    skip = pytest.mark.skip(reason="needs chromium and chromedriver (.ci/run installs them)")
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.filterwarnings(SELENIUM_WARNING))
            if not installed:
                item.add_marker(skip)


AppFactory = Callable[..., dash.Dash]

# Chromium logs `console.error(object)` as "Object": Dash's renderer reports a failed callback
# so, and a SEVERE entry that says nothing cannot be diagnosed. Each page of a test's browser
# logs such arguments as text (an Error's message and stack, anything else as JSON); the entry
# stays SEVERE, so the tests' console checks see exactly what they saw before.
CONSOLE_AS_TEXT = """
(() => {
  const original = console.error.bind(console);
  const text = (value) => {
    if (value instanceof Error) return value.name + ': ' + value.message + ' ' + value.stack;
    if (value !== null && typeof value === 'object') {
      try { return JSON.stringify(value).slice(0, 2000); } catch (e) { return String(value); }
    }
    return value;
  };
  console.error = (...args) => original(...args.map(text));
})();
"""


@pytest.fixture(autouse=True)
def _console_as_text(request: pytest.FixtureRequest) -> None:
    if "dash_duo" in request.fixturenames:
        duo = request.getfixturevalue("dash_duo")
        duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                                   {"source": CONSOLE_AS_TEXT})


@pytest.fixture
def dashboard_app() -> Iterator[AppFactory]:
    """``dashboard_app(endpoint)``: the app against a sandbox; its AWS threads end after."""
    made: list[dash.Dash] = []

    def make(endpoint: str, **config: Any) -> dash.Dash:
        app = make_app(endpoint, **config)
        made.append(app)
        return app

    yield make
    for app in made:
        state(app.server).cached.service.close()


@pytest.fixture
def mlops_app(sandbox: SandboxProcess, dashboard_app: AppFactory) -> dash.Dash:
    return dashboard_app(sandbox.endpoint)


@pytest.fixture
def schema_app(sandbox: SandboxProcess, dashboard_app: AppFactory) -> dash.Dash:
    """The app with ``ENABLE_SCHEMA=true``: documents carry their datasets' schemas."""
    return dashboard_app(sandbox.endpoint, enable_schema=True)
