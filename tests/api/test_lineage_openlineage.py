"""``GET /lineage?format=openlineage``: the cached document's execution as the JSON array of
OpenLineage RunEvents (``lineage.openlineage.run_event_dicts``), as ``sagemaker-lineage dump
--format openlineage`` writes it; ``format=contract`` the document; anything else a 400."""

from __future__ import annotations

import pytest

from lineage.config import Settings
from lineage.errors import InvalidParameter
from lineage.openlineage import run_event_dicts
from lineage.request import LineageQuery, parse_lineage_query
from lineage.sandbox import SandboxProcess
from tests.api.conftest import Server

SEOUL = "ap-northeast-2"


def test_openlineage_implies_the_latest_execution_and_takes_no_view() -> None:
    def query(**params: str) -> LineageQuery:
        return parse_lineage_query(params, settings=Settings(), regions={SEOUL})

    asked = query(pipeline="p", format="openlineage", includeLatestExec="false")
    assert asked == query(pipeline="p", format="openlineage")
    assert asked.request.include_latest_exec
    plain = query(pipeline="p", format="contract", includeLatestExec="false")
    assert not plain.request.include_latest_exec
    for params, parameter in (({"format": "OpenLineage"}, "format"),
                              ({"format": "csv"}, "format"),
                              ({"format": "openlineage", "view": "both"}, "view"),
                              ({"format": "openlineage", "includeLatestExec": "x"},
                               "includeLatestExec")):
        with pytest.raises(InvalidParameter) as caught:
            query(pipeline="p", **params)
        assert caught.value.parameter == parameter
    with pytest.raises(InvalidParameter) as caught:
        query(pipeline="p", format="xml")
    assert caught.value.message == "format must be one of contract, openlineage"


@pytest.mark.sandbox
def test_the_events_are_the_cached_documents(api_server: Server,
                                             sandbox: SandboxProcess) -> None:
    params = {"pipeline": "mlops-pipeline", "region": SEOUL}
    document = api_server.get("/lineage", params=params)
    assert document.status_code == 200
    sandbox.reset_calls()
    events = api_server.get("/lineage", params={**params, "format": "openlineage",
                                                "includeLatestExec": "false"})
    assert events.status_code == 200, events.text
    assert events.headers["Content-Type"].startswith("application/json")
    assert events.headers["X-Cache"] == "hit" and sandbox.calls() == []
    answer = events.json()
    assert answer == run_event_dicts(document.json())
    assert isinstance(answer, list) and answer
    assert answer[0]["eventType"] == "START" and answer[0]["job"]["name"] == "mlops-pipeline"
    assert {e["job"]["name"] for e in answer} > {"mlops-pipeline"}  # the steps' jobs too
    contract = api_server.get("/lineage", params={**params, "format": "contract"})
    assert contract.json() == document.json()


@pytest.mark.sandbox
@pytest.mark.parametrize(("extra", "parameter"), [
    ({"format": "json"}, "format"),
    ({"format": "openlineage", "view": "data"}, "view"),
])
def test_a_wrong_format_is_a_400_naming_the_parameter(
    api_server: Server, extra: dict[str, str], parameter: str
) -> None:
    response = api_server.get("/lineage", params={"pipeline": "mlops-pipeline", **extra})
    assert response.status_code == 400
    assert response.json()["message"].startswith(parameter)
