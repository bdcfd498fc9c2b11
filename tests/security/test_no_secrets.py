"""No answer and no log line carries credentials, a session token or AWS's own error text.

gunicorn (2 workers) on a sandbox that denies and throttles, with a session token in the
environment, serving the app with the injected faults of the API tests (500 included). After
a round of every endpoint, successes and failures, the answers (bodies and headers) and the
server's whole output are searched for the sandbox's dummy keys and AWS's raw messages.

The dashboard's callbacks run too, their AWS calls denied (the denial names the role's ARN),
and so does careless code (``tests.security.careless_app``): a callback that logs the denied
call's error as text through Dash's and werkzeug's loggers and lets it escape to Flask, and a
path where it escapes to gunicorn. Every line of the server's stderr goes through the safe
formatter: none of it carries AWS's text.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dashboard.server.app import create_app
from dashboard.ui import ids
from lineage.request import ExecutionsRequest, ListingPosition
from lineage.sandbox import SANDBOX_ACCESS_KEY_ID, SANDBOX_SECRET_ACCESS_KEY, parse_faults
from tests.api.conftest import Server, sandbox_env, start_gunicorn
from tests.conftest import StartSandbox
from tests.dashpost import CALLBACK_PATH, callback_json
from tests.security.careless_app import CALLBACK_ID, WSGI_PATH

pytestmark = pytest.mark.sandbox

SESSION_TOKEN = "sandbox-session-token-do-not-leak-0123456789"
SECRETS = (SANDBOX_ACCESS_KEY_ID, SANDBOX_SECRET_ACCESS_KEY, SESSION_TOKEN)
# The sandbox's raw AWS error texts (lineage.sandbox.protocol) and moto's.
AWS_TEXT = ("is not authorized to perform", "Rate exceeded", "reduce your request rate",
            "Could not find pipeline", "assumed-role/SandboxReadOnly", "arn:aws:sts::",
            "Invalid pagination token")
# A page token of /executions whose NextToken inside AWS refuses (with its own text).
REFUSED_TOKEN = ExecutionsRequest("mlops-pipeline", "ap-northeast-2").token(
    ListingPosition(20, "bm90LWF3cw"))
REQUESTS = [
    ("/lineage", {"pipeline": "mlops-pipeline", "refresh": "true"}),
    ("/lineage", {"pipeline": "churn-pipeline", "refresh": "true"}),
    ("/lineage", {"pipeline": "nlp-pipeline", "region": "us-east-1", "refresh": "true"}),
    ("/lineage", {"pipeline": "no-such-pipeline"}),
    ("/lineage", {"pipeline": "injected-denied"}),
    ("/lineage", {"pipeline": "injected-throttled"}),
    ("/lineage", {"pipeline": "injected-no-credentials"}),
    ("/lineage", {"pipeline": "injected-internal-error"}),  # a 500 whose trace is logged
    ("/lineage", {"pipeline": "bad name"}),
    ("/pipelines", {"region": "ap-northeast-2,us-east-1", "refresh": "true"}),
    ("/executions", {"pipeline": "mlops-pipeline", "refresh": "true"}),
    ("/executions", {"pipeline": "no-such-pipeline"}),
    ("/executions", {"pipeline": "mlops-pipeline", "parameters": "true", "status": "Failed",
                     "refresh": "true"}),
    ("/executions", {"pipeline": "mlops-pipeline", "token": REFUSED_TOKEN}),
    ("/compare", {"pipeline": "mlops-pipeline", "a": "q7v2m9k3x1ab", "b": "r3a5pd8rmk8r"}),
    ("/compare", {"pipeline": "injected-denied", "a": "q7v2m9k3x1ab", "b": "r3a5pd8rmk8r"}),
    ("/timeline", {"pipeline": "churn-pipeline"}),
    ("/trends", {"pipeline": "mlops-pipeline"}),
    ("/regions", {}),
    ("/healthz", {}),
    ("/openapi.json", {}),
    ("/", {}),
    ("/_dash-layout", {}),
]
REGION = "ap-northeast-2"
VIEW = {"region": REGION, "pipeline": "mlops-pipeline", "execution": None}
# The page's callbacks (output -> values), each reaching AWS where the sandbox denies: the
# region and pipeline lists (ListPipelines), the graph and its panel (DescribeTrainingJob,
# GetBucketEncryption), the executions' list.
CALLBACKS: list[tuple[str, dict[str, Any]]] = [
    (f"{ids.REGION}.options", {f"{ids.PAGE}.id": ids.PAGE}),
    (f"{ids.PIPELINE}.options", {f"{ids.REGION}.value": REGION}),
    (f"{ids.EXECUTION}.options", {f"{ids.PIPELINE}.value": "mlops-pipeline",
                                  f"{ids.REGION}.value": REGION}),
    (f"{ids.GRAPH}.elements", {f"{ids.VIEW}.data": VIEW}),
    (f"{ids.PANEL}.children", {f"{ids.META}.data": {**VIEW, "status": "Succeeded"}}),
]
CARELESS_BODY = json.dumps({
    "output": f"{CALLBACK_ID}.children",
    "outputs": {"id": CALLBACK_ID, "property": "children"},
    "inputs": [{"id": CALLBACK_ID, "property": "id", "value": CALLBACK_ID}],
    "changedPropIds": [f"{CALLBACK_ID}.id"],
})


def run_callbacks(server: Server) -> list[Any]:
    """The dashboard's callbacks, then the careless ones; their answers."""
    app = create_app({"CACHE_TYPE": "NullCache"})  # only for its callback map
    bodies = [callback_json(app, output, values) for output, values in CALLBACKS]
    answers = []
    for body in [*bodies, CARELESS_BODY]:
        answers.append(server.session.post(server.url + CALLBACK_PATH, data=body, timeout=60,
                                           headers={"Content-Type": "application/json"}))
    answers.append(server.get(WSGI_PATH))
    return answers


def test_no_secret_in_answers_or_logs(start_sandbox: StartSandbox, tmp_path: Path) -> None:
    sandbox = start_sandbox(faults=parse_faults(
        "throttle=0.2;deny=s3:GetBucketEncryption,sagemaker:DescribeTrainingJob,"
        "sagemaker:ListPipelines"
    ))
    env = sandbox_env(sandbox, {"AWS_SESSION_TOKEN": SESSION_TOKEN, "CACHE_TYPE": "NullCache",
                                "LINEAGE_AWS_MAX_ATTEMPTS": "1"})
    server = start_gunicorn("tests.security.careless_app:server", env,
                            tmp_path / "server.log", workers=2, threads=4)
    try:
        callbacks = run_callbacks(server)
        assert [r.status_code for r in callbacks[:len(CALLBACKS)]] == [200] * len(CALLBACKS)
        assert callbacks[-2].status_code == 500  # the careless callback raised
        assert callbacks[-1].status_code == 500  # gunicorn's own answer
        for response in callbacks:
            text = response.text + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
            for secret in SECRETS + AWS_TEXT:
                assert secret not in text, f"a callback answers {secret!r}"
        statuses = set()
        for _ in range(2):
            for path, params in REQUESTS:
                response = server.get(path, params=params)
                statuses.add(response.status_code)
                text = response.text + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
                for secret in SECRETS + AWS_TEXT:
                    assert secret not in text, f"{path} {params} answers {secret!r}"
        assert {200, 400, 404, 500, 502, 503} <= statuses, statuses
        # The pipeline's own calls may be throttled too (one attempt each): ask until a 200.
        for _ in range(10):
            answer = server.get("/lineage", params={"pipeline": "mlops-pipeline"})
            if answer.status_code == 200:
                break
        assert answer.status_code == 200, answer.text
        assert answer.json()["warnings"], "the faults reached the service"
    finally:
        server.stop()
    output = server.output()
    assert "unhandled error" in output and '"trace"' in output  # the 500 was logged
    for secret in SECRETS:
        assert secret not in output, f"the log holds {secret!r}"
    for text in AWS_TEXT:
        assert text not in output, f"the log holds AWS's text {text!r}"
    # The careless code's lines were written, without AWS's text.
    assert "careless callback failed: AccessDeniedException from ListPipelines" in output
    assert "Exception on /_dash-update-component" in output
    assert "Error handling request" in output  # gunicorn's


def test_gunicorns_own_log_config_writes_safe_json() -> None:
    """``GUNICORN_LOGCONFIG`` (gunicorn_conf's ``logconfig_dict``): its master's lines too."""
    code = (
        "import logging, logging.config\n"
        "from botocore.exceptions import ClientError\n"
        "from dashboard.core.logs import GUNICORN_LOGCONFIG\n"
        "logging.config.dictConfig(GUNICORN_LOGCONFIG)\n"
        "error = ClientError({'Error': {'Code': 'AccessDenied', 'Message': 'User: "
        "arn:aws:sts::123456789012:assumed-role/SandboxReadOnly/x is not authorized to "
        "perform: s3:GetObject'}}, 'GetObject')\n"
        "logging.getLogger('gunicorn.error').error('Error handling request %s', error)\n"
        "logging.getLogger('gunicorn.access').info('GET / 200')\n"
        "try:\n    raise error\nexcept ClientError:\n"
        "    logging.getLogger('gunicorn.error').exception('Error handling request /x')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60, cwd=Path(__file__).resolve().parents[2])
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert [line["logger"] for line in lines] == ["gunicorn.error", "gunicorn.error"]
    assert lines[0]["message"] == (
        "Error handling request AccessDenied from GetObject (AWS's message withheld)")
    assert "AccessDenied from GetObject" in lines[1]["trace"]
    for text in AWS_TEXT:
        assert text not in result.stderr + result.stdout
