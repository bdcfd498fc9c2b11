"""Row 16 (issue 15): the Lambda function's cold start, on rows 1-7's sandbox.

Each repeat is a new interpreter, as a new execution environment is: it imports
``dashboard.aws_lambda`` with ``AWS_LAMBDA_FUNCTION_NAME`` set, so the import is Lambda's
init phase (the API server made, its AWS clients created, its cache tried), then hands the
handler one proxy event for ``/lineage`` of mlops-pipeline. Against: the import and
``create_app()`` of the dashboard's server until it is ready, its clients warmed (what the
function leaves out), and row 1's median cold ``/lineage`` on the running server (what a
first request in a new environment adds).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from typing import Any

from dashboard.bench.figures import Check, Row, median
from dashboard.bench.processes import BenchError

REPEATS = 5
PIPELINE = "mlops-pipeline"
REGION = "ap-northeast-2"
# The goals (issue 15: "keep the import lean"; the README shows them).
INIT_GOAL_SEC = 1.5
INIT_VS_DASHBOARD_GOAL = 0.8
FIRST_VS_COLD_GOAL = 1.5

ROW_TITLE = (16, "Lambda cold start: init (import) and first /lineage")

# Run in a new interpreter: the figures of one new execution environment, as JSON.
_FUNCTION = """
import json, sys, time
started = time.perf_counter()
import dashboard.aws_lambda as function
imported = time.perf_counter()
event = {
    "resource": "/{proxy+}", "path": "/lineage", "httpMethod": "GET",
    "headers": {"Host": "bench.execute-api.example", "X-Forwarded-Proto": "https"},
    "multiValueHeaders": {"Host": ["bench.execute-api.example"],
                          "X-Forwarded-Proto": ["https"]},
    "queryStringParameters": {"pipeline": "%(pipeline)s", "region": "%(region)s"},
    "multiValueQueryStringParameters": {"pipeline": ["%(pipeline)s"], "region": ["%(region)s"]},
    "requestContext": {"path": "/prod/lineage", "stage": "prod", "requestId": "bench",
                       "identity": {"sourceIp": "127.0.0.1"}},
    "body": None, "isBase64Encoded": False,
}
answer = function.handler(event, None)
answered = time.perf_counter()
print(json.dumps({"init": imported - started, "first": answered - imported,
                  "status": answer["statusCode"], "dash": "dash" in sys.modules,
                  "moto": "moto" in sys.modules, "modules": len(sys.modules)}))
"""
_DASHBOARD = """
import json, sys, time
started = time.perf_counter()
from dashboard.core.readiness import readiness_of
from dashboard.server.app import create_app
server = create_app().server
while not readiness_of(server).ready:  # its warm-up, on a thread: the function's is inline
    time.sleep(0.005)
print(json.dumps({"init": time.perf_counter() - started, "modules": len(sys.modules)}))
"""


def cold_start_rows() -> list[Row]:
    number, title = ROW_TITLE
    return [Row(number, title)]


def _run(script: str, env: Mapping[str, str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", script], env=dict(env), capture_output=True,
                          text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise BenchError(f"the cold-start probe failed: {done.stderr.strip()[-500:]}")
    last = done.stdout.strip().splitlines()[-1]
    figures: dict[str, Any] = json.loads(last)
    return figures


def run_cold_start(endpoint_env: Mapping[str, str], cold_lineage_ms: float, row: Row,
                   log: Callable[[str], None], repeats: int = REPEATS) -> None:
    """Measure row 16 into ``row``; ``cold_lineage_ms``: row 1's median for mlops-pipeline."""
    from lineage.sandbox import apply_environment

    env = apply_environment(dict(os.environ), dict(endpoint_env))
    for name in ("CACHE_TYPE", "CACHE_DIR", "LINEAGE_SANDBOX"):
        env.pop(name, None)
    lambda_env = {**env, "AWS_LAMBDA_FUNCTION_NAME": "LineageApiFn", "DEFAULT_REGION": REGION}
    log(f"row 16: Lambda cold start x{repeats} (a new interpreter each)...")
    script = _FUNCTION % {"pipeline": PIPELINE, "region": REGION}
    runs = [_run(script, lambda_env) for _ in range(repeats)]
    bad = [r for r in runs if r["status"] != 200]
    if bad:
        raise BenchError(f"the function's first /lineage answered {bad[0]['status']}")
    dashboard = [_run(_DASHBOARD, env) for _ in range(repeats)]
    init = median([r["init"] for r in runs])
    first = median([r["first"] for r in runs])
    dashboard_init = median([r["init"] for r in dashboard])
    loaded = [name for name in ("dash", "moto") if any(r[name] for r in runs)]
    row.checks.append(Check(
        "init: import of dashboard.aws_lambda", init, INIT_GOAL_SEC, unit="s",
        info=f"median of {repeats}; {runs[0]['modules']} modules; "
             f"Dash and moto {'loaded: ' + ', '.join(loaded) if loaded else 'not loaded'}"))
    row.checks.append(Check(
        "init vs the dashboard server's import and create_app() until ready", init / dashboard_init,
        INIT_VS_DASHBOARD_GOAL, unit="x",
        info=f"{init:.2f} s vs {dashboard_init:.2f} s ({dashboard[0]['modules']} modules)"))
    row.checks.append(Check(
        f"first /lineage ({PIPELINE}) vs a cold one on the running server",
        first * 1000 / cold_lineage_ms, FIRST_VS_COLD_GOAL, unit="x",
        info=f"{first * 1000:.0f} ms vs {cold_lineage_ms:.0f} ms"))
