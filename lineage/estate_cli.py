"""The estate's commands of ``sagemaker-lineage``: estate, impact, provenance.

The same JSON as ``GET /estate``, ``/impact`` and ``/provenance`` (the same parsers, so the
same checks and messages), or ``--format table`` for people. Read straight from AWS (no
cache): one build per command.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lineage.config import Settings

if TYPE_CHECKING:
    from lineage.estate import Estate
    from lineage.estate_request import EstateRequest

FORMATS = ("json", "table")
TABLE_COLUMNS = ("kind", "label", "region", "account", "status")

# (args) -> the JSON the command prints
Answer = Callable[[argparse.Namespace], Mapping[str, Any]]


def add_estate_commands(commands: Any, *, run: Callable[[argparse.Namespace, Answer], int]
                        ) -> None:
    """The three commands on ``commands`` (argparse subparsers); ``run(args, answer)`` does
    the common part (the sandbox, writing the answer)."""
    estate = commands.add_parser(
        "estate",
        help="the estate graph: pipelines, datasets, model packages, models, endpoints",
        description="The estate graph of some regions (and accounts), as GET /estate.",
    )
    _scope_options(estate)
    estate.set_defaults(handler=lambda args: run(args, _estate))

    impact = commands.add_parser(
        "impact",
        help="everything downstream of an S3 location or bucket",
        description="Everything downstream of an S3 location or a bucket, as GET /impact.",
    )
    impact.add_argument("location", help="s3://bucket[/prefix], or a bucket name")
    _scope_options(impact)
    impact.set_defaults(handler=lambda args: run(args, _impact))

    provenance = commands.add_parser(
        "provenance",
        help="everything upstream of an endpoint, model or model package",
        description="Everything upstream of an endpoint, a model or a model package, down to "
        "the raw datasets with their bucket settings, as GET /provenance.",
    )
    which = provenance.add_mutually_exclusive_group(required=True)
    which.add_argument("--endpoint", help="an endpoint name or ARN")
    which.add_argument("--model", help="a model name or ARN")
    which.add_argument("--model-package", help="a model package ARN")
    _scope_options(provenance)
    provenance.set_defaults(handler=lambda args: run(args, _provenance))


def _scope_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", help="a region, a comma-separated list, or all "
                        "(default: $DEFAULT_REGION or ap-northeast-2)")
    parser.add_argument("--account", help="only this account (12 digits)")
    parser.add_argument("--domain", help="only pipelines of this Studio domain")
    parser.add_argument("--depth", help="documents of the last N executions (default 1)")
    parser.add_argument("--format", choices=FORMATS, default="json",
                        help="json (as the API answers) or a table")
    parser.add_argument("--out", type=Path, help="write to FILE instead of standard output")
    parser.add_argument("--sandbox", action="store_true",
                        help="start the embedded AWS sandbox for this run and read from it")


def _scope(args: argparse.Namespace) -> dict[str, str | None]:
    return {"region": args.region, "account": args.account, "domain": args.domain,
            "depth": args.depth}


def _estate(args: argparse.Namespace) -> Mapping[str, Any]:
    from lineage.estate_request import parse_estate_request

    settings, regions = _settings()
    request = parse_estate_request(_scope(args), settings=settings, regions=regions,
                                   offered=sorted(regions))
    return _read(settings, request).to_dict()


def _impact(args: argparse.Namespace) -> Mapping[str, Any]:
    from lineage.estate_queries import impact
    from lineage.estate_request import parse_impact_request

    settings, regions = _settings()
    where = "uri" if "://" in args.location else "bucket"
    request = parse_impact_request({**_scope(args), where: args.location}, settings=settings,
                                   regions=regions, offered=sorted(regions))
    return impact(_read(settings, request.estate), uri=request.uri,
                  bucket=request.bucket).to_dict()


def _provenance(args: argparse.Namespace) -> Mapping[str, Any]:
    from lineage.estate_queries import provenance
    from lineage.estate_request import parse_provenance_request

    settings, regions = _settings()
    named = {"endpoint": args.endpoint, "model": args.model, "modelPackage": args.model_package}
    request = parse_provenance_request({**_scope(args), **named}, settings=settings,
                                       regions=regions, offered=sorted(regions))
    return provenance(_read(settings, request.estate), endpoint=request.endpoint,
                      model=request.model, model_package=request.model_package).to_dict()


def _settings() -> tuple[Settings, frozenset[str]]:
    from lineage.aws import sagemaker_regions

    return Settings.from_env(), frozenset(sagemaker_regions())


def _read(settings: Settings, request: EstateRequest) -> Estate:
    from lineage.estate_reader import read_estate
    from lineage.service import LineageService

    service = LineageService(settings)
    try:
        return read_estate(service, request).estate
    finally:
        service.close()


# -- output --------------------------------------------------------------------------------


def render(answer: Mapping[str, Any], form: str) -> str:
    """The answer as the API's JSON, or as a table of what it names."""
    if form == "json":
        return json.dumps(answer, indent=2, ensure_ascii=False) + "\n"
    rows = answer.get("reached") if "reached" in answer else answer.get("nodes")
    return table(rows or [])


def table(items: Iterable[Mapping[str, Any]]) -> str:
    """Aligned columns: kind, label, region, account, status (a package's approval)."""
    rows = [TABLE_COLUMNS] + [_row(item) for item in items]
    widths = [max(len(row[i]) for row in rows) for i in range(len(TABLE_COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
             .rstrip() for row in rows]
    return "\n".join(lines) + "\n"


def _row(item: Mapping[str, Any]) -> tuple[str, ...]:
    attributes = item.get("attributes") or {}
    status = (attributes.get("approvalStatus") or attributes.get("status")
              or (attributes.get("latestExecution") or {}).get("status") or "")
    return tuple(_cell(value) for value in (item.get("kind"), item.get("label"),
                                             item.get("region"), item.get("account"), status))


def _cell(value: Any) -> str:
    # One line per row whatever a name holds: control characters shown, not obeyed.
    text = "" if value is None else str(value)
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
