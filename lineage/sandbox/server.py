"""The sandbox server: moto's WSGI app behind :class:`SandboxMiddleware`, threaded.

``serve()`` blocks until interrupted (``KeyboardInterrupt``, or ``stop`` set); it seeds the
world before calling ``ready(endpoint_url)``, so the first request a client makes already
sees everything, and the call log starts empty.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from lineage.sandbox.options import SandboxOptions

logger = logging.getLogger(__name__)


class SandboxServer:
    """A started sandbox: moto + middleware on a threaded werkzeug server."""

    def __init__(self, options: SandboxOptions, *, host: str = "127.0.0.1", port: int = 0):
        # moto reads its settings at import time.
        os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")
        os.environ.setdefault("MOTO_DEFAULT_ACCOUNT_ID", "123456789012")
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        from lineage.sandbox.executions import ExecutionStore
        from lineage.sandbox.middleware import SandboxMiddleware

        self.options = options
        self.store = ExecutionStore(_moto_pipeline_exists)
        moto_app = DomainDispatcherApplication(create_backend_app)
        self.app = SandboxMiddleware(moto_app, options, self.store)
        self.server = make_server(
            host, port, self.app, threaded=True, request_handler=_quiet(MotoRequestHandler)
        )
        self.host = host
        self.port = int(self.server.server_address[1])
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.server.serve_forever, name="sandbox-http", daemon=True
        )
        self._thread.start()

    def seed(self) -> None:
        from lineage.sandbox.seed import Seeder

        began = time.monotonic()
        self.app.recording = False
        try:
            seeder = Seeder(self.endpoint, self.store)
            if self.options.seed_world:
                from lineage.sandbox.world import WORLD

                seeder.seed(WORLD)
            if self.options.definitions_dir is not None:
                seed_definitions(seeder, self.options)
        finally:
            self.app.calls.reset()
            self.app.recording = True
        logger.info("sandbox seeded in %.2fs", time.monotonic() - began)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def seed_definitions(seeder: object, options: SandboxOptions) -> None:
    from lineage.sandbox.definitions import buckets_of, load_definitions
    from lineage.sandbox.seed import Seeder

    assert isinstance(seeder, Seeder) and options.definitions_dir is not None
    for spec, names in load_definitions(options.definitions_dir):
        try:
            for execution in spec.executions:
                seeder.ensure_buckets(
                    buckets_of(spec.definition, execution, spec.name), spec.region
                )
            seeder.seed_pipeline(spec, all_branches=True, step_names=names)
        except Exception:  # one odd definition must not take the sandbox down
            logger.exception("definition %s not loaded", spec.name)


def serve(
    options: SandboxOptions,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    ready: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Run a sandbox until interrupted; ``ready(endpoint_url)`` once it is seeded."""
    server = SandboxServer(options, host=host, port=port)
    server.start()
    try:
        server.seed()
        if ready is not None:
            ready(server.endpoint)
        stop = stop or threading.Event()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def _moto_pipeline_exists(region: str, name: str) -> bool:
    from lineage.sandbox.seed import sagemaker_backend

    return name in sagemaker_backend(region).pipelines


def _quiet(handler: type) -> type:
    """The moto request handler without werkzeug's per-request access log."""

    class QuietHandler(handler):  # type: ignore[misc]
        def log_request(self, *args: object, **kwargs: object) -> None:
            pass

    return QuietHandler
