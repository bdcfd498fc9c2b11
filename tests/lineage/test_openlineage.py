"""A lineage document as OpenLineage RunEvents (lineage.openlineage), every event validated
against the spec's JSON Schema and each facet against its own (tests/openlineage_support.py)."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from importlib import metadata
from typing import Any

import jsonschema
import pytest
from openlineage.client.event_v2 import RunEvent
from openlineage.client.facet_v2 import (
    error_message_run,
    execution_parameters_run,
    job_type_job,
    parent_run,
    schema_dataset,
)

from lineage.aws import ClientFactory, sagemaker_regions
from lineage.config import Settings
from lineage.contract import lineage_schema
from lineage.errors import InvalidParameter
from lineage.models import LineageDocument
from lineage.openlineage import (
    BUCKET_SECURITY_FACET,
    FACET_SCHEMA_BASE,
    METRICS_FACET,
    PRODUCER,
    PRODUCER_VERSION,
    BucketSecurityDatasetFacet,
    MetricsRunFacet,
    facet_schemas,
    run_event_dicts,
    run_events,
)
from lineage.request import parse_lineage_request
from lineage.sandbox import SandboxProcess, apply_environment, sandbox_environment
from lineage.service import LineageService
from tests.openlineage_support import SCHEMAS, event_problems, validate_event

EXECUTION_ARN = "arn:aws:sagemaker:ap-northeast-2:123456789012:pipeline/demo/execution/abc123"
NAMESPACE = "arn:aws:sagemaker:ap-northeast-2:123456789012"
S3 = {
    "encryption": "None", "versioning": "Suspended", "publicAccess": "NotBlocked",
    "tags": None, "region": "ap-northeast-2", "publicPolicy": "Public",
    "lifecycle": [{"prefix": "raw/", "expirationDays": 30, "expirationDate": None,
                   "noncurrentDays": None}],
    "objectLock": "Disabled",
    "sensitiveData": {"status": "Found", "findings": 2,
                      "types": ["SensitiveData:S3Object/Personal"]},
}


def run(status: str, start: str | None, end: str | None, **more: Any) -> dict[str, Any]:
    return {"status": status, "startTime": start, "endTime": end, "elapsedSec": None,
            "jobArn": None, "metrics": {}, "failureReason": None, "cacheHit": False,
            "attempts": 1, **more}


def document() -> dict[str, Any]:
    """A contract document: Prepare succeeded, Train failed, Evaluate never ran."""
    raw = "s3://demo-raw/input/customers.csv"
    train = "s3://demo-work/demo/abc123/Prepare/train"
    return {
        "pipeline": {"name": "demo", "arn": "arn:aws:sagemaker:ap-northeast-2:123456789012:"
                     "pipeline/demo", "lastModifiedTime": None, "displayName": None,
                     "description": None, "region": "ap-northeast-2", "lastRunTime": None,
                     "tags": {}},
        "execution": {"arn": EXECUTION_ARN, "id": "abc123", "displayName": None,
                      "status": "Failed", "startTime": "2025-03-03T03:00:00Z",
                      "endTime": "2025-03-03T03:10:00Z", "elapsedSec": 600,
                      "failureReason": "Step failure: One or multiple steps failed.",
                      "parameters": {"InputData": raw, "Threshold": "0.8"}},
        "summary": {"overallStatus": "Failed", "nodeStatus": {}, "elapsedSec": 600},
        "graph": {
            "nodes": [
                {"id": "Prepare", "type": "Processing",
                 "inputs": [{"name": "raw", "uri": raw}, {"name": "again", "uri": raw}],
                 "outputs": [{"name": "train", "uri": train}],
                 "run": run("Succeeded", "2025-03-03T03:00:05Z", "2025-03-03T03:04:00Z")},
                {"id": "Train", "type": "Training",
                 "inputs": [{"name": "train", "uri": train}],
                 "outputs": [{"name": "model", "uri": "s3://demo-work/models/"
                              "{Steps.Train.TrainingJobName}/output/model.tar.gz"},
                             {"name": "bucket", "uri": "s3://demo-work"}],
                 "run": run("Failed", "2025-03-03T03:04:05Z", "2025-03-03T03:09:00Z",
                            metrics={"train:auc": 0.71, "validation:auc": 0.6},
                            failureReason="AlgorithmError: out of memory")},
                {"id": "Evaluate", "type": "Processing",
                 "inputs": [{"name": "train", "uri": train}], "outputs": []},
            ],
            "edges": [],
            "artifacts": [
                {"id": 1, "uri": raw, "bucket": "demo-raw", "key": "input/customers.csv",
                 "producers": [], "consumers": ["Prepare"], "s3": S3,
                 "risk": {"severity": "critical", "inherited": [], "findings": [
                     {"id": "x", "rule": "S3_PUBLIC_BY_POLICY", "severity": "critical",
                      "kind": "violation", "bucket": "demo-raw", "setting": "publicPolicy",
                      "title": "The bucket policy makes it public", "detail": "d",
                      "remedy": "r"}]}},
                {"id": 2, "uri": train, "bucket": "demo-work",
                 "key": "demo/abc123/Prepare/train", "producers": ["Prepare"],
                 "consumers": ["Train"],
                 "schema": [{"name": "customer_id", "type": "string"},
                            {"name": "tenure", "type": "int"}, {"type": "no name"}]},
            ],
        },
        "warnings": [],
        "generatedAt": "2025-03-03T04:00:00Z",
    }


def summary(events: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(e["eventType"], e["job"]["name"], e["eventTime"]) for e in events]


@pytest.fixture(scope="module")
def events() -> list[dict[str, Any]]:
    found = run_event_dicts(document())
    for event in found:
        validate_event(event)
    return found


def test_a_failed_execution_is_a_parent_run_and_a_run_per_step_at_their_times(
    events: list[dict[str, Any]],
) -> None:
    assert summary(events) == [
        ("START", "demo", "2025-03-03T03:00:00Z"),
        ("START", "demo.Prepare", "2025-03-03T03:00:05Z"),
        ("COMPLETE", "demo.Prepare", "2025-03-03T03:04:00Z"),
        ("START", "demo.Train", "2025-03-03T03:04:05Z"),
        ("FAIL", "demo.Train", "2025-03-03T03:09:00Z"),
        ("FAIL", "demo", "2025-03-03T03:10:00Z"),
    ]  # Evaluate did not run: no events
    assert {e["job"]["namespace"] for e in events} == {NAMESPACE}
    assert {e["producer"] for e in events} == {PRODUCER}
    parent_id = events[0]["run"]["runId"]
    assert events[-1]["run"]["runId"] == parent_id
    for event in events[1:-1]:
        parent = event["run"]["facets"]["parent"]
        assert parent["run"]["runId"] == parent_id
        assert parent["job"] == {"namespace": NAMESPACE, "name": "demo", "facets": {}}
        assert parent["root"]["run"]["runId"] == parent_id
    assert events[1]["run"]["runId"] == events[2]["run"]["runId"] != events[3]["run"]["runId"]
    assert events[0]["job"]["facets"]["jobType"]["jobType"] == "Pipeline"
    assert events[3]["job"]["facets"]["jobType"] == {
        "_producer": PRODUCER, "_schemaURL": job_type_job.JobTypeJobFacet._get_schema(),
        "processingType": "BATCH", "integration": "SAGEMAKER", "jobType": "Training"}


def test_failures_carry_an_error_message_facet(events: list[dict[str, Any]]) -> None:
    step_fail, pipeline_fail = events[4]["run"]["facets"], events[5]["run"]["facets"]
    assert step_fail["errorMessage"]["message"] == "AlgorithmError: out of memory"
    assert pipeline_fail["errorMessage"]["message"] == (
        "Step failure: One or multiple steps failed.")
    assert step_fail["errorMessage"]["programmingLanguage"] == "UNKNOWN"
    assert "errorMessage" not in events[3]["run"]["facets"]  # not on START
    assert all("errorMessage" not in e["run"]["facets"] for e in events[:3])


def test_datasets_are_named_by_the_naming_spec_once_each_without_placeholders(
    events: list[dict[str, Any]],
) -> None:
    prepare_start = events[1]
    assert [(d["namespace"], d["name"]) for d in prepare_start["inputs"]] == [
        ("s3://demo-raw", "input/customers.csv")]  # listed twice, one dataset
    assert [(d["namespace"], d["name"]) for d in prepare_start["outputs"]] == [
        ("s3://demo-work", "demo/abc123/Prepare/train")]
    assert events[2]["inputs"] == prepare_start["inputs"]  # the end event has them too
    # The model's {Steps.Train.TrainingJobName} is not known: no dataset; a bucket is "/".
    assert [(d["namespace"], d["name"]) for d in events[4]["outputs"]] == [
        ("s3://demo-work", "/")]


def test_bucket_security_is_a_custom_facet_of_the_artifacts_s3(
    events: list[dict[str, Any]],
) -> None:
    facet = events[1]["inputs"][0]["facets"][BUCKET_SECURITY_FACET]
    assert facet == {
        "_producer": PRODUCER,
        "_schemaURL": f"{FACET_SCHEMA_BASE}BucketSecurityDatasetFacet.json"
                      "#/$defs/BucketSecurityDatasetFacet",
        "bucket": "demo-raw", "encryption": "None", "versioning": "Suspended",
        "publicAccess": "NotBlocked", "region": "ap-northeast-2", "publicPolicy": "Public",
        "objectLock": "Disabled",
        # tags: null in the contract (could not be read) is absent; nulls of rules too.
        "lifecycle": [{"prefix": "raw/", "expirationDays": 30}],
        "sensitiveData": {"status": "Found", "findings": 2,
                          "types": ["SensitiveData:S3Object/Personal"]},
        "severity": "critical",
        "findings": [{"rule": "S3_PUBLIC_BY_POLICY", "severity": "critical",
                      "title": "The bucket policy makes it public"}],
    }
    # No s3 (ENABLE_S3_META=false): no facet.
    assert BUCKET_SECURITY_FACET not in events[1]["outputs"][0]["facets"]


def test_a_schema_on_an_artifact_is_a_schema_facet(events: list[dict[str, Any]]) -> None:
    facet = events[1]["outputs"][0]["facets"]["schema"]
    assert facet["_schemaURL"] == schema_dataset.SchemaDatasetFacet._get_schema()
    assert facet["fields"] == [{"name": "customer_id", "type": "string", "fields": []},
                               {"name": "tenure", "type": "int", "fields": []}]
    assert "schema" not in events[1]["inputs"][0]["facets"]


@pytest.mark.parametrize("shape", ["columns", "fields"])
def test_a_schema_may_hold_its_columns_under_a_key(shape: str) -> None:
    doc = document()
    doc["graph"]["artifacts"][1]["schema"] = {shape: [{"name": "a", "type": "double"}]}
    facet = run_event_dicts(doc)[1]["outputs"][0]["facets"]["schema"]
    assert facet["fields"] == [{"name": "a", "type": "double", "fields": []}]


def test_metrics_are_a_custom_run_facet(events: list[dict[str, Any]]) -> None:
    for event in events[3:5]:
        assert event["run"]["facets"][METRICS_FACET] == {
            "_producer": PRODUCER,
            "_schemaURL": f"{FACET_SCHEMA_BASE}MetricsRunFacet.json#/$defs/MetricsRunFacet",
            "metrics": {"train:auc": 0.71, "validation:auc": 0.6},
        }
    assert METRICS_FACET not in events[1]["run"]["facets"]  # Prepare reported none


def test_the_parameters_are_an_execution_parameters_facet(events: list[dict[str, Any]]) -> None:
    facet = events[0]["run"]["facets"]["executionParameters"]
    assert facet["_schemaURL"] == (
        execution_parameters_run.ExecutionParametersRunFacet._get_schema())
    assert facet["parameters"] == [
        {"key": "InputData", "value": "s3://demo-raw/input/customers.csv"},
        {"key": "Threshold", "value": "0.8"}]


def test_run_ids_are_deterministic_uuid7_of_the_arns_and_start_times() -> None:
    first, again = run_event_dicts(document()), run_event_dicts(document())
    assert first == again
    ids = [uuid.UUID(e["run"]["runId"]) for e in first]
    assert {i.version for i in ids} == {7}
    # The millisecond timestamp of a UUIDv7 is the run's start.
    assert ids[0].int >> 80 == 1740970800000  # 2025-03-03T03:00:00Z
    other = document()
    other["execution"]["arn"] = EXECUTION_ARN.replace("abc123", "def456")
    assert {e["run"]["runId"] for e in run_event_dicts(other)}.isdisjoint(
        {e["run"]["runId"] for e in first})


def test_a_run_without_a_start_time_gets_a_uuid5() -> None:
    doc = document()
    doc["execution"]["startTime"] = None
    events = run_event_dicts(doc)
    assert uuid.UUID(events[0]["run"]["runId"]).version == 5
    assert events[0]["job"]["name"] == "demo"
    assert events[0]["eventTime"] == "2025-03-03T03:00:05Z"  # its first step's start


def test_running_steps_and_executions_have_their_start_only() -> None:
    doc = document()
    doc["execution"].update(status="Executing", endTime=None, failureReason=None)
    nodes = doc["graph"]["nodes"]
    nodes[1]["run"] = run("Executing", "2025-03-03T03:04:05Z", None)
    nodes[2]["run"] = run("Stopped", "2025-03-03T03:05:00Z", "2025-03-03T03:06:00Z")
    events = run_event_dicts(doc)
    for event in events:
        validate_event(event)
    assert summary(events) == [
        ("START", "demo", "2025-03-03T03:00:00Z"),
        ("START", "demo.Prepare", "2025-03-03T03:00:05Z"),
        ("COMPLETE", "demo.Prepare", "2025-03-03T03:04:00Z"),
        ("START", "demo.Train", "2025-03-03T03:04:05Z"),
        ("START", "demo.Evaluate", "2025-03-03T03:05:00Z"),
        ("ABORT", "demo.Evaluate", "2025-03-03T03:06:00Z"),
    ]


def test_no_execution_no_events() -> None:
    doc = document()
    doc["execution"] = None
    assert run_events(doc) == []


def test_the_namespace_can_be_chosen() -> None:
    events = run_event_dicts(document(), namespace="sagemaker-prod")
    assert {e["job"]["namespace"] for e in events} == {"sagemaker-prod"}
    assert events[1]["run"]["facets"]["parent"]["job"]["namespace"] == "sagemaker-prod"


@pytest.mark.parametrize(
    ("change", "parameter", "fragment"),
    [
        (lambda d: d["execution"].update(arn="not-an-arn"), "document", "execution.arn"),
        (lambda d: d["graph"].update(nodes={}), "document", "graph.nodes must be a list"),
        (lambda d: d["graph"]["nodes"][0]["run"].update(startTime="yesterday"), "document",
         "graph.nodes[0].run.startTime must be an ISO-8601 time"),
        (lambda d: d["pipeline"].update(name=""), "document", "pipeline.name"),
        (lambda d: d.update(generatedAt=None), "document", "generatedAt"),
        (lambda d: d["graph"]["nodes"][1].update(id=7), "document", "graph.nodes[1].id"),
    ],
)
def test_a_malformed_document_is_a_clear_error(
    change: Any, parameter: str, fragment: str
) -> None:
    doc = document()
    change(doc)
    with pytest.raises(InvalidParameter) as raised:
        run_events(doc)
    assert raised.value.parameter == parameter
    assert fragment in raised.value.message


@pytest.mark.parametrize("namespace", ["", "  ", "a\nb", "x" * 1025])
def test_a_bad_namespace_is_a_clear_error(namespace: str) -> None:
    with pytest.raises(InvalidParameter) as raised:
        run_events(document(), namespace=namespace)
    assert raised.value.parameter == "namespace"


def test_events_are_the_clients_own_models() -> None:
    events = run_events(document())
    assert all(isinstance(e, RunEvent) for e in events)
    facets = events[4].run.facets or {}
    assert isinstance(facets["parent"], parent_run.ParentRunFacet)
    assert isinstance(facets["errorMessage"], error_message_run.ErrorMessageRunFacet)
    assert isinstance(facets[METRICS_FACET], MetricsRunFacet)
    dataset_facets = events[1].inputs[0].facets or {}  # type: ignore[index]
    assert isinstance(dataset_facets[BUCKET_SECURITY_FACET], BucketSecurityDatasetFacet)


def test_the_shipped_facet_schemas_are_json_schemas_of_their_urls() -> None:
    schemas = facet_schemas()
    assert set(schemas) == {
        f"{FACET_SCHEMA_BASE}BucketSecurityDatasetFacet.json",
        f"{FACET_SCHEMA_BASE}MetricsRunFacet.json",
    }
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    assert BucketSecurityDatasetFacet._get_schema().partition("#")[0] in schemas
    assert MetricsRunFacet._get_schema().partition("#")[0] in schemas


def test_the_vendored_spec_is_the_version_the_client_writes() -> None:
    events = run_events(document())
    event = events[4]
    urls = [event.schemaURL, *(f._schemaURL for f in (event.run.facets or {}).values()),
            *(f._schemaURL for f in (event.job.facets or {}).values()),
            events[0].run.facets["executionParameters"]._schemaURL,  # type: ignore[index]
            events[1].outputs[0].facets["schema"]._schemaURL]  # type: ignore[index]
    for url in urls:
        assert url.partition("#")[0] in SCHEMAS, url


@pytest.mark.parametrize(
    "spoil",
    [
        lambda e: e["run"].update(runId="not-a-uuid"),
        lambda e: e.update(eventTime="03:00"),
        lambda e: e["run"]["facets"]["parent"].pop("_schemaURL"),
        lambda e: e["run"]["facets"][METRICS_FACET]["metrics"].update(auc="high"),
        lambda e: e["outputs"][0]["facets"].update(
            {BUCKET_SECURITY_FACET: {"_producer": PRODUCER, "_schemaURL":
                                     BucketSecurityDatasetFacet._get_schema(), "bucket": "b"}}),
        lambda e: e["run"]["facets"].update(metrics=e["run"]["facets"].pop(METRICS_FACET)),
        lambda e: e["run"]["facets"]["parent"].update(
            _schemaURL="https://example.com/Unknown.json#/$defs/Unknown"),
    ],
)
def test_the_validation_can_fail(events: list[dict[str, Any]], spoil: Any) -> None:
    event = copy.deepcopy(events[4])
    spoil(event)
    assert event_problems(event)


def test_the_producer_is_the_installed_version() -> None:
    assert metadata.version("sagemaker-lineage") == PRODUCER_VERSION


# -- the seeded world, read through the product -------------------------------------------

SEEDED = [
    ("ap-northeast-2", "mlops-pipeline"),
    ("ap-northeast-2", "churn-pipeline"),
    ("ap-northeast-2", "fraud-detection-pipeline"),
    ("ap-northeast-2", "customer-features-pipeline"),
    ("ap-northeast-2", "scale-pipeline"),
    ("us-east-1", "nlp-pipeline"),
]


@pytest.fixture(scope="module")
def seeded(sandbox: SandboxProcess) -> Iterator[dict[str, LineageDocument]]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in apply_environment({}, sandbox_environment(sandbox.endpoint)).items():
            patch.setenv(name, value)
        settings = Settings()
        service = LineageService(settings, ClientFactory(settings))
        try:
            found = {}
            for region, pipeline in SEEDED:
                request = parse_lineage_request({"pipeline": pipeline, "region": region},
                                                settings=settings, regions=sagemaker_regions())
                found[pipeline] = service.get_lineage(request)
                jsonschema.validate(found[pipeline].to_dict(), lineage_schema())
        finally:
            service.close()
        yield found


@pytest.mark.sandbox
@pytest.mark.parametrize("pipeline", [pipeline for _, pipeline in SEEDED])
def test_every_event_of_the_seeded_executions_is_valid(
    seeded: dict[str, LineageDocument], pipeline: str
) -> None:
    document = seeded[pipeline].to_dict()
    events = run_event_dicts(document)
    ran = [n for n in document["graph"]["nodes"] if "run" in n]
    assert len([e for e in events if e["eventType"] == "START"]) == len(ran) + 1
    for event in events:
        validate_event(event)
    assert json.loads(json.dumps(events)) == events


@pytest.mark.sandbox
def test_the_seeded_failure_and_metrics(seeded: dict[str, LineageDocument]) -> None:
    churn = run_event_dicts(seeded["churn-pipeline"])
    assert [(e["eventType"], e["job"]["name"]) for e in churn] == [
        ("START", "churn-pipeline"),
        ("START", "churn-pipeline.PrepareChurnData"),
        ("COMPLETE", "churn-pipeline.PrepareChurnData"),
        ("START", "churn-pipeline.TrainChurn"),
        ("FAIL", "churn-pipeline.TrainChurn"),
        ("FAIL", "churn-pipeline"),
    ]
    assert "Feature names mismatch" in churn[4]["run"]["facets"]["errorMessage"]["message"]
    mlops = run_event_dicts(seeded["mlops-pipeline"])
    train = next(e for e in mlops if e["job"]["name"] == "mlops-pipeline.Train"
                 and e["eventType"] == "COMPLETE")
    assert train["run"]["facets"][METRICS_FACET]["metrics"]["validation:auc"] == 0.63
    model = [d for d in train["outputs"] if d["name"].endswith("model.tar.gz")]
    assert model and model[0]["namespace"] == "s3://my-mlops-dev2-v2-main-data"
    assert model[0]["facets"][BUCKET_SECURITY_FACET]["encryption"] == "aws:kms"
    # A LineageDocument and its contract dict give the same events.
    assert run_event_dicts(seeded["mlops-pipeline"].to_dict()) == mlops
