"""A real lineage document (mlops-pipeline from the sandbox), fakes of the cached service and
the app state the page's functions read."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from dashboard.core.cache import CachedLineage, Served
from dashboard.core.state import AppState
from lineage.aws import sagemaker_regions
from lineage.config import Settings

DOCUMENT = Path(__file__).with_name("mlops-pipeline.json")


@pytest.fixture
def document() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    return copy.deepcopy(data)


EMPTY_ESTATE: dict[str, Any] = {"nodes": [], "edges": [], "warnings": [],
                                  "generatedAt": "2025-03-03T09:00:00Z"}
EMPTY_QUERY: dict[str, Any] = {"starts": [], "reached": [], "byKind": {}}


@dataclass
class FakeCached(CachedLineage):
    """Stands in for dashboard.core.cache.CachedLineage: answers or raises what it is given
    (none of the real one's state: its three service functions only)."""

    lineage_answer: Any = None
    lineage_error: BaseException | None = None
    pipelines_answer: Any = None
    executions_answer: Any = None
    list_error: BaseException | None = None
    estate_answer: Any = field(default_factory=lambda: dict(EMPTY_ESTATE))
    # A refresh asked too soon: the real one answers from its cache and says when.
    refresh_after: int | None = None
    calls: list[tuple[str, Any, bool]] = field(default_factory=list)

    def lineage(self, request: Any, *, refresh: bool = False, stats: Any = None) -> Served:
        self.calls.append(("lineage", request, refresh))
        if self.lineage_error is not None:
            raise self.lineage_error
        return Served(json.dumps(self.lineage_answer), "hit", self.refresh_after)

    def lineage_soon(self, request: Any, *, stats: Any = None) -> Served:
        return self.lineage(request, stats=stats)  # the document, always cached here

    def pipelines(self, regions: Any, domain: Any, *, refresh: bool = False,
                  stats: Any = None) -> Served:
        self.calls.append(("pipelines", regions, refresh))
        if self.list_error is not None:
            raise self.list_error
        return Served(json.dumps(self.pipelines_answer), "hit")

    def estate(
        self, request: Any, *, refresh: bool = False, stats: Any = None, progress: bool = False
    ) -> Served:
        self.calls.append(("estate", tuple(request.regions), refresh))
        if self.list_error is not None:
            raise self.list_error
        return Served(json.dumps(self.estate_answer), "hit")

    def impact(self, request: Any, *, stats: Any = None) -> Served:
        self.calls.append(("estate", tuple(request.estate.regions), False))
        return Served(json.dumps(EMPTY_QUERY), "hit")

    def provenance(self, request: Any, *, stats: Any = None) -> Served:
        self.calls.append(("estate", tuple(request.estate.regions), False))
        return Served(json.dumps({**EMPTY_QUERY, "rawDatasets": []}), "hit")

    def executions(self, pipeline: str, region: str, limit: int, *, refresh: bool = False,
                   stats: Any = None) -> Served:
        self.calls.append(("executions", (pipeline, region, limit), refresh))
        if self.list_error is not None:
            raise self.list_error
        return Served(json.dumps(self.executions_answer), "hit")

    def execution_page(self, request: Any, *, refresh: bool = False,
                       stats: Any = None) -> Served:
        self.calls.append(("executions", (request.pipeline, request.region, request.limit),
                           refresh))
        if self.list_error is not None:
            raise self.list_error
        return Served(json.dumps(self.executions_answer), "hit")


@pytest.fixture
def settings() -> Settings:
    return Settings(default_region="ap-northeast-2")


def app_state(cached: CachedLineage, *, regions: tuple[str, ...] | None = None) -> AppState:
    """What a running app holds, over ``cached``: every SageMaker region offered (no
    ``LINEAGE_REGIONS``) unless ``regions``."""
    offered = regions if regions is not None else tuple(sorted(sagemaker_regions()))
    return AppState(settings=Settings(default_region="ap-northeast-2"), cached=cached,
                    regions=offered, sandbox=False)
