"""OpenLineage for the tests: every event checked against the spec, and a local receiver.

``validate_event`` checks a RunEvent's JSON against the spec's ``OpenLineage.json``
(``$defs/RunEvent``) and then each facet against the schema its ``_schemaURL`` names: the
spec's facet files vendored in ``tests/fixtures/openlineage/`` (see SOURCE.md there) and our
own shipped in ``lineage/schema/openlineage/``. A facet whose schema is not known, or whose key
is not the one its schema names, fails too. Formats (``uuid``, ``uri``, ``date-time``) are
checked.

``LineageReceiver`` is a real HTTP server on a loopback port with Marquez's
``POST /api/v1/lineage``: it validates each event, answers 201 (400 with the reason when
invalid, 401 without the expected API key) and keeps what it accepted; ``fail_next(n, status,
times)`` makes it answer the ``n``-th request from now (and retries of it) with an error, so
tests prove per-event reports.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from lineage.openlineage import facet_schemas
from tests.helpers import fixture_path

SPEC = "https://openlineage.io/spec/2-0-2/OpenLineage.json"
RUN_EVENT = {"$ref": f"{SPEC}#/$defs/RunEvent"}
SPEC_FILES = (
    "OpenLineage.json",
    "ParentRunFacet.json",
    "ErrorMessageRunFacet.json",
    "SchemaDatasetFacet.json",
    "JobTypeJobFacet.json",
    "ExecutionParametersRunFacet.json",
)


def _schemas() -> dict[str, dict[str, Any]]:
    found = dict(facet_schemas())
    for name in SPEC_FILES:
        schema = json.loads(fixture_path(f"openlineage/{name}").read_text(encoding="utf-8"))
        found[schema["$id"]] = schema
    return found


SCHEMAS = _schemas()
REGISTRY: Registry[Any] = Registry().with_resources(
    (uri, Resource.from_contents(schema)) for uri, schema in SCHEMAS.items()
)


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(
        schema, registry=REGISTRY, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


EVENT_VALIDATOR = _validator(RUN_EVENT)


def event_problems(event: Any) -> list[str]:
    """Every way ``event`` breaks the spec or a facet's schema; ``[]`` when it is valid."""
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in EVENT_VALIDATOR.iter_errors(event)]
    if problems:
        return problems
    for where, key, facet in _facets(event):
        url = facet["_schemaURL"]
        document, _, pointer = url.partition("#")
        if document not in SCHEMAS:
            problems.append(f"{where}.{key}: no known schema at {url}")
            continue
        names = SCHEMAS[document].get("properties", {})
        if key not in names or names[key]["$ref"] != f"#{pointer}":
            problems.append(f"{where}.{key}: {document} names this facet {sorted(names)}")
        problems.extend(f"{where}.{key}/{'/'.join(map(str, e.absolute_path))}: {e.message}"
                        for e in _validator({"$ref": url}).iter_errors(facet))
    return problems


def validate_event(event: Any) -> None:
    problems = event_problems(event)
    assert not problems, "\n".join(problems)


def _facets(event: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    holders: list[tuple[str, Any]] = [("run.facets", event["run"].get("facets")),
                                      ("job.facets", event["job"].get("facets"))]
    for side in ("inputs", "outputs"):
        for index, dataset in enumerate(event.get(side) or []):
            holders.append((f"{side}[{index}].facets", dataset.get("facets")))
            extra = "inputFacets" if side == "inputs" else "outputFacets"
            holders.append((f"{side}[{index}].{extra}", dataset.get(extra)))
    for where, facets in holders:
        for key, facet in (facets or {}).items():
            yield where, key, facet


class LineageReceiver:
    """A Marquez-like receiver of events on 127.0.0.1 (see the module's docstring)."""

    path = "/api/v1/lineage"

    def __init__(self, api_key: str | None = None) -> None:
        self.api_key = api_key
        self.events: list[dict[str, Any]] = []  # accepted, in order
        self.requests = 0
        self.authorizations: list[str | None] = []
        self._failures: dict[int, int] = {}  # request number -> status to answer
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def fail_next(self, nth: int, status: int = 500, times: int = 1) -> None:
        """Answer the ``nth`` request from now (1: the next) and the ``times - 1`` after it
        (a client's retries) with ``status``."""
        with self._lock:
            for number in range(nth, nth + times):
                self._failures[self.requests + number] = status

    def __enter__(self) -> LineageReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _answer(self, path: str, headers: Any, body: bytes) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests += 1
            number = self.requests
            self.authorizations.append(headers.get("Authorization"))
            failure = self._failures.pop(number, None)
        if path != self.path:
            return 404, {"message": f"no such path {path}"}
        if failure is not None:
            return failure, {"message": f"request {number} fails on purpose"}
        if self.api_key is not None and headers.get("Authorization") != f"Bearer {self.api_key}":
            return 401, {"message": "unauthorized"}
        if headers.get("Content-Type") != "application/json":
            return 415, {"message": "expected application/json"}
        try:
            event = json.loads(body)
        except ValueError:
            return 400, {"message": "not JSON"}
        problems = event_problems(event)
        if problems:
            return 400, {"message": "invalid event", "problems": problems}
        with self._lock:
            self.events.append(event)
        return 201, {}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, answer = receiver._answer(self.path, self.headers, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler
