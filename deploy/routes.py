"""The JSON API's read endpoints as API Gateway resources, from the API's own OpenAPI document
(``dashboard.api.openapi``): one source of truth, so an endpoint added to the API is routed
at the next synth. Pure (no aws_cdk)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashboard.api.openapi import openapi_document
from dashboard.core.config import load_config

# Never served from API Gateway's cache: probes must reach the function, and /executions takes
# param.NAME=VALUE filters whose names no cache key can list in advance.
UNCACHEABLE = frozenset({"/healthz", "/readyz", "/executions"})


@dataclass(frozen=True)
class Route:
    path: str  # "/lineage"
    query: tuple[str, ...]  # the query parameters the document lists, in its order
    cacheable: bool

    @property
    def part(self) -> str:
        """The resource's path under the root ("lineage", "openapi.json",
        "lineage/by-domain")."""
        return self.path.strip("/")


def api_routes() -> tuple[Route, ...]:
    """Every GET of the API (served at the root: the stage is the seed's ``/prod``)."""
    document = openapi_document(load_config(env={}))
    shared: dict[str, Any] = document.get("components", {}).get("parameters", {})
    routes = []
    for path, item in document["paths"].items():
        if "get" not in item or "{" in path:
            raise ValueError(f"the OpenAPI document has {path} {sorted(item)}: "
                             "deploy/routes.py routes GETs of fixed paths only")
        names = []
        for parameter in item["get"].get("parameters", []):
            if "$ref" in parameter:
                parameter = shared[parameter["$ref"].rsplit("/", 1)[-1]]
            if parameter["in"] == "query":
                names.append(parameter["name"])
        routes.append(Route(path, tuple(names), path not in UNCACHEABLE))
    return tuple(routes)
