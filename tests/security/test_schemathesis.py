"""schemathesis against /openapi.json: generated requests get no 5xx and match the document.

The app runs in process (WSGI, no sockets) against the session's sandbox. Every operation of
the document gets schema-valid requests (any answer must be documented, its body and headers
as documented, never a 5xx) and schema-invalid ones (those must also be rejected with a 4xx).
Hypothesis is derandomized (tests/conftest.py): the same few hundred requests every run.

Not checked: schemathesis's "positive data accepted", because some rules cross parameters and
cannot be written in OpenAPI (an execution ARN must name the requested pipeline and region),
so a schema-valid request may rightly be a 400.

With API keys configured the document names its schemes and 401s: generated requests with a
key match it, and schemathesis's ``ignored_auth`` proves that each operation refuses the same
request without a key or with a wrong one. Every method the document does not list is a
405 with ``Allow``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dashboard.server.app import create_app
from dashboard.server.limits import LIMITS_OFF
from lineage.sandbox import SandboxProcess
from tests.api.conftest import sandbox_env

pytestmark = pytest.mark.sandbox

CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Requests per operation and mode; operations without parameters stop early (one request).
POSITIVE_EXAMPLES = 60
NEGATIVE_EXAMPLES = 25
# Fewer for /estate: each new scope (regions, account, domain, depth) or refresh builds a whole
# estate (hundreds of AWS calls, 0.5-3 s on the sandbox; a first build's request waits up to
# 2 s of it for progress), so its 60 requests were half of this run. Its parameters are
# parse_estate_request's, which /impact and /provenance parse too and get the full count of;
# its answers (whole estates; 400s, in the negative run) still all meet the document.
POSITIVE_EXAMPLES_OF = {"GET /estate": 20}
SEEDED_PIPELINES = ("mlops-pipeline", "churn-pipeline", "fraud-detection-pipeline")
SEEDED_EXAMPLES = 15
MIN_REQUESTS = 300

COUNTS: Counter[tuple[str, str, int]] = Counter()
REFRESH_LATER: Counter[str] = Counter()  # answers with X-Refresh-After, by operation
API_KEY = "schemathesis-key-0123456789"
# Hundreds of requests from one client: its limits would answer most of them (429, documented).
# Not the refresh cooldown: it refuses nothing (a refresh=true of the same answer within 30 s
# is the cached one with X-Refresh-After, documented, so checked too), and without it each
# repeated refresh read AWS again (a whole estate, for /estate and /findings).
NO_LIMITS = {key: value for key, value in LIMITS_OFF.items()
             if key != "LINEAGE_REFRESH_COOLDOWN_SEC"}
AUTH_EXAMPLES = 10
# The same estate builds again with API keys (another app, another cache): 5 /estate requests
# are enough to show that a key is asked for and accepted.
AUTH_EXAMPLES_OF = {"GET /estate": 5}


@pytest.fixture(scope="module")
def schema(sandbox: SandboxProcess) -> Iterator[Any]:
    with pytest.MonkeyPatch.context() as patch:
        for key, value in sandbox_env(sandbox).items():
            patch.setenv(key, value)
        app = create_app({"CACHE_TYPE": "SimpleCache", **NO_LIMITS})
        yield schemathesis.openapi.from_wsgi("/openapi.json", app.server)


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


@pytest.fixture(scope="module")
def keyed_schema(sandbox: SandboxProcess) -> Iterator[Any]:
    with pytest.MonkeyPatch.context() as patch:
        for key, value in sandbox_env(sandbox).items():
            patch.setenv(key, value)
        app = create_app({"CACHE_TYPE": "SimpleCache", **NO_LIMITS,
                          "LINEAGE_API_KEYS": (hashlib.sha256(API_KEY.encode()).hexdigest(),)})
        yield schemathesis.openapi.from_wsgi("/openapi.json", app.server,
                                             headers={"X-Api-Key": API_KEY})


def _run(
    operation: Any, mode: schemathesis.GenerationMode, examples: int,
    *, extra: tuple[Any, ...] = (), headers: dict[str, str] | None = None, **fixed: Any
) -> None:
    checks = CONFORMANCE + list(extra) + (
        [negative_data_rejection] if mode is schemathesis.GenerationMode.NEGATIVE else []
    )

    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def exchange(case: Any) -> None:
        response = case.call_and_validate(checks=checks, headers=headers)
        COUNTS[(operation.label, mode.value, response.status_code)] += 1
        if "x-refresh-after" in response.headers:  # schemathesis lower-cases the names
            REFRESH_LATER[operation.label] += 1

    exchange()


def test_generated_requests_match_the_document(schema: Any) -> None:
    operations = _operations(schema)
    assert {op.label for op in operations} >= {
        "GET /lineage", "GET /pipelines", "GET /executions", "GET /regions", "GET /healthz",
        "GET /schema", "GET /lineage/schema",
    }
    COUNTS.clear()
    REFRESH_LATER.clear()
    for operation in operations:
        _run(operation, schemathesis.GenerationMode.POSITIVE,
             POSITIVE_EXAMPLES_OF.get(operation.label, POSITIVE_EXAMPLES))
        if operation.query:  # only parameters can be wrong
            _run(operation, schemathesis.GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES)
        if operation.label in ("GET /lineage", "GET /executions", "GET /findings",
                               "GET /compare", "GET /timeline", "GET /trends"):
            # Random names are all unknown (404): also real pipelines, other values generated.
            for pipeline in SEEDED_PIPELINES:
                _run(operation, schemathesis.GenerationMode.POSITIVE, SEEDED_EXAMPLES,
                     query={"pipeline": pipeline})
    total = sum(COUNTS.values())
    summary = ", ".join(f"{label} {mode} {status}: {n}"
                        for (label, mode, status), n in sorted(COUNTS.items()))
    print(f"schemathesis: {total} requests ({summary}); X-Refresh-After: {dict(REFRESH_LATER)}")
    assert total >= MIN_REQUESTS, summary
    # Both sides were reached: real answers and rejections, never a 5xx.
    statuses = {status for (_, _, status) in COUNTS}
    assert 200 in statuses and 400 in statuses and 404 in statuses, summary
    assert not any(status >= 500 for status in statuses), summary
    assert COUNTS[("GET /estate", "positive", 200)], summary
    assert COUNTS[("GET /estate", "negative", 400)], summary
    # A refresh asked again too soon was served, its header as documented.
    assert REFRESH_LATER, summary


def test_with_api_keys_every_operation_enforces_them(keyed_schema: Any) -> None:
    operations = _operations(keyed_schema)
    assert "securitySchemes" in keyed_schema.raw_schema["components"]
    COUNTS.clear()
    for operation in operations:
        _run(operation, schemathesis.GenerationMode.POSITIVE,
             AUTH_EXAMPLES_OF.get(operation.label, AUTH_EXAMPLES),
             extra=(ignored_auth,), headers={"X-Api-Key": API_KEY})
        without = operation.Case().call(headers={})  # no key at all
        open_operation = operation.path in ("/healthz", "/readyz")
        assert (without.status_code != 401) if open_operation else without.status_code == 401
    statuses = {status for (_, _, status) in COUNTS}
    assert 200 in statuses and 401 not in statuses, COUNTS  # the key was accepted
    assert COUNTS[("GET /estate", "positive", 200)], COUNTS


def test_methods_the_document_does_not_list_are_405(schema: Any) -> None:
    app = schema.app
    client = app.test_client()
    for path, item in schema.raw_schema["paths"].items():
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            assert method.lower() not in item
            response = client.open(path, method=method)
            assert response.status_code == 405, (method, path)
            assert response.get_json() == {"message": "method not allowed"}
            assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
