"""Fewer calls, the same documents (issue 17).

Every definition of tests/fixtures (and the one with every step type) and every pipeline of
the seeded world (mlops-pipeline, scale-pipeline, the fraud, churn and feature ones) is read
through one sandbox three times: ``LINEAGE_DESCRIBE=all``, ``needed`` (the default), and
``needed`` with S3's ListBuckets refused (so every bucket's region comes from its own
GetBucketLocation, as before ListBuckets was used). The documents must be the same; the
sandbox's call ledger must show fewer Describe* calls where the definition and the execution
already said everything; and Macie's findings counted for many buckets at once must be what
asking bucket by bucket says.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from lineage.aws import AwsApi, ClientFactory
from lineage.config import DESCRIBE_MODES, DESCRIBE_NEEDED, ENV_DESCRIBE, Settings
from lineage.errors import ConfigError
from lineage.request import LineageRequest
from lineage.sandbox import SandboxOptions, SandboxProcess, environment_overridden
from lineage.sandbox.definitions import pipeline_name
from lineage.service import LineageService
from lineage.step_types import STEP_TYPES, DescribeWhen
from tests.helpers import fixture_path

pytestmark = pytest.mark.sandbox

REGION = "ap-northeast-2"
DEFINITIONS = [*sorted(fixture_path("definitions").glob("*.json")),
               fixture_path("step-types/every-step-type.json")]
# The seeded world's pipelines in Seoul (lineage.sandbox.seed).
WORLD = ("mlops-pipeline", "scale-pipeline", "fraud-detection-pipeline", "churn-pipeline",
         "churn-lgbm-training-pipeline", "churn-xgb-training-pipeline",
         "customer-features-pipeline")
PIPELINES = (*(pipeline_name(path.stem) for path in DEFINITIONS), *WORLD)
# Where the definition resolves some job's every location, so needed must ask less.
FEWER = ("mlops-pipeline", "scale-pipeline", "fraud-detection-pipeline",
         "17-sm-examples-model-monitor-clarify-12steps", "every-step-type")
# The calls of a run's jobs (not the pipeline's, its execution's or its definition's).
JOB_DESCRIBES = frozenset(
    spec.metadata.describe.operation
    for spec in STEP_TYPES.values()
    if spec.metadata is not None and spec.metadata.describe is not None
)
# Types whose job is described whatever the definition says (metrics, a model's approval).
ALWAYS_DESCRIBED = frozenset(
    name for name, spec in STEP_TYPES.items()
    if spec.metadata is not None and spec.metadata.describe is not None
    and spec.metadata.describe.describe_when is not DescribeWhen.UNRESOLVED
)


def describes(calls: Counter[str]) -> Counter[str]:
    return Counter({op: n for op, n in calls.items() if op in JOB_DESCRIBES})


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """The document without what depends on when it was made, not on what was asked:
    ``generatedAt``, and the ``elapsedSec`` of an execution or step still running (its
    ``endTime`` is null: counted up to now), in ``execution``, ``summary`` and a node's
    ``run``."""
    kept = {key: value for key, value in document.items() if key != "generatedAt"}

    def timeless(run: dict[str, Any] | None) -> dict[str, Any] | None:
        if run is None or run.get("endTime") is not None:
            return run
        return {key: value for key, value in run.items() if key != "elapsedSec"}

    if kept.get("execution") is not None:
        running = kept["execution"].get("endTime") is None
        kept["execution"] = timeless(kept["execution"])
        if running and "summary" in kept:
            kept["summary"] = {k: v for k, v in kept["summary"].items() if k != "elapsedSec"}
    graph = dict(kept["graph"])
    graph["nodes"] = [{**node, "run": timeless(node.get("run"))} if node.get("run") else node
                      for node in graph["nodes"]]
    kept["graph"] = graph
    return kept


# needed, with ListBuckets refused: each bucket's region from GetBucketLocation.
UNLISTED = "unlisted"
Reads = dict[str, dict[str, tuple[dict[str, Any], Counter[str]]]]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    directory = tmp_path_factory.mktemp("fewer-calls-definitions")
    for path in DEFINITIONS:
        shutil.copyfile(path, directory / path.name)
    with SandboxProcess(SandboxOptions(definitions_dir=directory)) as process, \
            environment_overridden(process.environment()):
        yield process


@pytest.fixture(scope="module")
def both_ways(sandbox: SandboxProcess) -> Reads:
    """pipeline -> mode -> (its document, the calls the sandbox saw: Describe* of its jobs,
    ListBuckets and GetBucketLocation)."""
    counted = JOB_DESCRIBES | {"ListBuckets", "GetBucketLocation"}
    read: Reads = {}
    services = {mode: LineageService(Settings(describe=mode),
                                     ClientFactory(Settings(describe=mode)))
                for mode in DESCRIBE_MODES}
    try:
        for pipeline in PIPELINES:
            for mode in (*DESCRIBE_MODES, UNLISTED):
                sandbox.set_faults("deny=s3:ListBuckets" if mode == UNLISTED else "")
                sandbox.reset_calls()
                service = services[DESCRIBE_NEEDED if mode == UNLISTED else mode]
                document = service.get_lineage(
                    LineageRequest(pipeline=pipeline, region=REGION)).to_dict()
                calls = Counter(call["operation"] for call in sandbox.calls()
                                if call["operation"] in counted)
                read.setdefault(pipeline, {})[mode] = (document, calls)
    finally:
        sandbox.set_faults("")
        for service in services.values():
            service.close()
    return read


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_needed_gives_the_same_document_with_no_more_calls(
    both_ways: Reads, pipeline: str
) -> None:
    (every, every_calls), (needed, needed_calls) = (both_ways[pipeline]["all"],
                                                    both_ways[pipeline]["needed"])
    every_calls, needed_calls = describes(every_calls), describes(needed_calls)
    assert every["pipeline"]["name"] == pipeline and every["execution"], "the sandbox ran it"
    assert comparable(needed) == comparable(every)
    assert needed_calls.total() <= every_calls.total()
    # Still asked: every job whose answer has metrics or a state nothing else gives.
    always = sum(1 for node in needed["graph"]["nodes"]
                 if node["type"] in ALWAYS_DESCRIBED and (node.get("run") or {}).get("jobArn"))
    assert needed_calls.total() >= always


@pytest.mark.parametrize("pipeline", FEWER)
def test_needed_skips_the_jobs_the_definition_already_locates(
    both_ways: Reads, pipeline: str
) -> None:
    every_calls = describes(both_ways[pipeline]["all"][1])
    needed_calls = describes(both_ways[pipeline]["needed"][1])
    assert needed_calls["DescribeProcessingJob"] < every_calls["DescribeProcessingJob"]
    # Training jobs are described either way: their metrics.
    assert needed_calls["DescribeTrainingJob"] == every_calls["DescribeTrainingJob"]


def test_scale_pipeline_describes_its_training_jobs_only(
    both_ways: Reads,
) -> None:
    document, calls = both_ways["scale-pipeline"]["needed"]
    described = describes(calls)
    training = sum(1 for node in document["graph"]["nodes"] if node["type"] == "Training")
    assert training > 30
    # Its evaluations read the models at placeholders the training jobs' answers resolve.
    assert described == Counter({"DescribeTrainingJob": training})
    assert describes(both_ways["scale-pipeline"]["all"][1]).total() > 100


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_regions_from_the_listing_are_those_each_bucket_gives(
    both_ways: Reads, pipeline: str
) -> None:
    (listed, listed_calls), (unlisted, unlisted_calls) = (both_ways[pipeline]["needed"],
                                                          both_ways[pipeline][UNLISTED])
    assert comparable(listed) == comparable(unlisted)
    buckets = {a["bucket"] for a in listed["graph"]["artifacts"] if a.get("s3", {}).get("region")}
    assert (listed_calls["ListBuckets"], listed_calls["GetBucketLocation"]) == (
        (1, 0) if buckets else (0, 0))
    # Refused: asked (and refused) once, then every bucket is located, without a warning.
    assert unlisted_calls["GetBucketLocation"] == len(buckets)


def test_findings_counted_at_once_are_each_bucket_s_own(
    both_ways: Reads, sandbox: SandboxProcess
) -> None:
    api = AwsApi(ClientFactory(Settings()), REGION)
    seen: dict[str, dict[str, Any]] = {}
    for pipeline in PIPELINES:
        for artifact in both_ways[pipeline]["needed"][0]["graph"]["artifacts"]:
            s3 = artifact.get("s3") or {}
            if s3.get("sensitiveData", {}).get("status") in ("Found", "NoneFound"):
                seen[artifact["bucket"]] = s3
    assert len(seen) > 15
    assert any(s3["sensitiveData"]["status"] == "Found" for s3 in seen.values())
    for bucket, s3 in seen.items():
        alone = api.bucket_sensitive_data(bucket, s3["region"]).to_dict()
        assert s3["sensitiveData"] == alone, bucket


@pytest.mark.parametrize("raw", ["some", "ALL ", "needed,all"])
def test_a_bad_describe_mode_names_the_variable_and_the_choices(raw: str) -> None:
    if raw.strip().lower() in DESCRIBE_MODES:
        assert Settings.from_env({ENV_DESCRIBE: raw}).describe == raw.strip().lower()
        return
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({ENV_DESCRIBE: raw})
    assert ENV_DESCRIBE in str(caught.value)
    assert all(mode in str(caught.value) for mode in DESCRIBE_MODES)


def test_the_default_is_needed() -> None:
    assert Settings.from_env({}).describe == "needed"
