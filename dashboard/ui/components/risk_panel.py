"""The side panel's Risk section (both graph pages): a node's own findings (severity, title,
detail, remedy) and what it inherits, grouped by source: the source, its severity, its
findings and the path from it as a chain of names. The source and every node on the path
but this one are buttons that select that node (``link``: the page's pattern id of a node
link), as a tap would.

Every name and word from AWS or the policy file (bucket names, step names, details) is a text
child through ``panels.text`` (hidden characters escaped), never HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from itertools import count
from typing import Any

from dash import html

from dashboard.ui.components.panels import section, text
from dashboard.ui.components.risk import (
    UNKNOWN_SEVERITY,
    UNVERIFIED,
    FindingsOf,
    findings,
    inherited_findings,
    only_unverified,
    path_ids,
    reaches,
    risk_class,
    risk_level,
)
from dashboard.ui.components.stylesheet import RISK_LOOK

Component = Any
# An element id -> (short name, whole name): what a path and a source are shown as.
LabelOf = Callable[[str], tuple[str, str]]
# (element id, its place among the panel's links) -> the pattern id of a button selecting it.
LinkOf = Callable[[str, int], dict[str, Any]]
MAX_FINDINGS = 30


def severity_chip(level: Any) -> Component:
    """A severity (or risk level) in words, with its letter; coloured by CSS (``risk-<level>``)."""
    shown = str(level) if level in RISK_LOOK else UNKNOWN_SEVERITY
    _, _, _, _, letter, words = RISK_LOOK[shown]
    return html.Span(f"{letter} {words}" if letter.isalpha() else words,
                     className=f"chip risk-chip {risk_class(shown)}")


def _finding(finding: Mapping[str, Any], *, whole: bool) -> Component:
    """One finding: its severity and title; ``whole``: its bucket, detail and remedy too."""
    unverified = finding.get("kind") == UNVERIFIED
    head: list[Component] = [severity_chip(finding.get("severity")),
                             html.Strong(text(finding.get("title"), 256))]
    if unverified:
        head.append(html.Span("could not verify", className="chip chip-muted"))
    lines: list[Component] = [html.Div(head, className="finding-head")]
    if whole:
        where = text(finding.get("bucket"), 256)
        if finding.get("prefix"):
            where += f"/{text(finding.get('prefix'), 512)}"
        lines += [
            html.Div([html.Span("Bucket ", className="fact-label"), where,
                      html.Span(f" ({text(finding.get('setting'), 64)})", className="muted")],
                     className="finding-where"),
            html.Div(text(finding.get("detail"), 512), className="finding-detail"),
            html.Div([html.Span("Remedy ", className="fact-label"),
                      text(finding.get("remedy"), 512)], className="finding-remedy"),
        ]
    elif finding.get("detail"):
        lines.append(html.Div(text(finding.get("detail"), 512), className="finding-detail"))
    return html.Li(lines, className="finding" + (" finding-unverified" if unverified else ""))


def _node_button(node: str, words: str, whole: str, link: LinkOf, place: int) -> Component:
    return html.Button(words, id=link(node, place), n_clicks=0, className="link-button",
                       title=f"Select {whole}")


def risk_section(risk: Mapping[str, Any] | None, *, node_id: str, own_of: FindingsOf,
                 label_of: LabelOf, link: LinkOf) -> Component:
    """The Risk section of the node ``node_id`` (its ``risk``, or ``None``: not assessed)."""
    level = risk_level(risk)
    heading: list[Component] = [severity_chip(level)]
    if only_unverified(risk, own_of):
        heading.append(html.Span("only settings that could not be verified",
                                 className="chip chip-muted"))
    out: list[Component] = [html.Div(heading, className="risk-heading")]
    if risk is None:
        out.append(html.P("The document holds no risk for this node.", className="muted"))
        return section("Risk", *out)
    own = findings(risk.get("findings"))
    if own:
        out += [html.H5(f"Its own findings ({len(own)})", className="risk-subtitle"),
                html.Ul([_finding(f, whole=True) for f in own[:MAX_FINDINGS]],
                        className="finding-list")]
    places = count()  # each button's own place: one node may be linked several times
    sources = reaches(risk)
    if sources:
        out.append(html.H5(f"Inherited from {len(sources)} source"
                           f"{'s' if len(sources) != 1 else ''}", className="risk-subtitle"))
    for reach in sources:
        source = str(reach["source"])
        short, whole = label_of(source)
        items = []
        for ident, finding in inherited_findings(reach, own_of)[:MAX_FINDINGS]:
            items.append(_finding(finding, whole=False) if finding is not None else
                         html.Li(html.Code(text(ident, 256)), className="finding"))
        chain: list[Component] = []
        path = path_ids(reach)
        for step, element in enumerate(path):
            if step:
                chain.append(html.Span(" \u2192 ", className="path-arrow"))
            name, full = label_of(element)
            if element == node_id:
                chain.append(html.Strong(text(name, 80), title=text(full, 512)))
            else:
                chain.append(_node_button(element, text(name, 80), text(full, 512), link,
                                          next(places)))
        out.append(html.Div(
            [
                html.Div([_node_button(source, text(whole, 160), text(whole, 512), link,
                                       next(places)),
                          severity_chip(reach.get("severity"))], className="risk-source-head"),
                html.Ul(items, className="finding-list"),
                html.Div([html.Span("Path ", className="fact-label"), *chain],
                         className="risk-path"),
            ],
            className="risk-source",
        ))
    more = risk.get("moreSources")
    if isinstance(more, int) and not isinstance(more, bool) and more > 0:
        out.append(html.P(f"and {more} more source{'s' if more != 1 else ''}",
                          className="muted risk-more"))
    if not own and not sources:
        out.append(html.P("No finding: nothing upstream breaks the policy.", className="muted"))
    return section("Risk", *out)
