"""lineage.request: the sibling API's parameters (/lineage's view, /sagemaker/pipelines,
/lineage/by-domain), validated as every other parameter is."""

from __future__ import annotations

import pytest

from lineage.config import Settings
from lineage.errors import InvalidParameter
from lineage.request import (
    DomainLineageRequest,
    LineageQuery,
    LineageRequest,
    SiblingPipelinesRequest,
    parse_domain_lineage_request,
    parse_lineage_query,
    parse_sibling_pipelines_request,
)

REGIONS = frozenset({"ap-northeast-2", "us-east-1"})
OFFERED = ("us-east-1", "ap-northeast-2")
SETTINGS = Settings(default_region="ap-northeast-2")


def query(**params: str | None) -> LineageQuery:
    return parse_lineage_query(params, settings=SETTINGS, regions=REGIONS)


def pipelines(**params: str | None) -> SiblingPipelinesRequest:
    return parse_sibling_pipelines_request(params, regions=REGIONS, offered=OFFERED)


def by_domain(**params: str | None) -> DomainLineageRequest:
    return parse_domain_lineage_request(params, settings=SETTINGS, regions=REGIONS)


def refused(parse: object, parameter: str, **params: str | None) -> str:
    with pytest.raises(InvalidParameter) as caught:
        parse(**params)  # type: ignore[operator]
    assert caught.value.parameter == parameter
    return caught.value.message


def test_view_shapes_and_reads_nothing_more() -> None:
    plain = query(pipeline="p")
    assert plain == LineageQuery(LineageRequest(pipeline="p", region="ap-northeast-2"))
    for view in ("pipeline", "data", "both"):
        shaped = query(pipeline="p", view=view)
        assert shaped.view == view and shaped.request == plain.request  # one cache entry
    assert query(pipeline="p", view="").view is None
    # The sibling's own parameters that mean nothing here are ignored.
    assert query(pipeline="p", profile="prod", timeout_s="3", includePII="true") == plain


@pytest.mark.parametrize("value", ["Both", "graph", "both ", "<script>"])
def test_a_bad_view_is_a_400_that_lists_the_choices(value: str) -> None:
    message = refused(query, "view", pipeline="p", view=value)
    assert message == "view must be one of pipeline, data, both"


def test_lineage_checks_come_first() -> None:
    assert refused(query, "pipeline", view="both") == "pipeline is required"


def test_sibling_pipelines_defaults_to_every_region_offered() -> None:
    assert pipelines() == SiblingPipelinesRequest(regions=OFFERED)
    assert pipelines(regions="us-east-1, ap-northeast-2,us-east-1") == \
        SiblingPipelinesRequest(regions=("us-east-1", "ap-northeast-2"))
    asked = pipelines(regions="ap-northeast-2", includeLatestExec="true", name="mlops",
                      domainName="ml-platform", domainId="d-abc123", profile="x")
    assert asked == SiblingPipelinesRequest(
        regions=("ap-northeast-2",), include_latest_exec=True, name="mlops",
        domain_name="ml-platform", domain_id="d-abc123")
    # What the frontend sends for values it leaves out: skipped, so absent.
    assert pipelines(regions="ap-northeast-2", includeLatestExec="false") == \
        SiblingPipelinesRequest(regions=("ap-northeast-2",))


@pytest.mark.parametrize(("params", "parameter", "message"), [
    ({"regions": ","}, "regions", "regions must name at least one region"),
    ({"regions": "eu-west-9"}, "regions",
     "regions: eu-west-9 is not a region where SageMaker is available"),
    ({"regions": "<img src=x>"}, "regions",
     "regions: not a region where SageMaker is available"),
    ({"includeLatestExec": "maybe"}, "includeLatestExec",
     "includeLatestExec must be true, false, 1, 0, yes or no"),
    ({"name": "a b"}, "name", "name must be 1-256 letters, digits or hyphens (part of a "
     "pipeline name)"),
    ({"domainName": "-x"}, "domainName",
     "domainName must be 1-63 letters, digits or hyphens (a Studio domain name)"),
    ({"domainId": "abc"}, "domainId", "domainId must be a Studio domain id (d-...)"),
    ({"name": "a" * 3000}, "name", "name is too long"),
    ({"domainId": "d-a\x00"}, "domainId", "domainId contains control characters"),
])
def test_sibling_pipelines_refusals(params: dict[str, str], parameter: str,
                                    message: str) -> None:
    assert refused(pipelines, parameter, **params) == message


def test_by_domain() -> None:
    assert by_domain(domain="ml-platform") == DomainLineageRequest(
        region="ap-northeast-2", domain="ml-platform")
    asked = by_domain(domain="ml-platform", region="us-east-1", includeLatestExec="no",
                      view="data", profile="p")
    assert asked == DomainLineageRequest("us-east-1", "ml-platform", False, "data")
    assert asked.pipeline_request("nlp") == LineageRequest(
        pipeline="nlp", region="us-east-1", include_latest_exec=False, domain="ml-platform")


@pytest.mark.parametrize(("params", "parameter", "message"), [
    ({}, "domain", "domain is required"),
    ({"domain": ""}, "domain", "domain is required"),
    ({"domain": "a_b"}, "domain",
     "domain must be 1-63 letters, digits or hyphens (a Studio domain name)"),
    ({"domain": "d", "region": "mars-1"}, "region",
     "region is not a region where SageMaker is available"),
    ({"domain": "d", "view": "all"}, "view", "view must be one of pipeline, data, both"),
])
def test_by_domain_refusals(params: dict[str, str], parameter: str, message: str) -> None:
    assert refused(by_domain, parameter, **params) == message
