"""The analytics across runs (issue 14) in a real Chromium against the session's sandbox: the
Compare page between two runs of mlops-pipeline, the Timeline tab's critical path against
``GET /timeline`` of the same server, and the Trends tab's point that opens its execution.

The runs are named by id, never by their place in a list (the sandbox's history of
mlops-pipeline grows): ``q7v2m9k3x1ab`` ran a definition without CreateModel (Train's
validation:auc 0.81), ``r3a5pd8rmk8r`` is the newest (with CreateModel, 0.63), and
``h4d8s2n6p0cd`` failed its AUC check. The Compare page's app has ``ENABLE_SCHEMA=true``: the
sandbox seeded ``q7v2m9k3x1ab``'s Preprocess outputs in an older layout than
``h4d8s2n6p0cd``'s (``lineage.sandbox.world.datasets``), so their comparison has schema drift,
and an artifact tapped on the pipeline page shows its columns. Graph facts are read from
Cytoscape (``window.cy``), chart facts from plotly's own graph div (its ``data``, as drawn).
"""

from __future__ import annotations

import json
from typing import Any

import dash
import requests
from selenium.webdriver.common.by import By

from dashboard.ui import ids
from dashboard.ui.components.compare_view import COMPARE_SCHEMA_DRIFT, COMPARE_TABLE
from dashboard.ui.components.stylesheet import CHANGE_LOOK
from dashboard.ui.components.timeline_chart import (
    CRITICAL_OUTLINE,
    CRITICAL_PATH_ATTRIBUTE,
    TIMELINE_CRITICAL_PATH,
    TIMELINE_GRAPH,
)
from dashboard.ui.components.trend_charts import SERIES_ATTRIBUTE
from lineage.compare import ADDED
from tests.browser.test_dashboard import (
    REGION,
    UNTYPED_CHAINS,
    Duo,
    choose,
    graph_steps,
    js,
    panel_text,
    severe_logs,
    tap_in_view_until,
    url_query,
    wait,
)
from tests.browser.test_first_look import screenshot

PIPELINE = "mlops-pipeline"
WITHOUT_CREATE_MODEL = "q7v2m9k3x1ab"  # Train validation:auc 0.81
NEWEST = "r3a5pd8rmk8r"  # with CreateModel, validation:auc 0.63
FAILED = "h4d8s2n6p0cd"  # AUCTooLow: its AUC below the threshold


def rows(duo: Duo, selector: str = "") -> list[dict[str, str]]:
    """The differences table's rows: their data-* attributes and cells."""
    found: list[dict[str, str]] = js(duo, """
        return Array.from(document.querySelectorAll(arguments[0])).map(r => ({
            kind: r.dataset.kind, change: r.dataset.change, subject: r.dataset.subject,
            item: r.dataset.item, cells: Array.from(r.cells).map(c => c.textContent)}));
    """, f"#{COMPARE_TABLE} tr.difference{selector}")
    return found


def drift_of(duo: Duo, dataset_end: str) -> list[tuple[str, ...]]:
    """The cells of the Dataset schemas section's rows for the dataset ending so."""
    found: list[list[str]] = js(duo, """
        return Array.from(document.querySelectorAll(arguments[0])).map(
            r => Array.from(r.cells).map(c => c.textContent));
    """, f'#{COMPARE_SCHEMA_DRIFT} [data-dataset$="{dataset_end}"] tr.difference')
    return [tuple(cells) for cells in found]


def tap_element(duo: Duo, element: str) -> None:
    """A real click on the pipeline graph's node, until the URL names it."""
    tap_in_view_until(duo, element, ids.GRAPH)


def has_class(duo: Duo, element: str, name: str) -> bool:
    found: bool = js(duo, "const e = window.cy && window.cy.getElementById(arguments[0]);"
                          "return !!e && e.nonempty() && e.hasClass(arguments[1]);",
                     element, name)
    return found


def notes(duo: Duo, container: str) -> str:
    return " ".join(e.text for e in duo.driver.find_elements(
        By.CSS_SELECTOR, f"#{container} .alert"))


def compare_url(duo: Duo, a: str, b: str, extra: str = "") -> str:
    return (f"{duo.server_url}/compare/view?pipeline={PIPELINE}&region={REGION}"
            f"&a={a}&b={b}{extra}")


def test_the_compare_page_shows_the_added_step_and_the_metric_delta(
    dash_duo: Duo, schema_app: dash.Dash
) -> None:
    dash_duo.start_server(schema_app)
    # Built from the URL alone: the comparison at once.
    dash_duo.driver.get(compare_url(dash_duo, WITHOUT_CREATE_MODEL, NEWEST))
    added = '[data-kind="step"][data-change="added"][data-subject="CreateModel"]'
    wait(dash_duo, lambda: rows(dash_duo, added), "the added step's row")
    wait(dash_duo, lambda: has_class(dash_duo, "step:CreateModel", "change-added"),
         "CreateModel drawn as added")
    # Drawn with the added look (stylesheet.CHANGE_LOOK), not only classed.
    fill = CHANGE_LOOK[ADDED][0]
    assert js(dash_duo, "return window.cy.$id('step:CreateModel').style('background-color')") \
        == f"rgb({int(fill[1:3], 16)},{int(fill[3:5], 16)},{int(fill[5:7], 16)})"
    auc = rows(dash_duo, '[data-kind="metric"][data-item="validation:auc"]')
    assert len(auc) == 1 and auc[0]["subject"] == "Train", auc
    assert auc[0]["change"] == "changed" and "-0.18" in auc[0]["cells"], auc
    assert {"0.81", "0.63"} <= set(auc[0]["cells"]), auc
    summary = dash_duo.find_element(f"#{ids.COMPARE_SUMMARY_AREA}").text
    assert f"a (base): {WITHOUT_CREATE_MODEL}" in summary and "1 added" in summary, summary
    assert dash_duo.find_element(f"#{ids.COMPARE_A}").text.count("\u00b7") == 2  # listed
    screenshot(dash_duo, "compare-mlops")
    everything = rows(dash_duo)
    same = [r for r in everything if r["change"] == "same"]
    assert same, everything

    # "Differences only": the same rows go, the URL says so; back again, they return.
    dash_duo.find_element(f"#{ids.COMPARE_ONLY} input").click()
    wait(dash_duo, lambda: url_query(dash_duo).get("only") == "1", "only=1")
    wait(dash_duo, lambda: not rows(dash_duo, '[data-change="same"]'), "the same rows hidden")
    assert len(rows(dash_duo)) == len(everything) - len(same)
    assert rows(dash_duo, added) and len(rows(dash_duo, '[data-item="validation:auc"]')) == 1
    dash_duo.find_element(f"#{ids.COMPARE_ONLY} input").click()
    wait(dash_duo, lambda: len(rows(dash_duo)) == len(everything), "every row again")
    assert "only" not in url_query(dash_duo)

    # Another b from its dropdown: the URL holds the new comparison, the table follows.
    choose(dash_duo, ids.COMPARE_B, FAILED)
    wait(dash_duo, lambda: url_query(dash_duo).get("b") == FAILED, f"b={FAILED}")
    assert url_query(dash_duo) == {"pipeline": PIPELINE, "region": REGION,
                                   "a": WITHOUT_CREATE_MODEL, "b": FAILED}
    wait(dash_duo, lambda: rows(dash_duo, '[data-kind="failureReason"]'
                                          '[data-subject="AUCTooLow"]'), "b's failure")

    # The datasets' schema drift: a wrote the older layout (tenure, whole-number charges).
    wait(dash_duo, lambda: drift_of(dash_duo, "/Preprocess/validation"), "the schema drift")
    assert set(drift_of(dash_duo, "/Preprocess/validation")) == {
        ("+ added", "column", "tenure_months", "\u2013", "integer"),
        ("+ added", "column", "contract", "\u2013", "string"),
        ("\u2212 removed", "column", "tenure", "integer", "\u2013"),
        ("~ changed", "column type", "monthly_charges", "integer", "number"),
    }
    assert "The same columns in both runs." in dash_duo.find_element(
        f'#{COMPARE_SCHEMA_DRIFT} [data-dataset$="/raw/churn/churn.csv"]').text
    screenshot(dash_duo, "compare-mlops-schema-drift")

    # b on the pipeline page: its validation set's artifact, tapped in the data view, lists
    # its columns and types in the side panel's Schema section.
    document = requests.get(f"{dash_duo.server_url}/lineage", timeout=30, params={
        "pipeline": PIPELINE, "region": REGION, "execution": FAILED}).json()
    validation = next(a for a in document["graph"]["artifacts"]
                      if a["uri"].endswith(f"{FAILED}/Preprocess/validation"))
    dash_duo.find_element("#compare-open-b").click()
    wait(dash_duo, lambda: url_query(dash_duo).get("execution") == FAILED, "b's pipeline page")
    dash_duo.find_element(f"#{ids.DATA_VIEW} input").click()
    node = f"artifact:{validation['id']}"
    wait(dash_duo, lambda: js(dash_duo, "return !!window.cy && "
                                        "window.cy.$id(arguments[0]).nonempty()", node),
         "the validation artifact drawn")
    tap_element(dash_duo, node)
    wait(dash_duo, lambda: "SCHEMA" in panel_text(dash_duo), "the Schema section")
    columns = js(dash_duo, """
        return Array.from(document.querySelectorAll(arguments[0])).map(
            r => Array.from(r.cells).map(c => c.textContent));""",
                 f"#{ids.PANEL} .schema-table tbody tr")
    assert [tuple(c[:2]) for c in columns] == [
        ("customer_id", "integer"), ("tenure_months", "integer"), ("monthly_charges", "number"),
        ("plan", "string"), ("contract", "string"), ("churned", "boolean")], columns
    assert "Parquet \u00b7 6 columns \u00b7 20 rows" in panel_text(dash_duo)

    # What the service refuses is said in words, as the other pages say it.
    dash_duo.driver.get(compare_url(dash_duo, NEWEST, NEWEST))
    wait(dash_duo, lambda: "a and b are the same execution" in notes(
        dash_duo, ids.COMPARE_MESSAGE), "a == b refused")
    dash_duo.driver.get(compare_url(dash_duo, "zzzzzzzzzzzz", NEWEST))
    wait(dash_duo, lambda: "Execution a not found" in notes(dash_duo, ids.COMPARE_MESSAGE),
         "an unknown a named")
    assert rows(dash_duo) == [] and "Traceback" not in dash_duo.driver.page_source
    assert severe_logs(dash_duo) == []


def test_the_timeline_tab_highlights_the_critical_path_the_api_reports(
    dash_duo: Duo, mlops_app: dash.Dash
) -> None:
    dash_duo.start_server(mlops_app)
    answer = requests.get(f"{dash_duo.server_url}/timeline", timeout=30, params={
        "pipeline": PIPELINE, "region": REGION, "execution": NEWEST})
    answer.raise_for_status()
    reported = answer.json()["criticalPath"]["steps"]
    assert reported, answer.json()
    dash_duo.driver.get(f"{dash_duo.server_url}/?region={REGION}&pipeline={PIPELINE}"
                        f"&execution={NEWEST}&tab=timeline")
    note = f"#{TIMELINE_CRITICAL_PATH}"
    dash_duo.wait_for_element(note)
    assert json.loads(dash_duo.find_element(note).get_attribute(
        CRITICAL_PATH_ATTRIBUTE)) == reported
    # The bars drawn outlined thick are exactly the path's steps.
    outlined = f"#{TIMELINE_GRAPH} .js-plotly-plot"
    wait(dash_duo, lambda: js(dash_duo, "const g = document.querySelector(arguments[0]);"
                                        "return !!g && !!g.data;", outlined), "the chart")
    drawn = js(dash_duo, """
        return document.querySelector(arguments[0]).data
            .filter(t => t.marker.line.width === arguments[1])
            .flatMap(t => t.customdata);""", outlined, CRITICAL_OUTLINE)
    assert sorted(drawn) == sorted(reported), drawn
    screenshot(dash_duo, "timeline-mlops")
    assert dash_duo.find_element(f"#{ids.TIMELINE_PANEL}").is_displayed()
    # The graph stays beneath, laid out; its tab brings it back and the URL forgets the tab.
    wait(dash_duo, lambda: "CreateModel" in graph_steps(dash_duo), "the graph beneath")
    dash_duo.find_element(f"#{ids.TAB} input[value='graph']").find_element(
        By.XPATH, "./ancestor::label[1]").click()
    wait(dash_duo, lambda: "tab" not in url_query(dash_duo), "no tab in the URL")
    assert not dash_duo.find_element(f"#{ids.TIMELINE_PANEL}").is_displayed()

    # Compare with... opens the Compare page: a the execution shown, b the one chosen.
    link = dash_duo.find_element(f"#{ids.ALL_EXECUTIONS}")
    assert link.get_attribute("href").endswith(
        f"/executions/view?pipeline={PIPELINE}&region={REGION}")
    choose(dash_duo, ids.COMPARE_WITH, WITHOUT_CREATE_MODEL)
    wait(dash_duo, lambda: "/compare/view" in dash_duo.driver.current_url, "the Compare page")
    assert url_query(dash_duo) == {"region": REGION, "pipeline": PIPELINE, "a": NEWEST,
                                   "b": WITHOUT_CREATE_MODEL}
    wait(dash_duo, lambda: rows(dash_duo, '[data-kind="step"][data-change="removed"]'
                                          '[data-subject="CreateModel"]'),
         "CreateModel removed from a to b")
    assert severe_logs(dash_duo) == []


def test_the_trends_tab_shows_the_charts_and_a_point_opens_its_execution(
    dash_duo: Duo, mlops_app: dash.Dash
) -> None:
    dash_duo.start_server(mlops_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/?region={REGION}&pipeline={PIPELINE}"
                        "&tab=trends")
    duration = f'[{SERIES_ATTRIBUTE}="duration"] .js-plotly-plot'
    wait(dash_duo, lambda: js(dash_duo, "const g = document.querySelector(arguments[0]);"
                                        "return !!g && !!g._fullLayout && !!g.data;",
                              duration), "the run duration chart")
    screenshot(dash_duo, "trends-mlops")
    series = js(dash_duo, "return Array.from(document.querySelectorAll('[data-series]'))"
                          ".map(e => e.dataset.series)")
    assert {"status", "duration", "Train", "Train/validation:auc"} <= set(series), series
    # A real click on the run without CreateModel in the duration chart: where plotly draws
    # it, from its own axes.
    at = js(dash_duo, """
        const g = document.querySelector(arguments[0]);
        const trace = g.data[0];
        const i = trace.customdata.indexOf(arguments[1]);
        const xa = g._fullLayout.xaxis, ya = g._fullLayout.yaxis;
        const box = g.getBoundingClientRect();
        return [xa._offset + xa.d2p(trace.x[i]) - box.width / 2,
                ya._offset + ya.d2p(trace.y[i]) - box.height / 2];""",
            duration, WITHOUT_CREATE_MODEL)
    chart = dash_duo.find_element(duration)
    chain: Any = UNTYPED_CHAINS(dash_duo.driver)
    chain.move_to_element(chart).move_by_offset(int(at[0]), int(at[1])).pause(0.3).click(
    ).perform()
    wait(dash_duo, lambda: url_query(dash_duo).get("execution") == WITHOUT_CREATE_MODEL,
         "the clicked run opened")
    assert "tab" not in url_query(dash_duo)
    assert not dash_duo.find_element(f"#{ids.TRENDS_PANEL}").is_displayed()
    wait(dash_duo, lambda: "Train" in graph_steps(dash_duo)
         and "CreateModel" not in graph_steps(dash_duo), "its graph: no CreateModel")
    assert severe_logs(dash_duo) == []
