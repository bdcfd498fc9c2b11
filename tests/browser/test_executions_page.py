"""The Executions page in a real Chromium against the session's sandbox (issue 14's executions
list): mlops-pipeline's runs with absolute times and a column per parameter, a status chosen in
the dropdown held in the URL and only its runs shown, and "Next page" over the API's tokens
to the last run. Holds with 3 seeded runs or 36 (pages of 2, so there is always a next)."""

from __future__ import annotations

import re
from typing import Any

import dash
import requests

from dashboard.ui import ids
from tests.browser.test_dashboard import REGION, Duo, choose, severe_logs, url_query, wait
from tests.browser.test_first_look import screenshot

PIPELINE = "mlops-pipeline"
FAILED_RUN = "h4d8s2n6p0cd"
UTC_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC")


def rows(duo: Duo) -> list[dict[str, Any]]:
    """Each row shown: its execution id, status, cells' text and link addresses."""
    found: list[dict[str, Any]] = duo.driver.execute_script(
        "return [...document.querySelectorAll('#' + arguments[0] + ' tr.execution-row')]"
        ".map(r => ({id: r.dataset.execution, status: r.dataset.status,"
        " cells: [...r.cells].map(c => c.innerText),"
        " links: Object.fromEntries([...r.querySelectorAll('a')]"
        ".map(a => [a.innerText, a.getAttribute('href')]))}))", ids.EXECUTIONS_TABLE)
    return found


def shown_ids(duo: Duo) -> list[str]:
    return [row["id"] for row in rows(duo)]


def headings(duo: Duo) -> list[str]:
    found: list[str] = duo.driver.execute_script(
        "return [...document.querySelectorAll('#' + arguments[0] + ' th')]"
        ".map(th => th.innerText)", ids.EXECUTIONS_TABLE)
    return found


def next_enabled(duo: Duo) -> bool:
    return bool(duo.find_element(f"#{ids.EXECUTIONS_NEXT}").is_enabled())


def test_executions_filtered_by_status_in_the_url_and_paged_to_the_end(
    dash_duo: Duo, mlops_app: dash.Dash
) -> None:
    dash_duo.start_server(mlops_app)
    listing = requests.get(f"{dash_duo.server_url}/executions", timeout=30, params={
        "pipeline": PIPELINE, "region": REGION, "limit": "100"}).json()["executions"]
    everyone = [e["id"] for e in listing]
    failed = [e["id"] for e in listing if e["status"] == "Failed"]
    assert FAILED_RUN in failed

    dash_duo.driver.set_window_size(1440, 900)
    dash_duo.driver.get(f"{dash_duo.server_url}/executions/view?pipeline={PIPELINE}"
                        f"&region={REGION}&limit=2")
    wait(dash_duo, lambda: shown_ids(dash_duo) == everyone[:2], "the newest two runs")
    assert "TrainingInstanceType" in headings(dash_duo)  # a column per parameter
    newest, second = rows(dash_duo)
    for row in (newest, second):  # absolute times: a start, an end once it is over
        assert UTC_TIME.fullmatch(row["cells"][2]), row
        finished = row["status"] in ("Succeeded", "Failed", "Stopped")
        assert bool(UTC_TIME.fullmatch(row["cells"][3])) == finished, row
    # Each run's links: the pipeline page at that run, its timeline, compared with the newest.
    assert second["links"]["Pipeline"] == (f"/?region={REGION}&pipeline={PIPELINE}"
                                           f"&execution={second['id']}")
    assert second["links"]["Timeline"] == second["links"]["Pipeline"] + "&tab=timeline"
    assert second["links"]["Compare"] == (f"/compare/view?region={REGION}&pipeline={PIPELINE}"
                                          f"&a={second['id']}&b={newest['id']}")
    assert "Compare" not in newest["links"]
    screenshot(dash_duo, "executions-page")

    # Only the failed runs, the status held in the URL (from the first page again).
    choose(dash_duo, ids.EXECUTIONS_STATUS, "Failed")
    wait(dash_duo, lambda: url_query(dash_duo).get("status") == "Failed", "status in the URL")
    wait(dash_duo, lambda: shown_ids(dash_duo) == failed[:2], "the failed runs")
    assert {row["status"] for row in rows(dash_duo)} == {"Failed"}
    assert "token" not in url_query(dash_duo)

    # Every status again, then Next page over the API's tokens until the last run.
    dash_duo.driver.get(f"{dash_duo.server_url}/executions/view?pipeline={PIPELINE}"
                        f"&region={REGION}&limit=2")
    wait(dash_duo, lambda: shown_ids(dash_duo) == everyone[:2], "the first page again")
    seen = shown_ids(dash_duo)
    while len(seen) < len(everyone):
        wait(dash_duo, lambda: next_enabled(dash_duo), "Next page enabled")
        before = shown_ids(dash_duo)
        dash_duo.find_element(f"#{ids.EXECUTIONS_NEXT}").click()
        wait(dash_duo, lambda b=before: shown_ids(dash_duo) not in ([], b), "the next page")
        assert url_query(dash_duo).get("token")  # the page's place is in the URL
        seen += shown_ids(dash_duo)
    assert seen == everyone  # every run once, newest first
    wait(dash_duo, lambda: not next_enabled(dash_duo), "no page after the last")
    dash_duo.find_element(f"#{ids.EXECUTIONS_FIRST}").click()
    wait(dash_duo, lambda: shown_ids(dash_duo) == everyone[:2], "First page")
    assert "token" not in url_query(dash_duo)
    assert severe_logs(dash_duo) == []
