"""Colour by risk in a real Chromium against the session's sandbox (issue 13): on the Estate
page the churn-prod endpoint is drawn as high risk, its panel names the finding it inherits
from the features dataset (public, unencrypted customer-features-apne2) with the path, and the
source's link selects that dataset; on the pipeline page a training step inherits the same
finding and its link opens the data view at the bucket's artifact. Graph facts are read from
Cytoscape itself (``window.cy``): classes and computed styles.

The Estate page's app has its estate built before the page opens: what a first build shows
while under way is test_estate_progress's subject, and a page that draws one can stop asking
before the last bucket settings land (see ``whole_estate``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash
import pytest
import requests
from selenium.webdriver.common.by import By

from dashboard.core.state import state
from dashboard.ui import ids
from dashboard.ui.components.stylesheet import RISK_LOOK
from dashboard.ui.pages.estate.load import estate_request
from tests.browser.test_dashboard import (
    REGION,
    Duo,
    js,
    lineage,
    severe_logs,
    tap_until,
    url_query,
    wait_for_steps,
)
from tests.browser.test_estate_page import (
    FEATURES,
    endpoint,
    has_class,
    open_estate,
    panel,
    pipeline,
    tap,
    wait,
)
from tests.browser.test_first_look import screenshot

FEATURES_DATASET = f"dataset:{FEATURES}"
TRAINING = "churn-xgb-training-pipeline"


def rgb(colour: str) -> str:
    """``#D55E00`` as Cytoscape reports a colour: ``rgb(213,94,0)``."""
    red, green, blue = (int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgb({red},{green},{blue})"


def fill(duo: Duo, element: str) -> str:
    found: str = js(duo, "return window.cy.getElementById(arguments[0])"
                         ".style('background-color').replace(/ /g, '')", element)
    return found


def estate_answer(duo: Duo) -> Mapping[str, Any] | None:
    """``/estate`` as the API answers it, once the whole estate is read (else ``None``)."""
    response = requests.get(f"{duo.server_url}/estate", params={"region": REGION},
                            headers={"Accept": "application/json"}, timeout=30)
    answer: dict[str, Any] = response.json()
    return answer if response.ok and answer.get("progress") is None else None


def severity_of(nodes: Any, node_id: str) -> str:
    """A node's risk as the document has it: what the graph must draw."""
    (node,) = [n for n in nodes if n["id"] == node_id]
    severity: str = node["risk"]["severity"]
    return severity


def colour_by_risk(duo: Duo, toggle: str) -> None:
    duo.find_element(f"#{toggle} input[value='risk']").click()
    wait(duo, lambda: url_query(duo).get("color") == "risk", "color=risk in the URL")


def link_named(duo: Duo, container: str, words: str) -> Any:
    """The first link button of the panel whose text is ``words``."""
    found = [b for b in duo.driver.find_elements(By.CSS_SELECTOR, f"#{container} .link-button")
             if b.text == words]
    assert found, f"no link {words!r} in the panel"
    return found[0]


@pytest.fixture
def whole_estate(mlops_app: dash.Dash) -> dash.Dash:
    """The app with the page's estate (``?region=``) built whole in its cache, as it is once
    anyone asked for it: the page draws it at once, as the API answers it.

    Built first because a first build's snapshots say "whole" (no ``progress``) as soon as
    every pipeline's document is in, while bucket settings may still be on their way: a page
    that drew such a snapshot stopped polling with churn-prod's risk not yet known, and once
    waited out WAIT_SEC for it late in a loaded run.
    """
    app = state(mlops_app.server)
    served = app.cached.estate(estate_request(app, REGION))  # waits for the whole build
    estate = served.document()
    assert estate.get("progress") is None and estate["warnings"] == [], estate["warnings"]
    return mlops_app


def test_the_estate_coloured_by_risk_follows_the_features_finding_to_churn_prod(
    dash_duo: Duo, whole_estate: dash.Dash
) -> None:
    dash_duo.start_server(whole_estate)
    open_estate(dash_duo)
    prod = endpoint("churn-prod")
    # What the engine found (the features bucket is public and unencrypted: high at least;
    # the bucket settings the sandbox holds decide the rest), once the whole estate is read.
    answer = wait(dash_duo, lambda: estate_answer(dash_duo), "the whole estate read")
    severity = severity_of(answer["nodes"], prod)
    assert severity in ("high", "critical")
    wait(dash_duo, lambda: has_class(dash_duo, prod, f"risk-{severity}"), "churn-prod's risk")
    # By status first: an InService endpoint, its status look.
    assert has_class(dash_duo, prod, "status-succeeded")
    by_status = fill(dash_duo, prod)
    look = RISK_LOOK[severity]
    assert by_status != rgb(look[0])

    colour_by_risk(dash_duo, ids.ESTATE_COLOR)
    wait(dash_duo, lambda: fill(dash_duo, prod) == rgb(look[0]),
         f"churn-prod drawn as {severity} risk")
    border = js(dash_duo, "const n = window.cy.getElementById(arguments[0]);"
                          "return [n.style('border-style'), parseFloat(n.style('border-width'))]",
                prod)
    assert border == [look[2], look[3]]  # not by hue alone
    # The legend shows the risk scale instead of the status looks.
    legend = dash_duo.find_element(f"#{ids.ESTATE_LEGEND}")
    assert "colour-risk" in legend.get_attribute("class")
    legend.find_element(By.TAG_NAME, "summary").click()
    scale = legend.find_element(By.CSS_SELECTOR, f"li[data-legend='risk-{severity}']")
    wait(dash_duo, scale.is_displayed, "the legend's risk scale")
    assert not legend.find_element(By.CSS_SELECTOR,
                                   "li[data-legend='status-failed']").is_displayed()
    legend.find_element(By.TAG_NAME, "summary").click()

    # The endpoint's panel: the inherited finding, its source and the path from it.
    tap(dash_duo, prod)
    wait(dash_duo, lambda: "Inherited from" in panel(dash_duo), "the endpoint's risk")
    text = panel(dash_duo)
    assert text.startswith("churn-prod") and f"{look[4]} {look[5]}" in text
    assert "The bucket has no default encryption" in text
    assert "public access is not fully blocked" in text
    assert f"{FEATURES} \u2192 {TRAINING} \u2192" in text, text
    screenshot(dash_duo, "estate-risk-churn-prod")

    # The source's link selects the dataset, the colouring kept.
    link_named(dash_duo, ids.ESTATE_PANEL, FEATURES).click()
    wait(dash_duo, lambda: url_query(dash_duo).get("node") == FEATURES_DATASET,
         "the features dataset selected")
    assert url_query(dash_duo)["color"] == "risk"
    wait(dash_duo, lambda: "Its own findings" in panel(dash_duo), "the dataset's own findings")
    shown = panel(dash_duo).lower()  # headings are drawn in capitals
    assert "remedy" in shown and "bucket settings" in shown
    wait(dash_duo, lambda: js(dash_duo, "return window.cy.$(':selected').map(n => n.id())")
         == [FEATURES_DATASET], "the dataset selected in the graph")

    # Back to status: the status look again, the URL without color.
    dash_duo.find_element(f"#{ids.ESTATE_COLOR} input[value='status']").click()
    wait(dash_duo, lambda: "color" not in url_query(dash_duo), "color gone from the URL")
    wait(dash_duo, lambda: fill(dash_duo, prod) == by_status, "the status look again")
    assert has_class(dash_duo, pipeline(TRAINING), f"risk-{severity}")
    assert severe_logs(dash_duo) == []


def test_the_pipeline_page_coloured_by_risk_links_a_step_to_its_sources_artifact(
    dash_duo: Duo, mlops_app: dash.Dash
) -> None:
    dash_duo.start_server(mlops_app)
    dash_duo.driver.set_window_size(1440, 900)
    dash_duo.driver.get(f"{dash_duo.server_url}/?region={REGION}&pipeline={TRAINING}")
    wait_for_steps(dash_duo, ["TrainXgb", "RegisterXgb"])
    document = lineage(dash_duo, TRAINING).json()
    steps = [{**n, "id": f"step:{n['id']}"} for n in document["graph"]["nodes"]]
    severity = severity_of(steps, "step:TrainXgb")
    assert severity in ("high", "critical")
    (features,) = [a for a in document["graph"]["artifacts"] if a["uri"] == FEATURES + "/"]
    colour_by_risk(dash_duo, ids.COLOR)
    wait(dash_duo, lambda: fill(dash_duo, "step:TrainXgb") == rgb(RISK_LOOK[severity][0]),
         f"TrainXgb drawn as {severity} risk")
    assert "colour-risk" in dash_duo.find_element(f"#{ids.LEGEND}").get_attribute("class")

    tap_until(dash_duo, "TrainXgb")
    wait(dash_duo, lambda: "Inherited from" in dash_duo.find_element(f"#{ids.PANEL}").text,
         "the step's risk")
    assert url_query(dash_duo)["color"] == "risk"
    screenshot(dash_duo, "pipeline-risk-trainxgb")

    # Its source, the features bucket's artifact: selected, in the data view.
    link_named(dash_duo, ids.PANEL, FEATURES + "/").click()
    wait(dash_duo, lambda: str(url_query(dash_duo).get("node", "")).startswith("artifact:"),
         "the artifact selected")
    artifact = url_query(dash_duo)["node"]
    assert artifact == f"artifact:{features['id']}"
    assert url_query(dash_duo).get("data") == "1" and url_query(dash_duo)["color"] == "risk"
    wait(dash_duo, lambda: "The bucket has no default encryption"
         in dash_duo.find_element(f"#{ids.PANEL}").text, "the artifact's own finding")
    text = dash_duo.find_element(f"#{ids.PANEL}").text
    assert text.startswith("S3 artifact") and "Its own findings" in text
    assert "remedy" in text.lower()
    wait(dash_duo, lambda: js(dash_duo, "const n = window.cy.getElementById(arguments[0]);"
                                        "return n.nonempty() && n.hasClass(arguments[1])",
                              artifact, f"risk-{features['risk']['severity']}"),
         "the artifact drawn with its risk")
    wait(dash_duo, lambda: fill(dash_duo, artifact)
         == rgb(RISK_LOOK[features["risk"]["severity"]][0]), "the artifact's risk look")
    screenshot(dash_duo, "pipeline-risk-features-artifact")
    assert severe_logs(dash_duo) == []
