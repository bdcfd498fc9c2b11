"""WSGI middleware in front of moto: call log, latency, faults, and what moto lacks.

Every signed AWS request is identified (service, region, operation), recorded in the call
log and in CloudTrail's event history (:class:`EventHistory`), delayed by ``--latency-ms`` in
its own request thread (so concurrent requests are not serialised), possibly answered with an
injected fault, and then answered by the :class:`ExecutionStore`, the :class:`MacieStore`, the
:class:`EventHistory` or moto (S3's ``ListBuckets`` completed with each bucket's region), once
``before_call`` (the server's: moto brought level with the live runs) has run.
``/_sandbox/*`` is the control API: the call log (``GET /_sandbox/calls``,
``POST /_sandbox/reset-calls``), ``GET /_sandbox/health``, and ``POST /_sandbox/faults``, which
replaces the faults while the sandbox runs (``{"faults": SPEC}``, SPEC as ``--faults`` takes it).

:class:`NoBrowsers` goes in front of it all: moto's server allows CORS from any origin, so any
website open in a browser on this machine could read the sandbox's whole state
(``/moto-api/data.json``) or reset it. The sandbox is for boto3, which sends no ``Origin``.
"""

from __future__ import annotations

import io
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from lineage.sandbox import ACCOUNT_ID
from lineage.sandbox.bucket_listing import list_buckets
from lineage.sandbox.cloudtrail import OPERATIONS as CLOUDTRAIL_OPERATIONS
from lineage.sandbox.cloudtrail import EventHistory, caller_of
from lineage.sandbox.executions import OPERATIONS, ExecutionStore
from lineage.sandbox.featurestore import OPERATIONS as FEATURE_STORE_OPERATIONS
from lineage.sandbox.featurestore import list_feature_groups
from lineage.sandbox.macie import OPERATIONS as MACIE_OPERATIONS
from lineage.sandbox.macie import SWITCHES as MACIE_SWITCHES
from lineage.sandbox.macie import MacieStore, moto_account_of
from lineage.sandbox.options import FaultSpec, FaultSpecError, SandboxOptions, parse_faults
from lineage.sandbox.protocol import (
    Answer,
    AwsCall,
    access_denied_error,
    access_key_of,
    identify,
    json_error,
    throttling_error,
)

logger = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
CONTROL_PREFIX = "/_sandbox/"
# A control request's body is one small JSON object.
MAX_CONTROL_BODY = 64 * 1024


class CallLog:
    """The AWS calls answered, in arrival order; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[dict[str, str]] = []

    def record(self, call: AwsCall) -> None:
        with self._lock:
            self._calls.append(call.to_dict())

    def snapshot(self) -> list[dict[str, str]]:
        with self._lock:
            return list(self._calls)

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()


class NoBrowsers:
    """403 for a request a web page made; moto's ``Access-Control-*`` headers dropped.

    A browser sends ``Origin`` with every cross-origin request and with every POST, a
    preflight ``OPTIONS`` before any other, and ``Sec-Fetch-Site`` with everything, naming
    another site (``cross-site``; another port of 127.0.0.1 is ``same-site``). A URL typed
    into the address bar (``Sec-Fetch-Site: none``) still reads moto's own dashboard.
    """

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if _from_a_web_page(environ):
            data = json.dumps({"message": "the sandbox answers no cross-origin request"}).encode()
            start_response("403 Forbidden", [("Content-Type", "application/json"),
                                             ("Content-Length", str(len(data)))])
            return [data]

        def without_cors(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            kept = [(name, value) for name, value in headers
                    if not name.lower().startswith("access-control-")]
            return start_response(status, kept, *exc_info)

        return self.app(environ, without_cors)


def _from_a_web_page(environ: dict[str, Any]) -> bool:
    return (
        "HTTP_ORIGIN" in environ
        or environ.get("REQUEST_METHOD", "").upper() == "OPTIONS"
        or environ.get("HTTP_SEC_FETCH_SITE", "").lower() in ("cross-site", "same-site")
    )


class SandboxMiddleware:
    def __init__(
        self,
        app: WsgiApp,
        options: SandboxOptions,
        store: ExecutionStore,
        *,
        calls: CallLog | None = None,
        macie: MacieStore | None = None,
        events: EventHistory | None = None,
    ) -> None:
        self.app = app
        self.options = options
        self.store = store
        self.macie = macie or MacieStore()
        self.events = events or EventHistory()
        self.calls = calls or CallLog()
        self.recording = True
        self.before_call: Callable[[], None] | None = None
        # The faults and the throttle draws they seed change together (set_faults).
        self._faults = options.faults
        self._random = random.Random(options.faults.seed)
        self._faults_lock = threading.Lock()
        self.started = time.time()

    @property
    def faults(self) -> FaultSpec:
        with self._faults_lock:
            return self._faults

    def set_faults(self, faults: FaultSpec) -> None:
        """Answer the next calls with ``faults`` instead; the throttle draws start again from
        its seed, so a run with the same faults set the same way throttles the same calls."""
        with self._faults_lock:
            self._faults = faults
            self._random = random.Random(faults.seed)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith(CONTROL_PREFIX):
            return self._control(environ, start_response)
        body = self._read_body(environ)
        call = identify(environ, body)
        if call is None:  # unsigned (moto's own dashboard, health checks...)
            return self.app(environ, start_response)
        # While seeding, the world is being built: no log, no latency, no faults.
        if self.recording:
            self.calls.record(call)
            self.events.record(call, environ, body)
            if self.options.latency_ms:
                time.sleep(self.options.latency_ms / 1000)
            fault = self._fault(call, environ.get("REQUEST_METHOD", "GET").upper())
            if fault is not None:
                return _send(fault, start_response)
        if self.before_call is not None:
            self.before_call()
        if call.service == "sagemaker" and call.operation in OPERATIONS:
            params = _json_params(body)
            if params is None:
                return _send(json_error("SerializationException", "Malformed body"), start_response)
            return _send(self.store.answer(call.operation, call.region, params), start_response)
        if call.service == "sagemaker" and call.operation in FEATURE_STORE_OPERATIONS:
            params = _json_params(body)
            if params is None:
                return _send(json_error("SerializationException", "Malformed body"), start_response)
            account = caller_of(access_key_of(environ)).account
            return _send(list_feature_groups(account, call.region, params), start_response)
        if call.service == "cloudtrail" and call.operation in CLOUDTRAIL_OPERATIONS:
            params = _json_params(body)
            if params is None:
                return _send(json_error("SerializationException", "Malformed body"), start_response)
            account = caller_of(access_key_of(environ)).account
            return _send(self.events.answer(account, call.region, params), start_response)
        if call.service == "s3" and call.operation == "ListBuckets":
            key = access_key_of(environ)
            account = moto_account_of(key) if key else ACCOUNT_ID
            return list_buckets(self.app, environ, start_response, account)
        if call.service == "macie2":
            key = access_key_of(environ)
            account = moto_account_of(key) if key else ACCOUNT_ID
            if call.operation in MACIE_SWITCHES:
                self.macie.switch(account, call.region, MACIE_SWITCHES[call.operation])
            elif call.operation in MACIE_OPERATIONS:
                answer = self._macie(call, account, body)
                if answer is not None:
                    return _send(answer, start_response)
        return self.app(environ, start_response)

    def _macie(self, call: AwsCall, account: str, body: bytes | None) -> Answer | None:
        """Macie's findings (moto has none) and its "not enabled" answer, as AWS gives them."""
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            params = {}
        return self.macie.answer(
            call.operation, account, call.region, params if isinstance(params, dict) else {}
        )

    def _fault(self, call: AwsCall, method: str) -> Answer | None:
        with self._faults_lock:  # one spec for the whole decision, even while it is replaced
            faults = self._faults
            if (call.service, call.operation) in faults.deny:
                return access_denied_error(call, method)
            throttled = faults.throttle > 0 and self._random.random() < faults.throttle
        return throttling_error(call, method) if throttled else None

    @staticmethod
    def _read_body(environ: dict[str, Any]) -> bytes | None:
        """Read the body for inspection and put it back for moto."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= 0 or not (
            environ.get("HTTP_X_AMZ_TARGET") or _is_form(environ) or _is_json(environ)
        ):
            return None
        body: bytes = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        return body

    def _control(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET").upper()
        payload: Any
        status = "200 OK"
        if path == "/_sandbox/calls" and method == "GET":
            payload = {"calls": self.calls.snapshot()}
        elif path == "/_sandbox/reset-calls" and method == "POST":
            self.calls.reset()
            payload = {"calls": []}
        elif path == "/_sandbox/health" and method == "GET":
            payload = {
                "status": "ok",
                "uptimeSec": round(time.time() - self.started, 3),
                "latencyMs": self.options.latency_ms,
                "faults": self.faults.to_spec(),
            }
        elif path == "/_sandbox/faults" and method == "POST":
            try:
                faults = _faults_of(environ)
            except FaultSpecError as exc:  # nothing changed
                status, payload = "400 Bad Request", {"message": str(exc)}
            else:
                self.set_faults(faults)
                logger.info("faults now %r", faults.to_spec())
                payload = {"faults": faults.to_spec()}
        else:
            status, payload = "404 Not Found", {"message": f"no such control endpoint {path}"}
        data = json.dumps(payload).encode()
        start_response(
            status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        )
        return [data]


def _faults_of(environ: dict[str, Any]) -> FaultSpec:
    """The faults a ``POST /_sandbox/faults`` asks for: ``{"faults": SPEC}``, SPEC as
    ``--faults`` takes it (``""``: none); :class:`FaultSpecError` saying what is wrong."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if not 0 < length <= MAX_CONTROL_BODY:
        raise FaultSpecError('the body must be a JSON object {"faults": SPEC}')
    try:
        body = json.loads(environ["wsgi.input"].read(length))
    except ValueError:
        raise FaultSpecError("the body is not JSON") from None
    spec = body.get("faults") if isinstance(body, dict) else None
    if not isinstance(spec, str):
        raise FaultSpecError('the body must be a JSON object {"faults": SPEC}, SPEC a string')
    try:
        return parse_faults(spec)
    except FaultSpecError as exc:
        raise FaultSpecError(f"faults: {exc}") from None


def _json_params(body: bytes | None) -> dict[str, Any] | None:
    """A JSON-protocol request's parameters (``{}`` unless an object), ``None`` if malformed."""
    try:
        params = json.loads(body or b"{}")
    except ValueError:
        return None
    return params if isinstance(params, dict) else {}


def _is_form(environ: dict[str, Any]) -> bool:
    return str(environ.get("CONTENT_TYPE", "")).startswith("application/x-www-form-urlencoded")


def _is_json(environ: dict[str, Any]) -> bool:
    """A REST-JSON request (Macie, ...): botocore sends its body as application/json."""
    return str(environ.get("CONTENT_TYPE", "")).startswith("application/json")


def _send(answer: Answer, start_response: Callable[..., Any]) -> list[bytes]:
    start_response(answer.status_line, list(answer.headers))
    return [answer.body]
