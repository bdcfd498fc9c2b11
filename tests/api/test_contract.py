"""Every row of docs/CONTRACT.md over real HTTP: gunicorn, the sandbox, the injected faults."""

from __future__ import annotations

import re
import uuid

import jsonschema
import pytest

from lineage.contract import lineage_schema
from lineage.sandbox import SANDBOX_ACCESS_KEY_ID, SANDBOX_SECRET_ACCESS_KEY, SandboxProcess
from tests.api.conftest import Server

pytestmark = pytest.mark.sandbox

NOT_FOUND = {"message": "pipeline not found or domain filter mismatched"}
# What AWS's raw error text holds (tests.api.fault_app puts it in every injected error).
LEAKS = ("123456789012", "not authorized", "AKIA", "arn:aws:iam", "Traceback", "boom")


def assert_no_leak(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text, f"response leaks {leak!r}: {text}"


# -- 200 ------------------------------------------------------------------------------------------


def test_lineage_200_is_the_contract_document(api_server: Server) -> None:
    response = api_server.get("/lineage", params={"pipeline": "mlops-pipeline"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    document = response.json()
    jsonschema.validate(document, lineage_schema())
    assert document["pipeline"]["name"] == "mlops-pipeline"
    assert document["pipeline"]["region"] == "ap-northeast-2"  # the default region
    assert document["execution"]["status"] == "Succeeded"  # includeLatestExec defaults true
    assert response.headers["X-Request-Id"]


def test_lineage_is_also_served_under_api_prefix(api_server: Server) -> None:
    params = {"pipeline": "mlops-pipeline", "region": "ap-northeast-2"}
    plain = api_server.get("/lineage", params=params)
    prefixed = api_server.get("/prod/lineage", params=params)
    assert prefixed.status_code == 200
    assert prefixed.json() == plain.json()  # the same cache entry
    assert api_server.get("/prod/pipelines").status_code == 200
    assert api_server.get("/prod/lineage").json() == {"message": "pipeline is required"}


@pytest.mark.parametrize("flag", ["false", "FALSE", "0", "No"])
def test_include_latest_exec_false_has_no_execution(api_server: Server, flag: str) -> None:
    response = api_server.get(
        "/lineage", params={"pipeline": "mlops-pipeline", "includeLatestExec": flag}
    )
    assert response.status_code == 200
    document = response.json()
    assert document["execution"] is None
    assert document["summary"]["overallStatus"] == "NotExecuted"


def test_domain_filter_keeps_a_tagged_pipeline(api_server: Server) -> None:
    response = api_server.get(
        "/lineage", params={"pipeline": "mlops-pipeline", "domain": "ml-platform"}
    )
    assert response.status_code == 200
    assert response.json()["pipeline"]["tags"]["DomainName"] == "ml-platform"


def test_execution_parameter_pins_an_execution(api_server: Server) -> None:
    listing = api_server.get("/executions", params={"pipeline": "mlops-pipeline"}).json()
    older = listing["executions"][-1]
    for value in (older["id"], older["arn"]):
        response = api_server.get(
            "/lineage", params={"pipeline": "mlops-pipeline", "execution": value}
        )
        assert response.status_code == 200
        assert response.json()["execution"]["arn"] == older["arn"]


def test_us_east_1_pipeline(api_server: Server) -> None:
    response = api_server.get("/lineage", params={"pipeline": "nlp-pipeline",
                                                  "region": "us-east-1"})
    assert response.status_code == 200
    assert response.json()["execution"]["status"] == "Stopped"


# -- 400 ------------------------------------------------------------------------------------------


def test_missing_pipeline_is_400_with_the_contract_message(api_server: Server) -> None:
    response = api_server.get("/lineage")
    assert response.status_code == 400
    assert response.json() == {"message": "pipeline is required"}
    assert api_server.get("/lineage", params={"pipeline": ""}).json() == {
        "message": "pipeline is required"
    }


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"pipeline": "bad_name!"}, "pipeline"),
        ({"pipeline": "-leading-hyphen"}, "pipeline"),
        ({"pipeline": "a" * 257}, "pipeline"),
        ({"pipeline": "mlops-pipeline", "region": "mars-north-1"}, "region"),
        ({"pipeline": "mlops-pipeline", "includeLatestExec": "maybe"}, "includeLatestExec"),
        ({"pipeline": "mlops-pipeline", "domain": "bad domain"}, "domain"),
        ({"pipeline": "mlops-pipeline", "execution": "NOT AN ID"}, "execution"),
        (
            {
                "pipeline": "mlops-pipeline",
                "execution": "arn:aws:sagemaker:ap-northeast-2:123456789012:"
                "pipeline/other-pipeline/execution/abc123",
            },
            "execution",
        ),
        ({"pipeline": "mlops-pipeline", "refresh": "sometimes"}, "refresh"),
    ],
)
def test_invalid_parameter_is_400_naming_it(
    api_server: Server, params: dict[str, str], parameter: str
) -> None:
    response = api_server.get("/lineage", params=params)
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["message"]
    assert parameter in body["message"]


# -- 404 ------------------------------------------------------------------------------------------


def test_unknown_pipeline_is_404(api_server: Server) -> None:
    response = api_server.get("/lineage", params={"pipeline": "no-such-pipeline"})
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_domain_mismatch_is_404(api_server: Server) -> None:
    response = api_server.get(
        "/lineage", params={"pipeline": "churn-pipeline", "domain": "ml-platform"}
    )
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# -- 502 / 503 / 500 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pipeline", "status", "code"),
    [
        ("injected-denied", 502, "AccessDenied"),
        ("injected-throttled", 503, "Throttling"),
        ("injected-unavailable", 503, "ServiceUnavailable"),
        ("injected-no-credentials", 503, "NoCredentials"),
    ],
)
def test_aws_failure_body(api_server: Server, pipeline: str, status: int, code: str) -> None:
    response = api_server.get("/lineage", params={"pipeline": pipeline})
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"message", "code", "requestId"}
    assert body["code"] == code
    assert body["requestId"] == response.headers["X-Request-Id"]
    assert_no_leak(response.text)
    if code == "Throttling":
        assert int(response.headers["Retry-After"]) > 0
    else:
        assert "Retry-After" not in response.headers


def test_unexpected_error_is_500_with_the_trace_only_in_the_log(api_server: Server) -> None:
    response = api_server.get("/lineage", params={"pipeline": "injected-internal-error"})
    assert response.status_code == 500
    request_id = response.headers["X-Request-Id"]
    assert response.json() == {"message": "internal error", "requestId": request_id}
    assert_no_leak(response.text)
    api_server.wait_for_log(request_id)
    traces = [
        line for line in api_server.log_lines()
        if line.get("requestId") == request_id and "trace" in line
    ]
    assert traces, "the log must hold the trace under the request id"
    assert "RuntimeError: boom" in traces[0]["trace"]


def test_errors_are_not_cached(api_server: Server) -> None:
    first = api_server.get("/lineage", params={"pipeline": "injected-throttled"})
    second = api_server.get("/lineage", params={"pipeline": "injected-throttled"})
    assert first.status_code == second.status_code == 503
    assert first.json()["requestId"] != second.json()["requestId"]


# -- CORS, request ids, the log -----------------------------------------------------------------


def test_cors_get_from_any_origin_without_credentials(api_server: Server) -> None:
    response = api_server.get(
        "/lineage", params={"pipeline": "mlops-pipeline"}, headers={"Origin": "https://x.test"}
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "X-Request-Id" in response.headers["Access-Control-Expose-Headers"]
    error = api_server.get("/lineage", headers={"Origin": "https://x.test"})
    assert error.headers["Access-Control-Allow-Origin"] == "*"  # errors are readable too


def test_cors_preflight_allows_get_only(api_server: Server) -> None:
    response = api_server.session.options(
        api_server.url + "/lineage",
        headers={
            "Origin": "https://x.test",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "X-Request-Id",
        },
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Methods"] == "GET"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_post_is_not_allowed(api_server: Server) -> None:
    response = api_server.session.post(
        api_server.url + "/lineage", params={"pipeline": "mlops-pipeline"}, timeout=10
    )
    assert response.status_code == 405


def test_request_id_is_ours_and_a_strict_client_id_is_kept_beside_it(
    api_server: Server,
) -> None:
    given = str(uuid.uuid4())
    response = api_server.get("/healthz", headers={"X-Request-Id": given})
    ours = response.headers["X-Request-Id"]
    assert ours != given and re.fullmatch(r"[0-9a-f]{32}", ours)
    assert response.headers["X-Client-Request-Id"] == given
    assert api_server.wait_for_log(ours)["clientRequestId"] == given
    for junk in ("bad id\twith<script>", "short", "x" * 65, "has.dots:and_underscores"):
        answer = api_server.get("/healthz", headers={"X-Request-Id": junk})
        assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-Id"]), junk
        assert "X-Client-Request-Id" not in answer.headers, junk
        assert api_server.wait_for_log(answer.headers["X-Request-Id"])["clientRequestId"] is None
    # Another request's id cannot be borrowed: each answer has its own.
    again = api_server.get("/healthz", headers={"X-Request-Id": ours})
    assert again.headers["X-Request-Id"] != ours


def test_one_json_log_line_per_request_with_the_aws_call_count(
    api_server: Server, sandbox: SandboxProcess
) -> None:
    sandbox.reset_calls()
    client_id = f"log-{uuid.uuid4().hex}"
    response = api_server.get(
        "/lineage",
        params={"pipeline": "churn-pipeline", "refresh": "true"},
        headers={"X-Request-Id": client_id},
    )
    assert response.status_code == 200
    request_id = response.headers["X-Request-Id"]
    calls = len(sandbox.calls())
    line = api_server.wait_for_log(request_id)
    assert line["method"] == "GET"
    assert line["path"] == "/lineage"
    assert line["status"] == 200
    assert line["pipeline"] == "churn-pipeline"
    assert line["region"] == "ap-northeast-2"
    assert line["durationMs"] > 0
    assert line["awsCalls"] == calls > 0
    assert line["cache"] == "refresh"
    assert line["clientRequestId"] == client_id  # beside ours, never instead of it
    assert sum(1 for x in api_server.log_lines() if x.get("requestId") == request_id) == 1


def test_the_log_never_holds_credentials(api_server: Server) -> None:
    api_server.get("/lineage", params={"pipeline": "mlops-pipeline", "refresh": "1"})
    output = api_server.output()
    assert SANDBOX_SECRET_ACCESS_KEY not in output
    assert SANDBOX_ACCESS_KEY_ID not in output.replace(
        "AKIASANDBOXDUMMYKEY0 is not authorized", ""  # the injected AWS text, in a trace
    )


# -- the other endpoints --------------------------------------------------------------------------


def test_healthz_calls_no_aws(api_server: Server, sandbox: SandboxProcess) -> None:
    sandbox.reset_calls()
    response = api_server.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "sandbox": False}
    assert api_server.get("/regions").status_code == 200
    assert sandbox.calls() == []


def test_regions_default_to_every_sagemaker_region(api_server: Server) -> None:
    body = api_server.get("/regions").json()
    assert {"ap-northeast-2", "us-east-1"} <= set(body["regions"])
    assert body["regions"] == sorted(body["regions"])
    assert body["default"] == "ap-northeast-2"


def test_pipelines_of_a_region(api_server: Server) -> None:
    body = api_server.get("/pipelines", params={"region": "ap-northeast-2"}).json()
    by_name = {p["name"]: p for p in body["pipelines"]}
    assert {"mlops-pipeline", "churn-pipeline", "fraud-detection-pipeline",
            "scale-pipeline"} <= set(by_name)
    assert by_name["mlops-pipeline"]["latestExecution"]["status"] == "Succeeded"
    assert by_name["churn-pipeline"]["latestExecution"]["status"] == "Failed"
    assert by_name["fraud-detection-pipeline"]["latestExecution"]["status"] == "Executing"
    assert by_name["mlops-pipeline"]["tags"]["DomainName"] == "ml-platform"
    assert by_name["mlops-pipeline"]["arn"].endswith(":pipeline/mlops-pipeline")
    assert by_name["mlops-pipeline"]["lastModifiedTime"]
    assert body["warnings"] == []


def test_pipelines_of_several_regions_and_all(api_server: Server) -> None:
    both = api_server.get("/pipelines", params={"region": "us-east-1,ap-northeast-2"}).json()
    assert both["regions"] == ["ap-northeast-2", "us-east-1"]
    assert ("us-east-1", "nlp-pipeline") in {(p["region"], p["name"]) for p in both["pipelines"]}
    every = api_server.get("/pipelines", params={"region": "all"}).json()
    assert len(every["regions"]) > 10
    assert {p["name"] for p in both["pipelines"]} <= {p["name"] for p in every["pipelines"]}


def test_pipelines_domain_filter(api_server: Server) -> None:
    body = api_server.get(
        "/pipelines", params={"region": "ap-northeast-2", "domain": "ml-platform"}
    ).json()
    # Both tagged DomainName=ml-platform; the estate's feature pipeline is built in Studio too.
    assert [p["name"] for p in body["pipelines"]] == ["customer-features-pipeline",
                                                      "mlops-pipeline"]


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/pipelines", {"region": "ap-northeast-2,nowhere-1"}, "region"),
        ("/pipelines", {"region": ","}, "region"),
        ("/pipelines", {"domain": "no_underscores"}, "domain"),
        ("/executions", {}, "pipeline"),
        ("/executions", {"pipeline": "mlops-pipeline", "limit": "0"}, "limit"),
        ("/executions", {"pipeline": "mlops-pipeline", "limit": "x"}, "limit"),
        ("/executions", {"pipeline": "mlops-pipeline", "region": "mars-1"}, "region"),
    ],
)
def test_list_parameters_are_validated(
    api_server: Server, path: str, params: dict[str, str], parameter: str
) -> None:
    response = api_server.get(path, params=params)
    assert response.status_code == 400
    assert parameter in response.json()["message"]


def test_executions_newest_first_with_end_times(api_server: Server) -> None:
    body = api_server.get("/executions", params={"pipeline": "mlops-pipeline"}).json()
    executions = body["executions"]
    assert len(executions) >= 2
    starts = [e["startTime"] for e in executions]
    assert starts == sorted(starts, reverse=True)
    finished = [e for e in executions if e["status"] in ("Succeeded", "Failed", "Stopped")]
    assert finished and all(e["endTime"] for e in finished)
    running = api_server.get(
        "/executions", params={"pipeline": "fraud-detection-pipeline"}
    ).json()["executions"][0]
    assert running["status"] == "Executing" and running["endTime"] is None
    limited = api_server.get("/executions", params={"pipeline": "mlops-pipeline", "limit": "1"})
    assert len(limited.json()["executions"]) == 1


def test_executions_of_an_unknown_pipeline_is_404(api_server: Server) -> None:
    response = api_server.get("/executions", params={"pipeline": "no-such-pipeline"})
    assert response.status_code == 404
    assert response.json() == {"message": "pipeline not found"}
