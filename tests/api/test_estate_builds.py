"""The first build of an estate runs in the background (``CachedLineage.estate(progress=True)``):
the answer comes early with what is read so far, polls see it grow, one build serves them all,
queries wait for the whole estate, a failure reaches the next request. Against the fake AWS,
whose calls a test holds back and releases."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask_caching import Cache

import dashboard.core.cache as cache_module
from dashboard.core.background import MAX_BUILDS
from dashboard.core.cache import CachedLineage, Served, Ttls
from lineage.estate_request import EstateRequest, ProvenanceRequest
from tests.lineage.fake_aws import ACCOUNT, ENDPOINT_ARN, PIPELINE, REGION, FakeWorld

SCOPE = EstateRequest((REGION,))
PIPELINE_NODE = f"pipeline:{ACCOUNT}:{REGION}:{PIPELINE}"
# The documents' first call: held, the build cannot get past the listing.
DOCUMENT_CALL = "ListPipelineExecutions"


@pytest.fixture
def world() -> Iterator[FakeWorld]:
    world = FakeWorld()
    world.hold[DOCUMENT_CALL] = threading.Event()
    yield world
    world.release_all()


@pytest.fixture
def memo(world: FakeWorld, monkeypatch: pytest.MonkeyPatch) -> Iterator[CachedLineage]:
    # No wait for the build, and its progress stored at every step: each poll sees it.
    monkeypatch.setattr(cache_module, "ESTATE_PROGRESS_AFTER_SEC", 0.0)
    monkeypatch.setattr(cache_module, "ESTATE_SO_FAR_EVERY_SEC", 0.0)
    app = Flask(__name__)
    cache = Cache(app, config={"CACHE_TYPE": "SimpleCache"})
    service = world.service()
    with app.app_context():
        yield CachedLineage(service, cache, Ttls())
    world.release_all()
    service.close()


def body(served: Served) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(served.body)
    return document


def until(condition: Any, what: str, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"waited {timeout} s for {what}")


def listings(world: FakeWorld) -> int:
    return world.order.count("ListPipelines")


def test_a_first_build_answers_early_with_what_it_has_then_completes(
    memo: CachedLineage, world: FakeWorld
) -> None:
    started = time.monotonic()
    first = body(memo.estate(SCOPE, progress=True))
    assert time.monotonic() - started < 5  # the documents are held: it did not wait for them
    assert first["progress"]["pipelinesRead"] == 0
    # Polls see the listing: the pipeline is drawn before its document is read.
    listed = until(lambda: (d := body(memo.estate(SCOPE, progress=True)))["progress"][
        "pipelinesTotal"] == 1 and d, "the listing in the progress")
    assert PIPELINE_NODE in {node["id"] for node in listed["nodes"]}
    assert listed["progress"] == {"pipelinesRead": 0, "pipelinesTotal": 1}

    world.release_all()
    complete = until(lambda: "progress" not in (d := body(memo.estate(SCOPE, progress=True)))
                     and d, "the complete estate")
    assert f"endpoint:{ENDPOINT_ARN}" in {node["id"] for node in complete["nodes"]}
    assert listings(world) == 1  # every poll was served by the one build
    assert memo.estate(SCOPE, progress=True).source == "hit"


def test_a_query_during_the_build_waits_for_the_whole_estate(
    memo: CachedLineage, world: FakeWorld
) -> None:
    assert "progress" in body(memo.estate(SCOPE, progress=True))
    answers: list[Served] = []
    asking = threading.Thread(target=lambda: answers.append(memo.provenance(
        ProvenanceRequest(SCOPE, endpoint=ENDPOINT_ARN.rsplit("/", 1)[1]))))
    asking.start()
    asking.join(0.5)
    assert asking.is_alive() and answers == []  # not answered from a partial estate
    world.release_all()
    asking.join(10)
    reached = {item["id"] for item in body(answers[0])["reached"]}
    assert PIPELINE_NODE in reached
    assert listings(world) == 1  # the query joined the build


def test_without_progress_and_on_refresh_the_answer_is_the_whole_estate(
    memo: CachedLineage, world: FakeWorld
) -> None:
    world.release_all()
    assert "progress" not in body(memo.estate(SCOPE))
    assert "progress" not in body(memo.estate(SCOPE, refresh=True, progress=True))
    assert listings(world) == 2


def test_a_build_that_fails_is_raised_to_the_next_request(
    memo: CachedLineage, world: FakeWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("the build broke")

    monkeypatch.setattr(cache_module, "read_estate", broken)
    with pytest.raises(RuntimeError, match="the build broke"):
        until(lambda: memo.estate(SCOPE, progress=True) and False, "the failure")
    # The next request starts a build again (here: fails again), never a dead entry.
    with pytest.raises(RuntimeError):
        until(lambda: memo.estate(SCOPE, progress=True) and False, "the failure again")


def test_the_request_that_starts_a_short_build_gets_the_whole_estate(
    memo: CachedLineage, world: FakeWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "ESTATE_PROGRESS_AFTER_SEC", 5.0)
    world.release_all()
    started = time.monotonic()
    served = memo.estate(SCOPE, progress=True)
    assert "progress" not in body(served) and served.source == "miss"
    assert time.monotonic() - started < 5  # answered as the build ended, not at the wait's end


def test_past_the_background_builds_a_process_runs_a_first_build_is_answered_in_the_request(
    memo: CachedLineage, world: FakeWorld
) -> None:
    # Free-text scopes (a domain) could start builds without end: at most MAX_BUILDS run.
    for n in range(MAX_BUILDS):
        assert "progress" in body(memo.estate(EstateRequest((REGION,), depth=n + 1),
                                              progress=True))
    answers: list[Served] = []
    asking = threading.Thread(target=lambda: answers.append(memo.estate(
        EstateRequest((REGION,), depth=MAX_BUILDS + 1), progress=True)))
    asking.start()
    asking.join(0.5)
    assert asking.is_alive()  # building in the request, as without progress
    world.release_all()
    asking.join(10)
    assert "progress" not in body(answers[0])
