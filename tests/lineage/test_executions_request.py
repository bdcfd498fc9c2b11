"""/executions' parameters and page tokens (lineage.request), and a page chosen over the
listing's pages (lineage.catalog.select_executions): pure, no AWS."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from lineage.catalog import ListedPage, select_executions
from lineage.config import Settings
from lineage.errors import InvalidParameter
from lineage.request import (
    DEFAULT_EXECUTIONS,
    MAX_EXECUTIONS,
    ExecutionsRequest,
    ListingPosition,
    parse_executions_request,
)

REGIONS = frozenset({"ap-northeast-2", "us-east-1"})
SETTINGS = Settings(default_region="ap-northeast-2")
PIPELINE = "mlops-pipeline"


def parse(**params: str | None) -> ExecutionsRequest:
    return parse_executions_request({"pipeline": PIPELINE, **params}, settings=SETTINGS,
                                    regions=REGIONS)


def refused(**params: str | None) -> InvalidParameter:
    with pytest.raises(InvalidParameter) as caught:
        parse(**params)
    return caught.value


def test_the_current_requests_parse_as_before() -> None:
    assert parse() == ExecutionsRequest(PIPELINE, "ap-northeast-2", DEFAULT_EXECUTIONS)
    assert parse(limit="5", status="", parameters="", token="") == ExecutionsRequest(
        PIPELINE, "ap-northeast-2", 5)


def test_filters_and_parameters() -> None:
    wanted = parse(status="Failed", parameters="yes", **{
        "param.TrainingInstanceType": "ml.m5.2xlarge", "param.AucThreshold": "0.7",
        "param.Empty": ""})
    assert wanted.status == "Failed" and wanted.parameters
    # Sorted by name (one key, one token scope, whatever the order); empty: no filter.
    assert wanted.where == (("AucThreshold", "0.7"), ("TrainingInstanceType", "ml.m5.2xlarge"))
    assert wanted.reads_parameters and wanted.filtered
    assert wanted.page_size == MAX_EXECUTIONS  # a filter reads the longest pages
    assert parse(**{"param.X": "1"}).reads_parameters  # a parameter filter reads them


@pytest.mark.parametrize(("params", "parameter"), [
    ({"status": "failed"}, "status"),  # SageMaker's spelling only
    ({"status": "Starting"}, "status"),  # a step's status, never an execution's
    ({"parameters": "maybe"}, "parameters"),
    ({"param.": "x"}, "param."),
    ({"param.has space": "x"}, "param."),
    ({"param.<script>": "x"}, "param."),
    ({"param." + "a" * 257: "x"}, "param."),
    ({"param.X": "v" * 1025}, "param.X"),
    ({"param.X": "a\x00b"}, "param.X"),
    ({f"param.P{n}": "v" for n in range(11)}, "param."),
])
def test_bad_filters_are_400_naming_them(params: dict[str, str], parameter: str) -> None:
    error = refused(**params)
    assert error.http_status == 400 and parameter in error.message
    assert "<script>" not in error.message and "space" not in error.message


def test_a_token_reads_back_as_its_position() -> None:
    filtered = parse(status="Failed")
    position = ListingPosition(MAX_EXECUTIONS, "aws-token/+=", "abc123", 7)
    token = filtered.token(position)
    assert token.replace("-", "").replace("_", "").isalnum()  # base64url, no padding
    again = parse(status="Failed", token=token, limit="3", parameters="true")
    assert again.position == position and again.page_size == MAX_EXECUTIONS
    # The start of the next AWS page: no place on it yet.
    start = ListingPosition(DEFAULT_EXECUTIONS, "next")
    assert parse(token=parse().token(start)).position == start


def forge(**payload: Any) -> str:
    text = json.dumps(payload, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("token", [
    "garbage!", "a" * 4001, "AAAA", forge(v=1), "e30",  # "{}"
    forge(v=2, n=20, t="x", a=None, s=0, q=parse().scope()),
    forge(v=1, n=50, t="x", a=None, s=0, q=parse().scope()),  # not a page size we read
    forge(v=1, n=20, t=None, a=None, s=0, q=parse().scope()),  # the first page has none
    forge(v=1, n=20, t="x", a="abc", s=0, q=parse().scope()),  # a place is an id and index
    forge(v=1, n=20, t="x", a="ABC", s=3, q=parse().scope()),  # not an execution id
    forge(v=1, n=20, t="x", a="abc", s=20, q=parse().scope()),  # off the page
    forge(v=1, n=20, t="x\ny", a=None, s=0, q=parse().scope()),  # not AWS's characters
    forge(v=1, n=True, t="x", a=None, s=0, q=parse().scope()),
    forge(v=1, n=20, t="x", a=None, s=0, q=parse().scope()) + "A",  # not what we write
    parse().token(ListingPosition(20, "x")) + "=",
])
def test_anything_but_a_token_this_server_wrote_is_400(token: str) -> None:
    error = refused(token=token)
    assert error.http_status == 400 and "token" in error.message


def test_a_token_continues_only_its_own_listing() -> None:
    token = parse(status="Failed").token(ListingPosition(MAX_EXECUTIONS, "next"))
    for other in ({"status": "Succeeded"}, {"region": "us-east-1", "status": "Failed"},
                  {"status": "Failed", "param.X": "1"}):
        error = refused(token=token, **other)
        assert "another listing" in error.message
    with pytest.raises(InvalidParameter, match="another listing"):
        parse_executions_request({"pipeline": "churn-pipeline", "status": "Failed",
                                  "token": token}, settings=SETTINGS, regions=REGIONS)


# -- a page over the listing's pages ------------------------------------------------------------


def execution(number: int, status: str = "Succeeded", **parameters: str) -> dict[str, Any]:
    arn = f"arn:aws:sagemaker:ap-northeast-2:123456789012:pipeline/{PIPELINE}/execution/e{number}"
    found: dict[str, Any] = {"arn": arn, "id": f"e{number}", "status": status}
    if parameters:
        found["parameters"] = parameters
    return found


class Listing:
    """AWS's listing of ``count`` runs, newest first, in pages; the reads asked of it."""

    def __init__(self, runs: list[dict[str, Any]]) -> None:
        self.runs = runs
        self.reads: list[tuple[int, str | None]] = []

    def read(self, size: int, token: str | None) -> ListedPage:
        self.reads.append((size, token))
        start = int(token) if token else 0
        page = self.runs[start:start + size]
        following = str(start + size) if start + size < len(self.runs) else None
        warnings = [{"code": "PARAMETERS_THROTTLED", "message": "m", "target": e["arn"]}
                    for e in page if e["status"] == "Stopped"]
        return ListedPage({"region": "ap-northeast-2", "executions": page,
                           "warnings": warnings, "generatedAt": "2025-01-01T00:00:00Z"},
                          following)


def pages(request: ExecutionsRequest, listing: Listing, **options: Any) -> list[list[str]]:
    """Every page of ``request``, following the tokens to the end."""
    seen: list[list[str]] = []
    while True:
        chosen = select_executions(request, listing.read, **options)
        seen.append([str(e["id"]) for e in chosen.executions])
        if chosen.following is None:
            return seen
        token = request.token(chosen.following)
        request = parse_executions_request(
            {"pipeline": PIPELINE, "limit": str(request.limit), "token": token,
             "status": request.status, **{f"param.{n}": v for n, v in request.where}},
            settings=SETTINGS, regions=REGIONS)


def test_pages_of_two_over_pages_of_twenty_read_each_once() -> None:
    listing = Listing([execution(n) for n in range(36)])
    seen = pages(parse(limit="2"), listing)
    assert [e for page in seen for e in page] == [f"e{n}" for n in range(36)]
    assert all(len(page) == 2 for page in seen) and len(seen) == 18
    assert set(listing.reads) == {(20, None), (20, "20")}  # a cache would hold two entries


def test_a_page_across_two_of_aws_and_one_of_the_whole_listing() -> None:
    listing = Listing([execution(n) for n in range(36)])
    first = select_executions(parse(limit="15"), listing.read)
    assert first.following == ListingPosition(20, None, "e14", 15)
    second = select_executions(parse(limit="15", token=parse().token(first.following)),
                               listing.read)
    assert [e["id"] for e in second.executions] == [f"e{n}" for n in range(15, 30)]
    whole = select_executions(parse(limit="100"), listing.read)
    assert len(whole.executions) == 36 and whole.following is None and whole.pages_read == 1


def test_new_runs_do_not_repeat_an_execution_on_the_next_page() -> None:
    listing = Listing([execution(n) for n in range(10)])
    first = select_executions(parse(limit="3"), listing.read)
    assert first.following is not None
    listing.runs.insert(0, execution(99))  # a run started meanwhile
    second = select_executions(parse(limit="3", token=parse().token(first.following)),
                               listing.read)
    assert [e["id"] for e in second.executions] == ["e3", "e4", "e5"]


def test_a_filter_reads_on_until_enough_match_or_its_bound() -> None:
    runs = [execution(n, "Failed" if n % 30 == 7 else "Succeeded") for n in range(700)]
    listing = Listing(runs)
    failed = parse(status="Failed", limit="2")
    seen = pages(failed, listing)
    assert [e for page in seen for e in page] == [f"e{n}" for n in range(700) if n % 30 == 7]
    # At most 5 pages of 100 a page: the sixth and seventh are read by the next page.
    everything = select_executions(parse(status="Failed", limit="100"), listing.read)
    assert everything.pages_read == 5 and len(everything.executions) == 17
    assert everything.following == ListingPosition(100, "500")
    rest = select_executions(parse(status="Failed", limit="100",
                                   token=parse(status="Failed").token(everything.following)),
                             listing.read)
    assert len(rest.executions) == 7 and rest.following is None
    # Out of time: what matched so far, and where to read on.
    hurried = select_executions(parse(status="Failed", limit="100"), listing.read,
                                more_time=lambda: False)
    assert hurried.pages_read == 1 and hurried.following == ListingPosition(100, "100")


def test_a_parameter_filter_and_its_unread_runs() -> None:
    runs = [execution(0, TrainingInstanceType="ml.m5.2xlarge"),
            execution(1, TrainingInstanceType="ml.m5.xlarge"),
            execution(2, "Stopped"),  # its parameters could not be read: a warning
            execution(3, "Failed", TrainingInstanceType="ml.m5.2xlarge")]
    chosen = select_executions(parse(**{"param.TrainingInstanceType": "ml.m5.2xlarge"}),
                               Listing(runs).read)
    assert [e["id"] for e in chosen.executions] == ["e0", "e3"]
    assert [w["target"] for w in chosen.warnings] == [runs[2]["arn"]]
    both = select_executions(parse(status="Failed", **{
        "param.TrainingInstanceType": "ml.m5.2xlarge"}), Listing(runs).read)
    assert [e["id"] for e in both.executions] == ["e3"]
    # Without a parameter filter, only the warnings of the executions shown.
    plain = select_executions(parse(limit="2"), Listing(runs).read)
    assert plain.warnings == ()


def test_the_answer_says_next_token_only_when_more_remain() -> None:
    listing = Listing([execution(n) for n in range(3)])
    request = parse(limit="2")
    answer = select_executions(request, listing.read).answer(request)
    assert list(answer) == ["pipeline", "region", "executions", "warnings", "generatedAt",
                            "nextToken"]
    assert parse(token=answer["nextToken"]).position == ListingPosition(20, None, "e1", 2)
    last = select_executions(parse(limit="3"), listing.read).answer(parse(limit="3"))
    assert "nextToken" not in last
