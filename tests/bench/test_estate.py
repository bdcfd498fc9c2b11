"""The estate rows' pure parts: the ledger read by operation, a finished build, the polling."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dashboard.bench import estate
from dashboard.bench.estate import (
    Build,
    build,
    estate_path,
    estate_rows,
    propagation_check,
    query_path,
)
from dashboard.bench.figures import (
    Check,
    Row,
    describe_operations,
    estate_built,
    estate_shape,
    format_table,
    operation_counts,
    pipelines_read,
)
from dashboard.bench.load import Answer
from dashboard.bench.processes import BenchError


def _calls(*operations: str) -> list[dict[str, str]]:
    return [{"service": "sagemaker", "operation": o, "region": "ap-northeast-2"}
            for o in operations]


def test_operations_are_counted_most_made_first() -> None:
    calls = _calls("ListPipelines", "ListModels", "ListPipelines", "ListEndpoints",
                   "ListPipelines")
    assert operation_counts(calls) == {"ListPipelines": 3, "ListEndpoints": 1, "ListModels": 1}
    assert describe_operations(calls) == "ListPipelines x3, ListEndpoints x1, ListModels x1"
    assert describe_operations(calls, most=1) == "ListPipelines x3, 2 other operations x2"
    assert describe_operations([]) == "no AWS call"


def test_pipelines_read_one_describe_each() -> None:
    assert pipelines_read(_calls("ListPipelines", "ListPipelines")) == 0
    read = _calls("DescribePipelineExecution", "DescribePipelineDefinitionForExecution",
                  "DescribePipelineExecution", "DescribePipelineDefinitionForExecution")
    assert pipelines_read(read) == 2
    # Either one is enough: a reader that skips one of them still reads the pipeline.
    assert pipelines_read(_calls("DescribePipelineDefinitionForExecution")) == 1


def test_a_build_is_finished_without_progress_and_newer_than_the_last() -> None:
    done = {"nodes": [], "generatedAt": "2025-03-01T00:00:02Z"}
    assert estate_built(done)
    assert estate_built(done, previous="2025-03-01T00:00:00Z")
    assert not estate_built(done, previous="2025-03-01T00:00:02Z")
    building = {**done, "progress": {"pipelinesRead": 3, "pipelinesTotal": 207}}
    assert not estate_built(building)


def test_estate_shape_counts_nodes_by_kind() -> None:
    document = {"nodes": [{"kind": "pipeline"}, {"kind": "dataset"}, {"kind": "dataset"}],
                "edges": [{}], "warnings": []}
    assert estate_shape(document) == "3 nodes (2 dataset, 1 pipeline), 1 edges, 0 warnings"


def test_exact_checks_and_counts_in_the_table() -> None:
    assert Check("read again", 1, 1, exactly=True).met is True
    assert Check("read again", 0, 1, exactly=True).met is False
    assert Check("read again", 2, 1, exactly=True).met is False
    table = format_table([Row(10, "one changed", [Check("read again", 0, 1, exactly=True)]),
                          Row(9, "unchanged", [Check("AWS calls", 9, 2)])])
    lines = table.splitlines()
    assert lines[2] == "| 10 | **one changed**: read again | 0 | = 1 | **no** |  |"
    assert lines[3] == "| 9 | **unchanged**: AWS calls | 9 | <= 2 | **no** |  |"


def test_estate_rows_and_paths() -> None:
    rows = estate_rows(200)
    assert [row.number for row in rows] == [8, 9, 10, 11, 12, 13]
    assert "200 generated pipelines" in rows[0].title
    assert estate_path() == "/estate?region=ap-northeast-2"
    assert query_path("provenance", endpoint="churn-prod") == (
        "/provenance?endpoint=churn-prod&region=ap-northeast-2"
    )


class _Server:
    """Answers /estate from a script of documents; the last one again once it runs out."""

    def __init__(self, documents: list[dict[str, Any]], status: int = 200) -> None:
        self.documents = documents
        self.status = status
        self.asked = 0

    def get(self, path: str) -> Answer:
        assert path == estate_path()
        document = self.documents[min(self.asked, len(self.documents) - 1)]
        self.asked += 1
        return Answer(self.status, {}, json.dumps(document).encode(), 0.01)


class _Sandbox:
    def __init__(self) -> None:
        self.resets = 0

    def reset_calls(self) -> None:
        self.resets += 1

    def calls(self) -> list[dict[str, str]]:
        return _calls("ListPipelines")


def _progress(read: int) -> dict[str, Any]:
    return {"nodes": [], "generatedAt": "t1", "progress": {"pipelinesRead": read,
                                                           "pipelinesTotal": 207}}


@pytest.fixture(autouse=True)
def _no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(estate, "POLL_SEC", 0.0)


def test_build_polls_until_an_answer_without_progress() -> None:
    server = _Server([_progress(0), _progress(120), {"nodes": [], "generatedAt": "t1"}])
    sandbox = _Sandbox()
    built = build(server, sandbox)  # type: ignore[arg-type]
    assert isinstance(built, Build)
    assert (built.answers, built.first_had_progress, built.generated_at) == (3, True, "t1")
    assert built.slowest_seconds == 0.01
    assert sandbox.resets == 1 and built.calls == _calls("ListPipelines")


def test_build_waits_past_the_previous_build() -> None:
    server = _Server([{"nodes": [], "generatedAt": "t1"}, {"nodes": [], "generatedAt": "t2"}])
    built = build(server, _Sandbox(), previous="t1")  # type: ignore[arg-type]
    assert (built.answers, built.first_had_progress, built.generated_at) == (2, False, "t2")


def test_build_gives_up_on_an_error_or_after_its_timeout() -> None:
    with pytest.raises(BenchError, match="answered 500"):
        build(_Server([{}], status=500), _Sandbox())  # type: ignore[arg-type]
    with pytest.raises(BenchError, match="5 of 207 read"):
        build(_Server([_progress(5)]), _Sandbox(), timeout=-1.0)  # type: ignore[arg-type]


def test_propagation_is_measured_on_the_estate_the_server_built() -> None:
    insecure = {"encryption": "None", "versioning": "Enabled", "publicAccess": "Blocked",
                "tags": {}}
    document = {
        "nodes": [
            {"id": "dataset:s3://b/raw", "kind": "dataset", "label": "s3://b/raw",
             "attributes": {"uri": "s3://b/raw", "bucket": "b", "s3": insecure}},
            {"id": "pipeline:1:r:p", "kind": "pipeline", "label": "p", "attributes": {}},
            {"id": "endpoint:e", "kind": "endpoint", "label": "e", "attributes": {}},
        ],
        "edges": [{"from": "dataset:s3://b/raw", "to": "pipeline:1:r:p", "kind": "reads",
                   "steps": ["Prep"]},
                  {"from": "pipeline:1:r:p", "to": "endpoint:e", "kind": "deploys",
                   "steps": []}],
    }
    check = propagation_check(document, build_seconds=2.0)
    assert check.value is not None and check.goal == 10.0 and check.unit == " %"
    assert "3 of 3 nodes at risk" in check.info  # the dataset, and both downstream of it
