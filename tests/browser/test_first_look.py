"""What a new user meets first, in a real Chromium at the sizes they use.

The graph's share of the screen (with screenshots kept under ``build/screenshots``), the
failure said first, conditions explained, the legend, readable and contrasting text, search,
the URL holding the whole view, one banner per problem, empty states and a clean console.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import dash
import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard.core.config import ENV_REGIONS
from dashboard.ui import ids
from dashboard.ui.components.legend import shape_entries
from lineage.sandbox import SandboxProcess
from lineage.sandbox.options import parse_faults
from tests.browser.conftest import AppFactory
from tests.browser.test_dashboard import (
    REGION,
    Duo,
    choose,
    graph_steps,
    js,
    lineage,
    panel_text,
    selected_nodes,
    tap_until,
    url_query,
    wait,
)
from tests.conftest import StartSandbox

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", REPO / "build" / "screenshots"))
FIXTURES = REPO / "tests" / "fixtures" / "definitions"
EMPTY_DEFINITION = "11_aptimyz-empty-steps.json"
EMPTY_PIPELINE = "11-aptimyz-empty-steps"  # the sandbox keeps the number, as "-"

# Every console message and uncaught error, recorded from before the page's first script.
RECORD_CONSOLE = """
window.__console = [];
['warn', 'error'].forEach(function (level) {
    var original = console[level].bind(console);
    console[level] = function () {
        window.__console.push(level + ': ' + Array.prototype.map.call(arguments, String).join(' '));
        original.apply(null, arguments);
    };
});
window.addEventListener('error', function (e) { window.__console.push('uncaught: ' + e.message); });
"""

# WCAG 2.1 contrast of every visible piece of text against the background it sits on.
CONTRAST_FAILURES = """
function rgba(value) {
    var m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) { return null; }
    var p = m[1].split(',').map(parseFloat);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
}
function over(top, below) {
    var a = top.a;
    return {r: top.r * a + below.r * (1 - a), g: top.g * a + below.g * (1 - a),
            b: top.b * a + below.b * (1 - a), a: 1};
}
function background(el) {
    var layers = [];
    for (var node = el; node && node.nodeType === 1; node = node.parentElement) {
        var c = rgba(getComputedStyle(node).backgroundColor);
        if (c && c.a > 0) { layers.push(c); if (c.a >= 1) { break; } }
    }
    var colour = {r: 255, g: 255, b: 255, a: 1};
    for (var i = layers.length - 1; i >= 0; i--) { colour = over(layers[i], colour); }
    return colour;
}
function luminance(c) {
    var f = function (v) {
        v /= 255;
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
}
var failures = [];
var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
    var textNode = walker.currentNode;
    var words = textNode.nodeValue.trim();
    var el = textNode.parentElement;
    if (!words || !el || el.closest('[hidden], [disabled], [aria-disabled="true"]')) { continue; }
    var style = getComputedStyle(el);
    var box = el.getBoundingClientRect();
    if (style.visibility !== 'visible' || style.display === 'none' || box.width === 0 ||
        box.height === 0 || parseFloat(style.opacity) === 0) { continue; }
    var bg = background(el);
    var fg = over(rgba(style.color), bg);
    var l1 = luminance(fg), l2 = luminance(bg);
    var ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    var size = parseFloat(style.fontSize);
    var large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight, 10) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
        failures.push(words.slice(0, 40) + ' (' + el.tagName.toLowerCase() + '.' +
                      (el.className || '') + '): ' + ratio.toFixed(2));
    }
}
return failures;
"""

# Text that wraps inside a cell of the metrics table ("0.00/9", "Val/ue").
BROKEN_CELLS = """
var broken = [];
document.querySelectorAll('.metrics-table th, .metrics-table td').forEach(function (cell) {
    var range = document.createRange();
    range.selectNodeContents(cell);
    var lines = new Set(Array.prototype.map.call(range.getClientRects(),
                                                 function (r) { return Math.round(r.top); }));
    if (lines.size > 1) { broken.push(cell.textContent); }
});
return broken;
"""


def open_page(duo: Duo, app: dash.Dash, width: int = 1440, height: int = 900,
              path: str = "") -> None:
    """The app at exactly ``width`` x ``height`` CSS pixels, the console recorded."""
    duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                               {"source": RECORD_CONSOLE})
    duo.start_server(app)
    if path:
        duo.driver.get(f"{duo.server_url}{path}")


def open_pipeline(duo: Duo, pipeline: str, region: str = REGION, extra: str = "") -> None:
    duo.driver.get(f"{duo.server_url}/?region={region}&pipeline={pipeline}{extra}")
    wait(duo, lambda: graph_steps(duo), f"the graph of {pipeline}")
    settle(duo)


def settle(duo: Duo) -> None:
    """Until the layout and every camera move are done."""
    wait(duo, lambda: js(duo, "return !!window.cy && window.cy.nodes().length > 0 && "
                              "!window.cy.animated() && window.cy.zoom() > 0"), "a still graph")
    duo.driver.implicitly_wait(0)
    js(duo, "return new Promise(r => setTimeout(r, 600))")
    wait(duo, lambda: not js(duo, "return window.cy.animated()"), "a still graph")


def console(duo: Duo) -> list[str]:
    recorded: list[str] = js(duo, "return window.__console || []")
    severe = [str(e["message"]) for e in duo.driver.get_log("browser")
              if e["level"] == "SEVERE"]
    return recorded + severe


def box(duo: Duo, selector: str) -> dict[str, float]:
    found: dict[str, float] = js(duo, "const r = document.querySelector(arguments[0])"
                                      ".getBoundingClientRect(); return {x: r.x, y: r.y, "
                                      "width: r.width, height: r.height};", selector)
    return found


def screenshot(duo: Duo, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    duo.driver.save_screenshot(str(path))
    return path


def note_texts(duo: Duo) -> list[str]:
    """The banners' texts; none while they are being replaced (the page comes with its notes,
    and the notes' callback draws them again once it runs: a wait asks again)."""
    try:
        return [e.text for e in duo.driver.find_elements(By.CSS_SELECTOR,
                                                          f"#{ids.MESSAGE} .alert")]
    except StaleElementReferenceException:
        return []


def search(duo: Duo, words: str) -> None:
    field = duo.find_element(f"#{ids.SEARCH}")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.DELETE)
    field.send_keys(words + "\n")


# -- the graph gets the screen --------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (1440, 900), (1920, 1080)])
def test_the_graph_gets_most_of_the_screen(dash_duo: Duo, mlops_app: dash.Dash,
                                           width: int, height: int) -> None:
    open_page(dash_duo, mlops_app, width, height)
    open_pipeline(dash_duo, "churn-pipeline")
    graph = box(dash_duo, f"#{ids.GRAPH}")
    header = box(dash_duo, ".app-header")
    shot = screenshot(dash_duo, f"churn-{width}x{height}")
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert header["height"] <= 72, f"the header wraps: {header}"
    assert graph["height"] >= 0.55 * height, f"graph {graph} of a {width}x{height} screen"
    # Below 1200 px the side panel is a drawer over the graph: the graph has the width.
    assert graph["width"] >= (0.9 if width < 1200 else 0.65) * width, graph
    assert dash_duo.find_element(f"#{ids.LEGEND}").get_attribute("hidden") is not None
    # Labels a person can read: at least 10 px on screen for a seven-step graph.
    sizes = js(dash_duo, "return window.cy.nodes().map(n => parseFloat("
                         "n.renderedStyle('font-size')))")
    assert min(sizes) >= 10, sizes
    assert dash_duo.driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth")
    assert console(dash_duo) == []


# The zoom a fit of the whole graph to its box gives now (the camera put back after).
FIT_ZOOM = """
const cy = window.cy, zoom = cy.zoom(), pan = cy.pan();
cy.fit(cy.elements(), 30);
const fit = cy.zoom();
cy.viewport({zoom: zoom, pan: pan});
return fit;
"""


def resize(duo: Duo, width: int, height: int) -> None:
    duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    wait(duo, lambda: js(duo, "return window.cy.width()") == box(duo, f"#{ids.GRAPH}")["width"],
         f"the graph's box at {width}x{height}")
    settle(duo)


def test_a_resized_window_refits_a_graph_nobody_moved_and_keeps_a_moved_camera(
    dash_duo: Duo, mlops_app: dash.Dash
) -> None:
    open_page(dash_duo, mlops_app, 1920, 1080)
    open_pipeline(dash_duo, "churn-pipeline")
    assert js(dash_duo, "return window.cy.zoom()") == pytest.approx(js(dash_duo, FIT_ZOOM))
    for width, height in [(1280, 800), (1024, 768), (1600, 1000)]:
        resize(dash_duo, width, height)
        assert js(dash_duo, "return window.cy.zoom()") == pytest.approx(js(dash_duo, FIT_ZOOM)), \
            f"not fitted at {width}x{height}"
    dash_duo.find_element(f"#{ids.ZOOM_IN}").click()
    settle(dash_duo)
    moved = js(dash_duo, "return [window.cy.zoom(), window.cy.pan()]")
    assert moved[0] != pytest.approx(js(dash_duo, FIT_ZOOM))
    resize(dash_duo, 1280, 800)
    assert js(dash_duo, "return [window.cy.zoom(), window.cy.pan()]") == moved
    assert console(dash_duo) == []


def test_narrow_screens_show_details_in_a_drawer(dash_duo: Duo, mlops_app: dash.Dash) -> None:
    open_page(dash_duo, mlops_app, 1024, 768)
    open_pipeline(dash_duo, "mlops-pipeline")
    aside = f"#{ids.WORKSPACE} .side-panel"
    assert not dash_duo.find_element(aside).is_displayed()
    tap_until(dash_duo, "Train")
    wait(dash_duo, lambda: dash_duo.find_element(aside).is_displayed(), "the drawer open")
    wait(dash_duo, lambda: panel_text(dash_duo).startswith("Train"), "Train's details")
    wait(dash_duo, lambda: box(dash_duo, aside)["x"] + box(dash_duo, aside)["width"] <= 1024,
         "the drawer on screen")
    screenshot(dash_duo, "mlops-1024x768-drawer")
    dash_duo.find_element(f"#{ids.DRAWER_CLOSE}").click()
    wait(dash_duo, lambda: not dash_duo.find_element(aside).is_displayed(), "the drawer shut")
    dash_duo.find_element(f"#{ids.DRAWER_TOGGLE}").click()
    wait(dash_duo, lambda: dash_duo.find_element(aside).is_displayed(), "opened by Details")
    assert console(dash_duo) == []


# -- failure first, conditions ---------------------------------------------------------------------


def test_a_failed_run_says_where_and_one_click_selects_that_step(
    dash_duo: Duo, mlops_app: dash.Dash
) -> None:
    open_page(dash_duo, mlops_app)
    open_pipeline(dash_duo, "churn-pipeline")
    failure = dash_duo.find_element(f"#{ids.SUMMARY} .failure-first")
    assert failure.text.startswith("Failed at TrainChurn: ValueError: Feature names mismatch")
    assert "One or multiple steps failed" not in failure.text
    failure.click()
    wait(dash_duo, lambda: url_query(dash_duo).get("node") == "TrainChurn", "node=TrainChurn")
    wait(dash_duo, lambda: panel_text(dash_duo).startswith("TrainChurn"), "its panel")
    wait(dash_duo, lambda: selected_nodes(dash_duo) == ["step:TrainChurn"],
         "TrainChurn selected in the graph")


def test_a_condition_says_what_it_compared_and_the_branch_not_taken_says_so(
    dash_duo: Duo, mlops_app: dash.Dash
) -> None:
    open_page(dash_duo, mlops_app)
    open_pipeline(dash_duo, "mlops-pipeline", extra="&node=CheckAUC")
    wait(dash_duo, lambda: panel_text(dash_duo).startswith("CheckAUC"), "CheckAUC's panel")
    text = panel_text(dash_duo)
    assert ">=" in text and "Parameters.AucThreshold" in text, text
    assert "compared 0.87 >= 0.75" in text, text
    assert "true: the if branch ran (CreateModel, RegisterModel)" in text, text
    # The else branch did not run: said as such, in the graph and in its panel.
    assert js(dash_duo, "return window.cy.$id('step:AUCTooLow').hasClass('not-run')")
    dash_duo.driver.get(f"{dash_duo.server_url}/?region={REGION}&pipeline=mlops-pipeline"
                        "&node=AUCTooLow")
    wait(dash_duo, lambda: panel_text(dash_duo).startswith("AUCTooLow"), "AUCTooLow's panel")
    assert "Not run (condition true)" in panel_text(dash_duo)
    assert "Not started" not in panel_text(dash_duo)
    assert "Not run (branch not taken) 1" in dash_duo.find_element(f"#{ids.SUMMARY}").text


# -- legend, readable text -------------------------------------------------------------------------


def test_the_legend_is_closed_until_asked_and_remembered(dash_duo: Duo,
                                                         mlops_app: dash.Dash) -> None:
    open_page(dash_duo, mlops_app)
    open_pipeline(dash_duo, "mlops-pipeline")
    legend = f"#{ids.LEGEND}"
    assert not dash_duo.find_element(legend).is_displayed()
    dash_duo.find_element(f"#{ids.LEGEND_TOGGLE}").click()
    wait(dash_duo, lambda: dash_duo.find_element(legend).is_displayed(), "the legend open")
    text = dash_duo.find_element(legend).text
    for _, types in shape_entries():
        assert types in text
    for words in ("Fail", "Transform", "Tuning", "QualityCheck", "ClarifyCheck", "Lambda",
                  "Callback", "EMR", "cache hit", "Not run (branch not taken)"):
        assert words in text, words
    octagon = dash_duo.find_element(f'{legend} img[title="octagon"]')
    assert "Fail" in octagon.find_element(By.XPATH, "./..").text
    screenshot(dash_duo, "mlops-1440x900-legend")
    dash_duo.driver.refresh()
    wait(dash_duo, lambda: graph_steps(dash_duo), "the graph again")
    wait(dash_duo, lambda: dash_duo.find_element(legend).is_displayed(), "remembered open")
    dash_duo.find_element(f"#{ids.LEGEND_TOGGLE}").click()
    wait(dash_duo, lambda: not dash_duo.find_element(legend).is_displayed(), "closed")
    dash_duo.driver.refresh()
    wait(dash_duo, lambda: graph_steps(dash_duo), "the graph again")
    js(dash_duo, "return new Promise(r => setTimeout(r, 500))")
    assert not dash_duo.find_element(legend).is_displayed(), "remembered closed"


@pytest.mark.parametrize("width", [1024, 1440])
def test_text_is_readable_and_meets_wcag_aa_contrast(dash_duo: Duo, mlops_app: dash.Dash,
                                                     width: int) -> None:
    open_page(dash_duo, mlops_app, width, 900)
    # A failed run (status chips, the failure line), the legend open, a step with metrics.
    open_pipeline(dash_duo, "churn-pipeline", extra="&node=EvaluateChurn")
    dash_duo.find_element(f"#{ids.LEGEND_TOGGLE}").click()
    wait(dash_duo, lambda: dash_duo.find_element(f"#{ids.LEGEND}").is_displayed(), "legend")
    assert js(dash_duo, CONTRAST_FAILURES) == []
    open_pipeline(dash_duo, "mlops-pipeline", extra="&node=Train")
    wait(dash_duo, lambda: "validation:auc" in panel_text(dash_duo), "Train's metrics")
    if width < 1200:
        wait(dash_duo, lambda: dash_duo.find_element(".side-panel").is_displayed(), "drawer")
    assert js(dash_duo, CONTRAST_FAILURES) == []
    assert js(dash_duo, BROKEN_CELLS) == []
    # A long name is cut in the graph; the pointer shows it whole.
    js(dash_duo, "window.cy.$id('step:RegisterModel').emit('mouseover')")
    tip = dash_duo.find_element(f"#{ids.GRAPH_TOOLTIP}")
    wait(dash_duo, lambda: tip.is_displayed() and tip.text == "RegisterModel", "the tooltip")


# -- search, URL -------------------------------------------------------------------------------


def test_search_lists_every_match_keeps_the_toolbar_still_and_refits(
    dash_duo: Duo, mlops_app: dash.Dash
) -> None:
    open_page(dash_duo, mlops_app)
    open_pipeline(dash_duo, "mlops-pipeline")
    toolbar = box(dash_duo, ".toolbar")
    graph = box(dash_duo, f"#{ids.GRAPH}")
    # The user's camera far from the steps: a search must bring the matches back in view.
    js(dash_duo, "window.cy.zoom(3); window.cy.pan({x: -5000, y: -5000});")
    search(dash_duo, "auc")
    matches = f"#{ids.SEARCH_MESSAGE} .match"
    # Names that begin with it first, then those that hold it.
    wait(dash_duo, lambda: [e.text for e in dash_duo.driver.find_elements(
        By.CSS_SELECTOR, matches)] == ["AUCTooLow", "CheckAUC"], "both matches listed")
    settle(dash_duo)
    visible = js(dash_duo, """
        const cy = window.cy;
        return ['step:CheckAUC', 'step:AUCTooLow'].every(id => {
            const p = cy.$id(id).renderedPosition();
            return p.x > 0 && p.y > 0 && p.x < cy.width() && p.y < cy.height();
        });""")
    assert visible, "the graph did not refit to the matches"
    assert box(dash_duo, ".toolbar") == toolbar and box(dash_duo, f"#{ids.GRAPH}") == graph
    dash_duo.driver.find_elements(By.CSS_SELECTOR, matches)[1].click()
    wait(dash_duo, lambda: url_query(dash_duo).get("node") == "CheckAUC", "node=CheckAUC")
    search(dash_duo, "no-such-step")
    dash_duo.wait_for_contains_text(f"#{ids.SEARCH_MESSAGE}", "No step matches")
    assert box(dash_duo, ".toolbar") == toolbar and box(dash_duo, f"#{ids.GRAPH}") == graph


def test_the_url_holds_data_view_layout_and_a_shared_artifact(
    dash_duo: Duo, mlops_app: dash.Dash
) -> None:
    open_page(dash_duo, mlops_app)
    open_pipeline(dash_duo, "mlops-pipeline")
    dash_duo.find_element(f"#{ids.DATA_VIEW} input").click()
    wait(dash_duo, lambda: url_query(dash_duo).get("data") == "1", "data=1")
    choose(dash_duo, ids.LAYOUT_CHOICE, "layered")
    wait(dash_duo, lambda: url_query(dash_duo).get("layout") == "layered", "layout=layered")
    shared = dash_duo.driver.current_url
    dash_duo.driver.get("about:blank")
    dash_duo.driver.get(shared)
    wait(dash_duo, lambda: js(dash_duo, "return !!window.cy && "
                                        "window.cy.nodes('[kind = \"artifact\"]').length > 0"),
         "artifacts drawn from the URL")
    assert dash_duo.find_element(f"#{ids.DATA_VIEW} input").is_selected()
    assert "Layered" in dash_duo.find_element(f"#{ids.LAYOUT_CHOICE}").text

    # A link to an artifact, shared without data=1: the data view opens with it selected.
    document = lineage(dash_duo, "mlops-pipeline").json()
    artifact = next(a for a in document["graph"]["artifacts"]
                    if a["uri"].endswith("evaluation.json"))
    node = f"artifact:{artifact['id']}"
    dash_duo.driver.get(f"{dash_duo.server_url}/?region={REGION}&pipeline=mlops-pipeline"
                        f"&node={node}")
    wait(dash_duo, lambda: selected_nodes(dash_duo) == [node], "artifact selected")
    assert dash_duo.find_element(f"#{ids.DATA_VIEW} input").is_selected()
    assert url_query(dash_duo).get("node") == node
    # evaluation.json under Evaluate's output prefix: Evaluate wrote it.
    # (Section titles are upper case on screen.)
    wait(dash_duo, lambda: "WRITTEN BY" in panel_text(dash_duo), "the artifact's panel")
    written_by = panel_text(dash_duo).split("WRITTEN BY", 1)[1].split("READ BY", 1)[0]
    assert written_by.split() == ["Evaluate"], written_by
    assert console(dash_duo) == []


# -- one banner per problem, warnings, empty states -----------------------------------------------


def test_a_bad_region_is_one_banner_naming_it(dash_duo: Duo, mlops_app: dash.Dash) -> None:
    open_page(dash_duo, mlops_app, path="/?region=mars-1&pipeline=mlops-pipeline")
    wait(dash_duo, lambda: note_texts(dash_duo), "a banner")
    js(dash_duo, "return new Promise(r => setTimeout(r, 800))")  # every callback answered
    notes = note_texts(dash_duo)
    assert len(notes) == 1 and "mars-1" in notes[0], notes


def test_missing_credentials_are_one_banner(dash_duo: Duo, sandbox: SandboxProcess,
                                            dashboard_app: AppFactory) -> None:
    app = dashboard_app(sandbox.endpoint, credentials=False)
    open_page(dash_duo, app, path=f"/?region={REGION}&pipeline=mlops-pipeline")
    wait(dash_duo, lambda: any("credentials" in n for n in note_texts(dash_duo)), "a banner")
    js(dash_duo, "return new Promise(r => setTimeout(r, 800))")
    notes = note_texts(dash_duo)
    assert len(notes) == 1, notes
    assert console(dash_duo) == []


def test_warnings_are_grouped_by_cause_and_a_partial_step_says_so(
    dash_duo: Duo, start_sandbox: StartSandbox, dashboard_app: AppFactory
) -> None:
    denied = start_sandbox(faults=parse_faults(
        "deny=sagemaker:DescribeTrainingJob,s3:GetBucketEncryption"))
    open_page(dash_duo, dashboard_app(denied.endpoint))
    open_pipeline(dash_duo, "scale-pipeline")
    text = panel_text(dash_duo)
    assert "36 steps: DescribeTrainingJob failed" in text, text
    assert "14 buckets: GetBucketEncryption failed" in text, text
    assert "warnings (2 causes)" in " ".join(note_texts(dash_duo)), note_texts(dash_duo)
    open_pipeline(dash_duo, "scale-pipeline", extra="&node=Train-00-A")
    wait(dash_duo, lambda: panel_text(dash_duo).startswith("Train-00-A"), "its panel")
    assert "Details are partial" in panel_text(dash_duo)


@pytest.fixture
def empty_world(start_sandbox: StartSandbox, tmp_path: Path) -> SandboxProcess:
    """The seeded world plus a pipeline whose definition has no steps."""
    shutil.copy(FIXTURES / EMPTY_DEFINITION, tmp_path / EMPTY_DEFINITION)
    return start_sandbox(definitions_dir=tmp_path)


def test_empty_states_are_said_in_words(dash_duo: Duo, empty_world: SandboxProcess,
                                        dashboard_app: AppFactory) -> None:
    app = dashboard_app(empty_world.endpoint,
                        **{ENV_REGIONS: ("ap-northeast-2", "us-east-1", "eu-west-1")})
    open_page(dash_duo, app)
    # Nothing chosen: nothing to export, and the buttons say so by being off.
    assert "Choose a pipeline" in " ".join(note_texts(dash_duo))
    for button in (ids.EXPORT_JSON, ids.EXPORT_PNG):
        assert not dash_duo.find_element(f"#{button}").is_enabled()
        assert dash_duo.find_element(f"#{button}").get_attribute("title") == (
            "Nothing to export yet: choose a pipeline")
    # The regions with pipelines first, most first, then the rest.
    dash_duo.find_element(f"#{ids.REGION}").click()
    labels = [e.text for e in dash_duo.driver.find_elements(
        By.CSS_SELECTOR, ".dash-dropdown-option")]
    assert labels[:2] == ["ap-northeast-2 \u00b7 8 pipelines", "us-east-1 \u00b7 2 pipelines"]
    assert labels[2:] == ["eu-west-1"], labels
    dash_duo.find_element(f"#{ids.REGION}").click()

    dash_duo.driver.get(f"{dash_duo.server_url}/?region={REGION}&pipeline={EMPTY_PIPELINE}")
    wait(dash_duo, lambda: any("No steps" in n for n in note_texts(dash_duo)), "no steps said")
    assert graph_steps(dash_duo) == []
    wait(dash_duo, lambda: dash_duo.find_element(f"#{ids.EXPORT_JSON}").is_enabled(),
         "its (empty) document can be downloaded")
    assert dash_duo.find_element(f"#{ids.EXPORT_JSON}").get_attribute("title") == (
        "Download the lineage document")
    dash_duo.driver.get(f"{dash_duo.server_url}/?region=eu-west-1")
    wait(dash_duo, lambda: any("No pipelines in eu-west-1" in n for n in note_texts(dash_duo)),
         "an empty region said")
    assert "No pipelines in this region" in dash_duo.find_element(f"#{ids.PIPELINE}").text
    assert console(dash_duo) == []


# -- a clean console ------------------------------------------------------------------------------


def test_every_seeded_pipeline_draws_with_a_clean_console(dash_duo: Duo,
                                                          mlops_app: dash.Dash) -> None:
    open_page(dash_duo, mlops_app)
    views = [(REGION, p, extra) for p in ("mlops-pipeline", "churn-pipeline",
                                          "fraud-detection-pipeline", "scale-pipeline")
             for extra in ("", "&data=1")] + [("us-east-1", "nlp-pipeline", ""),
                                              ("us-east-1", "nlp-pipeline", "&data=1")]
    seen: dict[str, list[str]] = {}
    for region, pipeline, extra in views:
        open_pipeline(dash_duo, pipeline, region, extra)
        seen[f"{pipeline}{extra}"] = console(dash_duo)
    assert all(not messages for messages in seen.values()), json.dumps(seen, indent=1)
