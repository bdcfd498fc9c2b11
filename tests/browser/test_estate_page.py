"""The estate page in a real Chromium against the session's sandbox (issue 12's "done when"):
search an S3 prefix and see both training pipelines and the endpoints downstream; search an
endpoint and see its provenance down to the feature pipeline's input. Graph facts are read
from Cytoscape itself (``window.cy``): element classes and computed styles."""

from __future__ import annotations

from typing import Any

import dash
import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By

from dashboard.ui import ids
from lineage.sandbox import SECOND_ACCOUNT_ID, SECOND_ACCOUNT_ROLE_ARN, SandboxProcess
from lineage.sandbox.world.estate import PARTNER_PIPELINE
from tests.browser.conftest import AppFactory
from tests.browser.test_dashboard import (
    REGION,
    UNTYPED_WAIT,
    WAIT_SEC,
    Duo,
    graph_steps,
    js,
    severe_logs,
    tap_in_view_until,
    url_query,
)
from tests.browser.test_first_look import screenshot

ACCOUNT = "123456789012"
FEATURES = "s3://customer-features-apne2/features/customers"
RAW = "dataset:s3://customer-raw-apne2/raw/customers"


def pipeline(name: str, account: str = ACCOUNT) -> str:
    return f"pipeline:{account}:{REGION}:{name}"


PARTNER = pipeline(PARTNER_PIPELINE, SECOND_ACCOUNT_ID)


@pytest.fixture
def two_accounts_app(sandbox: SandboxProcess, dashboard_app: AppFactory,
                     monkeypatch: pytest.MonkeyPatch) -> dash.Dash:
    """The app with the sandbox's second account (LINEAGE_ACCOUNT_ROLES, AssumeRole).

    The harness's session points its own clients at the sandbox, but an assumed role's
    session is a plain boto3 one (lineage.aws), which finds the sandbox as the server does:
    through ``AWS_ENDPOINT_URL``, set for this test only.
    """
    monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox.endpoint)
    return dashboard_app(sandbox.endpoint, account_roles=(SECOND_ACCOUNT_ROLE_ARN,))


def endpoint(name: str) -> str:
    return f"endpoint:arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/{name}"


def wait(duo: Duo, condition: Any, what: str, timeout: float = WAIT_SEC) -> Any:
    try:
        waiter: Any = UNTYPED_WAIT(duo.driver, timeout, poll_frequency=0.1)
        return waiter.until(lambda _: condition(), message=what)
    except TimeoutException:
        raise AssertionError(f"waited {timeout} s for {what}; {page_state(duo)}") from None


def page_state(duo: Duo) -> str:
    """What the page showed, for a failure message."""
    parts = [f"url={duo.driver.current_url}"]
    for name in (ids.ESTATE_MESSAGE, ids.ESTATE_SEARCH_MESSAGE, ids.ESTATE_PANEL):
        found = duo.driver.find_elements(By.ID, name)
        parts.append(f"{name}={found[0].text[:120]!r}" if found else f"{name}=absent")
    parts.append(f"nodes={node_count(duo)}, lit={sorted(lit(duo))[:8]}")
    parts.append(f"console={[e['message'][:200] for e in duo.driver.get_log('browser')][:5]}")
    return ", ".join(parts)


def has_class(duo: Duo, element: str, name: str) -> bool:
    found: bool = js(duo, "const e = window.cy && window.cy.getElementById(arguments[0]);"
                          "return !!e && e.nonempty() && e.hasClass(arguments[1]);",
                     element, name)
    return found


def lit(duo: Duo) -> set[str]:
    found: list[str] = js(duo, "return window.cy ? window.cy.nodes('.on-path')"
                               ".map(n => n.id()) : []")
    return set(found)


def node_count(duo: Duo) -> int:
    count: int = js(duo, "return window.cy ? window.cy.nodes().length : 0")
    return count


def panel(duo: Duo) -> str:
    found: str = duo.find_element(f"#{ids.ESTATE_PANEL}").text
    return found


def search(duo: Duo, words: str) -> None:
    box = duo.find_element(f"#{ids.ESTATE_SEARCH}")
    box.clear()
    box.send_keys(words + "\n")


def tap(duo: Duo, element: str) -> None:
    """A real click on the node (a big scope drawn fitted, or the camera on another node: at
    zoom 1 first), until the URL names it."""
    tap_in_view_until(duo, element, ids.ESTATE_GRAPH, zoom=1)


def open_estate(duo: Duo, query: str = f"?region={REGION}") -> None:
    duo.driver.set_window_size(1440, 900)
    duo.driver.get(f"{duo.server_url}/estate/view{query}")
    wait(duo, lambda: node_count(duo) > 20, "the estate graph")
    wait(duo, lambda: not js(duo, "return window.cy.animated()"), "a laid-out graph")


def test_an_s3_prefix_lights_both_training_pipelines_and_the_endpoints_downstream(
    dash_duo: Duo, mlops_app: dash.Dash
) -> None:
    dash_duo.start_server(mlops_app)
    open_estate(dash_duo)
    assert has_class(dash_duo, pipeline("customer-features-pipeline"), "kind-pipeline")
    assert has_class(dash_duo, endpoint("churn-canary"), "status-failed")
    assert lit(dash_duo) == set()  # no search: nothing lit, nothing dimmed

    search(dash_duo, FEATURES + "/")
    wait(dash_duo, lambda: url_query(dash_duo).get("q") == FEATURES + "/", "q in the URL")
    wait(dash_duo, lambda: pipeline("churn-xgb-training-pipeline") in lit(dash_duo),
         "the impact drawn")
    downstream = lit(dash_duo)
    assert {pipeline("churn-xgb-training-pipeline"), pipeline("churn-lgbm-training-pipeline"),
            endpoint("churn-prod"), endpoint("churn-lgbm-staging")} <= downstream
    assert has_class(dash_duo, f"dataset:{FEATURES}", "query-start")
    # What the features do not feed is dimmed, and looks it.
    assert has_class(dash_duo, pipeline("fraud-detection-pipeline"), "dimmed")
    opacity = js(dash_duo, "return [window.cy.getElementById(arguments[0]).style('opacity'),"
                           "window.cy.getElementById(arguments[1]).style('opacity')]",
                 pipeline("fraud-detection-pipeline"), endpoint("churn-prod"))
    assert float(opacity[0]) < 0.5 < float(opacity[1]), opacity
    screenshot(dash_duo, "estate-impact-features")
    message = dash_duo.find_element(f"#{ids.ESTATE_SEARCH_MESSAGE}").text
    assert message.startswith("Downstream of") and "endpoint" in message, message
    # The dataset the search named is selected, its bucket settings shown.
    wait(dash_duo, lambda: "bucket settings" in panel(dash_duo).lower(), "the dataset's panel")

    # A pipeline selected: its details, and a link to the pipeline page at its run.
    tap(dash_duo, pipeline("churn-xgb-training-pipeline"))
    wait(dash_duo, lambda: "Open in the pipeline page" in panel(dash_duo), "the pipeline panel")
    assert url_query(dash_duo)["q"] == FEATURES + "/"  # the search stays in the URL
    assert "TrainXgb" in panel(dash_duo)  # the steps on its edges
    dash_duo.find_element(f"#{ids.ESTATE_PANEL} .pipeline-link").click()
    wait(dash_duo, lambda: url_query(dash_duo).get("pipeline") == "churn-xgb-training-pipeline",
         "the pipeline page")
    assert url_query(dash_duo)["region"] == REGION and url_query(dash_duo)["execution"]
    wait(dash_duo, lambda: "TrainXgb" in graph_steps(dash_duo), "the pipeline's graph")
    assert severe_logs(dash_duo) == []


def test_an_endpoint_shows_its_provenance_down_to_the_feature_pipelines_input(
    dash_duo: Duo, mlops_app: dash.Dash
) -> None:
    dash_duo.start_server(mlops_app)
    open_estate(dash_duo)
    search(dash_duo, "churn-prod")
    wait(dash_duo, lambda: url_query(dash_duo).get("node") == endpoint("churn-prod"),
         "the endpoint selected")
    wait(dash_duo, lambda: RAW in lit(dash_duo), "the provenance drawn")
    upstream = lit(dash_duo)
    assert {endpoint("churn-prod"), pipeline("churn-xgb-training-pipeline"),
            pipeline("customer-features-pipeline"), f"dataset:{FEATURES}", RAW} <= upstream
    # Not on its way: the other training pipeline and the other endpoints.
    assert has_class(dash_duo, pipeline("churn-lgbm-training-pipeline"), "dimmed")
    assert has_class(dash_duo, endpoint("churn-canary"), "dimmed")
    # The path's edges are lit too: the config serving the endpoint, the features read.
    served = js(dash_duo, "return window.cy.edges().filter(e => e.target().id() === arguments[0]"
                          " && e.data('via') === 'serves').map(e => e.hasClass('on-path'))",
                endpoint("churn-prod"))
    assert served == [True]
    assert has_class(dash_duo, f"edge:reads:dataset:{FEATURES}->"
                               f"{pipeline('churn-xgb-training-pipeline')}", "on-path")
    screenshot(dash_duo, "estate-provenance-churn-prod")
    message = dash_duo.find_element(f"#{ids.ESTATE_SEARCH_MESSAGE}").text
    assert message.startswith("Upstream of") and "customer-raw-apne2/raw/customers" in message
    wait(dash_duo, lambda: panel(dash_duo).startswith("churn-prod"), "the endpoint's panel")
    assert "InService" in panel(dash_duo)

    # The URL holds the view: opened afresh, it draws the same.
    shared = dash_duo.driver.current_url
    dash_duo.driver.get(f"{dash_duo.server_url}/estate/view")
    wait(dash_duo, lambda: node_count(dash_duo) > 20 and lit(dash_duo) == set(), "no search")
    dash_duo.driver.get(shared)
    wait(dash_duo, lambda: RAW in lit(dash_duo), "the shared view")
    assert dash_duo.find_element(f"#{ids.ESTATE_SEARCH}").get_attribute("value") == "churn-prod"
    assert dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{ids.NAV} a")
    assert severe_logs(dash_duo) == []


def test_the_features_prefix_lights_the_partner_account_and_the_legend_explains_it(
    dash_duo: Duo, two_accounts_app: dash.Dash
) -> None:
    dash_duo.start_server(two_accounts_app)
    open_estate(dash_duo)
    # The other account's pipeline, drawn with its latest run's status.
    wait(dash_duo, lambda: has_class(dash_duo, PARTNER, "kind-pipeline"), "the partner pipeline")
    # A first build draws the pipeline as listed before its run is read: wait for the run.
    wait(dash_duo, lambda: has_class(dash_duo, PARTNER, "status-succeeded"),
         "the partner's latest run")

    search(dash_duo, FEATURES)
    wait(dash_duo, lambda: PARTNER in lit(dash_duo), "the partner pipeline lit downstream")
    assert {pipeline("churn-xgb-training-pipeline"), PARTNER} <= lit(dash_duo)
    assert has_class(dash_duo, f"edge:reads:dataset:{FEATURES}->{PARTNER}", "on-path")
    assert not has_class(dash_duo, PARTNER, "dimmed")
    assert has_class(dash_duo, pipeline("fraud-detection-pipeline"), "dimmed")

    # The legend: closed to its summary over the graph, opened by a click, every sample drawn.
    legend = dash_duo.find_element(f"#{ids.ESTATE_LEGEND}")
    summary = legend.find_element(By.TAG_NAME, "summary")
    assert summary.is_displayed() and summary.text == "Legend"
    group = legend.find_element(By.CSS_SELECTOR, "li[data-legend='kind-model-package-group']")
    assert not group.is_displayed()
    summary.click()
    wait(dash_duo, group.is_displayed, "the legend open")
    assert group.text == "model package group"
    reads = legend.find_element(By.CSS_SELECTOR, "li[data-legend~='via-reads']")
    assert reads.is_displayed() and "reads" in reads.text
    broken = js(dash_duo, "return [...arguments[0].querySelectorAll('img')]"
                          ".filter(i => !i.complete || i.naturalWidth === 0).map(i => i.title"
                          " || i.parentElement.textContent)", legend)
    assert broken == []
    inside = js(dash_duo, "const a = arguments[0].getBoundingClientRect(),"
                          " f = document.getElementById(arguments[1]).getBoundingClientRect();"
                          "return a.left >= f.left && a.right <= f.right + 1"
                          " && a.bottom <= f.bottom + 1;", legend, ids.ESTATE_GRAPH)
    assert inside, "the legend lies over the graph"
    screenshot(dash_duo, "estate-partner-and-legend")
    summary.click()
    wait(dash_duo, lambda: not group.is_displayed(), "the legend closed")
    assert severe_logs(dash_duo) == []
