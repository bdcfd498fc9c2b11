"""``sagemaker-lineage``: dump, render, sandbox.

A failure prints one line to stderr and exits non-zero; a traceback only with ``--debug``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from lineage.config import Settings
from lineage.errors import InvalidParameter, LineageError, PipelineNotFound
from lineage.models import LineageDocument

# Exit codes: argparse already uses 2 for bad usage.
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_AWS = 4


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["sandbox"]:
        return _run_sandbox(arguments[1:])
    parser = _parser()
    args = parser.parse_args(arguments)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        result: int = args.handler(args)
        return result
    except InvalidParameter as exc:
        return _fail(f"invalid {exc.parameter}: {exc.message}", EXIT_USAGE)
    except PipelineNotFound as exc:
        return _fail(exc.message, EXIT_NOT_FOUND)
    except LineageError as exc:
        code = EXIT_NOT_FOUND if exc.http_status == 404 else EXIT_AWS
        return _fail(exc.message, code)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the promise: one line, never a traceback, unless asked
        if args.debug:
            raise
        return _fail(f"unexpected {type(exc).__name__} (run with --debug for details)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sagemaker-lineage",
        description="Lineage of AWS SageMaker Pipelines.",
    )
    parser.add_argument("--debug", action="store_true", help="log AWS calls; show tracebacks")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    dump = commands.add_parser(
        "dump",
        help="write a pipeline's lineage JSON (the /lineage contract)",
        description="Write the lineage document of a pipeline, as GET /lineage returns it.",
    )
    dump.add_argument("--region", help="AWS region (default: $DEFAULT_REGION or ap-northeast-2)")
    dump.add_argument("--pipeline-name", required=True, help="SageMaker pipeline name")
    dump.add_argument(
        "--include-latest-exec",
        action="store_true",
        help="add run information of the latest execution (or of --execution)",
    )
    dump.add_argument("--domain", help="only if the pipeline belongs to this Studio domain")
    dump.add_argument("--execution", help="an execution ARN or id instead of the latest")
    dump.add_argument("--out", type=Path, help="write to FILE instead of standard output")
    dump.add_argument(
        "--sandbox",
        action="store_true",
        help="start the embedded AWS sandbox for this run and read from it",
    )
    dump.set_defaults(handler=_dump)

    render = commands.add_parser(
        "render",
        help="lineage of a local pipeline definition file (no AWS)",
        description="Lineage of a pipeline definition JSON file, without calling AWS.",
    )
    render.add_argument("definition", type=Path, help="pipeline definition JSON file")
    render.add_argument("--out", type=Path, help="write to FILE instead of standard output")
    render.set_defaults(handler=_render)

    # Listed for --help; its options belong to the sandbox (see _run_sandbox).
    commands.add_parser(
        "sandbox",
        help="run the embedded AWS sandbox (moto + seeded pipelines); see 'sandbox --help'",
        add_help=False,
    )

    serve = commands.add_parser(
        "serve",
        help="serve the dashboard and the JSON API (gunicorn)",
        description="Serve the dashboard and the JSON API with gunicorn (gthread workers; "
        "settings from LINEAGE_* and CACHE_* environment variables).",
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
        help="measure performance against a local sandbox (issue 5's six rows)",
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
    bench.add_argument("--no-browser", action="store_true", help="skip row 5 (Chromium)")
    bench.set_defaults(handler=_bench)
    return parser


def _bench(args: argparse.Namespace) -> int:
    from lineage.bench.runner import BenchError, Options, run

    if args.latency_ms <= 0 or args.cold_repeats < 1 or args.large_steps < 1:
        return _fail("--latency-ms, --cold-repeats and --large-steps must be positive", EXIT_USAGE)
    options = Options(
        latency_ms=args.latency_ms,
        out=args.out,
        cold_repeats=args.cold_repeats,
        load_seconds=args.load_seconds,
        large_steps=args.large_steps,
        browser=not args.no_browser,
    )
    try:
        table = run(options)
    except BenchError as exc:
        return _fail(f"the benchmark could not run: {exc}", EXIT_FAILURE)
    sys.stdout.write(table)
    print(f"(written to {args.out})", file=sys.stderr)
    return EXIT_OK


def _dump(args: argparse.Namespace) -> int:
    from lineage.aws import sagemaker_regions
    from lineage.request import parse_lineage_request
    from lineage.service import LineageService

    with _sandbox_environment(args.sandbox):
        settings = Settings.from_env()
        request = parse_lineage_request(
            {
                "pipeline": args.pipeline_name,
                "region": args.region,
                "includeLatestExec": "true" if args.include_latest_exec else "false",
                "domain": args.domain,
                "execution": args.execution,
            },
            settings=settings,
            regions=sagemaker_regions(),
        )
        service = LineageService(settings)
        try:
            document = service.get_lineage(request)
        finally:
            service.close()
    _write(document, args.out)
    return EXIT_OK


def _render(args: argparse.Namespace) -> int:
    from lineage.render import render_file

    try:
        document = render_file(args.definition)
    except OSError as exc:
        return _fail(f"cannot read {args.definition}: {exc.strerror or exc}", EXIT_FAILURE)
    _write(document, args.out)
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from dashboard.serve import serve

    if args.workers is not None and args.workers < 1:
        return _fail("--workers must be at least 1", EXIT_USAGE)
    return serve(
        sandbox=args.sandbox,
        host=args.host,
        port=args.port,
        workers=args.workers,
        debug=args.debug,
    )


def _run_sandbox(argv: Sequence[str]) -> int:
    """``sandbox [--port N] [--latency-ms N] [--faults SPEC] [--definitions DIR]``."""
    from lineage.sandbox.__main__ import main as sandbox_main

    return sandbox_main(list(argv))


@contextlib.contextmanager
def _sandbox_environment(enabled: bool) -> Iterator[None]:
    """Run the block against a freshly started sandbox, then stop it and restore the env."""
    if not enabled:
        yield
        return
    from lineage.sandbox import SandboxProcess, environment_overridden, sandbox_environment

    with SandboxProcess() as sandbox, environment_overridden(
        sandbox_environment(sandbox.endpoint)
    ):
        yield


def _write(document: LineageDocument, out: Path | None) -> None:
    text = json.dumps(document.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    # Write next to the target and rename, so a failure never leaves half a file behind.
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _fail(message: str, code: int = EXIT_FAILURE) -> int:
    print(f"sagemaker-lineage: error: {message}", file=sys.stderr)
    return code
