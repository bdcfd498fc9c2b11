"""impact and provenance on an estate read from the fake AWS, and the estate's requests."""

from __future__ import annotations

import pytest

from lineage.config import Settings
from lineage.errors import EstateNodeNotFound, InvalidParameter
from lineage.estate import Estate
from lineage.estate_queries import impact, provenance
from lineage.estate_reader import read_estate
from lineage.estate_request import (
    EstateRequest,
    parse_estate_request,
    parse_impact_request,
    parse_provenance_request,
)
from tests.lineage.fake_aws import (
    ACCOUNT,
    BUCKET,
    ENDPOINT,
    ENDPOINT_ARN,
    MODEL_ARN,
    PACKAGE_ARN,
    PIPELINE,
    REGION,
    FakeWorld,
)

PIPELINE_ID = f"pipeline:{ACCOUNT}:{REGION}:{PIPELINE}"
RAW = f"dataset:s3://{BUCKET}/raw"


@pytest.fixture(scope="module")
def estate() -> Estate:
    world = FakeWorld()
    try:
        return read_estate(world.service(), EstateRequest((REGION,))).estate
    finally:
        world.release_all()


def test_impact_of_the_raw_data_reaches_the_endpoint_with_its_path(estate: Estate) -> None:
    result = impact(estate, uri=f"s3://{BUCKET}/raw/2025-01-01/events.csv")
    assert result.starts == (RAW,)
    by_id = {item.node.id: item for item in result.reached}
    assert by_id[PIPELINE_ID].path == (RAW, PIPELINE_ID)
    assert by_id[PIPELINE_ID].steps == ("Prep",)
    endpoint = by_id[f"endpoint:{ENDPOINT_ARN}"]
    assert endpoint.path[0] == RAW and endpoint.path[-1] == f"endpoint:{ENDPOINT_ARN}"
    assert f"model:{MODEL_ARN}" in endpoint.path
    assert {item.node.kind for item in result.reached} >= {
        "dataset", "pipeline", "model-package", "model", "endpoint-config", "endpoint"}
    assert "model-package-group" not in {item.node.kind for item in result.reached}
    answer = result.to_dict()
    assert answer["byKind"]["endpoint"] == [endpoint.node.id]  # ids: each item once, in reached
    assert next(r for r in answer["reached"] if r["id"] == endpoint.node.id)["path"] == list(
        endpoint.path)
    assert all("risk" not in r for r in answer["reached"])  # /estate and /findings say that


def test_impact_of_a_bucket_and_of_an_untouched_location(estate: Estate) -> None:
    assert len(impact(estate, bucket=BUCKET).starts) >= 2
    assert impact(estate, uri="s3://elsewhere/x").reached == ()
    with pytest.raises(InvalidParameter):
        impact(estate)


def test_provenance_of_the_endpoint_goes_down_to_the_raw_data(estate: Estate) -> None:
    result = provenance(estate, endpoint=ENDPOINT)
    ids = {item.node.id for item in result.reached}
    assert {PIPELINE_ID, f"model:{MODEL_ARN}", f"model-package:{PACKAGE_ARN}", RAW} <= ids
    assert [item.node.id for item in result.raw_datasets] == [RAW]
    raw = result.raw_datasets[0]
    assert raw.node.attributes["s3"]["encryption"] == "aws:kms"
    assert raw.path[0] == f"endpoint:{ENDPOINT_ARN}" and raw.path[-1] == RAW
    assert provenance(estate, model=MODEL_ARN).starts == (f"model:{MODEL_ARN}",)
    assert provenance(estate, model_package=PACKAGE_ARN).raw_datasets[0].node.id == RAW


def test_provenance_of_something_unknown_is_not_found(estate: Estate) -> None:
    with pytest.raises(EstateNodeNotFound) as caught:
        provenance(estate, endpoint="no-such-endpoint")
    assert caught.value.http_status == 404


SETTINGS = Settings()
REGIONS = {REGION, "us-east-1"}


def parse(kind: str, **params: str) -> object:
    parser = {"estate": parse_estate_request, "impact": parse_impact_request,
              "provenance": parse_provenance_request}[kind]
    return parser(params, settings=SETTINGS, regions=REGIONS, offered=sorted(REGIONS))


def test_requests_parse() -> None:
    request = parse_estate_request({"region": "all", "account": "123456789012", "depth": "3"},
                                   settings=SETTINGS, regions=REGIONS, offered=sorted(REGIONS))
    assert request.regions == ("ap-northeast-2", "us-east-1") and request.depth == 3
    impact_request = parse_impact_request({"uri": "s3://my-bucket/a/b"}, settings=SETTINGS,
                                          regions=REGIONS, offered=[REGION])
    assert impact_request.uri == "s3://my-bucket/a/b"
    provenance_request = parse_provenance_request(
        {"modelPackage": PACKAGE_ARN}, settings=SETTINGS, regions=REGIONS, offered=[REGION])
    assert provenance_request.model_package == PACKAGE_ARN


@pytest.mark.parametrize(
    ("kind", "params", "parameter"),
    [
        ("estate", {"account": "12345"}, "account"),
        ("estate", {"depth": "0"}, "depth"),
        ("estate", {"depth": "11"}, "depth"),
        ("estate", {"region": "mars-1"}, "region"),
        ("impact", {}, "uri"),
        ("impact", {"uri": "s3://a/b", "bucket": "abc"}, "uri"),
        ("impact", {"uri": "http://bucket/x"}, "uri"),
        ("impact", {"uri": "s3://Bad_Bucket/x"}, "uri"),
        ("impact", {"bucket": "x"}, "bucket"),
        ("provenance", {}, "endpoint"),
        ("provenance", {"endpoint": "a", "model": "b"}, "endpoint"),
        ("provenance", {"endpoint": "bad name"}, "endpoint"),
        ("provenance", {"modelPackage": "not-an-arn"}, "modelPackage"),
    ],
)
def test_invalid_requests_name_the_parameter(kind: str, params: dict[str, str],
                                             parameter: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse(kind, **params)
    assert caught.value.parameter == parameter
