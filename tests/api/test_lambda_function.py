"""The function as Lambda runs it: made at import, its cache per execution environment or
shared through Redis, no Dash or moto loaded, an estate whole within its request."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from lineage.sandbox import SandboxProcess, apply_environment
from tests.api.lambda_events import function_on, http_event, rest_event

pytestmark = pytest.mark.sandbox

LINEAGE = [("pipeline", "churn-pipeline")]


def aws_calls(sandbox: SandboxProcess) -> int:
    return len(sandbox.calls())


def test_an_environment_keeps_its_answers_and_another_reads_again(
    sandbox: SandboxProcess,
) -> None:
    first = function_on(sandbox.endpoint)  # the default cache: this environment's memory
    assert first.server.config["CACHE_TYPE"] == "SimpleCache"
    sandbox.reset_calls()
    miss = first(rest_event("GET", "/lineage", LINEAGE))
    assert (miss["statusCode"], miss["multiValueHeaders"]["X-Cache"]) == (200, ["miss"])
    read = aws_calls(sandbox)
    assert read > 0
    hit = first(http_event("GET", "/lineage", LINEAGE))
    assert (hit["statusCode"], hit["headers"]["X-Cache"]) == (200, "hit")
    assert aws_calls(sandbox) == read
    other = function_on(sandbox.endpoint)
    assert other(rest_event("GET", "/lineage", LINEAGE))["multiValueHeaders"]["X-Cache"] == [
        "miss"]
    assert aws_calls(sandbox) == 2 * read


def test_environments_share_one_redis_cache(sandbox: SandboxProcess, redis_url: str) -> None:
    config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url,
              "CACHE_KEY_PREFIX": "lambda-test:"}
    first, second = function_on(sandbox.endpoint, **config), function_on(sandbox.endpoint, **config)
    assert first.parts.readiness.checks["cache"] == "ok"
    query = [("pipeline", "churn-pipeline"), ("includeLatestExec", "false")]
    assert first(rest_event("GET", "/lineage", query))["multiValueHeaders"]["X-Cache"] == ["miss"]
    sandbox.reset_calls()
    shared = second(rest_event("GET", "/lineage", query))
    assert (shared["statusCode"], shared["multiValueHeaders"]["X-Cache"]) == (200, ["hit"])
    assert aws_calls(sandbox) == 0


def test_an_estate_is_whole_in_its_first_answer(sandbox: SandboxProcess) -> None:
    # Lambda freezes an environment between requests: no build is left to a thread.
    function = function_on(sandbox.endpoint, CACHE_TYPE="NullCache")
    result = function(rest_event("GET", "/estate", [("region", "us-east-1")]))
    assert result["statusCode"] == 200
    estate = json.loads(result["body"])
    assert "progress" not in estate
    assert any(node["kind"] == "pipeline" for node in estate["nodes"])


LAMBDA_RUNTIME = """
import json, sys
import dashboard.aws_lambda as function
made_at_import = function._function is not None
event = json.loads(sys.stdin.read())
answer = function.handler(event, None)
print(json.dumps({"made_at_import": made_at_import, "status": answer["statusCode"],
                  "body": json.loads(answer["body"]), "loaded": sorted(
                      name for name in ("dash", "dash_cytoscape", "moto", "pytest")
                      if name in sys.modules)}))
"""


def test_in_lambda_the_function_is_made_at_import_and_loads_no_dash(
    sandbox: SandboxProcess,
) -> None:
    env = apply_environment(dict(os.environ), sandbox.environment())
    env.update(AWS_LAMBDA_FUNCTION_NAME="LineageApiFn", DEFAULT_REGION="ap-northeast-2",
               ENABLE_S3_META="false")
    for name in ("CACHE_TYPE", "CACHE_DIR", "LINEAGE_SANDBOX"):
        env.pop(name, None)
    event = rest_event("GET", "/lineage", [("pipeline", "mlops-pipeline"),
                                           ("includeLatestExec", "true"),
                                           ("region", "ap-northeast-2")])
    done = subprocess.run([sys.executable, "-c", LAMBDA_RUNTIME], input=json.dumps(event),
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["made_at_import"] is True
    assert figures["status"] == 200
    assert figures["body"]["pipeline"]["name"] == "mlops-pipeline"
    # The seed's variables reach the engine: ENABLE_S3_META=false leaves the settings out.
    assert all("s3" not in artifact for artifact in figures["body"]["graph"]["artifacts"])
    assert figures["loaded"] == []
