"""The lineage service end to end against the AWS sandbox over HTTP."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import jsonschema
import pytest

from lineage.aws import ClientFactory, sagemaker_regions
from lineage.config import Settings
from lineage.contract import lineage_schema
from lineage.errors import AwsThrottled, ExecutionNotFound, PipelineNotFound
from lineage.request import parse_lineage_request
from lineage.sandbox import (
    SandboxOptions,
    SandboxProcess,
    apply_environment,
    sandbox_environment,
)
from lineage.service import FetchStats, LineageService
from tests.conftest import SetFaults, setting_faults

SEOUL = "ap-northeast-2"
MLOPS_BUCKET = "my-mlops-dev2-v2-main-data"
# Per bucket (its region comes from the account's one ListBuckets; Macie's findings from one
# GetFindingStatistics for the region's buckets, then one per bucket that has any).
S3_SETTINGS_OPERATIONS = (
    "GetBucketEncryption",
    "GetBucketVersioning",
    "GetPublicAccessBlock",
    "GetBucketTagging",
    "GetBucketPolicyStatus",
    "GetBucketLifecycleConfiguration",
    "GetObjectLockConfiguration",
)
BUCKET_SETTINGS_OPERATIONS = (*S3_SETTINGS_OPERATIONS, "ListBuckets", "GetBucketLocation",
                              "GetMacieSession", "GetFindingStatistics")
DESCRIBE_OPERATIONS = (
    "DescribeTrainingJob",
    "DescribeProcessingJob",
    "DescribeTransformJob",
    "DescribeHyperParameterTuningJob",
    "DescribeModelPackage",
)

Lineage = Callable[..., dict[str, Any]]


def point_at(sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    env = apply_environment({}, sandbox_environment(sandbox.endpoint))
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def make_lineage(
    sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch, **settings: Any
) -> tuple[LineageService, Lineage]:
    """A fresh service (own clients, own retry quota) pointed at ``sandbox``."""
    point_at(sandbox, monkeypatch)
    configured = Settings(**settings)
    service = LineageService(configured, ClientFactory(configured))

    def lineage(pipeline: str, stats: FetchStats | None = None, **params: str) -> dict[str, Any]:
        request = parse_lineage_request(
            {"pipeline": pipeline, **params},
            settings=service.settings,
            regions=sagemaker_regions(),
        )
        document = service.get_lineage(request, stats=stats).to_dict()
        jsonschema.validate(document, lineage_schema())
        return document

    return service, lineage


@pytest.fixture
def lineage(sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lineage]:
    service, call = make_lineage(sandbox, monkeypatch)
    yield call
    service.close()


def node(document: dict[str, Any], name: str) -> dict[str, Any]:
    return next(n for n in document["graph"]["nodes"] if n["id"] == name)


def nodes_of_type(document: dict[str, Any], step_type: str) -> list[dict[str, Any]]:
    return [n for n in document["graph"]["nodes"] if n["type"] == step_type]


def operations(sandbox: SandboxProcess) -> Counter[str]:
    return Counter(call["operation"] for call in sandbox.calls())


# -- the seeded world, read through the product ------------------------------------------


def test_mlops_pipeline_latest_execution(lineage: Lineage) -> None:
    document = lineage("mlops-pipeline")
    assert document["execution"]["status"] == "Succeeded"
    assert document["summary"]["overallStatus"] == "Succeeded"
    assert document["pipeline"]["tags"]["DomainName"] == "ml-platform"
    assert document["pipeline"]["region"] == SEOUL

    training = nodes_of_type(document, "Training")[0]
    assert training["run"]["status"] == "Succeeded"
    assert {"validation:auc", "train:auc"} <= training["run"]["metrics"].keys()
    assert training["run"]["jobArn"].startswith("arn:aws:sagemaker:ap-northeast-2:")
    assert ":training-job/" in training["run"]["jobArn"]

    # The evaluation report written to S3 is read into the evaluating step's metrics.
    evaluators = [
        n for n in nodes_of_type(document, "Processing") if n.get("run", {}).get("metrics")
    ]
    assert evaluators, "no step carries the evaluation report's metrics"

    register = nodes_of_type(document, "RegisterModel")[0]
    assert register["registry"]["modelPackageArn"].startswith("arn:aws:sagemaker:")
    assert register["registry"]["approvalStatus"]
    condition = nodes_of_type(document, "Condition")[0]
    assert condition["condition"]["outcome"] in (True, False)

    data = [a for a in document["graph"]["artifacts"] if a["bucket"] == MLOPS_BUCKET]
    assert data
    for artifact in data:
        assert artifact["s3"] == {
            "encryption": "aws:kms",
            "versioning": "Enabled",
            "publicAccess": "Blocked",
            "tags": {"Env": "development"},
            "region": SEOUL,
            "publicPolicy": "NotPublic",
            "lifecycle": [],
            "objectLock": "Disabled",
            "sensitiveData": {"status": "NoneFound", "findings": 0, "types": []},
        }
    counts = document["summary"]["nodeStatus"]
    assert sum(counts.values()) == len(document["graph"]["nodes"])
    assert document["warnings"] == []


AUC_PATH = "binary_classification_metrics.auc.value"


@pytest.mark.parametrize(
    ("execution", "outcome"),
    [("r3a5pd8rmk8r", True), ("h4d8s2n6p0cd", False)],  # the latest, and the one that failed
)
def test_the_condition_says_what_it_compared(
    lineage: Lineage, execution: str, outcome: bool
) -> None:
    document = lineage("mlops-pipeline", execution=execution)
    report_auc = node(document, "Evaluate")["run"]["metrics"][AUC_PATH]
    threshold = float(document["execution"]["parameters"]["AucThreshold"])
    condition = node(document, "CheckAUC")["condition"]
    assert condition == {
        "outcome": outcome,
        "conditions": [
            {
                "type": "GreaterThanOrEqualTo",
                "operator": ">=",
                "expression": f"evaluation.json {AUC_PATH} (Evaluate) >= Parameters.AucThreshold",
                "left": f"evaluation.json {AUC_PATH} (Evaluate)",
                "right": "Parameters.AucThreshold",
                "leftValue": report_auc,  # the number the evaluation report gave
                "rightValue": threshold,
            }
        ],
    }
    assert (report_auc >= threshold) is outcome  # the values explain the branch taken
    ran = {n["id"] for n in document["graph"]["nodes"] if "run" in n}
    assert ("RegisterModel" in ran, "AUCTooLow" in ran) == (outcome, not outcome)


def test_without_an_execution_the_condition_has_its_operands_only(lineage: Lineage) -> None:
    document = lineage("mlops-pipeline", includeLatestExec="false")
    (clause,) = node(document, "CheckAUC")["condition"]["conditions"]
    assert node(document, "CheckAUC")["condition"]["outcome"] is None
    assert clause["left"] == f"evaluation.json {AUC_PATH} (Evaluate)"
    assert clause["leftValue"] is None  # no report was read
    assert isinstance(clause["rightValue"], float)  # the threshold's default


def test_the_evaluation_report_is_produced_by_the_evaluating_step(lineage: Lineage) -> None:
    document = lineage("mlops-pipeline")
    evaluate = node(document, "Evaluate")
    (folder,) = [ref["uri"] for ref in evaluate["outputs"] if ref["name"] == "evaluation"]
    report = next(
        a for a in document["graph"]["artifacts"] if a["uri"] == f"{folder}/evaluation.json"
    )
    assert report["producers"] == ["Evaluate"]
    assert report["consumers"] == ["RegisterModel"]  # its ModelMetrics


def test_edges_follow_the_definition(lineage: Lineage) -> None:
    document = lineage("mlops-pipeline")
    names = {n["id"] for n in document["graph"]["nodes"]}
    vias = {edge["via"] for edge in document["graph"]["edges"]}
    assert {"ref:Get", "condition"} <= vias
    for edge in document["graph"]["edges"]:
        assert edge["from"] in names and edge["to"] in names
    keys = [(e["from"], e["to"], e["via"]) for e in document["graph"]["edges"]]
    assert keys == sorted(keys) and len(keys) == len(set(keys))


def test_churn_pipeline_failed_at_training(lineage: Lineage) -> None:
    document = lineage("churn-pipeline")
    assert document["summary"]["overallStatus"] == "Failed"
    assert document["execution"]["failureReason"]
    failed = [n for n in document["graph"]["nodes"] if n.get("run", {}).get("status") == "Failed"]
    assert [n["type"] for n in failed] == ["Training"]
    assert failed[0]["run"]["failureReason"]
    # Steps that never ran have no run and count as NotStarted.
    not_run = [n for n in document["graph"]["nodes"] if "run" not in n]
    assert not_run
    assert document["summary"]["nodeStatus"]["NotStarted"] == len(not_run)


def test_fraud_pipeline_is_executing(lineage: Lineage) -> None:
    document = lineage("fraud-detection-pipeline")
    assert document["execution"]["status"] == "Executing"
    assert document["execution"]["endTime"] is None
    assert document["execution"]["elapsedSec"] > 0
    statuses = {n.get("run", {}).get("status", "NotStarted") for n in document["graph"]["nodes"]}
    assert statuses & {"Executing", "Starting"}
    assert "NotStarted" in statuses


def test_nlp_pipeline_in_us_east_1_was_stopped(lineage: Lineage) -> None:
    document = lineage("nlp-pipeline", region="us-east-1")
    assert document["summary"]["overallStatus"] == "Stopped"
    assert document["pipeline"]["region"] == "us-east-1"


def test_without_execution_there_is_no_run_info(lineage: Lineage) -> None:
    document = lineage("mlops-pipeline", includeLatestExec="false")
    assert document["execution"] is None
    assert document["summary"]["overallStatus"] == "NotExecuted"
    assert all("run" not in n for n in document["graph"]["nodes"])


def test_unknown_pipeline_and_domain_mismatch_are_not_found(lineage: Lineage) -> None:
    with pytest.raises(PipelineNotFound):
        lineage("no-such-pipeline")
    with pytest.raises(PipelineNotFound):
        lineage("mlops-pipeline", domain="another-domain")
    assert lineage("mlops-pipeline", domain="ml-platform")["pipeline"]["name"] == "mlops-pipeline"


def test_an_older_execution_by_id_and_by_arn(lineage: Lineage, sandbox: SandboxProcess) -> None:
    latest = lineage("mlops-pipeline")["execution"]
    listed = sandbox_executions(sandbox, "mlops-pipeline")
    older = next(arn for arn in listed if arn != latest["arn"])
    by_arn = lineage("mlops-pipeline", execution=older)
    assert by_arn["execution"]["arn"] == older
    by_id = lineage("mlops-pipeline", execution=older.rsplit("/", 1)[-1])
    assert by_id["execution"]["arn"] == older
    with pytest.raises(ExecutionNotFound):
        lineage("mlops-pipeline", execution="doesnotexist0")


def sandbox_executions(sandbox: SandboxProcess, pipeline: str) -> list[str]:
    import boto3

    client = boto3.client(
        "sagemaker",
        region_name=SEOUL,
        endpoint_url=sandbox.endpoint,
        aws_access_key_id="AKIASANDBOXDUMMYKEY0",
        aws_secret_access_key="sandbox-secret-do-not-leak",
    )
    summaries = client.list_pipeline_executions(PipelineName=pipeline)["PipelineExecutionSummaries"]
    return [s["PipelineExecutionArn"] for s in summaries]


# -- exact call counts ---------------------------------------------------------------------


@pytest.mark.parametrize("pipeline", ["mlops-pipeline", "scale-pipeline"])
def test_each_job_and_bucket_is_fetched_once(
    sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch, pipeline: str
) -> None:
    # LINEAGE_DESCRIBE=all: every job described, each once (tests/lineage/test_describe_needed
    # proves that the default, needed, skips only what changes nothing).
    service, lineage = make_lineage(sandbox, monkeypatch, describe="all")
    sandbox.reset_calls()
    stats = FetchStats()
    try:
        document = lineage(pipeline, stats=stats)
    finally:
        service.close()
    # The product's own calls, one per operation made (a retry of a call is not a new call).
    calls = Counter(operation.split(":", 1)[1] for operation in stats.operations)
    # ...and every one of them reached the sandbox (more arrive only when botocore retried).
    reached = operations(sandbox)
    assert all(reached[op] >= count for op, count in calls.items()), (calls, reached)

    buckets = {a["bucket"] for a in document["graph"]["artifacts"]}
    for operation in S3_SETTINGS_OPERATIONS:
        assert calls[operation] == len(buckets), operation
    # Once for the answer, not per bucket: the sandbox's buckets are all the account's own.
    assert (calls["ListBuckets"], calls["GetBucketLocation"]) == (1, 0)
    assert calls["GetMacieSession"] == 1  # once for the region, not per bucket
    found = sum(1 for a in {a["bucket"]: a for a in document["graph"]["artifacts"]}.values()
                if a["s3"]["sensitiveData"]["status"] == "Found")
    # Several buckets: one count for the region's (they all waited for the session), then one
    # by type for each bucket with findings; a single bucket: its count by type at once.
    batched = 1 if len(buckets) > 1 else 0
    assert calls["GetFindingStatistics"] == batched + (found if batched else len(buckets))
    jobs = {
        n["run"]["jobArn"]
        for n in document["graph"]["nodes"]
        if n.get("run", {}).get("jobArn") and n["type"] not in ("Model", "Lambda", "Callback")
    }
    described = sum(calls[op] for op in DESCRIBE_OPERATIONS)
    tuning_best_jobs = calls["DescribeHyperParameterTuningJob"]
    assert described == len(jobs) + tuning_best_jobs
    steps = len(document["graph"]["nodes"])
    assert calls["ListPipelineExecutionSteps"] == max(1, -(-steps // 100))
    for operation in (
        "DescribePipeline",
        "ListPipelineExecutions",
        "DescribePipelineExecution",
        "DescribePipelineDefinitionForExecution",
        "ListPipelineParametersForExecution",
        "ListTags",
    ):
        assert calls[operation] == 1, operation
    evaluation_reports = calls["GetObject"]
    assert evaluation_reports == (1 if pipeline == "mlops-pipeline" else evaluation_reports)


def test_scale_pipeline_has_its_size(lineage: Lineage) -> None:
    document = lineage("scale-pipeline")
    assert len(document["graph"]["nodes"]) >= 120
    assert len({a["bucket"] for a in document["graph"]["artifacts"]}) >= 12
    assert document["summary"]["overallStatus"] == "Succeeded"
    assert document["warnings"] == []


def test_without_s3_metadata_no_bucket_is_read(
    sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, lineage = make_lineage(sandbox, monkeypatch, enable_s3_meta=False)
    sandbox.reset_calls()
    document = lineage("mlops-pipeline")
    service.close()
    assert all("s3" not in a for a in document["graph"]["artifacts"])
    calls = operations(sandbox)
    assert not any(calls[op] for op in BUCKET_SETTINGS_OPERATIONS)


# -- faults ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def own_sandbox() -> Iterator[SandboxProcess]:
    """The seeded world, faulted by the tests below only (never the session's sandbox)."""
    with SandboxProcess(SandboxOptions()) as sandbox:
        yield sandbox


Faulted = SetFaults


@pytest.fixture
def faulted(own_sandbox: SandboxProcess) -> Iterator[Faulted]:
    """``faulted(spec)``: the module's sandbox with those faults (``setting_faults``)."""
    yield from setting_faults(own_sandbox)


def test_denied_calls_become_unknown_and_warnings(
    faulted: Faulted, monkeypatch: pytest.MonkeyPatch
) -> None:
    denying_sandbox = faulted("deny=s3:GetBucketEncryption,sagemaker:DescribeTrainingJob")
    service, lineage = make_lineage(denying_sandbox, monkeypatch)
    document = lineage("mlops-pipeline")
    service.close()
    for artifact in document["graph"]["artifacts"]:
        assert artifact["s3"]["encryption"] == "Unknown"
    data = next(a for a in document["graph"]["artifacts"] if a["bucket"] == MLOPS_BUCKET)
    assert data["s3"]["versioning"] == "Enabled"
    assert data["s3"]["tags"] == {"Env": "development"}
    training = nodes_of_type(document, "Training")[0]
    assert training["run"]["status"] == "Succeeded"
    assert training["run"]["metrics"] == {}
    codes = Counter(w["code"] for w in document["warnings"])
    buckets = {a["bucket"] for a in document["graph"]["artifacts"]}
    assert codes["S3_ACCESS_DENIED"] == len(buckets)
    assert codes["DESCRIBE_ACCESS_DENIED"] == 1
    assert set(codes) == {"S3_ACCESS_DENIED", "DESCRIBE_ACCESS_DENIED"}
    for warning in document["warnings"]:
        assert "123456789012" not in warning["message"]


def test_throttling_is_retried_until_the_answer_is_whole(
    faulted: Faulted,
    sandbox: SandboxProcess,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    service, lineage = make_lineage(sandbox, monkeypatch)
    sandbox.reset_calls()
    calm = lineage("mlops-pipeline")
    needed = len(sandbox.calls())
    service.close()

    # Ten attempts make a call fail on 30% throttling with odds of 0.3**10 (6 in a million).
    # Their backoff (up to 20 s each) may outlast the request's deadline on a busy machine:
    # this test is about retries, so the deadline is out of its way.
    throttling_sandbox = faulted("throttle=0.3")
    service, lineage = make_lineage(throttling_sandbox, monkeypatch, aws_max_attempts=10,
                                    request_deadline_ms=300_000)
    throttling_sandbox.reset_calls()
    caplog.set_level(logging.INFO, logger="lineage.aws")
    document = lineage("mlops-pipeline")
    service.close()
    assert document["warnings"] == []
    assert document["graph"] == calm["graph"]
    # The retries really happened: more calls reached the sandbox than the request needs,
    # and the log says which calls were retried.
    assert len(throttling_sandbox.calls()) > needed
    retried = [r for r in caplog.records if getattr(r, "retry_attempts", 0) > 0]
    assert retried and all("then succeeded" in r.getMessage() for r in retried)


def test_exhausted_retries_on_the_pipeline_itself_is_an_error(
    faulted: Faulted, monkeypatch: pytest.MonkeyPatch,
) -> None:
    service, lineage = make_lineage(faulted("throttle=1.0"), monkeypatch, aws_max_attempts=2)
    with pytest.raises(AwsThrottled):
        lineage("mlops-pipeline")
    service.close()
