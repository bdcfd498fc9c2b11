"""What one abusive client can make the server spend on AWS, with the default limits.

gunicorn with two workers on its own sandbox (so the call log is this test's alone), and the
limits as shipped: counted per client across both workers, refreshes at most once per key
per cooldown, misses cached, one key per logical request, Dash callbacks limited like the
API and counted in the access log.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
import requests

from dashboard.server.app import create_app
from lineage.sandbox import SandboxProcess
from tests.conftest import StartSandbox
from tests.dashpost import CALLBACK_PATH, callback_body
from tests.reliability.conftest import ServeFactory, endpoint_env

pytestmark = pytest.mark.sandbox

PIPELINE = "mlops-pipeline"
# The page's render callback, as the refresh button fires it.
RENDER = "lineage-graph.elements"
MIX_SECONDS = 10


@pytest.fixture
def quiet_sandbox(start_sandbox: StartSandbox) -> SandboxProcess:
    """A sandbox of this test alone: nothing else adds to its call log."""
    return start_sandbox()


def render_body(view: dict[str, Any]) -> dict[str, Any]:
    app = create_app({"CACHE_TYPE": "NullCache"})  # only for its callback map
    return callback_body(app, RENDER, {"view-store.data": view, "refresh-button.n_clicks": 1},
                         changed=["refresh-button.n_clicks"])


def calls_of(sandbox: SandboxProcess, ask: Callable[[], Any]) -> int:
    sandbox.reset_calls()
    ask()
    return len(sandbox.calls())


def test_a_hundred_abusive_requests_cost_each_logical_request_at_most_once(
    quiet_sandbox: SandboxProcess, serve: ServeFactory
) -> None:
    env = endpoint_env(quiet_sandbox.endpoint)  # the shipped defaults: no limit settings
    # What each logical request of the mix costs once, on a server of its own (a refresh
    # reads bucket settings afresh, as the mix's refreshes do).
    probe = serve(env, workers=1)
    execution = probe.get("/executions", params={"pipeline": PIPELINE}).json()["executions"][-1]
    cost = {
        "pinned": calls_of(quiet_sandbox, lambda: probe.get("/lineage", params={
            "pipeline": PIPELINE, "execution": execution["id"], "refresh": "true"})),
        "latest": calls_of(quiet_sandbox, lambda: probe.get(
            "/lineage", params={"pipeline": PIPELINE, "refresh": "true"})),
        "all": calls_of(quiet_sandbox, lambda: probe.get("/pipelines", params={"region": "all"})),
        "executions": calls_of(quiet_sandbox, lambda: probe.get(
            "/executions", params={"pipeline": "nlp-pipeline", "region": "us-east-1"})),
        "unknown": calls_of(quiet_sandbox, lambda: probe.get(
            "/lineage", params={"pipeline": "unknown-probe"})),
    }
    assert cost["unknown"] == 2 and min(cost.values()) > 0, cost

    server = serve(env, workers=2)
    render = render_body({"region": "ap-northeast-2", "pipeline": PIPELINE, "execution": None})
    evil = render_body({"region": "zz-evil-9", "pipeline": PIPELINE, "execution": None})
    unknown_names = [f"no-such-{i}" for i in range(10)]
    get, post = server.get, partial(server.session.post, server.url + CALLBACK_PATH, timeout=60)
    mix: list[Callable[[], requests.Response]] = []
    for i in range(20):  # refresh one execution, by id and by ARN, with includeLatestExec both ways
        mix.append(partial(get, "/lineage", params={
            "pipeline": PIPELINE, "refresh": "true", "includeLatestExec": ["true", "false"][i % 2],
            "execution": [execution["id"], execution["arn"]][i // 2 % 2]}))
    for i in range(20):  # names that do not exist, each asked twice
        mix.append(partial(get, "/lineage", params={"pipeline": unknown_names[i % 10]}))
    for _ in range(10):  # every region's pipelines, refreshed
        mix.append(partial(get, "/pipelines", params={"region": "all", "refresh": "1"}))
    for i in range(10):  # a different limit each time
        mix.append(partial(get, "/executions", params={
            "pipeline": "nlp-pipeline", "region": "us-east-1", "limit": str(i + 1),
            "refresh": "yes"}))
    mix += [partial(post, json=render)] * 25  # the page's refresh button, posted straight
    mix += [partial(post, json=evil)] * 15  # a region that does not exist
    random.Random(11).shuffle(mix)  # kinds interleaved, the same order every run
    assert len(mix) == 100

    quiet_sandbox.reset_calls()
    started = time.monotonic()
    answers = []
    for index, ask in enumerate(mix):
        # Spread over the 10 s as a looping client would be.
        answers.append(ask())
        time.sleep(max(0.0, started + MIX_SECONDS * (index + 1) / len(mix) - time.monotonic()))
    spent = quiet_sandbox.calls()

    # Each logical request reaches AWS at most once in 10 s: a refresh goes once per 30 s
    # cooldown, id and ARN are one entry, every limit is cut from the 20-list, an unknown
    # name is cached for 30 s, the page's callback shares the API's entries (its "latest"
    # view is one more document, plus at most one ListPipelineExecutions to check it is
    # still the newest), and a region that does not exist never reaches AWS.
    bound = (cost["pinned"] + cost["latest"] + 1 + cost["all"] + cost["executions"]
             + len(unknown_names) * cost["unknown"])
    by_operation: dict[str, int] = {}
    for call in spent:
        by_operation[call["operation"]] = by_operation.get(call["operation"], 0) + 1
    assert len(spent) <= bound, (len(spent), bound, cost, by_operation)
    assert not [c for c in spent if c.get("region") == "zz-evil-9"]
    statuses = [answer.status_code for answer in answers]
    assert all(status < 500 for status in statuses), statuses
    refreshes = [a for a in answers
                 if a.request.method == "GET" and "refresh=" in (a.request.url or "")]
    told = [a for a in refreshes if "X-Refresh-After" in a.headers]
    # One refresh per key went (pinned, the region listing, the executions list); the rest
    # were answered from the cache and told when the next may go.
    assert len(told) == len(refreshes) - 3, [a.headers.get("X-Cache") for a in refreshes]
    assert all(a.headers["X-Cache"] == "hit" for a in told)

    # The access log counts the AWS calls of Dash callbacks too.
    log = server.log_lines()
    dash_lines = [line for line in log
                  if line.get("event") == "request" and line.get("path") == CALLBACK_PATH]
    api_lines = [line for line in log
                 if line.get("event") == "request" and line.get("path") != CALLBACK_PATH
                 and line.get("path") not in ("/readyz", "/healthz")]
    assert len(dash_lines) == 40
    logged = sum(int(line["awsCalls"]) for line in dash_lines + api_lines)
    assert logged == len(spent)
    print(json.dumps({"calls": len(spent), "bound": bound, "cost": cost}))


def test_the_request_limit_is_counted_across_the_workers_of_a_server(
    sandbox: SandboxProcess, serve: ServeFactory
) -> None:
    server = serve(endpoint_env(sandbox.endpoint, {"LINEAGE_RATE_LIMIT": "10/minute"}),
                   workers=2)
    # Fresh connections, four at a time: gunicorn hands each to whichever worker is free.
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda _: requests.get(
            server.url + "/lineage", params={"pipeline": PIPELINE}, timeout=30).status_code,
            range(20)))
    assert statuses.count(200) == 10 and statuses.count(429) == 10
    pids = {line["pid"] for line in server.log_lines()
            if line.get("event") == "request" and line.get("path") == "/lineage"}
    assert len(pids) == 2, "both workers must have answered for this to prove anything"
