"""``sagemaker-lineage audit``: the findings report of a pipeline or of the estate, and a gate.

The report is ``GET /findings``'s (:mod:`lineage.findings_report`, the same parser of its
parameters): ``--format json`` is its JSON, ``csv`` its CSV, ``table`` (the default) one row per
finding for people, with what its source reaches. ``--fail-on S`` makes it a gate for CI:
the exit code is :data:`lineage.errors.EXIT_FINDINGS` when findings of severity ``S`` or above
exist (exempted ones do not count; ``--severity`` only narrows what is shown, never the gate),
else 0. Read straight from AWS (no cache).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lineage.config import Settings
from lineage.errors import EXIT_FINDINGS, PipelineNotFound
from lineage.findings_report import FindingsReport, Group, Reached, to_csv
from lineage.policy import SEVERITIES, severity_rank

if TYPE_CHECKING:
    from lineage.findings_request import FindingsRequest

FORMATS = ("table", "json", "csv")
TABLE_COLUMNS = ("severity", "rule", "location", "reaches")
FURTHEST_SHOWN = 3


@dataclass(frozen=True)
class Audited:
    """What the command writes, and the gate's verdict (None: passed, or no gate)."""

    text: str
    failed: str | None = None  # one line saying what tripped the gate


# (args) -> what to write and the verdict
Audit = Callable[[argparse.Namespace], Audited]


def add_audit_command(commands: object, *, run: Callable[[argparse.Namespace, Audit], int]
                      ) -> None:
    """``audit`` on ``commands`` (argparse subparsers); ``run(args, audit)`` does the common
    part (the sandbox, ``--out``, the exit code)."""
    audit = commands.add_parser(  # type: ignore[attr-defined]
        "audit",
        help="security findings of a pipeline or the estate, with what each reaches; "
        f"--fail-on makes it a CI gate (exit {EXIT_FINDINGS})",
        description="The findings of a pipeline's buckets (or of every dataset of the estate) "
        "against the posture policy (LINEAGE_POLICY_FILE), grouped by source, each with "
        "everything downstream that it reaches, as GET /findings. "
        f"Exit codes: 0 no findings at or above --fail-on (or no --fail-on); {EXIT_FINDINGS} "
        "findings at or above it; 2 bad usage; 3 no such pipeline or execution; 4 AWS refused "
        "or failed; 1 otherwise.",
    )
    which = audit.add_mutually_exclusive_group(required=True)
    which.add_argument("--pipeline", help="a pipeline: the findings of its lineage document")
    which.add_argument("--estate", action="store_true",
                       help="the whole estate of --region (and of LINEAGE_ACCOUNT_ROLES)")
    audit.add_argument("--region", help="a region (with --estate also a comma-separated list "
                       "or all; default: $DEFAULT_REGION or ap-northeast-2)")
    audit.add_argument("--execution", help="with --pipeline: an execution ARN or id instead of "
                       "the latest")
    audit.add_argument("--domain", help="only pipelines of this Studio domain")
    audit.add_argument("--account", help="with --estate: only this account (12 digits)")
    audit.add_argument("--depth", help="with --estate: documents of the last N executions")
    audit.add_argument("--severity", choices=SEVERITIES,
                       help="show only findings of this severity or above")
    audit.add_argument("--fail-on", choices=SEVERITIES,
                       help=f"exit {EXIT_FINDINGS} when findings of this severity or above "
                       "exist, whatever --severity shows (default: no gate)")
    audit.add_argument("--format", choices=FORMATS, default="table",
                       help="a table for people (default), the /findings JSON, or its CSV")
    audit.add_argument("--out", type=Path, help="write to FILE instead of standard output")
    audit.add_argument("--sandbox", action="store_true",
                       help="start the embedded AWS sandbox for this run and read from it")
    audit.set_defaults(handler=lambda args: run(args, audit_answer))


def audit_answer(args: argparse.Namespace) -> Audited:
    from lineage.aws import sagemaker_regions
    from lineage.findings_request import parse_findings_request

    settings = Settings.from_env()
    regions = frozenset(sagemaker_regions())
    request = parse_findings_request(
        {"pipeline": args.pipeline, "region": args.region, "execution": args.execution,
         "domain": args.domain, "account": args.account, "depth": args.depth,
         "severity": args.severity},
        settings=settings, regions=regions, offered=sorted(regions),
    )
    report = _read(settings, request)
    failing = report.count_at_least(args.fail_on) if args.fail_on else 0
    failed = (f"{failing} finding{'s' if failing != 1 else ''} of severity {args.fail_on} or "
              f"above (exit {EXIT_FINDINGS})") if failing else None
    return Audited(render(report.at_least(request.severity), args.format), failed)


def _read(settings: Settings, request: FindingsRequest) -> FindingsReport:
    from lineage.estate_reader import read_estate
    from lineage.findings_report import document_report, estate_report
    from lineage.service import LineageService

    service = LineageService(settings)
    try:
        if request.lineage is not None:
            try:
                document = service.get_lineage(request.lineage).to_dict()
            except PipelineNotFound:
                if request.lineage.domain is not None:
                    raise
                # The API's wording covers a domain filter too; here there was none.
                raise PipelineNotFound(f"pipeline {request.lineage.pipeline} not found in "
                                       f"{request.lineage.region}") from None
            return document_report(document, settings.policy, scope=request.scope())
        assert request.estate is not None
        estate = read_estate(service, request.estate).estate.to_dict()
        return estate_report(estate, settings.policy, scope=request.scope())
    finally:
        service.close()


# -- output --------------------------------------------------------------------------------


def render(report: FindingsReport, form: str) -> str:
    if form == "json":
        return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if form == "csv":
        return to_csv(report)
    return table(report)


def table(report: FindingsReport) -> str:
    """One row per finding; a source's location and what it reaches on its first row; a
    summary line last."""
    rows: list[tuple[str, ...]] = [TABLE_COLUMNS]
    for group in report.groups:
        first = True
        for finding in sorted(group.findings, key=lambda f: -severity_rank(f.severity)):
            rows.append((finding.severity, finding.rule, group.source.uri if first else "",
                         reaches(group) if first else ""))
            first = False
        for exempted in group.exempted:
            rows.append((f"({exempted.finding.severity})", exempted.finding.rule,
                         group.source.uri if first else "", f"exempt: {exempted.reason}"))
            first = False
    cells = [tuple(_cell(value) for value in row) for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(TABLE_COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
             .rstrip() for row in cells]
    return "\n".join([*lines, _summary_line(report)]) + "\n"


def reaches(group: Group) -> str:
    """``3 pipelines, 1 endpoint; furthest: endpoint churn-prod (5 hops)``, or ``nothing``."""
    if not group.reaches:
        return "nothing downstream"
    counts: dict[str, int] = {}
    for reached in group.reaches:  # by distance: the kinds come in the order they are met
        counts[reached.kind] = counts.get(reached.kind, 0) + 1
    kinds = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in counts.items())
    return f"{kinds}; furthest: {_furthest(group.reaches)}"


def _furthest(reached: Sequence[Reached]) -> str:
    hops = max(len(r.path) for r in reached)
    deepest = [r for r in reached if len(r.path) == hops]
    named = ", ".join(f"{r.kind} {r.label}" for r in deepest[:FURTHEST_SHOWN])
    more = f" and {len(deepest) - FURTHEST_SHOWN} more" if len(deepest) > FURTHEST_SHOWN else ""
    return f"{named}{more} ({hops - 1} hop{'s' if hops != 2 else ''})"


def _summary_line(report: FindingsReport) -> str:
    summary = report.summary()
    counted = [f"{n} {severity}" for severity, n in summary["bySeverity"].items() if n]
    words = f" ({', '.join(counted)})" if counted else ""
    shown = f" at or above {report.min_severity}" if report.min_severity else ""
    return (f"{summary['findings']} finding{'s' if summary['findings'] != 1 else ''}{shown}"
            f"{words} in {summary['sources']} source{'s' if summary['sources'] != 1 else ''}, "
            f"{summary['exempted']} exempted")


def _cell(value: object) -> str:
    # One line per row whatever a name holds: control characters shown, not obeyed.
    text = "" if value is None else str(value)
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
