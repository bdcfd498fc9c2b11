"""API Gateway's proxy events in, its proxy results out: the adapter of dashboard.aws_lambda.

The documented example events (tests/fixtures/apigateway) as they are, and as a request
changes them; what is not an API Gateway event is a 400 in JSON, never a trace.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest

from dashboard.aws_lambda import (
    Answer,
    LambdaApi,
    NotAProxyEvent,
    parse_event,
    proxy_result,
    wsgi_environ,
)
from tests.api.lambda_events import HTTP_EXAMPLE, REST_EXAMPLE, SOURCE_IP, http_event, rest_event


def test_the_documented_rest_event_reads_as_its_request() -> None:
    request = parse_event(copy.deepcopy(REST_EXAMPLE))
    assert (request.version, request.method, request.script_name, request.path) == (
        "1.0", "GET", "", "/my/path")
    # Repeated names keep every value, in order, encoded again as a URL carries them.
    assert request.query_string == "parameter1=value1&parameter1=value2&parameter2=value"
    assert ("header2", "value1") in request.headers and ("header2", "value2") in request.headers
    assert request.body == b"Hello from Lambda!"
    assert request.request_id == "id="


def test_the_documented_http_event_reads_as_its_request() -> None:
    request = parse_event(copy.deepcopy(HTTP_EXAMPLE))
    assert (request.version, request.method, request.script_name, request.path) == (
        "2.0", "POST", "", "/my/path")
    assert request.query_string == "parameter1=value1&parameter1=value2&parameter2=value"
    assert ("cookie", "cookie1; cookie2") in request.headers
    assert request.source_ip == "192.0.2.1"


@pytest.mark.parametrize("make", [rest_event, http_event])
def test_the_stage_is_the_script_root_and_the_rest_the_path(make: Any) -> None:
    request = parse_event(make("GET", "/lineage", query=[("pipeline", "a b&c")]))
    assert (request.script_name, request.path) == ("/prod", "/lineage")
    environ = wsgi_environ(request)
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/prod", "/lineage")
    assert environ["QUERY_STRING"] == "pipeline=a%20b%26c"
    assert environ["wsgi.url_scheme"] == "https"


def test_an_http_api_default_stage_has_no_script_root() -> None:
    request = parse_event(http_event("GET", "/prod-like/lineage", stage="$default"))
    assert (request.script_name, request.path) == ("", "/prod-like/lineage")


def test_the_client_address_is_api_gateways_source_ip_never_a_forwarded_header() -> None:
    event = rest_event("GET", "/regions", headers=[("X-Forwarded-For", "10.0.0.1")])
    environ = wsgi_environ(parse_event(event))
    assert environ["REMOTE_ADDR"] == SOURCE_IP
    assert environ["HTTP_X_FORWARDED_FOR"].endswith("10.0.0.1")  # passed on, not believed


def test_a_base64_body_is_decoded_and_its_length_is_the_bodys_own() -> None:
    event = rest_event("POST", "/lineage", headers=[("Content-Length", "3")])
    event.update(body=base64.b64encode(b"\x00\xffbinary").decode(), isBase64Encoded=True)
    environ = wsgi_environ(parse_event(event))
    assert environ["wsgi.input"].read() == b"\x00\xffbinary"
    assert environ["CONTENT_LENGTH"] == "8"


def test_non_ascii_paths_and_headers_are_latin1_strings_of_their_utf8_bytes() -> None:
    environ = wsgi_environ(parse_event(http_event("GET", "/l%C3%ADneage")))
    assert environ["PATH_INFO"] == "/líneage".encode().decode("latin-1")


def test_a_text_answer_goes_as_text_with_every_header_value() -> None:
    answer = Answer(200, (("Content-Type", "application/json"), ("Vary", "Origin"),
                          ("Vary", "Accept")), b'{"a": 1}')
    rest = proxy_result(answer, "1.0")
    assert rest == {"statusCode": 200, "body": '{"a": 1}', "isBase64Encoded": False,
                    "multiValueHeaders": {"Content-Type": ["application/json"],
                                          "Vary": ["Origin", "Accept"]}}
    http = proxy_result(answer, "2.0")
    assert http["headers"] == {"Content-Type": "application/json", "Vary": "Origin, Accept"}


def test_a_binary_answer_goes_base64_and_cookies_apart_in_payload_2() -> None:
    answer = Answer(200, (("Content-Type", "application/octet-stream"),
                          ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")), b"\x00\x01")
    http = proxy_result(answer, "2.0")
    assert (http["isBase64Encoded"], base64.b64decode(http["body"])) == (True, b"\x00\x01")
    assert http["cookies"] == ["a=1", "b=2"] and "Set-Cookie" not in http["headers"]
    assert proxy_result(answer, "1.0")["multiValueHeaders"]["Set-Cookie"] == ["a=1", "b=2"]


NOT_EVENTS: list[Any] = [
    None,
    [],
    "GET /lineage",
    {},
    {"requestContext": "x"},
    {"requestContext": {}, "httpMethod": "GET"},
    {"version": "2.0", "requestContext": {}, "rawPath": "/lineage"},
    {"version": "2.0", "requestContext": {"http": {}}, "rawPath": "/lineage"},
    {"requestContext": {}, "httpMethod": "GET", "path": "/lineage", "body": 5},
    {"requestContext": {}, "httpMethod": "GET", "path": "/lineage", "body": "%%%",
     "isBase64Encoded": True},
]


@pytest.mark.parametrize("event", NOT_EVENTS, ids=repr)
def test_what_is_not_a_proxy_event_is_refused(event: Any) -> None:
    with pytest.raises(NotAProxyEvent):
        parse_event(event)


@pytest.fixture(scope="module")
def offline_function() -> LambdaApi:
    """A function whose AWS is never reached: these events stop before any view."""
    return LambdaApi({"CACHE_TYPE": "NullCache"})


@pytest.mark.parametrize("event", NOT_EVENTS, ids=repr)
def test_the_function_answers_what_is_not_an_event_with_a_json_400(
    event: Any, offline_function: LambdaApi
) -> None:
    result = offline_function(copy.deepcopy(event))
    assert result["statusCode"] == 400
    assert json.loads(result["body"])["message"].startswith("not an API Gateway proxy event")
    assert "Traceback" not in result["body"]


def test_an_unknown_path_is_the_apis_json_404_through_the_function(
    offline_function: LambdaApi,
) -> None:
    result = offline_function(rest_event("GET", "/prod/nothing/here"))
    assert result["statusCode"] == 404
    assert json.loads(result["body"]) == {"message": "not found"}
    assert result["multiValueHeaders"]["Content-Type"] == ["application/json"]
