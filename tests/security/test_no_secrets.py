"""No answer and no log line carries credentials, a session token or AWS's own error text.

gunicorn (2 workers) on a sandbox that denies and throttles, with a session token in the
environment, serving the app with the injected faults of the API tests (500 included). After
a round of every endpoint, successes and failures, the answers (bodies and headers) and the
server's whole output are searched for the sandbox's dummy keys and AWS's raw messages.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lineage.sandbox import SANDBOX_ACCESS_KEY_ID, SANDBOX_SECRET_ACCESS_KEY, parse_faults
from tests.api.conftest import sandbox_env, start_gunicorn
from tests.conftest import StartSandbox

pytestmark = pytest.mark.sandbox

SESSION_TOKEN = "sandbox-session-token-do-not-leak-0123456789"
SECRETS = (SANDBOX_ACCESS_KEY_ID, SANDBOX_SECRET_ACCESS_KEY, SESSION_TOKEN)
# The sandbox's raw AWS error texts (lineage.sandbox.protocol) and moto's.
AWS_TEXT = ("is not authorized to perform", "Rate exceeded", "reduce your request rate",
            "Could not find pipeline", "assumed-role/SandboxReadOnly")
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
    ("/regions", {}),
    ("/healthz", {}),
    ("/openapi.json", {}),
    ("/", {}),
    ("/_dash-layout", {}),
]


def test_no_secret_in_answers_or_logs(start_sandbox: StartSandbox, tmp_path: Path) -> None:
    sandbox = start_sandbox(faults=parse_faults(
        "throttle=0.2;deny=s3:GetBucketEncryption,sagemaker:DescribeTrainingJob,"
        "sagemaker:ListPipelines"
    ))
    env = sandbox_env(sandbox, {"AWS_SESSION_TOKEN": SESSION_TOKEN, "CACHE_TYPE": "NullCache",
                                "LINEAGE_AWS_MAX_ATTEMPTS": "1"})
    server = start_gunicorn("tests.api.fault_app:server", env, tmp_path / "server.log",
                            workers=2, threads=4)
    try:
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
