"""The sandbox server: moto's WSGI app behind :class:`SandboxMiddleware`, threaded.

The public port opens only once the world is seeded: seeding goes over HTTP (the
:class:`~lineage.sandbox.seed.Seeder` uses boto3) to a private server on an ephemeral loopback
port serving the same moto state without call log, latency or faults. With a live pipeline in
the world the private server stays open: before each call the public one answers, moto is
brought level with the live runs through it (the jobs of steps that started since). A client
that connects as soon as the public port accepts therefore already sees everything, and the
call log starts empty.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lineage.sandbox import ACCOUNT_ID
from lineage.sandbox.definitions import DefinitionFile, buckets_of, load_definitions
from lineage.sandbox.options import SandboxOptions
from lineage.sandbox.simulate import LiveSchedule, PipelineRef, s3_buckets
from lineage.sandbox.world.specs import PipelineSpec, World

if TYPE_CHECKING:
    from lineage.sandbox.seed import Seeder
    from lineage.sandbox.simulate import ExecutionRecord

logger = logging.getLogger(__name__)

_LOOPBACK = "127.0.0.1"
_SHUTDOWN_POLL_SEC = 0.05


@dataclass(frozen=True)
class SeededPipeline:
    name: str
    region: str
    summary: str  # how its executions went, in words


@dataclass(frozen=True)
class Seeded:
    """What a sandbox was seeded with: the lines it prints once open are made from this."""

    pipelines: tuple[SeededPipeline, ...] = ()  # the built-in world's
    definitions: tuple[DefinitionFile, ...] = ()  # --definitions DIR, one per *.json file
    generated: int = 0  # --estate-size N
    generated_range: str = ""  # their first and last names


class SandboxServer:
    """A sandbox: moto + middleware, seeded privately, then served on a threaded server.

    ``clock`` dates the live runs (the wall clock by default); ``world`` replaces the built-in
    one (tests seed a smaller world).
    """

    def __init__(
        self,
        options: SandboxOptions,
        *,
        clock: Callable[[], datetime] | None = None,
        world: World | None = None,
    ) -> None:
        # moto reads its settings at import time.
        os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")
        os.environ.setdefault("MOTO_DEFAULT_ACCOUNT_ID", ACCOUNT_ID)
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        from lineage.sandbox.cloudtrail import EventHistory
        from lineage.sandbox.executions import ExecutionStore
        from lineage.sandbox.macie import MacieStore
        from lineage.sandbox.middleware import NoBrowsers, SandboxMiddleware

        _list_moto_modules_once()
        self.options = options
        self.world = world
        self.store = ExecutionStore(_moto_pipeline_exists, clock=clock)
        self.macie = MacieStore()
        # The calls' events and the live runs' starts dated by one clock.
        self.events = EventHistory(clock=clock, live_runs=self._live_runs)
        moto_app = DomainDispatcherApplication(create_backend_app)
        self.app = SandboxMiddleware(moto_app, options, self.store, macie=self.macie,
                                     events=self.events)
        self._private_app = SandboxMiddleware(moto_app, SandboxOptions(), self.store,
                                              macie=self.macie, events=self.events)
        self._private_app.recording = False
        # What the ports serve: no browser may read or reset the sandbox (NoBrowsers).
        self._public_wsgi = NoBrowsers(self.app)
        self._private_wsgi = NoBrowsers(self._private_app)
        self._public: _Http | None = None
        self._private: _Http | None = None
        self._seeder: Seeder | None = None
        self._live_lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        if self._public is None:
            raise RuntimeError("the sandbox is not open yet")
        return self._public.endpoint

    def seed(self) -> Seeded:
        """Build the world through a private loopback server; what was seeded."""
        from lineage.sandbox.seed import Seeder

        began = time.monotonic()
        private = _Http(self._private_wsgi, _LOOPBACK, 0)
        seeder = Seeder(private.endpoint, self.store)
        pipelines: tuple[SeededPipeline, ...] = ()
        definitions: tuple[DefinitionFile, ...] = ()
        try:
            if self.options.seed_world:
                from lineage.sandbox.world import WORLD, with_extra_history

                world = with_extra_history(self.world or WORLD, self.options.extra_history)
                seeder.seed(world)
                self.macie.add(world.macie)
                pipelines = tuple(_seeded(p) for p in world.pipelines)
            if self.options.definitions_dir is not None:
                definitions = tuple(seed_definitions(seeder, self.options))
            if self.options.estate_size:
                from lineage.sandbox.world.generated import generated_estate

                seeder.seed(generated_estate(self.options.estate_size))
        except BaseException:
            seeder.close()
            private.close()
            raise
        if self.store.live_simulations():
            # Kept for the live runs: moto is brought level with them before each call.
            self._private, self._seeder = private, seeder
            self.app.before_call = self._follow_live_runs
        else:
            seeder.close()
            private.close()
        logger.info("sandbox seeded in %.2fs", time.monotonic() - began)
        size = self.options.estate_size
        if size:
            from lineage.sandbox.world.generated import generated_name

            span = f"{generated_name(1)}..{generated_name(size)}"
            return Seeded(pipelines, definitions, size, span)
        return Seeded(pipelines, definitions)

    def _live_runs(self) -> list[ExecutionRecord]:
        return [simulation.execution for simulation in self.store.live_simulations()]

    def _follow_live_runs(self) -> None:
        assert self._seeder is not None
        with self._live_lock:
            try:
                self._seeder.apply_live(self.store.live_simulations())
            except Exception:  # the call is still answered, from what moto has
                logger.exception("moto not brought level with the live runs")

    def open(self, host: str = _LOOPBACK, port: int = 0) -> str:
        """Bind the public port (``0``: a free one) and serve; the endpoint URL."""
        if self._public is not None:
            raise RuntimeError("the sandbox is already open")
        self._public = _Http(self._public_wsgi, host, port)
        return self._public.endpoint

    def stop(self) -> None:
        public, self._public = self._public, None
        if public is not None:
            public.close()
        private, self._private = self._private, None
        self.app.before_call = None
        if self._seeder is not None:
            self._seeder.close()
            self._seeder = None
        if private is not None:
            private.close()


def _seeded(pipeline: PipelineSpec) -> SeededPipeline:
    if pipeline.live is not None:
        ref = PipelineRef(pipeline.name, pipeline.region)
        period = LiveSchedule(ref, pipeline.definition, pipeline.live).period_s
        summary = f"always running, a new execution every {round(period / 60)} min"
    else:
        count = len(pipeline.executions)
        plural = "" if count == 1 else "s"
        summary = f"{count} execution{plural}, latest {pipeline.latest.status}"
    return SeededPipeline(pipeline.name, pipeline.region, summary)


class _Http:
    """One threaded werkzeug server for ``app``, serving from a daemon thread once made."""

    def __init__(self, app: Any, host: str, port: int) -> None:
        from moto.moto_server.werkzeug_app import MotoRequestHandler
        from werkzeug.serving import make_server

        self.server = make_server(
            host, port, app, threaded=True, request_handler=_quiet(MotoRequestHandler)
        )
        self.endpoint = f"http://{host}:{int(self.server.server_address[1])}"
        # shutdown() waits for the loop to look (every 0.5 s by default), twice per stop.
        self._thread = threading.Thread(
            target=self.server.serve_forever, args=(_SHUTDOWN_POLL_SEC,),
            name=f"sandbox-http-{port}", daemon=True,
        )
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


def seed_definitions(seeder: Seeder, options: SandboxOptions) -> list[DefinitionFile]:
    """Seed a pipeline per definition file; every file, with why it was skipped if it was."""
    assert options.definitions_dir is not None
    files = load_definitions(options.definitions_dir)
    out = []
    for item in files:
        spec = item.spec
        if spec is None:
            out.append(item)
            continue
        try:
            for execution in spec.executions:
                seeder.ensure_buckets(
                    buckets_of(spec.definition, execution, spec.name), spec.region
                )
            simulations = seeder.seed_pipeline(
                spec, all_branches=True, step_names=list(item.step_names)
            )
            # Where the jobs write when the definition did not say (the sandbox's defaults).
            written = {bucket for sim in simulations for plan in sim.jobs
                       for bucket in s3_buckets(plan.request)}
            seeder.ensure_buckets(written, spec.region)
        except Exception as exc:  # one odd definition must not take the sandbox down
            logger.exception("definition %s not loaded", spec.name)
            item = dataclasses.replace(item, skipped=f"could not be seeded ({type(exc).__name__})")
        out.append(item)
    return out


def serve(
    options: SandboxOptions,
    *,
    host: str = _LOOPBACK,
    port: int = 0,
    ready: Callable[[str, Seeded], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Seed a sandbox, open it, then serve until interrupted; ``ready(endpoint_url, seeded)``
    once open."""
    server = SandboxServer(options)
    try:
        seeded = server.seed()
        endpoint = server.open(host, port)
        if ready is not None:
            ready(endpoint, seeded)
        stop = stop or threading.Event()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def _list_moto_modules_once() -> None:
    """moto tells a backend from a Host header by listing its own package directory on every
    request (some 180 stat calls, a fifth of a seeding call's time); the list cannot change
    while the sandbox runs, so it is read once."""
    from moto import backends

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules


def _moto_pipeline_exists(region: str, name: str) -> bool:
    """Whether any account has the pipeline (the store is not told the caller's account; the
    seeded accounts' pipeline names differ)."""
    from moto.backends import get_backend

    return any(
        name in region_backends[region].pipelines
        for region_backends in get_backend("sagemaker").values()
        if region in region_backends
    )


def _quiet(handler: type) -> type:
    """The moto request handler without werkzeug's per-request access log."""

    class QuietHandler(handler):  # type: ignore[misc]
        def log_request(self, *args: object, **kwargs: object) -> None:
            pass

    return QuietHandler
