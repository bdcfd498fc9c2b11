"""Components built from a lineage document: the summary bar, the side panel, messages.

Everything that comes from AWS (names, tags, descriptions, URIs, failure reasons) is passed to
Dash as a text child, which React escapes: no ``dangerously_allow_html``, no Markdown; and
through ``text()``, which shows controls and bidi overrides as escapes (``visible``). Links
are only built by us, to the AWS console, from the parts of a validated ARN.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from dash import html

from dashboard.ui import ids
from dashboard.ui.components.elements import (
    ARTIFACT_PREFIX,
    STEP_PREFIX,
    artifact_issues,
    node_of_element,
    not_run_reasons,
    status_class,
    step_status,
)
from dashboard.ui.components.schema_panel import schema_section
from dashboard.ui.components.visible import visible_text
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


def text(value: Any, limit: int = MAX_TEXT, *, lines: bool = False) -> str:
    """Any value as display text, hidden characters escaped, cut to ``limit`` characters;
    ``lines``: text shown on several lines keeps its line breaks."""
    if value is None:
        return "–"
    out = visible_text(value if isinstance(value, str) else str(value), lines=lines)
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


def scanned_at(value: Any) -> Component:
    """When the document was read: the clock time, the whole moment on hover."""
    whole = format_time(value)
    parts = whole.split(" ")
    clock = " ".join(parts[1:]) if len(parts) == 3 else whole
    return html.Span(clock, title=whole)


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


def status_label(status: Any, not_run: str | None = None) -> str:
    """``not_run``: why a step did not run (``condition false``), if its branch was not taken."""
    if not_run:
        return f"Not run ({not_run})"
    return "Not started" if status == NOT_STARTED else text(status, 40)


def status_chip(status: Any, not_run: str | None = None) -> Component:
    classes = f"chip {status_class(str(status))}" + (" not-run" if not_run else "")
    return html.Span(status_label(status, not_run), className=classes)


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
    counts = dict(summary.get("nodeStatus") or {})
    skipped = not_run_reasons(document)
    if skipped and counts.get(NOT_STARTED):
        # The contract counts them NotStarted; the page tells them apart.
        counts[NOT_STARTED] -= len(skipped)
        if not counts[NOT_STARTED]:
            del counts[NOT_STARTED]
    heading: list[Component] = [
        html.H2(text(title, 256), className="summary-title", title=text(pipeline.get("name"))),
        status_chip(summary.get("overallStatus") or "Unknown"),
    ]
    failure = failure_first(document)
    description = pipeline.get("description")
    step_counts = [html.Span(f"{status_label(status)} {count}",
                             className=f"count {status_class(status)}")
                   for status, count in counts.items()]
    if skipped:
        step_counts.append(html.Span(f"Not run (branch not taken) {len(skipped)}",
                                     className=f"count {status_class(NOT_STARTED)} not-run"))
    facts: list[Component] = [
        html.Span([html.Span("Steps ", className="fact-label"), *step_counts],
                  className="fact"),
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
            *([failure] if failure is not None else []),
            html.Div(facts, className="summary-facts")]


def failed_steps(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The nodes whose step failed, in definition order."""
    nodes = (document.get("graph") or {}).get("nodes") or []
    return [node for node in nodes
            if isinstance(node.get("run"), Mapping) and node["run"].get("status") == "Failed"]


def failure_gist(reason: str) -> str:
    """The line of a failure reason a person reads first: a traceback's last line (the
    exception and its message), else the first line."""
    lines = [line.strip() for line in reason.splitlines() if line.strip()]
    if not lines:
        return reason
    if any(line.startswith("Traceback (most recent call last)") for line in lines):
        told = [line for line in lines if not line.startswith(("File ", "Traceback"))]
        if told:
            return told[-1]
    return lines[0]


def failure_first(document: Mapping[str, Any]) -> Component | None:
    """"Failed at TrainChurn: <its own failure reason>", a link that selects that step."""
    failed = failed_steps(document)
    if not failed:
        return None
    first = failed[0]
    name = str(first.get("id"))
    execution = document.get("execution")
    reason = first["run"].get("failureReason") or (
        execution.get("failureReason") if isinstance(execution, Mapping) else None)
    more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
    words: list[Component] = [html.Strong(f"Failed at {text(name, 120)}{more}")]
    if reason:
        words.append(f": {text(failure_gist(str(reason)), 240)}")
    return html.Button(words, id={"type": ids.SELECT_STEP, "step": name}, n_clicks=0,
                       className="failure-first", title=f"Select {text(name, 256)}")


# -- the side panel ----------------------------------------------------------------------------


def side_panel(document: Mapping[str, Any], selected: str | None) -> list[Component]:
    """The panel of the element whose id is ``selected`` (``step:<name>``, ``artifact:<id>``)."""
    graph = document.get("graph") or {}
    if selected and selected.startswith(ARTIFACT_PREFIX):
        wanted = selected[len(ARTIFACT_PREFIX):]
        for artifact in graph.get("artifacts") or []:
            if str(artifact.get("id")) == wanted:
                return artifact_panel(artifact)
    elif selected and selected.startswith(STEP_PREFIX):
        wanted = selected[len(STEP_PREFIX):]
        for node in graph.get("nodes") or []:
            if node.get("id") == wanted:
                return step_panel(node, document)
    return pipeline_panel(document, missing=node_of_element(selected) if selected else None)


def step_panel(node: Mapping[str, Any], document: Mapping[str, Any]) -> list[Component]:
    graph = document.get("graph") or {}
    artifacts: Sequence[Mapping[str, Any]] = graph.get("artifacts") or []
    run = node.get("run") if isinstance(node.get("run"), Mapping) else None
    status = step_status(node)
    name = text(node.get("id"), 256)
    not_run = not_run_reasons(document).get(str(node.get("id")))
    out: list[Component] = [
        html.Div(
            [html.H3(name, className="panel-title", title=name),
             status_chip(status, not_run)],
            className="panel-heading",
        ),
    ]
    partial = [w for w in document.get("warnings") or [] if w.get("target") == node.get("id")]
    if partial:
        out.append(html.Div(
            [html.Strong("Details are partial. "),
             *[html.Span(text(w.get("message"), 300) + " ") for w in partial]],
            className="alert alert-warn"))
    rows: list[tuple[str, Any]] = [("Type", text(node.get("type"), 128))]
    if run is None and not_run:
        rows.append(("Run", f"Not run: its branch was not taken ({not_run})."))
    elif run is None:
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
        out.append(html.Div([html.Strong("Failure reason"),
                             html.P(text(run.get("failureReason"), lines=True))],
                            className="alert alert-error"))
    metrics = run.get("metrics") if run is not None else None
    if metrics:
        out.append(section("Metrics", html.Table(
            [html.Thead(html.Tr([html.Th("Metric"), html.Th("Value", className="num")])),
             html.Tbody([html.Tr([html.Td(text(metric, 256), className="metric-name",
                                          title=text(metric, 256)),
                                  html.Td(format_metric(value), className="num")])
                         for metric, value in metrics.items()])],
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
        out.append(section("Condition", *condition_explained(node, document)))
    by_uri = {str(a.get("uri")): a for a in artifacts}
    for title, key in (("Inputs", "inputs"), ("Outputs", "outputs")):
        ios = node.get(key) or []
        if ios:
            out.append(section(title, *[io_block(io, by_uri.get(str(io.get("uri"))))
                                        for io in ios]))
    return out


def value_text(value: Any) -> str:
    """A compared value as a reader expects it (numbers shortly, text quoted)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, str):
        return f"\u201c{text(value, 120)}\u201d"
    if isinstance(value, list):  # the values of an In
        return "[" + ", ".join(value_text(item) for item in value[:20]) + (
            ", …]" if len(value) > 20 else "]")
    return text(value, 120)


def _condition_lines(items: Any, depth: int = 0) -> list[Component]:
    """Each condition: its expression, and the values it compared when they are known.

    The engine writes both (``lineage.conditions``); an operator it could not read is null,
    and the condition's type stands in for it."""
    lines: list[Component] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping) or depth > 4:
            continue
        kind = str(item.get("type") or "")
        operator = item.get("operator") or kind
        expression = item.get("expression") or kind
        row: list[Component] = [html.Code(text(expression, 400), className="expression")]
        left, right = item.get("leftValue"), item.get("rightValue")
        if left is not None or right is not None:
            compared = f"{value_text(left) if left is not None else '?'} {operator} " \
                       f"{value_text(right) if right is not None else '?'}"
            row.append(html.Div(f"compared {compared}", className="compared"))
        lines.append(html.Li(row))
        nested = item.get("conditions")
        if isinstance(nested, list) and nested:
            lines.append(html.Li(html.Ul(_condition_lines(nested, depth + 1),
                                         className="condition-list")))
    return lines


def condition_explained(node: Mapping[str, Any], document: Mapping[str, Any]) -> list[Component]:
    """What a Condition step compared and which branch ran (with that branch's steps)."""
    condition = node.get("condition") or {}
    outcome = condition.get("outcome") if isinstance(condition, Mapping) else None
    branches: dict[str, list[str]] = {"if": [], "else": []}
    for edge in (document.get("graph") or {}).get("edges") or []:
        if edge.get("via") == "condition" and edge.get("from") == node.get("id"):
            branches.setdefault(str(edge.get("branch")), []).append(str(edge.get("to")))
    out: list[Component] = []
    lines = _condition_lines(condition.get("conditions") if isinstance(condition, Mapping)
                             else None)
    if lines:
        out.append(html.Ul(lines, className="condition-list"))
    if outcome is None:
        ran = "unknown: the execution did not say"
    else:
        branch = "if" if outcome else "else"
        steps = ", ".join(text(name, 120) for name in branches.get(branch, [])) or "no step"
        ran = f"{'true' if outcome else 'false'}: the {branch} branch ran ({steps})"
    out.append(fields([("Outcome", ran)]))
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

    encryption = s3.get("encryption")
    tags = s3.get("tags")
    rows = [
        field_row("Encryption", verdict(
            "none" if encryption in (None, "None") else encryption, "unencrypted" in issues)),
        field_row("Versioning", verdict(s3.get("versioning"),
                                        "versioning not enabled" in issues)),
        field_row("Public access", verdict(s3.get("publicAccess"),
                                           "public access not blocked" in issues)),
        field_row("Tags", html.Span(tag_chips(tags) or "none")),
    ]
    return html.Dl([*rows, *exposure_rows(s3)], className="fields s3-settings")


def verdict(value: Any, bad: bool, *, neutral: bool = False) -> Component:
    """A setting with its mark: a warning, unknown, fine, or (``neutral``) just said."""
    kind = "warn" if bad else ("unknown" if value == "Unknown" else
                               "neutral" if neutral else "ok")
    mark = {"warn": "\u26a0 ", "unknown": "? ", "ok": "\u2713 ", "neutral": ""}[kind]
    return html.Span(mark + text(value, 200), className=f"verdict verdict-{kind}")


def exposure_rows(s3: Mapping[str, Any]) -> list[Component]:
    """The bucket policy, lifecycle expiry, Object Lock and Macie's findings, where read."""
    rows = []
    if "publicPolicy" in s3:
        policy = s3["publicPolicy"]
        rows.append(field_row("Bucket policy", verdict(
            {"Public": "public", "NotPublic": "not public"}.get(policy, policy),
            policy == "Public")))
    if "lifecycle" in s3:
        rules = s3["lifecycle"]
        if not isinstance(rules, list):
            rows.append(field_row("Lifecycle", verdict("Unknown", False)))
        else:
            expiring = [words for rule in rules if isinstance(rule, Mapping)
                        if (words := expiry_words(rule))]
            rows.append(field_row("Lifecycle", verdict(
                "; ".join(expiring) if expiring else "nothing expires", bool(expiring))))
    if "objectLock" in s3:
        rows.append(field_row("Object Lock", verdict(s3["objectLock"], False,
                                                     neutral=s3["objectLock"] == "Disabled")))
    data = s3.get("sensitiveData")
    if isinstance(data, Mapping):
        status = data.get("status")
        found = data.get("findings") or 0
        kinds = ", ".join(str(t).rsplit("/", 1)[-1] for t in data.get("types") or [])
        words = {
            "Found": f"{found} finding{'s' if found != 1 else ''}" + (f": {kinds}" if kinds
                                                                     else ""),
            "NoneFound": "none found",
            "NotEnabled": "Macie is not enabled",
        }.get(str(status), "Unknown")
        rows.append(field_row("Sensitive data", verdict(
            words, status == "Found", neutral=status == "NotEnabled")))
    return rows


def expiry_words(rule: Mapping[str, Any]) -> str | None:
    """What a lifecycle rule deletes, in words (None: it deletes no current object)."""
    days, date = rule.get("expirationDays"), rule.get("expirationDate")
    if not days and not date:
        return None
    where = f"under {text(rule.get('prefix'), 200)}" if rule.get("prefix") else "everything"
    return f"deletes {where} " + (f"after {days} days" if days else f"on {str(date)[:10]}")


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
        *([schema] if (schema := schema_section(artifact.get("schema"))) else []),
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
        ("Tags", html.Span(tag_chips(pipeline.get("tags")) or "none", className="tag-list")),
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
                                 html.P(text(execution.get("failureReason"), lines=True))],
                                className="alert alert-error"))
    else:
        out.append(section("Execution", html.P(
            "This pipeline has never been executed: the graph shows its definition.",
            className="muted")))
    warnings = document.get("warnings") or []
    if warnings:
        groups = warning_groups(warnings)
        out.append(section(f"Warnings ({len(warnings)})", html.Ul(
            [html.Li([html.Strong(group.headline), " ", text(group.message, 512),
                      html.Code(text(group.code, 64), className="warning-code"),
                      *([html.Div(", ".join(text(t, 120) for t in group.targets[:20])
                                  + (" …" if len(group.targets) > 20 else ""),
                                  className="muted warning-targets")]
                        if group.targets else [])])
             for group in groups],
            className="warning-list")))
    else:
        out.append(section("Warnings", html.P("None: everything could be read.",
                                              className="muted")))
    return out


@dataclass(frozen=True)
class WarningGroup:
    code: str
    message: str
    targets: list[str]

    @property
    def headline(self) -> str:
        """``36 steps:``, ``2 buckets:``, or nothing for a warning about the whole answer."""
        count = len(self.targets)
        if not count:
            return ""
        noun = "bucket" if self.code.startswith("S3_") else (
            "region" if self.code.startswith("REGION_") else "step")
        return f"{count} {noun}{'s' if count != 1 else ''}:"


def warning_groups(warnings: Sequence[Mapping[str, Any]]) -> list[WarningGroup]:
    """Warnings with one cause (the same code and words) as one line, with their targets."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for warning in warnings:
        target = str(warning.get("target") or "")
        words = str(warning.get("message") or "")
        if target:  # "... failed for bucket b1; ..." and "... for bucket b2; ..." are one cause
            for named in (f" for bucket {target}", f" for {target}", f" {target}"):
                words = words.replace(named, "")
        targets = grouped.setdefault((str(warning.get("code") or ""), words), [])
        if target:
            targets.append(target)
    return [WarningGroup(code, message, targets) for (code, message), targets in grouped.items()]
