"""Time to first graph: headless Chromium opens ``/?region=R&pipeline=P`` and waits.

"Drawn" means the Cytoscape instance of the dashboard's graph (dash-cytoscape keeps it at
``element._cyreg.cy``) holds every node the dashboard makes of the document, with
positions. The time is the page's own clock
from navigation start, so polling adds nothing but its granularity (~10 ms).

The document is cached by the server first, so what is drawn is the document, never its
outline (``CachedLineage.lineage_soon``); the page then needs one callback, the pages
router's, whose answer carries the graph (``pipeline.first_view``). What remains is the
browser's: the bundles' parse (dash-cytoscape's with its extra layouts is 1.4 MB), Dash's
renderer and Cytoscape's drawing.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

CHROMIUM_PATHS = (Path("/usr/bin/chromium"), Path("/usr/bin/chromium-browser"))
CHROME_ARGS = (
    "--headless=new",
    "--no-sandbox",  # needed as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-extensions",
    "--window-size=1366,768",
)
# Node count of the graph once the layout ran, or -1 while the graph is not there yet.
# dash-cytoscape's "layoutstop" is not observable from outside, so: every node has a
# position that is not the default (0, 0) of a node no layout placed yet, or the layout is
# "preset" (positions came with the elements).
DRAWN_JS = """
const root = document.getElementById(arguments[0]);
if (!root) { return [-1, performance.now()]; }
let cy = null;
for (const el of [root, ...root.querySelectorAll('*')]) {
  if (el._cyreg && el._cyreg.cy) { cy = el._cyreg.cy; break; }
}
if (!cy) { return [-1, performance.now()]; }
const nodes = cy.nodes();
if (nodes.length === 0) { return [0, performance.now()]; }
let placed = 0;
nodes.forEach(n => { const p = n.position(); if (p.x !== 0 || p.y !== 0) { placed += 1; } });
return [placed >= nodes.length - 1 ? nodes.length : 0, performance.now()];
"""


# A page that shows no graph element this long after loading does not have one.
NO_GRAPH_SEC = 15.0


class BrowserUnavailable(RuntimeError):
    """No Chromium, chromedriver or selenium here."""


class NoGraph(RuntimeError):
    """The served page has no graph (the dashboard is not installed in the app)."""


def chromium() -> str:
    for path in CHROMIUM_PATHS:
        if path.exists():
            return str(path)
    found = shutil.which("chromium")
    if found:
        return found
    raise BrowserUnavailable("chromium is not installed")


class Browser:
    def __init__(self) -> None:
        try:
            from selenium import webdriver
            from selenium.webdriver.chrome.options import Options
        except ImportError as exc:
            raise BrowserUnavailable("selenium is not installed") from exc
        if not shutil.which("chromedriver"):
            raise BrowserUnavailable("chromedriver is not installed")
        options: Any = Options()
        options.binary_location = chromium()
        for arg in CHROME_ARGS:
            options.add_argument(arg)
        self.driver: Any = webdriver.Chrome(options=options)
        self.driver.set_page_load_timeout(120)
        self.driver.set_script_timeout(60)

    def first_graph(
        self, base_url: str, region: str, pipeline: str, nodes: int, graph_id: str,
        timeout: float = 120.0,
    ) -> float:
        """Seconds from navigation start until ``nodes`` nodes are drawn."""
        self.driver.get("about:blank")
        url = base_url.rstrip("/") + "/?" + urlencode({"region": region, "pipeline": pipeline})
        self.driver.get(url)
        began = time.monotonic()
        deadline = began + timeout
        while time.monotonic() < deadline:
            count, now_ms = self.driver.execute_script(DRAWN_JS, graph_id)
            if count >= nodes > 0:
                return float(now_ms) / 1000
            if count < 0 and time.monotonic() - began > NO_GRAPH_SEC:
                raise NoGraph(f"the page has no Cytoscape graph #{graph_id}")
            time.sleep(0.01)
        raise TimeoutError(f"{pipeline}: graph of {nodes} nodes not drawn in {timeout:g}s")

    def close(self) -> None:
        self.driver.quit()
