"""The sandbox server: moto's WSGI app behind :class:`SandboxMiddleware`, threaded.

The public port opens only once the world is seeded: seeding goes over HTTP (the
:class:`~lineage.sandbox.seed.Seeder` uses boto3) to a private server on an ephemeral loopback
port serving the same app and moto state, which is shut down before the public one is bound.
A client that connects as soon as the port accepts therefore already sees everything, and the
call log starts empty.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from lineage.sandbox import ACCOUNT_ID
from lineage.sandbox.options import SandboxOptions

logger = logging.getLogger(__name__)

_LOOPBACK = "127.0.0.1"


class SandboxServer:
    """A sandbox: moto + middleware, seeded privately, then served on a threaded server."""

    def __init__(self, options: SandboxOptions) -> None:
        # moto reads its settings at import time.
        os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")
        os.environ.setdefault("MOTO_DEFAULT_ACCOUNT_ID", ACCOUNT_ID)
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        from lineage.sandbox.executions import ExecutionStore
        from lineage.sandbox.middleware import SandboxMiddleware

        self.options = options
        self.store = ExecutionStore(_moto_pipeline_exists)
        moto_app = DomainDispatcherApplication(create_backend_app)
        self.app = SandboxMiddleware(moto_app, options, self.store)
        self._public: _Http | None = None

    @property
    def endpoint(self) -> str:
        if self._public is None:
            raise RuntimeError("the sandbox is not open yet")
        return self._public.endpoint

    def seed(self) -> None:
        """Build the world through a private loopback server, with the call log off."""
        from lineage.sandbox.seed import Seeder

        began = time.monotonic()
        self.app.recording = False
        private = _Http(self.app, _LOOPBACK, 0)
        seeder = Seeder(private.endpoint, self.store)
        try:
            if self.options.seed_world:
                from lineage.sandbox.world import WORLD

                seeder.seed(WORLD)
            if self.options.definitions_dir is not None:
                seed_definitions(seeder, self.options)
        finally:
            seeder.close()
            private.close()
            self.app.calls.reset()
            self.app.recording = True
        logger.info("sandbox seeded in %.2fs", time.monotonic() - began)

    def open(self, host: str = _LOOPBACK, port: int = 0) -> str:
        """Bind the public port (``0``: a free one) and serve; the endpoint URL."""
        if self._public is not None:
            raise RuntimeError("the sandbox is already open")
        self._public = _Http(self.app, host, port)
        return self._public.endpoint

    def stop(self) -> None:
        public, self._public = self._public, None
        if public is not None:
            public.close()


class _Http:
    """One threaded werkzeug server for ``app``, serving from a daemon thread once made."""

    def __init__(self, app: Any, host: str, port: int) -> None:
        from moto.moto_server.werkzeug_app import MotoRequestHandler
        from werkzeug.serving import make_server

        self.server = make_server(
            host, port, app, threaded=True, request_handler=_quiet(MotoRequestHandler)
        )
        self.endpoint = f"http://{host}:{int(self.server.server_address[1])}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, name=f"sandbox-http-{port}", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


def seed_definitions(seeder: object, options: SandboxOptions) -> None:
    from lineage.sandbox.definitions import buckets_of, load_definitions
    from lineage.sandbox.seed import Seeder
    from lineage.sandbox.simulate import s3_buckets

    assert isinstance(seeder, Seeder) and options.definitions_dir is not None
    for spec, names in load_definitions(options.definitions_dir):
        try:
            for execution in spec.executions:
                seeder.ensure_buckets(
                    buckets_of(spec.definition, execution, spec.name), spec.region
                )
            simulations = seeder.seed_pipeline(spec, all_branches=True, step_names=names)
            # Where the jobs write when the definition did not say (the sandbox's defaults).
            written = {bucket for sim in simulations for plan in sim.jobs
                       for bucket in s3_buckets(plan.request)}
            seeder.ensure_buckets(written, spec.region)
        except Exception:  # one odd definition must not take the sandbox down
            logger.exception("definition %s not loaded", spec.name)


def serve(
    options: SandboxOptions,
    *,
    host: str = _LOOPBACK,
    port: int = 0,
    ready: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Seed a sandbox, open it, then serve until interrupted; ``ready(endpoint_url)`` once open."""
    server = SandboxServer(options)
    try:
        server.seed()
        endpoint = server.open(host, port)
        if ready is not None:
            ready(endpoint)
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
