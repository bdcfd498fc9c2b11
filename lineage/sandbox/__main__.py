"""``python -m lineage.sandbox --port N [--latency-ms N] [--faults SPEC]... [--definitions DIR]
[--estate-size N]``.

Once the world is seeded (the port is not even open before) it prints the line
``Sandbox listening on http://127.0.0.1:PORT`` first, which :class:`SandboxProcess` and scripts
wait for, then what it seeded and the ``export`` line that points a shell at it; then it serves
until SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from lineage.sandbox import ACCOUNT_ID, READY_PREFIX, sandbox_environment
from lineage.sandbox.options import (
    MAX_EXTRA_HISTORY,
    FaultSpecError,
    SandboxOptions,
    parse_faults,
)

if TYPE_CHECKING:
    from lineage.sandbox.server import Seeded

PROG = "python -m lineage.sandbox"


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="An AWS stand-in (moto server plus SageMaker pipeline executions).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5005, help="0 picks a free port")
    parser.add_argument("--latency-ms", type=int, default=0, help="answer every AWS call late")
    parser.add_argument(
        "--faults",
        action="append",
        default=[],
        metavar="SPEC",
        help="e.g. 'throttle=0.3' or 'deny=s3:GetBucketEncryption,sagemaker:DescribeTrainingJob'"
        " ('seed=7' fixes the draws); may be repeated, the specs combine",
    )
    parser.add_argument("--definitions", type=Path, help="directory of *.json definitions")
    parser.add_argument("--no-world", action="store_true", help="do not seed the built-in world")
    parser.add_argument(
        "--estate-size",
        type=int,
        default=0,
        metavar="N",
        help="also seed N generated pipelines sharing datasets (for benchmarks)",
    )
    parser.add_argument(
        "--extra-history",
        type=int,
        default=0,
        metavar="N",
        help="N runs more in mlops-pipeline's history (for benchmarks of trends)",
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        type=str.upper,
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="of the sandbox's own log (stderr)",
    )
    return parser


def options_from_args(args: argparse.Namespace) -> SandboxOptions:
    return SandboxOptions(
        latency_ms=args.latency_ms,
        faults=parse_faults(args.faults),
        definitions_dir=args.definitions,
        seed_world=not args.no_world,
        estate_size=args.estate_size,
        extra_history=args.extra_history,
    )


def opening_lines(endpoint: str, seeded: Seeded) -> list[str]:
    """What the sandbox says once open: its ready line, what it holds, how to use it."""
    lines = [f"{READY_PREFIX}{endpoint}"]
    if seeded.pipelines:
        lines.append(f"Seeded {len(seeded.pipelines)} pipelines (account {ACCOUNT_ID}):")
        width = max(len(p.name) for p in seeded.pipelines)
        lines += [
            f"  {p.region:<15} {p.name:<{width}}  {p.summary}" for p in seeded.pipelines
        ]
    if seeded.definitions:
        loaded = sum(1 for item in seeded.definitions if item.skipped is None)
        lines.append(f"Definitions: {loaded} of {len(seeded.definitions)} files loaded:")
        for item in seeded.definitions:
            if item.skipped is None and item.spec is not None:
                lines.append(f"  {item.file} -> {item.spec.name}")
            else:
                lines.append(f"  {item.file} skipped: {item.skipped}")
    if seeded.generated:
        lines.append(
            f"Generated {seeded.generated} estate pipelines ({seeded.generated_range}),"
            " sharing datasets"
        )
    if not seeded.pipelines and not seeded.definitions and not seeded.generated:
        lines.append("No pipelines seeded.")
    env = sandbox_environment(endpoint)
    names = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")
    lines.append("Point a shell at it (dummy credentials):")
    lines.append("  export " + " ".join(f"{name}={shlex.quote(env[name])}" for name in names))
    return lines


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None, *, prog: str = PROG) -> int:
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, stream=sys.stderr)
    if args.latency_ms < 0:
        parser.error("--latency-ms must not be negative")
    if args.estate_size < 0:
        parser.error("--estate-size must not be negative")
    if not 0 <= args.extra_history <= MAX_EXTRA_HISTORY:
        parser.error(f"--extra-history must be between 0 and {MAX_EXTRA_HISTORY}")
    if args.definitions is not None and not args.definitions.is_dir():
        parser.error(f"--definitions {args.definitions} is not a directory")
    try:
        options = options_from_args(args)
    except FaultSpecError as exc:
        parser.error(f"--faults: {exc}")
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)

    from lineage.sandbox.server import serve

    def ready(endpoint: str, seeded: Seeded) -> None:
        print("\n".join(opening_lines(endpoint, seeded)), flush=True)

    serve(options, host=args.host, port=args.port, ready=ready)
    return 0


if __name__ == "__main__":
    code = main()
    # Once served, freeing moto's whole state object by object at interpreter exit takes most
    # of a second (each stop of a test's sandbox waits for it), and none of it needs
    # finalising: the servers are closed; the output is flushed here.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
