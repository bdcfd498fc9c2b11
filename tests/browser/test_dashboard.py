"""The dashboard in a real Chromium: graph, styles, panel, URL state, exports, hostile text.

Graph facts are read from Cytoscape itself (dash-cytoscape keeps its instance in
``window.cy``): element data (``status``, ``type``, ``via``) and computed styles. A step's
element id is ``step:<name>`` (``dashboard.ui.components.elements``); the helpers here take
and give step names.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import dash
import requests
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from dashboard.ui import ids
from dashboard.ui.components.elements import STEP_PREFIX, step_element_id
from lineage.sandbox import SANDBOX_ACCESS_KEY_ID, SANDBOX_SECRET_ACCESS_KEY, SandboxProcess
from tests.browser.conftest import AppFactory

# dash.testing and selenium are untyped; the fixture is used through Any.
Duo = Any
UNTYPED_WAIT: Any = WebDriverWait
UNTYPED_CHAINS: Any = ActionChains

REGION = "ap-northeast-2"
WAIT_SEC = 30


# -- helpers ------------------------------------------------------------------------------------


def js(duo: Duo, script: str, *args: Any) -> Any:
    return duo.driver.execute_script(script, *args)


def wait(duo: Duo, condition: Any, what: str, timeout: float = WAIT_SEC) -> Any:
    try:
        waiter: Any = UNTYPED_WAIT(duo.driver, timeout, poll_frequency=0.1)
        return waiter.until(
            lambda _: condition(), message=what)
    except TimeoutException:
        raise AssertionError(f"waited {timeout} s for {what}; {page_state(duo)}") from None


def page_state(duo: Duo) -> str:
    """What the page showed, for a failure message."""
    parts = [f"url={duo.driver.current_url}"]
    for name in (ids.REGION, ids.PIPELINE, ids.EXECUTION, ids.MESSAGE):
        found = duo.driver.find_elements(By.ID, name)
        parts.append(f"{name}={found[0].text!r}" if found else f"{name}=absent")
    parts.append(f"steps={graph_steps(duo)}")
    parts.append(f"panel={panel_text(duo)[:80]!r}")
    return ", ".join(parts)


def graph_steps(duo: Duo) -> list[str]:
    """The names of the graph's steps, in order."""
    steps: list[str] = js(duo, "return window.cy ? window.cy.nodes('[kind = \"step\"]')"
                               ".map(n => n.id()) : []")
    return [step.removeprefix(STEP_PREFIX) for step in steps]


def selected_nodes(duo: Duo) -> list[str]:
    """The element ids of the graph's selected nodes."""
    found: list[str] = js(duo, "return window.cy ? window.cy.$(':selected')"
                               ".map(n => n.id()) : []")
    return found


def wait_for_steps(duo: Duo, expected: list[str]) -> None:
    wait(duo, lambda: graph_steps(duo) == expected, f"graph steps {expected}")


def lineage(duo: Duo, pipeline: str, region: str = REGION) -> requests.Response:
    response = requests.get(f"{duo.server_url}/lineage",
                            params={"pipeline": pipeline, "region": region}, timeout=30)
    response.raise_for_status()
    return response


def url_query(duo: Duo) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(duo.driver.current_url).query).items()}


def choose(duo: Duo, dropdown: str, value: str) -> None:
    duo.find_element(f"#{dropdown}").click()
    option = duo.wait_for_element(f'.dash-dropdown-option input[value="{value}"]')
    option.find_element(By.XPATH, "./ancestor::label[1]").click()


def panel_text(duo: Duo) -> str:
    text: str = duo.find_element(f"#{ids.PANEL}").text
    return text


def severe_logs(duo: Duo) -> list[Any]:
    return [entry for entry in duo.driver.get_log("browser") if entry["level"] == "SEVERE"]


def tap_node(duo: Duo, node: str) -> None:
    """A real mouse click on the step's rendered position."""
    x, y = js(duo, "const p = window.cy.getElementById(arguments[0]).renderedPosition();"
                   "return [p.x, p.y];", step_element_id(node))
    canvas = duo.find_element(f"#{ids.GRAPH}")
    size = canvas.size
    chain: Any = UNTYPED_CHAINS(duo.driver)
    chain.move_to_element(canvas).move_by_offset(
        int(x - size["width"] / 2), int(y - size["height"] / 2)).click().perform()


def tap_until(duo: Duo, node: str) -> None:
    """Tap ``node`` until the URL names it: a click may land while Cytoscape is still busy."""
    for _ in range(3):
        tap_node(duo, node)
        try:
            wait(duo, lambda: url_query(duo).get("node") == node, f"node={node}", timeout=5)
            return
        except AssertionError:
            continue
    raise AssertionError(f"tapping {node} never selected it")


def tap_in_view_until(duo: Duo, element: str, graph_id: str, *, zoom: float | None = None) -> None:
    """A real click on ``element`` (an element id) of the graph ``graph_id``, brought into the
    view first (at ``zoom`` when given), until the URL names it."""
    zoomed = f"window.cy.zoom({zoom});" if zoom is not None else ""
    for _ in range(3):
        x, y = js(duo, "const n = window.cy.getElementById(arguments[0]); window.cy.stop();"
                       f"{zoomed} window.cy.center(n);"
                       "const p = n.renderedPosition(); return [p.x, p.y];", element)
        canvas = duo.find_element(f"#{graph_id}")
        size = canvas.size
        chain: Any = UNTYPED_CHAINS(duo.driver)
        chain.move_to_element(canvas).move_by_offset(
            int(x - size["width"] / 2), int(y - size["height"] / 2)).click().perform()
        try:
            wait(duo, lambda: url_query(duo).get("node") == element, f"node={element}",
                 timeout=5)
            return
        except AssertionError:
            continue
    raise AssertionError(f"tapping {element} never selected it")


# -- the tests ----------------------------------------------------------------------------------


def test_dropdowns_show_a_graph_equal_to_lineage_from_the_same_cache(
    dash_duo: Duo, mlops_app: dash.Dash
) -> None:
    dash_duo.start_server(mlops_app)
    dash_duo.wait_for_contains_text(f"#{ids.SANDBOX_BANNER}", "Sandbox data")
    assert "Choose a pipeline" in dash_duo.find_element(f"#{ids.MESSAGE}").text

    choose(dash_duo, ids.REGION, "us-east-1")
    wait(dash_duo, lambda: url_query(dash_duo).get("region") == "us-east-1", "region in URL")
    choose(dash_duo, ids.PIPELINE, "nlp-pipeline")
    nlp = [n["id"] for n in lineage(dash_duo, "nlp-pipeline", "us-east-1").json()["graph"]["nodes"]]
    wait_for_steps(dash_duo, nlp)
    dash_duo.wait_for_contains_text(f"#{ids.SUMMARY}", "Stopped")

    choose(dash_duo, ids.REGION, REGION)
    wait(dash_duo, lambda: url_query(dash_duo) == {"region": REGION}, "the region alone in URL")
    choose(dash_duo, ids.PIPELINE, "mlops-pipeline")
    started = time.monotonic()
    wait(dash_duo, lambda: "Train" in graph_steps(dash_duo),
         "mlops graph", )
    answer = lineage(dash_duo, "mlops-pipeline")
    # The graph's steps are /lineage's nodes, in order; and /lineage was served from the
    # entry the dashboard filled: one code path, one cache.
    assert graph_steps(dash_duo) == [n["id"] for n in answer.json()["graph"]["nodes"]]
    assert answer.headers["X-Cache"] == "hit"
    assert url_query(dash_duo) == {"region": REGION, "pipeline": "mlops-pipeline"}
    assert time.monotonic() - started < WAIT_SEC

    # Element data carries what other tools read, and the edge kinds differ in style.
    styles = js(dash_duo, """
        const cy = window.cy;
        const edge = via => cy.edges().filter(e => e.data('via') === via)[0];
        const look = e => [e.style('line-style'), e.style('target-arrow-shape'),
                           e.style('width')];
        return {depends: look(edge('dependsOn')), ref: look(edge('ref:Get')),
                condition: look(edge('condition')),
                train: [cy.$id('step:Train').data('type'), cy.$id('step:Train').data('status')]};
    """)
    assert styles["depends"][0] == "dashed" and styles["ref"][0] == "solid"
    assert styles["ref"][1] == "triangle" and styles["condition"][0] == "dotted"
    assert styles["depends"] != styles["ref"]
    assert styles["train"] == ["Training", "Succeeded"]

    # Exports: the lineage JSON as served, and a PNG of the graph.
    downloads = Path(dash_duo.download_path)
    dash_duo.driver.execute_cdp_cmd("Page.setDownloadBehavior",
                                    {"behavior": "allow", "downloadPath": str(downloads)})
    dash_duo.find_element(f"#{ids.EXPORT_JSON}").click()
    dash_duo.find_element(f"#{ids.EXPORT_PNG}").click()
    json_file = downloads / "mlops-pipeline-lineage.json"
    png_file = downloads / "mlops-pipeline-lineage.png"
    wait(dash_duo, lambda: json_file.exists() and png_file.exists(), "both downloads")
    assert json.loads(json_file.read_text(encoding="utf-8")) == answer.json()
    wait(dash_duo, lambda: png_file.read_bytes().startswith(b"\x89PNG"), "a PNG file")
    assert severe_logs(dash_duo) == []


def test_failed_and_succeeded_steps_differ_in_colour_and_border(
    dash_duo: Duo, mlops_app: dash.Dash
) -> None:
    dash_duo.start_server(mlops_app, )
    dash_duo.driver.get(f"{dash_duo.server_url}/?region={REGION}&pipeline=churn-pipeline")
    wait(dash_duo, lambda: len(graph_steps(dash_duo)) > 1, "churn graph")
    looks = js(dash_duo, """
        const look = s => window.cy.nodes().filter(n => n.data('status') === s).map(
            n => [n.data('label'), n.style('background-color'), n.style('border-style'),
                  n.style('border-width')]);
        return {failed: look('Failed'), succeeded: look('Succeeded')};
    """)
    assert looks["failed"] and looks["succeeded"], looks
    failed, succeeded = looks["failed"][0], looks["succeeded"][0]
    assert failed[1] != succeeded[1]  # colour
    assert (failed[2], failed[3]) != (succeeded[2], succeeded[3])  # and a second cue
    assert failed[0] == "TrainChurn"
    dash_duo.wait_for_contains_text(f"#{ids.SUMMARY}", "Failed")


def test_tapping_the_training_step_shows_metrics_and_encryption(
    dash_duo: Duo, mlops_app: dash.Dash
) -> None:
    dash_duo.start_server(mlops_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/?region={REGION}&pipeline=mlops-pipeline")
    wait(dash_duo, lambda: "Train" in graph_steps(dash_duo), "mlops graph")
    wait(dash_duo, lambda: js(dash_duo, "return window.cy.$id('step:Train')"
                                        ".renderedPosition().x > 0 && !window.cy.animated()"),
         "a laid-out graph")
    # A real click on the canvas; the first one may land while Cytoscape still fits the view.
    tap_until(dash_duo, "Train")
    wait(dash_duo, lambda: "validation:auc" in panel_text(dash_duo), "Train's metrics")
    text = panel_text(dash_duo)
    assert "0.63" in text and "train:auc" in text and "0.72" in text
    assert "Encryption" in text and "aws:kms" in text
    assert "Open in the AWS console" in text
    assert url_query(dash_duo).get("node") == "Train"


def test_the_url_opens_the_same_view_and_back_works(
    dash_duo: Duo, mlops_app: dash.Dash
) -> None:
    dash_duo.start_server(mlops_app)
    executions = requests.get(f"{dash_duo.server_url}/executions", timeout=30, params={
        "pipeline": "mlops-pipeline", "region": REGION}).json()["executions"]
    older_run = next(e for e in executions if e["id"] == "h4d8s2n6p0cd")  # it ran Evaluate
    older = older_run["id"]
    url = (f"{dash_duo.server_url}/?region={REGION}&pipeline=mlops-pipeline"
           f"&execution={older}&node=Evaluate")
    dash_duo.driver.get(url)
    wait(dash_duo, lambda: "Evaluate" in panel_text(dash_duo).split("\n")[0], "Evaluate panel")
    wait(dash_duo, lambda: selected_nodes(dash_duo) == ["step:Evaluate"], "Evaluate selected")
    # The execution dropdown names the chosen execution (its start time), not "Latest".
    started = older_run["startTime"].replace("T", " ").replace("Z", "")
    wait(dash_duo, lambda: started in dash_duo.find_element(f"#{ids.EXECUTION}").text,
         "the older execution in its dropdown")
    assert "Latest" not in dash_duo.find_element(f"#{ids.EXECUTION}").text
    first_view = panel_text(dash_duo)

    # The search box selects (and centres) a step and pushes a new URL.
    search = dash_duo.find_element(f"#{ids.SEARCH}")
    search.send_keys("train\n")
    wait(dash_duo, lambda: url_query(dash_duo).get("node") == "Train", "node=Train in URL")
    wait(dash_duo, lambda: panel_text(dash_duo).startswith("Train"), "Train panel")
    assert url_query(dash_duo)["execution"] == older

    dash_duo.driver.back()
    wait(dash_duo, lambda: panel_text(dash_duo).startswith("Evaluate"), "back to Evaluate")
    assert url_query(dash_duo).get("node") == "Evaluate"

    # The same URL in a fresh page shows the same view.
    dash_duo.driver.get(url)
    wait(dash_duo, lambda: panel_text(dash_duo) == first_view, "the same view again")
    assert severe_logs(dash_duo) == []


def test_forward_after_back_shows_the_next_view(dash_duo: Duo, mlops_app: dash.Dash) -> None:
    # It failed 3 runs in 4 while a programmatic selection in the graph could push a URL.
    dash_duo.start_server(mlops_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/?region={REGION}&pipeline=mlops-pipeline"
                        "&node=Evaluate")
    wait(dash_duo, lambda: panel_text(dash_duo).startswith("Evaluate"), "Evaluate panel")
    dash_duo.find_element(f"#{ids.SEARCH}").send_keys("train\n")
    wait(dash_duo, lambda: panel_text(dash_duo).startswith("Train"), "Train panel")
    dash_duo.driver.back()
    wait(dash_duo, lambda: panel_text(dash_duo).startswith("Evaluate"), "back to Evaluate")
    dash_duo.driver.forward()
    wait(dash_duo, lambda: panel_text(dash_duo).startswith("Train"), "forward to Train",
         timeout=10)


HOSTILE = '<img src=x onerror="window.__xss=1">'


def empty_sandbox(start_sandbox: Any) -> tuple[SandboxProcess, Any]:
    """A sandbox with no world, and a SageMaker client to put a pipeline in it."""
    sandbox: SandboxProcess = start_sandbox(seed_world=False)
    sagemaker = boto3.client(
        "sagemaker", region_name=REGION, endpoint_url=sandbox.endpoint,
        aws_access_key_id=SANDBOX_ACCESS_KEY_ID, aws_secret_access_key=SANDBOX_SECRET_ACCESS_KEY)
    return sandbox, sagemaker


def test_hostile_tags_are_shown_as_text_and_run_nothing(
    dash_duo: Duo, dashboard_app: AppFactory, start_sandbox: Any
) -> None:
    sandbox, sagemaker = empty_sandbox(start_sandbox)
    definition = {"Version": "2020-12-01", "Parameters": [], "Steps": [
        {"Name": "Prepare", "Type": "Processing", "Arguments": {}}]}
    sagemaker.create_pipeline(
        PipelineName="hostile-pipeline",
        PipelineDisplayName="hostile",
        PipelineDescription=HOSTILE,
        PipelineDefinition=json.dumps(definition),
        RoleArn="arn:aws:iam::123456789012:role/sandbox",
        ClientRequestToken="hostile-pipeline-create-token-0001",
        Tags=[{"Key": "note", "Value": HOSTILE}],
    )
    dash_duo.start_server(dashboard_app(sandbox.endpoint))
    dash_duo.driver.get(f"{dash_duo.server_url}/?region={REGION}&pipeline=hostile-pipeline")
    wait(dash_duo, lambda: graph_steps(dash_duo) == ["Prepare"], "the hostile pipeline's graph")
    summary = dash_duo.find_element(f"#{ids.SUMMARY}").text
    assert summary.count(HOSTILE) == 2  # the description and the tag, as text
    dash_duo.wait_for_contains_text(f"#{ids.MESSAGE}", "Never executed")
    time.sleep(0.5)  # an injected image would have failed to load by now
    assert js(dash_duo, "return window.__xss === undefined")
    assert js(dash_duo, "return [...document.images].filter(i => !i.src.startsWith('data:'))"
                        ".length") == 0
    assert severe_logs(dash_duo) == []


# Names JavaScript treats as special, and one whose bidi override would reverse its end.
SPECIAL_NAMES = ["__proto__", "constructor", "toString", "Train\u202egnp.exe"]
SPOOF_SHOWN = "Train\\u202egnp.exe"  # the escape, in ASCII


def special_definition() -> dict[str, Any]:
    """A chain of processing steps, each reading what the one before wrote."""
    def uri(i: int) -> str:
        return f"s3://special-bucket/step-{i}/out"

    steps = []
    for i, name in enumerate(SPECIAL_NAMES):
        arguments: dict[str, Any] = {"ProcessingOutputConfig": {"Outputs": [
            {"OutputName": "out", "S3Output": {"S3Uri": uri(i)}}]}}
        if i:
            arguments["ProcessingInputs"] = [{"InputName": "in", "S3Input": {"S3Uri": uri(i - 1)}}]
        steps.append({"Name": name, "Type": "Processing", "Arguments": arguments,
                      **({"DependsOn": [SPECIAL_NAMES[i - 1]]} if i else {})})
    return {"Version": "2020-12-01", "Parameters": [], "Steps": steps}


def test_steps_named_like_javascript_internals_are_all_drawn_and_names_cannot_reorder(
    dash_duo: Duo, dashboard_app: AppFactory, start_sandbox: Any
) -> None:
    sandbox, sagemaker = empty_sandbox(start_sandbox)
    sagemaker.create_pipeline(
        PipelineName="special-names", PipelineDefinition=json.dumps(special_definition()),
        RoleArn="arn:aws:iam::123456789012:role/sandbox",
        ClientRequestToken="special-names-pipeline-create-token-01")
    dash_duo.start_server(dashboard_app(sandbox.endpoint))
    dash_duo.driver.get(f"{dash_duo.server_url}/?region={REGION}&pipeline=special-names")
    wait(dash_duo, lambda: graph_steps(dash_duo) == SPECIAL_NAMES, "every step drawn")
    assert js(dash_duo, "return window.cy.nodes().length") == len(SPECIAL_NAMES)
    assert js(dash_duo, "return window.cy.edges().length") >= len(SPECIAL_NAMES) - 1

    # The label as Cytoscape draws it, and the tooltip: the override shown, never applied.
    spoof = step_element_id(SPECIAL_NAMES[-1])
    label = js(dash_duo, "return window.cy.getElementById(arguments[0]).style('label')", spoof)
    assert label == SPOOF_SHOWN
    tip = dash_duo.find_element(f"#{ids.GRAPH_TOOLTIP}")

    def hovered() -> bool:  # again until the graph's listeners are on
        js(dash_duo, "window.cy.getElementById(arguments[0]).emit('mouseover')", spoof)
        return bool(tip.is_displayed() and tip.text == SPOOF_SHOWN)

    wait(dash_duo, hovered, "the tooltip")

    # The data view: every step and the artifacts between them; the URL names a step plainly.
    dash_duo.driver.get(f"{dash_duo.server_url}/?region={REGION}&pipeline=special-names"
                        "&data=1&node=__proto__")
    wait(dash_duo, lambda: js(dash_duo, "return window.cy ? "
                                        "window.cy.nodes('[kind = \"artifact\"]').length : 0")
         == len(SPECIAL_NAMES), "the artifacts drawn")
    assert graph_steps(dash_duo) == SPECIAL_NAMES
    wait(dash_duo, lambda: selected_nodes(dash_duo) == ["step:__proto__"], "__proto__ selected")
    wait(dash_duo, lambda: panel_text(dash_duo).startswith("__proto__"), "its panel")
    assert "OUTPUTS" in panel_text(dash_duo) and "step-0/out" in panel_text(dash_duo)
    dash_duo.find_element(f"#{ids.SEARCH}").send_keys("train\n")
    wait(dash_duo, lambda: panel_text(dash_duo).startswith(SPOOF_SHOWN), "the spoof's panel")
    assert url_query(dash_duo)["node"] == SPECIAL_NAMES[-1]
    assert "\u202e" not in dash_duo.find_element(f"#{ids.PANEL}").text
    assert severe_logs(dash_duo) == []
