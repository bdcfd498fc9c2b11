"""``python -m lineage.sandbox --port N [--latency-ms N] [--faults SPEC] [--definitions DIR]``.

Prints exactly one line, ``Sandbox listening on http://127.0.0.1:PORT``, once the world is
seeded (the port is not even open before), then serves until SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path
from types import FrameType

from lineage.sandbox import READY_PREFIX
from lineage.sandbox.options import FaultSpecError, SandboxOptions, parse_faults


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lineage.sandbox",
        description="An AWS stand-in (moto server plus SageMaker pipeline executions).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5005, help="0 picks a free port")
    parser.add_argument("--latency-ms", type=int, default=0, help="answer every AWS call late")
    parser.add_argument(
        "--faults",
        default="",
        help="e.g. 'throttle=0.3;deny=s3:GetBucketEncryption,sagemaker:DescribeTrainingJob;seed=7'",
    )
    parser.add_argument("--definitions", type=Path, help="directory of *.json definitions")
    parser.add_argument("--no-world", action="store_true", help="do not seed the built-in world")
    parser.add_argument("--log-level", default="WARNING")
    return parser


def options_from_args(args: argparse.Namespace) -> SandboxOptions:
    return SandboxOptions(
        latency_ms=args.latency_ms,
        faults=parse_faults(args.faults),
        definitions_dir=args.definitions,
        seed_world=not args.no_world,
    )


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    if args.latency_ms < 0:
        parser.error("--latency-ms must not be negative")
    if args.definitions is not None and not args.definitions.is_dir():
        parser.error(f"--definitions {args.definitions} is not a directory")
    try:
        options = options_from_args(args)
    except FaultSpecError as exc:
        parser.error(str(exc))
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)

    from lineage.sandbox.server import serve

    def ready(endpoint: str) -> None:
        print(f"{READY_PREFIX}{endpoint}", flush=True)

    serve(options, host=args.host, port=args.port, ready=ready)
    return 0


if __name__ == "__main__":
    sys.exit(main())
