"""Components built from a lineage document: the summary bar, the side panel, messages.

Everything that comes from AWS (names, tags, descriptions, URIs, failure reasons) is passed to
Dash as a text child, which React escapes: no ``dangerously_allow_html``, no Markdown. Links
are only built by us, to the AWS console, from the parts of a validated ARN.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from dash import html

from dashboard.ui.components.elements import (
    ARTIFACT_PREFIX,
    artifact_issues,
    status_class,
    step_status,
)
from lineage.models import NOT_STARTED

Component = Any  # a Dash component

# arn:partition:sagemaker:region:account:resource-type/name
_ARN = re.compile(
    r"arn:(?P<partition>aws|aws-cn|aws-us-gov):sagemaker:(?P<region>[a-z0-9-]+):\d{12}:"
    r"(?P<kind>[a-z-]+)/(?P<name>[A-Za-z0-9._/-]+)"
)
_CONSOLE_HOSTS = {
    "aws": "console.aws.amazon.com",
    "aws-cn": "console.amazonaws.cn",
    "aws-us-gov": "console.amazonaws-us-gov.com",
}
# ARN resource type -> the SageMaker console's route for it.
_CONSOLE_ROUTES = {
    "training-job": "jobs",
    "processing-job": "processing-jobs",
    "transform-job": "transform-jobs",
    "hyper-parameter-tuning-job": "hyper-tuning-jobs",
    "model": "models",
}
MAX_TEXT = 2000  # long AWS strings are cut for the page (the JSON export has them whole)


# -- formatting ------------------------------------------------------------------------------


def text(value: Any, limit: int = MAX_TEXT) -> str:
    """Any value as display text, cut to ``limit`` characters."""
    if value is None:
        return "–"
    out = value if isinstance(value, str) else str(value)
    return out if len(out) <= limit else out[: limit - 1] + "…"


def format_time(value: Any) -> str:
    """ISO-8601 from the document -> ``2025-03-02 07:00:00 UTC``."""
    if not value:
        return "–"
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return text(value, 64)
    offset = moment.utcoffset()
    if offset is not None and not offset:
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    return moment.isoformat(sep=" ")


def format_duration(seconds: Any) -> str:
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
        return "–"
    total = int(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days >= 2:
        return f"{days} d {hours} h"
    hours += days * 24
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def format_metric(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return text(value, 64)


def console_url(arn: Any) -> str | None:
    """The AWS console page of a job ARN, or ``None`` when we do not know one."""
    if not isinstance(arn, str):
        return None
    match = _ARN.fullmatch(arn)
    if match is None or match["kind"] not in _CONSOLE_ROUTES:
        return None
    region = match["region"]
    host = _CONSOLE_HOSTS[match["partition"]]
    route = _CONSOLE_ROUTES[match["kind"]]
    return (
        f"https://{region}.{host}/sagemaker/home?region={region}"
        f"#/{route}/{quote(match['name'], safe='')}"
    )


# -- small pieces ------------------------------------------------------------------------------


def status_label(status: Any) -> str:
    return "Not started" if status == NOT_STARTED else text(status, 40)


def status_chip(status: Any) -> Component:
    return html.Span(status_label(status), className=f"chip {status_class(str(status))}")


def tag_chips(tags: Any) -> list[Component]:
    if not isinstance(tags, Mapping):
        return [html.Span(text(tags, 40), className="chip chip-muted")] if tags else []
    return [
        html.Span([html.Span(text(k, 128), className="tag-key"), "=", text(v, 256)],
                  className="chip chip-tag")
        for k, v in tags.items()
    ]


def field_row(label: str, value: Any) -> Component:
    return html.Div([html.Dt(label), html.Dd(value)], className="field")


def fields(rows: Sequence[tuple[str, Any]]) -> Component:
    return html.Dl([field_row(label, value) for label, value in rows], className="fields")


def section(title: str, *children: Any) -> Component:
    return html.Section([html.H4(title), *children], className="panel-section")


# -- the summary bar ---------------------------------------------------------------------------


def summary_bar(document: Mapping[str, Any]) -> list[Component]:
    pipeline = document.get("pipeline") or {}
    execution = document.get("execution")
    summary = document.get("summary") or {}
    title = pipeline.get("displayName") or pipeline.get("name")
    counts = summary.get("nodeStatus") or {}
    heading: list[Component] = [
        html.H2(text(title, 256), className="summary-title", title=text(pipeline.get("name"))),
        status_chip(summary.get("overallStatus") or "Unknown"),
    ]
    description = pipeline.get("description")
    facts: list[Component] = [
        html.Span(
            [html.Span("Steps ", className="fact-label"),
             *[html.Span(f"{status_label(status)} {count}",
                         className=f"count {status_class(status)}")
               for status, count in counts.items()]],
            className="fact",
        ),
        html.Span([html.Span("Elapsed ", className="fact-label"),
                   format_duration(summary.get("elapsedSec"))], className="fact"),
    ]
    if isinstance(execution, Mapping):
        facts.append(html.Span([html.Span("Started ", className="fact-label"),
                                format_time(execution.get("startTime"))], className="fact"))
    tags = tag_chips(pipeline.get("tags"))
    if tags:
        facts.append(html.Span([html.Span("Tags ", className="fact-label"), *tags],
                               className="fact fact-tags"))
    parameters = (execution or {}).get("parameters") if isinstance(execution, Mapping) else None
    if description:
        heading.append(html.P(text(description, 500), className="summary-description",
                                       title=text(description, 500)))
    if parameters:
        facts.append(
            html.Details(
                [
                    html.Summary(f"Execution parameters ({len(parameters)})"),
                    html.Div(
                        [html.Span([html.Span(text(k, 128), className="tag-key"), "=",
                                    text(v, 512)], className="chip chip-param")
                         for k, v in parameters.items()],
                        className="param-list",
                    ),
                ],
                className="summary-parameters",
            )
        )
    return [html.Div(heading, className="summary-heading"),
            html.Div(facts, className="summary-facts")]


# -- the side panel ----------------------------------------------------------------------------


def side_panel(document: Mapping[str, Any], selected: str | None) -> list[Component]:
    graph = document.get("graph") or {}
    if selected and selected.startswith(ARTIFACT_PREFIX):
        wanted = selected[len(ARTIFACT_PREFIX):]
        for artifact in graph.get("artifacts") or []:
            if str(artifact.get("id")) == wanted:
                return artifact_panel(artifact)
    elif selected:
        for node in graph.get("nodes") or []:
            if node.get("id") == selected:
                return step_panel(node, graph.get("artifacts") or [])
    return pipeline_panel(document, missing=selected)


def step_panel(node: Mapping[str, Any], artifacts: Sequence[Mapping[str, Any]]) -> list[Component]:
    run = node.get("run") if isinstance(node.get("run"), Mapping) else None
    status = step_status(node)
    out: list[Component] = [
        html.Div(
            [html.H3(text(node.get("id"), 256), className="panel-title"), status_chip(status)],
            className="panel-heading",
        ),
    ]
    rows: list[tuple[str, Any]] = [("Type", text(node.get("type"), 128))]
    if run is None:
        rows.append(("Run", "This step did not run in this execution."))
    else:
        rows += [
            ("Started", format_time(run.get("startTime"))),
            ("Ended", format_time(run.get("endTime"))),
            ("Elapsed", format_duration(run.get("elapsedSec"))),
        ]
        if run.get("cacheHit"):
            rows.append(("Cache", "Reused a cached result"))
        job_arn = run.get("jobArn")
        if job_arn:
            url = console_url(job_arn)
            job: list[Component] = [html.Code(text(job_arn, 512), className="arn")]
            if url:
                job.append(html.A("Open in the AWS console \u2197", href=url, target="_blank",
                                  rel="noopener noreferrer", className="console-link"))
            rows.append(("Job", html.Div(job)))
    out.append(fields(rows))
    if run is not None and run.get("failureReason"):
        out.append(html.Div([html.Strong("Failure reason"), html.P(text(run.get("failureReason")))],
                            className="alert alert-error"))
    metrics = run.get("metrics") if run is not None else None
    if metrics:
        out.append(section("Metrics", html.Table(
            [html.Thead(html.Tr([html.Th("Metric"), html.Th("Value")])),
             html.Tbody([html.Tr([html.Td(text(name, 256)), html.Td(format_metric(value),
                                                                     className="num")])
                         for name, value in metrics.items()])],
            className="table metrics-table",
        )))
    registry = node.get("registry")
    if isinstance(registry, Mapping):
        out.append(section("Model registry", fields([
            ("Model package", html.Code(text(registry.get("modelPackageArn"), 512),
                                        className="arn")),
            ("Approval", text(registry.get("approvalStatus"), 128)),
        ])))
    condition = node.get("condition")
    if isinstance(condition, Mapping):
        outcome = condition.get("outcome")
        words = ("true: the if branch ran" if outcome is True
                 else "false: the else branch ran" if outcome is False else "unknown")
        out.append(section("Condition", fields([("Outcome", words)])))
    by_uri = {str(a.get("uri")): a for a in artifacts}
    for title, key in (("Inputs", "inputs"), ("Outputs", "outputs")):
        ios = node.get(key) or []
        if ios:
            out.append(section(title, *[io_block(io, by_uri.get(str(io.get("uri"))))
                                        for io in ios]))
    return out


def io_block(io: Mapping[str, Any], artifact: Mapping[str, Any] | None) -> Component:
    children: list[Component] = [
        html.Div(text(io.get("name"), 256), className="io-name"),
        html.Code(text(io.get("uri"), 1024), className="uri"),
    ]
    if artifact is not None:
        children.append(s3_settings(artifact.get("s3")))
    return html.Div(children, className="io")


def s3_settings(s3: Any) -> Component:
    if not isinstance(s3, Mapping):
        return html.Div("Bucket settings were not read.", className="muted")
    issues = set(artifact_issues(s3))

    def verdict(value: Any, bad: bool) -> Component:
        kind = "warn" if bad else ("unknown" if value == "Unknown" else "ok")
        mark = {"warn": "\u26a0 ", "unknown": "? ", "ok": "\u2713 "}[kind]
        return html.Span(mark + text(value, 64), className=f"verdict verdict-{kind}")

    encryption = s3.get("encryption")
    tags = s3.get("tags")
    return html.Dl(
        [
            field_row("Encryption", verdict(
                "none" if encryption in (None, "None") else encryption, "unencrypted" in issues)),
            field_row("Versioning", verdict(s3.get("versioning"),
                                            "versioning not enabled" in issues)),
            field_row("Public access", verdict(s3.get("publicAccess"),
                                               "public access not blocked" in issues)),
            field_row("Tags", html.Span(tag_chips(tags) or "none")),
        ],
        className="fields s3-settings",
    )


def artifact_panel(artifact: Mapping[str, Any]) -> list[Component]:
    issues = artifact_issues(artifact.get("s3") if isinstance(artifact.get("s3"), Mapping)
                             else None)
    out: list[Component] = [
        html.Div([html.H3("S3 artifact", className="panel-title"),
                  *([html.Span("\u26a0 " + ", ".join(issues), className="chip chip-warn")]
                    if issues else [])],
                 className="panel-heading"),
        html.Code(text(artifact.get("uri"), 1024), className="uri"),
        fields([("Bucket", text(artifact.get("bucket"), 256)),
                ("Region", text((artifact.get("s3") or {}).get("region")
                                if isinstance(artifact.get("s3"), Mapping) else None, 64))]),
        section("Bucket settings", s3_settings(artifact.get("s3"))),
        section("Written by", step_list(artifact.get("producers"))),
        section("Read by", step_list(artifact.get("consumers"))),
    ]
    return out


def step_list(names: Any) -> Component:
    if not names:
        return html.Div("no step of this pipeline", className="muted")
    return html.Ul([html.Li(text(name, 256)) for name in names], className="step-list")


def pipeline_panel(document: Mapping[str, Any], missing: str | None = None) -> list[Component]:
    pipeline = document.get("pipeline") or {}
    execution = document.get("execution")
    out: list[Component] = []
    if missing:
        out.append(html.Div(f"No step or artifact named {text(missing, 256)} in this view.",
                            className="alert alert-info"))
    out.append(html.Div([html.H3(text(pipeline.get("name"), 256), className="panel-title")],
                        className="panel-heading"))
    out.append(html.P("Select a step or an artifact in the graph to see its details.",
                      className="muted hint"))
    out.append(fields([
        ("Region", text(pipeline.get("region"), 64)),
        ("ARN", html.Code(text(pipeline.get("arn"), 512), className="arn")),
        ("Last modified", format_time(pipeline.get("lastModifiedTime"))),
        ("Last run", format_time(pipeline.get("lastRunTime"))),
    ]))
    if isinstance(execution, Mapping):
        rows: list[tuple[str, Any]] = [
            ("Id", html.Code(text(execution.get("id"), 256))),
            ("Name", text(execution.get("displayName"), 256)),
            ("Status", status_chip(execution.get("status"))),
            ("Started", format_time(execution.get("startTime"))),
            ("Ended", format_time(execution.get("endTime"))),
            ("Elapsed", format_duration(execution.get("elapsedSec"))),
        ]
        out.append(section("Execution", fields(rows)))
        if execution.get("failureReason"):
            out.append(html.Div([html.Strong("Failure reason"),
                                 html.P(text(execution.get("failureReason")))],
                                className="alert alert-error"))
    else:
        out.append(section("Execution", html.P(
            "This pipeline has never been executed: the graph shows its definition.",
            className="muted")))
    warnings = document.get("warnings") or []
    if warnings:
        out.append(section(f"Warnings ({len(warnings)})", html.Ul(
            [html.Li([html.Code(text(w.get("code"), 64)), " ", text(w.get("message"), 512),
                      *([html.Span(f" ({text(w.get('target'), 256)})", className="muted")]
                        if w.get("target") else [])])
             for w in warnings],
            className="warning-list")))
    else:
        out.append(section("Warnings", html.P("None: everything could be read.",
                                              className="muted")))
    return out
