"""``sagemaker-lineage``, the installed command: the engine's commands (``lineage.cli``:
dump, render, sandbox) and the web side's: ``serve`` (the dashboard and the JSON API) and
``bench`` (the performance benchmark, ``make bench``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lineage.cli import fail
from lineage.cli import main as engine_main
from lineage.errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    return engine_main(argv, add_commands=add_web_commands)


def add_web_commands(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve the dashboard and the JSON API (gunicorn)",
        description="Serve the dashboard and the JSON API with gunicorn (gthread workers; "
        "settings from LINEAGE_* and CACHE_* environment variables). Says 'Serving on' once "
        "a worker is ready (GET /readyz).",
    )
    serve.add_argument(
        "--sandbox",
        action="store_true",
        help="start the embedded AWS sandbox, serve its data, stop it on exit",
    )
    serve.add_argument("--host", help="bind address (default: $LINEAGE_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: $LINEAGE_PORT or 8050)")
    serve.add_argument(
        "--workers", type=int, help="worker processes (default: $LINEAGE_WORKERS or 2)"
    )
    serve.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="run the Dash development server instead of gunicorn",
    )
    serve.set_defaults(handler=_serve)

    bench = commands.add_parser(
        "bench",
        help="measure performance against a local sandbox (the README's Performance table)",
        description="Start a sandbox (with a generated 1,000-step pipeline) and servers on "
        "this machine, measure cold and warm requests, AWS calls, the browser and memory, "
        "print one table and write it to --out. Exits non-zero only when it could not run.",
    )
    bench.add_argument("--latency-ms", type=int, default=50, help="sandbox latency per call")
    bench.add_argument(
        "--out", type=Path, default=Path("bench/results/latest.md"), help="table file"
    )
    bench.add_argument("--cold-repeats", type=int, default=5, help="cold requests per pipeline")
    bench.add_argument("--load-seconds", type=float, default=5.0, help="seconds per load run")
    bench.add_argument("--large-steps", type=int, default=1000, help="steps of the generated one")
    bench.add_argument("--no-browser", action="store_true", help="skip the browser row")
    bench.add_argument("--no-estate", action="store_true", help="skip the estate rows (8-12)")
    bench.add_argument(
        "--estate-only", action="store_true", help="only the estate rows (skip rows 1-7)"
    )
    bench.add_argument(
        "--estate-size", type=int, default=200, help="generated pipelines of the estate rows"
    )
    bench.set_defaults(handler=_bench)


def _serve(args: argparse.Namespace) -> int:
    from dashboard.server.serve import ServeError, serve

    if args.workers is not None and args.workers < 1:
        return fail("--workers must be at least 1", EXIT_USAGE)
    try:
        return serve(
            sandbox=args.sandbox,
            host=args.host,
            port=args.port,
            workers=args.workers,
            debug=args.debug,
        )
    except ServeError as exc:
        return fail(str(exc), EXIT_FAILURE)


def _bench(args: argparse.Namespace) -> int:
    from dashboard.bench.runner import BenchError, Options, run

    if args.latency_ms <= 0 or args.cold_repeats < 1 or args.large_steps < 1 \
            or args.estate_size < 1:
        return fail("--latency-ms, --cold-repeats, --large-steps and --estate-size must be "
                    "positive", EXIT_USAGE)
    if args.no_estate and args.estate_only:
        return fail("--no-estate and --estate-only leave nothing to measure", EXIT_USAGE)
    options = Options(
        latency_ms=args.latency_ms,
        out=args.out,
        cold_repeats=args.cold_repeats,
        load_seconds=args.load_seconds,
        large_steps=args.large_steps,
        browser=not args.no_browser,
        lineage=not args.estate_only,
        estate=not args.no_estate,
        estate_size=args.estate_size,
    )
    try:
        table = run(options)
    except BenchError as exc:
        return fail(f"the benchmark could not run: {exc}", EXIT_FAILURE)
    sys.stdout.write(table)
    print(f"(written to {args.out})", file=sys.stderr)
    return EXIT_OK
