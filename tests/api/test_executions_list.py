"""/executions' pages, filters and parameters over real HTTP on the sandbox (issue 14's
executions list): tokens followed to the end, status and parameter filters, every error a 400
naming its parameter, and pages served from the cache without AWS.

Written to hold however many runs ``mlops-pipeline`` has (3 seeded, or 36 with its history):
what is compared is the listing itself, and the runs named are seeded ones: ``h4d8s2n6p0cd``
Failed, ``r3a5pd8rmk8r`` (the newest finished) ran on ``ml.m5.2xlarge``.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from lineage.request import EXECUTION_STATUSES, ExecutionsRequest, ListingPosition
from lineage.sandbox import SandboxProcess
from tests.api.conftest import Server

pytestmark = pytest.mark.sandbox

PIPELINE = "mlops-pipeline"
SEOUL = "ap-northeast-2"
FAILED_RUN = "h4d8s2n6p0cd"
BIG_INSTANCE_RUN = "r3a5pd8rmk8r"


def ok(answer: requests.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def listing(server: Server, **params: str) -> dict[str, Any]:
    return ok(server.get("/executions", params={"pipeline": PIPELINE, **params}))


def every_page(server: Server, **params: str) -> list[dict[str, Any]]:
    """The pages of a listing, its tokens followed to the end."""
    pages = [listing(server, **params)]
    while "nextToken" in pages[-1]:
        assert len(pages) < 100, "the tokens never end"
        pages.append(listing(server, **params, token=pages[-1]["nextToken"]))
    return pages


def ids(pages: list[dict[str, Any]]) -> list[str]:
    return [e["id"] for page in pages for e in page["executions"]]


def refused(server: Server, **params: str) -> str:
    answer = server.get("/executions", params={"pipeline": PIPELINE, **params})
    assert answer.status_code == 400, answer.text
    assert answer.headers["Content-Type"] == "application/json"
    body = answer.json()
    assert list(body) == ["message"]
    message: str = body["message"]
    return message


def test_pages_of_two_list_every_execution_once_newest_first(api_server: Server) -> None:
    whole = listing(api_server, limit="100")["executions"]
    assert len(whole) >= 3 and FAILED_RUN in [e["id"] for e in whole]
    pages = every_page(api_server, limit="2")
    assert ids(pages) == [e["id"] for e in whole]  # each once, in the listing's order
    assert all(len(page["executions"]) == 2 for page in pages[:-1])
    starts = [e["startTime"] for page in pages for e in page["executions"]]
    assert starts == sorted(starts, reverse=True)
    assert "nextToken" not in pages[-1]
    # Each page is the whole page of the listing it continues, end times included (not the
    # elapsed time: a running execution's grows between the two listings).
    def steady(execution: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in execution.items() if key != "elapsedSec"}

    assert [steady(e) for page in pages for e in page["executions"]] == [
        steady(e) for e in whole]


def test_the_default_page_says_where_to_read_on(api_server: Server) -> None:
    total = len(listing(api_server, limit="100")["executions"])
    first = listing(api_server)
    assert len(first["executions"]) == min(total, 20)
    assert ("nextToken" in first) == (total > 20)
    assert set(first) <= {"pipeline", "region", "executions", "warnings", "generatedAt",
                          "nextToken"}
    assert all("parameters" not in e for e in first["executions"])  # only when asked
    assert ids(every_page(api_server)) == ids([listing(api_server, limit="100")])


def test_failed_executions_only(api_server: Server) -> None:
    pages = every_page(api_server, status="Failed", limit="2")
    found = [e for page in pages for e in page["executions"]]
    assert FAILED_RUN in [e["id"] for e in found]
    assert {e["status"] for e in found} == {"Failed"}
    whole = listing(api_server, limit="100")["executions"]
    assert [e["id"] for e in found] == [e["id"] for e in whole if e["status"] == "Failed"]
    succeeded = listing(api_server, status="Succeeded", limit="100")["executions"]
    assert succeeded and {e["status"] for e in succeeded} == {"Succeeded"}


def test_a_parameter_value_filters_and_shows_the_parameters(api_server: Server) -> None:
    found = listing(api_server, **{"param.TrainingInstanceType": "ml.m5.2xlarge"})
    assert BIG_INSTANCE_RUN in [e["id"] for e in found["executions"]]
    assert all(e["parameters"]["TrainingInstanceType"] == "ml.m5.2xlarge"
               for e in found["executions"])
    both = listing(api_server, status="Failed", **{
        "param.TrainingInstanceType": "ml.m5.2xlarge"})["executions"]
    assert BIG_INSTANCE_RUN not in [e["id"] for e in both]  # it Succeeded
    none = listing(api_server, **{"param.TrainingInstanceType": "ml.p5.nowhere"})
    assert none["executions"] == [] and "nextToken" not in none


def test_parameters_true_gives_each_executions_values(api_server: Server) -> None:
    found = listing(api_server, parameters="true", limit="100")["executions"]
    assert all(isinstance(e["parameters"], dict) for e in found)
    newest = next(e for e in found if e["id"] == BIG_INSTANCE_RUN)
    assert newest["parameters"]["TrainingInstanceType"] == "ml.m5.2xlarge"
    # The same executions as without them, in the same order.
    assert [e["id"] for e in found] == ids([listing(api_server, limit="100")])


def test_pages_are_served_from_the_cache_without_aws(
    api_server: Server, sandbox: SandboxProcess
) -> None:
    every_page(api_server, limit="3", parameters="true")  # cold or warm: now it is cached
    sandbox.reset_calls()
    again = every_page(api_server, limit="3", parameters="true")
    assert {page["executions"][0]["id"] for page in again}  # pages, read again
    # Another limit, a filter: cut from the same pages of the listing.
    listing(api_server, limit="7", parameters="true")
    listing(api_server, status="Failed", parameters="true", limit="20")
    assert sandbox.calls() == []
    answer = api_server.get("/executions", params={"pipeline": PIPELINE, "limit": "3",
                                                   "parameters": "true"})
    assert answer.headers["X-Cache"] == "hit"


def test_a_forged_token_is_a_400_before_aws(api_server: Server, sandbox: SandboxProcess) -> None:
    sandbox.reset_calls()
    for token in ("forged", "eyJ2IjoxfQ", "A" * 3996, "token with spaces"):
        assert "token" in refused(api_server, token=token)
    assert sandbox.calls() == []


def test_a_token_of_another_listing_is_a_400(api_server: Server) -> None:
    first = listing(api_server, limit="1")
    assert "nextToken" in first
    assert "another listing" in refused(api_server, token=first["nextToken"],
                                        status="Failed")
    answer = api_server.get("/executions", params={"pipeline": "churn-pipeline",
                                                   "token": first["nextToken"]})
    assert answer.status_code == 400 and "token" in answer.json()["message"]


def test_a_next_token_aws_refuses_is_a_400_without_its_text(api_server: Server) -> None:
    # Well formed, for this listing, but AWS's NextToken inside is not AWS's.
    token = ExecutionsRequest(PIPELINE, SEOUL).token(ListingPosition(20, "bm90LWF3cw"))
    message = refused(api_server, token=token)
    assert "token" in message and "pagination" not in message.lower()


@pytest.mark.parametrize(("params", "parameter"), [
    ({"status": "Bogus"}, "status"),
    ({"status": "succeeded"}, "status"),
    ({"param.has space": "x"}, "param."),
    ({"param.Train<script>": "x"}, "param."),
    ({"param.TrainingInstanceType": "x" * 1025}, "param.TrainingInstanceType"),
    ({"parameters": "perhaps"}, "parameters"),
    ({f"param.P{n}": "v" for n in range(11)}, "param."),
])
def test_bad_filters_are_400_naming_them(
    api_server: Server, params: dict[str, str], parameter: str
) -> None:
    message = refused(api_server, **params)
    assert parameter in message and "<script>" not in message


def test_every_status_is_accepted(api_server: Server) -> None:
    for status in EXECUTION_STATUSES:
        found = listing(api_server, status=status, limit="100")["executions"]
        assert {e["status"] for e in found} <= {status}
