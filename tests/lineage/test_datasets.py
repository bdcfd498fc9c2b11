"""The dataset rule (lineage.datasets): runs meet, pipelines sharing a location meet, the rest
do not; and over every real definition in tests/fixtures/definitions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lineage.datasets import EXECUTION, bucket_of, dataset_matches, dataset_of, nearest_folder
from lineage.definition import parse_definition
from tests.helpers import fixture_path

DEFINITIONS = sorted(fixture_path("definitions").glob("*.json"))
FAKE_ID = "q1w2e3r4t5y6"


def test_two_executions_of_one_pipeline_fold_to_one_dataset() -> None:
    runs = [("ab12cd34ef56", "pipelines-ab12cd34ef56-Train-Xy9"),
            ("zz98yy76xx54", "pipelines-zz98yy76xx54-Train-Qq1")]
    models = {
        dataset_of(f"s3://Bucket/models/{job}/output/model.tar.gz", execution_id=run,
                   job_names=[job])
        for run, job in runs
    }
    assert models == {"s3://bucket/models/{job}/output"}
    evals = {dataset_of(f"s3://b/eval/{run}/evaluation/evaluation.json", execution_id=run)
             for run, _ in runs}
    assert evals == {"s3://b/eval/{execution}/evaluation"}
    # What the definition says before the run folds to the same dataset.
    assert dataset_of("s3://bucket/models/{Steps.Train.TrainingJobName}/output/model.tar.gz") \
        == "s3://bucket/models/{job}/output"
    assert dataset_of("s3://b/eval/{Execution.PipelineExecutionId}/evaluation") \
        == "s3://b/eval/{execution}/evaluation"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("s3://b/daily/2025-03-03/part.csv", "s3://b/daily/2025-03-04/part.csv"),
        ("s3://b/x/2025/03/03/09/part.csv", "s3://b/x/2025/03/04/10/part.csv"),
        ("s3://b/x/20250303T090000Z", "s3://b/x/20250304T100000Z/"),
        ("s3://b/x/1741000000000/a", "s3://b/x/1741999999999/a"),
        ("s3://b/x/train-2025-03-03-09-00-00-123/out", "s3://b/x/train-2025-03-05-01-02-03-999/out"),
    ],
)
def test_timestamps_fold(first: str, second: str) -> None:
    assert dataset_of(first) == dataset_of(second)
    assert "{timestamp}" in (dataset_of(first) or "")


def test_two_pipelines_sharing_a_prefix_meet_and_unrelated_ones_do_not() -> None:
    written = dataset_of("s3://b/features/train/")
    assert written == "s3://b/features/train"
    assert dataset_matches(written, "s3://b/features/train/part-0.csv")
    assert dataset_matches(written, "s3://b/features")
    assert dataset_matches(written, "s3://b")
    assert not dataset_matches(written, "s3://b/features/training")
    assert not dataset_matches(written, "s3://other/features/train")
    assert dataset_matches("s3://b/runs/{execution}/out", "s3://b/runs/anyrun/out/x.json")


def test_normalisation() -> None:
    assert dataset_of("S3://MyBucket//a//b/") == "s3://mybucket/a/b"
    assert dataset_of("s3://b/code/train.py") == "s3://b/code/train.py"  # fixed, kept
    assert dataset_of("s3://{Parameters.Bucket}/x") == "s3://{Parameters.Bucket}/x"
    assert dataset_of("{Parameters.Input}") is None
    assert dataset_of("https://example.com/x") is None
    assert bucket_of("s3://MyBucket/x") == "mybucket"
    assert bucket_of("nope") is None


def test_folding_is_idempotent_on_awkward_names() -> None:
    for uri in ("s3://b/{job}/a.b/c.txt", "s3://b/{job}/v1.tar", "s3://b/run-abc/x.json"):
        once = dataset_of(uri, execution_id="abc")
        assert once is not None and dataset_of(once) == once


@pytest.mark.parametrize("path", DEFINITIONS, ids=[p.stem for p in DEFINITIONS])
def test_every_real_definition_folds_deterministically(path: Path) -> None:
    definition = json.loads(path.read_text(encoding="utf-8"))
    execution = {
        "PipelineName": "p",
        "PipelineExecutionId": FAKE_ID,
        "PipelineExecutionArn": (
            f"arn:aws:sagemaker:us-east-1:111122223333:pipeline/p/execution/{FAKE_ID}"
        ),
    }
    parsed = parse_definition(definition, execution=execution)
    uris = [ref.uri for step in parsed.steps for ref in (*step.inputs, *step.outputs)]
    for uri in uris:
        folded = dataset_of(uri, execution_id=FAKE_ID)
        assert folded == dataset_of(uri, execution_id=FAKE_ID)  # deterministic
        if folded is None:
            continue
        assert FAKE_ID not in folded, (uri, folded)
        assert dataset_of(folded) == folded, (uri, folded)  # idempotent
        assert not folded.endswith("/")
        if FAKE_ID in uri or "{Execution.PipelineExecutionId}" in uri:
            assert EXECUTION in folded or "{job}" in folded


def test_the_nearest_folder_above_a_location_never_a_bucket() -> None:
    folders = {"s3://b/features": "s3://b/features",
               "s3://b/features/customers": "s3://b/features/customers/"}
    assert nearest_folder("s3://b/features/customers/part-0.csv", folders) == (
        "s3://b/features/customers/")  # the nearest, as the estate spelled it
    assert nearest_folder("s3://b/features/other.csv", folders) == "s3://b/features"
    assert nearest_folder("s3://b/featuresX/a", folders) is None  # a / boundary only
    assert nearest_folder("s3://b/top.csv", {"s3://b": "s3://b"}) is None  # a bucket alone
