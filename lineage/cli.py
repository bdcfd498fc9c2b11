"""The engine's commands of ``sagemaker-lineage``: dump, render, emit (OpenLineage), sandbox,
the estate's (estate, impact, provenance: ``lineage.estate_cli``) and audit
(``lineage.audit_cli``).

The web side adds ``serve`` and ``bench`` (``dashboard.cli``, the installed entry point) by
passing ``add_commands``; this module imports nothing of it. A failure prints one line to
stderr and exits with the error's own code (``lineage.errors``); a traceback only with
``--debug``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from lineage.audit_cli import Audit, add_audit_command
from lineage.config import Settings
from lineage.errors import (
    EXIT_FAILURE,
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    DefinitionError,
    InvalidParameter,
    LineageError,
    PipelineNotFound,
)
from lineage.estate_cli import Answer, add_estate_commands, render
from lineage.models import LineageDocument
from lineage.openlineage_emit import DEFAULT_ENDPOINT, DEFAULT_RETRIES, DEFAULT_TIMEOUT_SEC

# More commands for the parser's subparsers (the web side's serve and bench).
AddCommands = Callable[[Any], None]
# Libraries whose DEBUG lines carry request dicts, headers and the credential chain: --debug
# shows our own one line per AWS call instead.
QUIET_LOGGERS = ("botocore", "boto3", "urllib3", "s3transfer", "openlineage")
FORMATS = ("contract", "openlineage")
# openlineage-python's own variables for where its HTTP transport sends events.
OPENLINEAGE_URL_VARIABLE = "OPENLINEAGE_URL"
OPENLINEAGE_API_KEY_VARIABLE = "OPENLINEAGE_API_KEY"


def main(argv: Sequence[str] | None = None, *, add_commands: AddCommands | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["sandbox"]:
        return _run_sandbox(arguments[1:])
    parser = build_parser(add_commands)
    args = parser.parse_args(arguments)
    configure_logging(debug=args.debug)
    try:
        result: int = args.handler(args)
        return result
    except InvalidParameter as exc:
        return fail(f"invalid {exc.parameter}: {exc.message}", exc.exit_code)
    except LineageError as exc:
        return fail(exc.message, exc.exit_code)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the promise: one line, never a traceback, unless asked
        if args.debug:
            raise
        return fail(f"unexpected {type(exc).__name__} (run with --debug for details)")


def configure_logging(*, debug: bool) -> None:
    """Warnings only; with ``debug`` also this package's own lines (one per AWS call, with
    its operation and outcome), never botocore's internals."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("lineage").setLevel(logging.DEBUG if debug else logging.NOTSET)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def build_parser(add_commands: AddCommands | None = None) -> argparse.ArgumentParser:
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
    _add_selection(dump)
    dump.add_argument(
        "--format",
        choices=FORMATS,
        default="contract",
        help="contract: the /lineage JSON (default); openlineage: the execution as a JSON "
        "array of OpenLineage RunEvents (implies --include-latest-exec)",
    )
    dump.add_argument(
        "--namespace",
        help="with --format openlineage: the jobs' namespace "
        "(default: arn:aws:sagemaker:<region>:<account> of the execution)",
    )
    dump.add_argument("--out", type=Path, help="write to FILE instead of standard output")
    dump.set_defaults(handler=_dump)

    emit = commands.add_parser(
        "emit",
        help="send an execution's OpenLineage events to a Marquez-compatible endpoint",
        description="Send the OpenLineage RunEvents of a pipeline execution (the latest, or "
        "--execution; or of a lineage document saved by dump, --from) to an OpenLineage "
        "HTTP endpoint such as Marquez's, one at a time. Prints one line per event (sent, "
        "failed, or not sent when the receiver could not be reached) and exits 1 unless "
        "every event was accepted.",
    )
    emit.add_argument(
        "--url",
        default=os.environ.get(OPENLINEAGE_URL_VARIABLE),
        help=f"the receiver's base URL, such as http://localhost:5000 "
        f"(default: ${OPENLINEAGE_URL_VARIABLE})",
    )
    emit.add_argument(
        "--api-key",
        help=f"sent as 'Authorization: Bearer KEY' (default: ${OPENLINEAGE_API_KEY_VARIABLE}, "
        "which keeps it out of the process list)",
    )
    emit.add_argument(
        "--endpoint",
        default=DEFAULT_ENDPOINT,
        help=f"the path under --url that takes events (default: {DEFAULT_ENDPOINT})",
    )
    emit.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SEC,
        help=f"seconds to wait for each answer (default: {DEFAULT_TIMEOUT_SEC:g})",
    )
    emit.add_argument(
        "--retries",
        type=int,
        default=DEFAULT_RETRIES,
        help=f"retries of an event on a 5xx answer or a failed connection, with backoff "
        f"(default: {DEFAULT_RETRIES})",
    )
    emit.add_argument(
        "--namespace",
        help="the jobs' namespace (default: arn:aws:sagemaker:<region>:<account> of the "
        "execution)",
    )
    emit.add_argument(
        "--from",
        dest="source",
        type=Path,
        metavar="FILE",
        help="a lineage document saved by 'dump --include-latest-exec' instead of reading AWS",
    )
    emit.add_argument("--pipeline-name", help="SageMaker pipeline name (unless --from)")
    emit.add_argument("--region", help="AWS region (default: $DEFAULT_REGION or ap-northeast-2)")
    _add_selection(emit)
    emit.set_defaults(handler=_emit)

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

    add_estate_commands(commands, run=_run_estate)
    add_audit_command(commands, run=_run_audit)
    if add_commands is not None:
        add_commands(commands)
    return parser


def _add_selection(command: argparse.ArgumentParser) -> None:
    """The options of dump and emit that choose what is read from AWS."""
    command.add_argument("--domain", help="only if the pipeline belongs to this Studio domain")
    command.add_argument("--execution", help="an execution ARN or id instead of the latest")
    command.add_argument(
        "--sandbox",
        action="store_true",
        help="start the embedded AWS sandbox for this run and read from it",
    )


def _dump(args: argparse.Namespace) -> int:
    problem = _out_problem(args.out)
    if problem:
        return fail(problem, EXIT_USAGE)
    openlineage = args.format == "openlineage"
    if args.namespace is not None and not openlineage:
        return fail("--namespace applies to --format openlineage only", EXIT_USAGE)
    if openlineage:
        from lineage.openlineage import check_namespace, run_event_dicts

        if args.namespace is not None:
            check_namespace(args.namespace)
    # OpenLineage events are of a run: without run info there would be none.
    document = _read_document(args, include_run=args.include_latest_exec or openlineage)
    if isinstance(document, int):
        return document
    if openlineage:
        events = run_event_dicts(document, namespace=args.namespace)
        return _write_text(json.dumps(events, indent=2, ensure_ascii=False) + "\n", args.out)
    return _write(document, args.out)


def _read_document(args: argparse.Namespace, *, include_run: bool) -> LineageDocument | int:
    """The lineage document ``args`` select, from AWS; an exit code when there is none."""
    from lineage.aws import sagemaker_regions
    from lineage.request import parse_lineage_request
    from lineage.service import LineageService

    with _sandbox_environment(args.sandbox):
        settings = Settings.from_env()
        request = parse_lineage_request(
            {
                "pipeline": args.pipeline_name,
                "region": args.region,
                "includeLatestExec": "true" if include_run else "false",
                "domain": args.domain,
                "execution": args.execution,
            },
            settings=settings,
            regions=sagemaker_regions(),
        )
        service = LineageService(settings)
        try:
            return service.get_lineage(request)
        except PipelineNotFound as exc:
            if request.domain is not None:
                raise
            # The API's wording covers a domain filter too; here there was none.
            return fail(f"pipeline {request.pipeline} not found in {request.region}", exc.exit_code)
        finally:
            service.close()


def _emit(args: argparse.Namespace) -> int:
    from lineage.openlineage import check_namespace, run_events
    from lineage.openlineage_emit import Receiver, emit

    # Every option is checked before AWS is read or anything is sent.
    if not args.url:
        return fail(f"--url is required (or set ${OPENLINEAGE_URL_VARIABLE})", EXIT_USAGE)
    api_key = args.api_key or os.environ.get(OPENLINEAGE_API_KEY_VARIABLE) or None
    receiver = Receiver(args.url, api_key, args.timeout, args.retries, args.endpoint)
    if args.namespace is not None:
        check_namespace(args.namespace)
    if args.source is not None:
        chosen = [name for name in ("pipeline_name", "region", "domain", "execution", "sandbox")
                  if getattr(args, name)]
        if chosen:
            option = "--" + chosen[0].replace("_", "-")
            return fail(f"--from reads a saved document: {option} does not apply", EXIT_USAGE)
        document: LineageDocument | dict[str, Any] | int = _load_document(args.source)
    elif not args.pipeline_name:
        return fail("--pipeline-name or --from is required", EXIT_USAGE)
    else:
        document = _read_document(args, include_run=True)
    if isinstance(document, int):
        return document
    events = run_events(document, namespace=args.namespace)
    if not args.debug:
        # Each retry is a WARNING of urllib3's; the report below says how each event went.
        logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)
    if not events:
        print("No execution: there are no OpenLineage events to send.", file=sys.stderr)
        return EXIT_OK
    report = emit(events, receiver)
    for outcome in report.outcomes:
        print(outcome.line())
    total = len(report.outcomes)
    print(f"{report.sent} of {total} events sent to {report.target}")
    problem = report.problem()
    return EXIT_OK if problem is None else fail(f"emit: {problem}", EXIT_FAILURE)


def _load_document(path: Path) -> dict[str, Any] | int:
    """A lineage document saved by ``dump``: read, decoded and checked against the contract."""
    import jsonschema

    from lineage.contract import lineage_schema

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return fail(f"cannot read {path}: {exc.strerror or exc}", EXIT_USAGE)
    except UnicodeDecodeError:
        return fail(f"{path} is not UTF-8 text", EXIT_USAGE)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return fail(f"{path} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                    EXIT_USAGE)
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(lineage_schema()).iter_errors(document)
    )
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "the top level"
        return fail(f"{path} is not a lineage document (at {where}: {error.message})",
                    EXIT_USAGE)
    loaded: dict[str, Any] = document
    return loaded


def _render(args: argparse.Namespace) -> int:
    from lineage.render import render_file

    problem = _out_problem(args.out)
    if problem:
        return fail(problem, EXIT_USAGE)
    # The file is the parameter: one that cannot be read or is no definition is a usage error.
    path = args.definition
    try:
        document = render_file(path)
    except OSError as exc:
        return fail(f"cannot read {path}: {exc.strerror or exc}", EXIT_USAGE)
    except DefinitionError as exc:
        cause = exc.__cause__
        if isinstance(cause, json.JSONDecodeError):
            where = f"line {cause.lineno}, column {cause.colno}: {cause.msg}"
            return fail(f"{path} is not JSON ({where})", EXIT_USAGE)
        if isinstance(cause, UnicodeDecodeError):
            return fail(f"{path} is not UTF-8 text", EXIT_USAGE)
        return fail(f"{path} is not a pipeline definition: {exc.message}", EXIT_USAGE)
    return _write(document, args.out)


def _run_estate(args: argparse.Namespace, answer: Answer) -> int:
    problem = _out_problem(args.out)
    if problem:
        return fail(problem, EXIT_USAGE)
    with _sandbox_environment(args.sandbox):
        found = answer(args)
    return _write_text(render(found, args.format), args.out)


def _run_audit(args: argparse.Namespace, audit: Audit) -> int:
    problem = _out_problem(args.out)
    if problem:
        return fail(problem, EXIT_USAGE)
    with _sandbox_environment(args.sandbox):
        audited = audit(args)
    written = _write_text(audited.text, args.out)
    if written != EXIT_OK or audited.failed is None:
        return written
    # Not an error: the gate the caller asked for (--fail-on) is closed.
    print(f"sagemaker-lineage: audit: {audited.failed}", file=sys.stderr)
    return EXIT_FINDINGS


def _run_sandbox(argv: Sequence[str]) -> int:
    """``sandbox [--port N] [--latency-ms N] [--faults SPEC] [--definitions DIR]
    [--estate-size N]``."""
    from lineage.sandbox.__main__ import main as sandbox_main

    return sandbox_main(list(argv), prog="sagemaker-lineage sandbox")


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


def _out_problem(out: Path | None) -> str | None:
    """Why ``--out`` cannot be written, checked before any work; folders are never made."""
    if out is None:
        return None
    if not out.parent.is_dir():
        return f"--out {out}: folder {out.parent} does not exist"
    if out.is_dir():
        return f"--out {out} is a folder"
    return None


def _write(document: LineageDocument, out: Path | None) -> int:
    return _write_text(json.dumps(document.to_dict(), indent=2, ensure_ascii=False) + "\n", out)


def _write_text(text: str, out: Path | None) -> int:
    if out is None:
        sys.stdout.write(text)
        return EXIT_OK
    # Write next to the target and rename, so a failure never leaves half a file behind.
    try:
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    except OSError as exc:
        return fail(f"cannot write {out}: {exc.strerror or exc}", EXIT_FAILURE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, out)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            return fail(f"cannot write {out}: {exc.strerror or exc}", EXIT_FAILURE)
        raise
    return EXIT_OK


def fail(message: str, code: int = EXIT_FAILURE) -> int:
    print(f"sagemaker-lineage: error: {message}", file=sys.stderr)
    return code
