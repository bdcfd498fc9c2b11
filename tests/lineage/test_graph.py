from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lineage.definition import parse_definition
from lineage.graph import (
    StepEnrichment,
    _reachability,
    build_document,
    reads_from,
    split_s3_uri,
)
from lineage.models import (
    ConditionResult,
    Edge,
    ExecutionInfo,
    IORef,
    PipelineInfo,
    Registry,
    RunInfo,
    S3Settings,
    Warning,
)
from lineage.render import render_definition

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
PIPELINE = PipelineInfo(name="p")


def processing(name: str, inputs: dict[str, str], outputs: dict[str, str], **extra: Any) -> Any:
    return {
        "Name": name,
        "Type": "Processing",
        "Arguments": {
            "ProcessingInputs": [
                {"InputName": n, "S3Input": {"S3Uri": u}} for n, u in inputs.items()
            ],
            "ProcessingOutputConfig": {
                "Outputs": [{"OutputName": n, "S3Output": {"S3Uri": u}} for n, u in outputs.items()]
            },
        },
        **extra,
    }


def document(*steps: Any, **kwargs: Any) -> Any:
    return build_document(
        parse_definition({"Steps": list(steps)}), pipeline=PIPELINE, generated_at=NOW, **kwargs
    )


def edges_of(doc: Any, via: str | None = None) -> list[tuple[str, str, str]]:
    return [(e.source, e.target, e.via) for e in doc.edges if via is None or e.via == via]


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("s3://bucket/key/a.csv", ("bucket", "key/a.csv")),
        ("s3://bucket", ("bucket", "")),
        ("s3://bucket/", ("bucket", "")),
        ("s3:/bucket/k", ("bucket", "k")),
        (
            "s3://my.bucket-1/k/{Execution.PipelineExecutionId}",
            ("my.bucket-1", "k/{Execution.PipelineExecutionId}"),
        ),
        ("s3://${bucket}/abalone/x.csv", None),
        ("s3://{Parameters.Bucket}/x", None),
        ("s3://Upper/x", None),
        ("s3://ab/x", None),
        ("s3://a..b/x", None),
        ("s3://" + "a" * 64 + "/x", None),
        ("s3:///x", None),
        ("https://bucket/x", None),
        ("{Steps.A.B}", None),
        ("", None),
    ],
)
def test_split_s3_uri(uri: str, expected: tuple[str, str] | None) -> None:
    assert split_s3_uri(uri) == expected


@pytest.mark.parametrize(
    ("written", "read", "expected"),
    [
        ("s3://b/data", "s3://b/data", True),
        ("s3://b/data", "s3://b/data/part-0.csv", True),
        ("s3://b/data/", "s3://b/data/part-0.csv", True),
        ("s3://b/data", "s3://b/database/x", False),
        ("s3://b/data/x", "s3://b/data", False),
        ("s3://b/{Execution.PipelineExecutionId}", "s3://b/{Execution.PipelineExecutionId}", True),
        (
            "s3://b/{Execution.PipelineExecutionId}",
            "s3://b/{Execution.PipelineExecutionId}/f",
            False,
        ),
        ("{Parameters.Out}", "{Parameters.Out}", True),
        ("{Parameters.Out}", "{Parameters.Out}/f", False),
        ("s3://${bucket}/out", "s3://${bucket}/out/f", False),
    ],
)
def test_reads_from(written: str, read: str, expected: bool) -> None:
    assert reads_from(written, read) is expected


def test_artifacts_ids_buckets_producers_consumers() -> None:
    doc = document(
        processing("B", {"in": "s3://b2/raw"}, {"out": "s3://b1/clean"}),
        processing("A", {"in": "s3://b2/raw", "x": "{Parameters.Missing}"}, {"o": "s3://b1/clean"}),
        processing("C", {"in": "s3://b1/clean"}, {}),
    )
    assert [(a.id, a.uri, a.bucket, a.key, a.producers, a.consumers) for a in doc.artifacts] == [
        (1, "s3://b1/clean", "b1", "clean", ("A", "B"), ("C",)),
        (2, "s3://b2/raw", "b2", "raw", (), ("A", "B")),
    ]
    assert all(a.s3 is None for a in doc.artifacts)
    assert "s3" not in doc.to_dict()["graph"]["artifacts"][0]


def test_artifact_edges_only_where_nothing_links_and_not_against_order() -> None:
    doc = document(
        processing("Prep", {"code": "s3://bkt/Prep/code.py"}, {"train": "s3://bkt/data/train"}),
        processing("Use", {"train": "s3://bkt/data/train/part-0"}, {}),  # under Prep's output
        processing("Linked", {"train": "s3://bkt/data/train"}, {}, DependsOn=["Prep"]),
        processing("Near", {"t": "s3://bkt/data/training"}, {}),  # not at a "/" boundary
        # Writes the bucket root and runs after Prep: Prep's code is not its output.
        processing("Late", {}, {"out": "s3://bkt/"}, DependsOn=["Prep"]),
        processing("Same", {"p": "{Parameters.X}"}, {}),
        processing("Writer", {}, {"p": "{Parameters.X}"}),
    )
    assert edges_of(doc) == [
        ("Late", "Linked", "artifact"),
        ("Late", "Near", "artifact"),
        ("Late", "Use", "artifact"),
        ("Prep", "Late", "dependsOn"),
        ("Prep", "Linked", "dependsOn"),
        ("Prep", "Use", "artifact"),
        ("Writer", "Same", "artifact"),
    ]
    assert all(e.property is None and e.branch is None for e in doc.edges if e.via == "artifact")


def test_a_step_produces_what_lies_under_its_output_folder() -> None:
    doc = document(
        processing("Prep", {"code": "s3://bkt/code/prep.py"}, {"data": "s3://bkt/data"}),
        processing("Eval", {"data": "s3://bkt/data/test"}, {"report": "s3://bkt/eval/"}),
        processing(
            "Reg",
            {"metrics": "s3://bkt/eval/evaluation.json", "near": "s3://bkt/evaluation.json"},
            {},
            DependsOn=["Eval"],
        ),
        # Reads and writes in its own folder: what it reads was there before it ran.
        processing("Tidy", {"old": "s3://bkt/tidy/old.csv"}, {"out": "s3://bkt/tidy"}),
        # Writes the folder of a file an earlier step read: that file is older than it.
        processing("Late", {}, {"code": "s3://bkt/code"}, DependsOn=["Prep"]),
        # A whole bucket is no folder: the author of nothing but itself.
        processing("Root", {}, {"all": "s3://bkt/"}),
        # A placeholder only matches itself.
        processing("Unresolved", {}, {"p": "s3://bkt/{Execution.PipelineExecutionId}"}),
        processing("Reader", {"p": "s3://bkt/{Execution.PipelineExecutionId}/f"}, {}),
    )
    assert {a.uri: a.producers for a in doc.artifacts} == {
        "s3://bkt/": ("Root",),
        "s3://bkt/code": ("Late",),
        "s3://bkt/code/prep.py": (),
        "s3://bkt/data": ("Prep",),
        "s3://bkt/data/test": ("Prep",),
        "s3://bkt/eval/": ("Eval",),
        "s3://bkt/eval/evaluation.json": ("Eval",),
        "s3://bkt/evaluation.json": (),
        "s3://bkt/tidy": ("Tidy",),
        "s3://bkt/tidy/old.csv": (),
        "s3://bkt/{Execution.PipelineExecutionId}": ("Unresolved",),
        "s3://bkt/{Execution.PipelineExecutionId}/f": (),
    }
    assert all(edge.source != edge.target for edge in doc.edges)
    assert ("Prep", "Eval", "artifact") in edges_of(doc)


def test_an_exact_writer_stays_a_producer_beside_the_folders_writer() -> None:
    doc = document(
        processing("Folder", {}, {"o": "s3://b/out"}),
        processing("File", {}, {"o": "s3://b/out/part.csv"}),
        processing("Both", {"in": "s3://b/own"}, {"o": "s3://b/own"}),  # as written: both
    )
    producers = {a.uri: a.producers for a in doc.artifacts}
    assert producers["s3://b/out/part.csv"] == ("File", "Folder")
    assert producers["s3://b/own"] == ("Both",)
    assert edges_of(doc) == []


def test_producers_of_ten_thousand_folders_are_found_by_the_index() -> None:
    count = 10_000
    steps = [
        processing(f"S{i}", {"in": f"s3://b/s{i - 1}/part"} if i else {}, {"o": f"s3://b/s{i}"})
        for i in range(count)
    ]
    started = time.monotonic()
    doc = document(*steps)
    assert time.monotonic() - started < 30
    producers = {a.uri: a.producers for a in doc.artifacts}
    assert producers["s3://b/s41/part"] == ("S41",)
    assert len(edges_of(doc, "artifact")) == count - 1


def test_artifact_edge_is_not_added_against_a_ref_chain() -> None:
    ref = {"Get": "Steps.A.ProcessingOutputConfig.Outputs['o'].S3Output.S3Uri"}
    doc = document(
        processing("A", {"in": "s3://b/root/a-input"}, {"o": "s3://b/a-out"}),
        processing("B", {"in": ref}, {"o": "s3://b/b-out"}),  # type: ignore[dict-item]
        processing("C", {"in": "s3://b/b-out"}, {"o": "s3://b/root"}, DependsOn=["B"]),
    )
    # C writes s3://b/root, which A reads under; but A -> B -> C already, so no C -> A.
    assert edges_of(doc) == [("A", "B", "ref:Get"), ("B", "C", "dependsOn")]


def test_enrichment_merges_io_by_name_and_adds_run_info() -> None:
    parsed = parse_definition(
        {
            "Steps": [
                {
                    "Name": "Train",
                    "Type": "Training",
                    "Arguments": {
                        "InputDataConfig": [
                            {
                                "ChannelName": "train",
                                "DataSource": {"S3DataSource": {"S3Uri": "s3://b/t"}},
                            }
                        ],
                        "OutputDataConfig": {"S3OutputPath": "s3://b/out"},
                        "HyperParameters": {"code": '"s3://b/code.tar.gz"'},
                    },
                },
                {"Name": "Reg", "Type": "RegisterModel", "Arguments": {}},
                {"Name": "Cond", "Type": "Condition", "Arguments": {}},
            ]
        }
    )
    run = RunInfo(status="Succeeded", elapsed_sec=10)
    doc = build_document(
        parsed,
        pipeline=PIPELINE,
        execution=ExecutionInfo(arn="arn:x", id="e1", status="Failed", elapsed_sec=42),
        enrichments={
            "Train": StepEnrichment(
                run=run,
                outputs=(
                    IORef("model_artifacts", "s3://b/out/job-1/output/model.tar.gz"),
                    IORef("extra", "s3://b/extra"),
                ),
                inputs=(IORef("train", "s3://b/t-concrete"),),
            ),
            "Reg": StepEnrichment(
                run=RunInfo(status="Failed"), registry=Registry("arn:pkg", "Approved")
            ),
            "Cond": StepEnrichment(condition=ConditionResult(True)),
            "NotAStep": StepEnrichment(run=run),
        },
        generated_at=NOW,
    )
    train = doc.nodes[0]
    assert train.run == run
    assert train.inputs == (
        IORef("train", "s3://b/t-concrete"),
        IORef("HyperParameters.code", "s3://b/code.tar.gz"),
    )
    assert train.outputs == (
        IORef("output", "s3://b/out"),
        IORef("model_artifacts", "s3://b/out/job-1/output/model.tar.gz"),
        IORef("extra", "s3://b/extra"),
    )
    assert doc.nodes[1].registry == Registry("arn:pkg", "Approved")
    assert doc.nodes[2].condition == ConditionResult(True) and doc.nodes[2].run is None
    assert [n.id for n in doc.nodes] == ["Train", "Reg", "Cond"]
    uris = [a.uri for a in doc.artifacts]
    assert "s3://b/t" not in uris and "s3://b/t-concrete" in uris
    assert not any("{Steps." in uri for uri in uris)
    assert doc.summary.overall_status == "Failed"
    assert dict(doc.summary.node_status) == {"Succeeded": 1, "Failed": 1, "NotStarted": 1}
    assert doc.summary.elapsed_sec == 42


def test_summary_without_execution() -> None:
    doc = document(processing("A", {}, {}), processing("B", {}, {}))
    assert doc.summary.to_dict() == {
        "overallStatus": "NotExecuted",
        "nodeStatus": {"NotStarted": 2},
        "elapsedSec": None,
    }
    empty = document()
    assert empty.summary.to_dict()["nodeStatus"] == {} and empty.nodes == ()


def test_bucket_settings_known_and_unknown() -> None:
    known = S3Settings(encryption="aws:kms", versioning="Enabled", public_access="Blocked", tags={})
    doc = document(
        processing("A", {"in": "s3://known-bucket/x"}, {"out": "s3://other-bucket/y"}),
        bucket_settings={"known-bucket": known},
    )
    by_bucket = {a.bucket: a.s3 for a in doc.artifacts}
    assert by_bucket["known-bucket"] == known
    assert by_bucket["other-bucket"] == S3Settings("Unknown", "Unknown", "Unknown", None)
    assert doc.to_dict()["graph"]["artifacts"][1]["s3"] == {
        "encryption": "Unknown",
        "versioning": "Unknown",
        "publicAccess": "Unknown",
        "tags": None,  # unknown is null, never a string
        "publicPolicy": "Unknown",
        "lifecycle": None,  # unknown is null, never a string
        "objectLock": "Unknown",
        "sensitiveData": {"status": "Unknown", "findings": 0, "types": []},
    }
    # A real bucket name that was not read is not "unresolved": other warnings say why.
    assert [w.code for w in doc.warnings] == []


def test_bucket_names_that_cannot_be_real_are_unknown_with_one_warning_each() -> None:
    known = S3Settings(encryption="AES256", versioning="Enabled", public_access="Blocked", tags={})
    doc = document(
        processing(
            "A",
            {"t": "s3://${bucket}/in", "p": "s3://{Parameters.Bucket}/x", "u": "s3://Upper_Case/k"},
            {"o": "s3://${bucket}/out", "k": "s3://real-bucket/{Execution.PipelineExecutionId}/m"},
        ),
        bucket_settings={"real-bucket": known},
    )
    by_bucket = {a.bucket: a.to_dict()["s3"] for a in doc.artifacts}
    unknown = {"encryption": "Unknown", "versioning": "Unknown", "publicAccess": "Unknown",
               "tags": None, "publicPolicy": "Unknown", "lifecycle": None,
               "objectLock": "Unknown",
               "sensitiveData": {"status": "Unknown", "findings": 0, "types": []}}
    assert by_bucket == {
        "${bucket}": unknown,
        "{Parameters.Bucket}": unknown,
        "Upper_Case": unknown,
        # A placeholder in the key does not stop the bucket from being read.
        "real-bucket": known.to_dict(),
    }
    unresolved = [w for w in doc.warnings if w.code == "S3_BUCKET_UNRESOLVED"]
    assert sorted(str(w.target) for w in unresolved) == [
        "${bucket}", "Upper_Case", "{Parameters.Bucket}",
    ]
    # Without S3 metadata there are no settings, so nothing is unresolved either.
    plain = document(processing("A", {"t": "s3://${bucket}/in"}, {}))
    assert plain.warnings == () and "s3" not in plain.artifacts[0].to_dict()


def test_warnings_are_merged_sorted_and_unique() -> None:
    doc = document(
        {"Name": "X", "Type": "Mystery", "Arguments": {}},
        warnings=[
            Warning("S3_ACCESS_DENIED", "no access", "bucket-b"),
            Warning("DESCRIBE_FAILED", "boom", None),
            Warning("S3_ACCESS_DENIED", "no access", "bucket-b"),
            Warning("S3_ACCESS_DENIED", "no access", "bucket-a"),
        ],
    )
    assert [(w.code, w.target) for w in doc.warnings] == [
        ("DESCRIBE_FAILED", None),
        ("S3_ACCESS_DENIED", "bucket-a"),
        ("S3_ACCESS_DENIED", "bucket-b"),
        ("UNKNOWN_STEP_TYPE", "X"),
    ]


def test_edges_are_sorted_and_unique() -> None:
    doc = document(
        processing("Z", {}, {"o": "s3://b/z"}),
        processing("A", {"i": "s3://b/z"}, {}, DependsOn=["Z", "Z"]),
        processing("M", {"i": "s3://b/z"}, {}),
    )
    assert doc.edges == (Edge("Z", "A", "dependsOn"), Edge("Z", "M", "artifact"))


def test_render_definition_has_no_execution_and_no_s3() -> None:
    doc = render_definition(
        '{"Steps": [{"Name": "A", "Type": "Processing", "Arguments": {"ProcessingInputs": '
        '[{"InputName": "i", "S3Input": {"S3Uri": "s3://b/in"}}]}}]}',
        name="my-pipeline",
        generated_at=NOW,
    )
    out = doc.to_dict()
    assert out["pipeline"]["name"] == "my-pipeline"
    assert out["execution"] is None
    assert out["generatedAt"] == "2024-05-01T12:00:00Z"
    assert out["graph"]["artifacts"] == [
        {
            "id": 1,
            "uri": "s3://b/in",
            "bucket": "b",
            "key": "in",
            "producers": [],
            "consumers": ["A"],
        }
    ]


def test_a_step_without_describe_reads_where_its_producer_really_wrote() -> None:
    parsed = parse_definition(
        {
            "Steps": [
                {
                    "Name": "Train",
                    "Type": "Training",
                    "Arguments": {"OutputDataConfig": {"S3OutputPath": "s3://b/models"}},
                },
                {
                    "Name": "CreateModel",
                    "Type": "Model",
                    "Arguments": {
                        "PrimaryContainer": {
                            "ModelDataUrl": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}
                        }
                    },
                },
                processing("Report", {}, {"eval": "s3://b/eval/{Execution.PipelineExecutionId}"}),
                processing(
                    "Reader", {"r": "s3://b/eval/{Execution.PipelineExecutionId}/e.json"}, {}
                ),
            ]
        }
    )
    defined = parsed.step("CreateModel").inputs[0].uri
    assert "{Steps.Train.TrainingJobName}" in defined
    real_model = "s3://b/models/job-7/output/model.tar.gz"
    doc = build_document(
        parsed,
        pipeline=PIPELINE,
        enrichments={
            "Train": StepEnrichment(outputs=(IORef("model_artifacts", real_model),)),
            "Report": StepEnrichment(outputs=(IORef("eval", "s3://b/eval/exec-1"),)),
        },
        generated_at=NOW,
    )
    nodes = {n.id: n for n in doc.nodes}
    assert [ref.uri for ref in nodes["CreateModel"].inputs] == [real_model]
    assert [ref.uri for ref in nodes["Reader"].inputs] == ["s3://b/eval/exec-1/e.json"]
    assert ("Report", "Reader", "artifact") in edges_of(doc)
    assert not any("{" in a.uri for a in doc.artifacts)


@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=40))
def test_reachability_agrees_with_a_plain_search(pairs: list[tuple[int, int]]) -> None:
    edges = [Edge(f"s{a}", f"s{b}", "dependsOn") for a, b in pairs]
    reaches = _reachability(edges)
    children: dict[str, set[str]] = {}
    for edge in edges:
        children.setdefault(edge.source, set()).add(edge.target)
    for start in (f"s{i}" for i in range(13)):
        seen: set[str] = set()
        pending = list(children.get(start, ()))
        while pending:
            node = pending.pop()
            if node not in seen:
                seen.add(node)
                pending.extend(children.get(node, ()))
        for goal in (f"s{i}" for i in range(13)):
            assert reaches(start, goal) == (goal in seen), (start, goal)


def test_reachability_of_a_ring_of_ten_thousand_steps() -> None:
    count = 10_000
    edges = [Edge(f"s{i}", f"s{(i + 1) % count}", "ref:Get") for i in range(count)]
    reaches = _reachability(edges)
    assert reaches("s0", "s9999") and reaches("s9999", "s0") and reaches("s5", "s5")
    assert not reaches("s0", "elsewhere")
