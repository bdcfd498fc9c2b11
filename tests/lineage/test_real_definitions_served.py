"""Every real definition we hold (and one using every step type), run in the sandbox and read
through the service: no type unknown, bucket settings only for names that can be real, tags
an object or null, never a string."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from lineage.aws import ClientFactory
from lineage.config import Settings
from lineage.contract import lineage_schema
from lineage.graph import split_s3_uri
from lineage.request import LineageRequest
from lineage.sandbox import SandboxOptions, SandboxProcess
from lineage.sandbox.definitions import pipeline_name
from lineage.service import FetchStats, LineageService
from tests.helpers import fixture_path
from tests.lineage.test_service import point_at

pytestmark = pytest.mark.sandbox

DEFINITIONS = sorted(fixture_path("definitions").glob("*.json"))
EVERY_TYPE = fixture_path("step-types/every-step-type.json")
# Per bucket (its region comes from the account's ListBuckets, once per document).
BUCKET_READS = {"GetBucketEncryption", "GetBucketVersioning", "GetPublicAccessBlock",
                "GetBucketTagging"}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    directory = tmp_path_factory.mktemp("served-definitions")
    for path in [*DEFINITIONS, EVERY_TYPE]:
        shutil.copyfile(path, directory / path.name)
    with SandboxProcess(SandboxOptions(definitions_dir=directory, seed_world=False)) as process:
        yield process


def served(loaded: SandboxProcess, monkeypatch: pytest.MonkeyPatch, stem: str
           ) -> tuple[dict[str, Any], FetchStats]:
    point_at(loaded, monkeypatch)
    settings = Settings()
    service = LineageService(settings, ClientFactory(settings))
    stats = FetchStats()
    try:
        document = service.get_lineage(
            LineageRequest(pipeline=pipeline_name(stem), region="ap-northeast-2"), stats=stats
        ).to_dict()
    finally:
        service.close()
    jsonschema.validate(document, lineage_schema())
    return document, stats


@pytest.mark.parametrize("path", [*DEFINITIONS, EVERY_TYPE], ids=lambda path: path.stem)
def test_settings_only_for_real_bucket_names_and_tags_never_a_string(
    loaded: SandboxProcess, monkeypatch: pytest.MonkeyPatch, path: Path
) -> None:
    document, stats = served(loaded, monkeypatch, path.stem)
    codes = Counter(warning["code"] for warning in document["warnings"])
    assert "UNKNOWN_STEP_TYPE" not in codes and "UNKNOWN_METADATA_KIND" not in codes
    unresolved = {w["target"] for w in document["warnings"] if w["code"] == "S3_BUCKET_UNRESOLVED"}
    assert codes["S3_BUCKET_UNRESOLVED"] == len(unresolved), "one warning per bucket"
    real: set[str] = set()
    for artifact in document["graph"]["artifacts"]:
        s3 = artifact["s3"]
        assert s3["tags"] is None or isinstance(s3["tags"], dict), artifact["uri"]
        if split_s3_uri(artifact["uri"]) is None:
            assert artifact["bucket"] in unresolved
            assert (s3["encryption"], s3["versioning"], s3["publicAccess"], s3["tags"]) == (
                "Unknown", "Unknown", "Unknown", None)
        else:
            real.add(artifact["bucket"])
            assert artifact["bucket"] not in unresolved
            assert isinstance(s3["tags"], dict), "the sandbox answers every real bucket"
    # Never sent to S3: these reads per real bucket, none for the others.
    reads = [op for op in stats.operations if op.split(":")[1] in BUCKET_READS]
    assert len(reads) == len(BUCKET_READS) * len(real)
    assert stats.operations.count("s3:ListBuckets") == (1 if real else 0)
    assert "s3:GetBucketLocation" not in stats.operations  # the sandbox's buckets are listed


def test_every_step_type_runs_with_its_status(
    loaded: SandboxProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    document, _ = served(loaded, monkeypatch, EVERY_TYPE.stem)
    ran = {node["type"]: node["run"]["status"] for node in document["graph"]["nodes"]
           if "run" in node}
    assert set(ran.values()) == {"Succeeded"}
    for newer in ("EMRServerless", "EndpointConfig", "Endpoint", "InferenceComponent",
                  "Lineage", "BedrockCustomModel", "BedrockModelImport"):
        assert newer in ran, newer
    jobs = {node["id"]: node["run"]["jobArn"] for node in document["graph"]["nodes"]
            if "run" in node}
    assert jobs["Deploy"].endswith(":endpoint/every-step-endpoint")
