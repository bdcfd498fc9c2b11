"""The estate page's legend: everything the estate graph styles has an entry, each drawn from
the sheet's own look; it is on the page; and the check bites when a kind is styled without it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote

import pytest
from dash import html

from dashboard.ui import ids
from dashboard.ui.components import stylesheet as sheets
from dashboard.ui.components.elements import VIA_READS, VIA_WRITES, via_class
from dashboard.ui.components.legend import shape_svg
from dashboard.ui.components.stylesheet import (
    APPROVAL_LOOK,
    ESTATE_EDGE_LOOK,
    KIND_LOOK,
    estate_stylesheet,
)
from dashboard.ui.pages.estate.graph import KINDS, estate_elements
from dashboard.ui.pages.estate.layout import graph_area
from dashboard.ui.pages.estate.legend import edge_uri, estate_legend, node_uri, style_of
from tests.dashboard.test_estate_page import estate_document
from tests.dashboard.trees import components, flat

# The families of classes the estate graph gives its elements and the sheet styles.
FAMILIES = ("kind-", "via-", "status-", "approval-", "artifact-")
CLASS_RULE = re.compile(r"\.([a-z0-9-]+)")


def explained(tree: Any) -> dict[str, Any]:
    """Each class a legend entry explains -> the entry."""
    found: dict[str, Any] = {}
    for component in components(tree):
        for name in str(getattr(component, "data-legend", "") or "").split():
            found[name] = component
    return found


def prop(component: Any, name: str) -> Any:
    """A component's property as Dash sends it to the browser."""
    return component.to_plotly_json()["props"].get(name)


def styled(sheet: Sequence[Mapping[str, Any]]) -> set[str]:
    """The classes of the families above that ``sheet`` styles, less those only the pipeline
    page gives (its edge kinds but the data view's reads and writes, the estate's too)."""
    pipeline_only = {via_class(kind) for kind in sheets.EDGE_LOOK} - {
        via_class(VIA_READS), via_class(VIA_WRITES)}
    found = set()
    for rule in sheet:
        for part in str(rule["selector"]).split(","):
            match = CLASS_RULE.fullmatch(part.strip())
            if match and match.group(1).startswith(FAMILIES):
                found.add(match.group(1))
    return found - pipeline_only


def missing(sheet: Sequence[Mapping[str, Any]], legend: Any) -> set[str]:
    return styled(sheet) - set(explained(legend))


def test_everything_the_estate_graph_styles_is_in_the_legend() -> None:
    assert missing(estate_stylesheet(), estate_legend()) == set()
    entries = explained(estate_legend())
    # Every kind the graph knows, every edge kind it draws, every approval.
    assert {f"kind-{kind}" for kind in KINDS} | {"kind-other"} <= set(entries)
    assert {via_class(k) for k in (VIA_READS, VIA_WRITES, *ESTATE_EDGE_LOOK)} <= set(entries)
    assert set(APPROVAL_LOOK) <= set(entries)
    assert {"on-path", "query-start", "dimmed"} <= set(entries)


def test_the_check_bites_on_a_kind_styled_without_an_entry() -> None:
    sheet = [*estate_stylesheet(),
             {"selector": ".kind-feature-group", "style": {"shape": "star"}},
             {"selector": ".via-streams", "style": {"line-style": "dashed"}}]
    assert missing(sheet, estate_legend()) == {"kind-feature-group", "via-streams"}


def test_a_kind_and_an_edge_kind_added_to_the_tables_get_entries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(KIND_LOOK, "feature-group", ("star", 40, 40))
    monkeypatch.setitem(ESTATE_EDGE_LOOK, "streams", ("#0072B2", "dashed", 1.6, "triangle"))
    monkeypatch.setattr("dashboard.ui.pages.estate.legend.EDGE_KINDS",
                        (VIA_READS, VIA_WRITES, *ESTATE_EDGE_LOOK))
    entries = explained(estate_legend())
    assert "kind-feature-group" in entries and via_class("streams") in entries
    assert flat(entries["kind-feature-group"]) == "feature group"
    assert missing(estate_stylesheet(), estate_legend()) == set()


def test_every_element_the_graph_draws_is_explained() -> None:
    drawn = estate_elements(estate_document()).elements
    entries = set(explained(estate_legend()))
    for element in drawn:
        for name in element["classes"].split():
            if name.startswith(FAMILIES):
                assert name in entries, (name, element["data"]["id"])


def svg_of(uri: str) -> str:
    return unquote(uri.removeprefix("data:image/svg+xml;utf8,"))


def test_each_sample_is_drawn_from_the_sheet() -> None:
    sheet = estate_stylesheet()
    entries = explained(estate_legend())
    for kind, (shape, _, _) in KIND_LOOK.items():
        assert entries[f"kind-{kind}"].title == f"{kind.replace('-', ' ')} ({shape})"
        assert style_of(sheet, "node", ["estate-node", f"kind-{kind}"])["shape"] == shape
        assert shape_svg(shape) is not None, f"the legend cannot draw {shape}"
    # The dataset as an artifact (its fill), an endpoint's shape, the rejected approval.
    dataset = svg_of(node_uri(style_of(sheet, "node", ["estate-node", "kind-dataset",
                                                       "artifact"])))
    assert sheets.ARTIFACT_FILL in dataset
    registers = svg_of(edge_uri(style_of(sheet, "edge", ["edge", via_class("registers")])))
    assert ESTATE_EDGE_LOOK["registers"][0] in registers
    contains = svg_of(edge_uri(style_of(sheet, "edge", ["edge", via_class("contains")])))
    assert "stroke-dasharray" in contains and "polygon" not in contains  # dotted, no arrow
    path = svg_of(edge_uri(style_of(sheet, "edge", ["edge", "estate-edge", "on-path"])))
    assert sheets.PATH_COLOUR in path
    rejected = entries["approval-rejected"]
    (image,) = [c for c in components(rejected) if isinstance(c, html.Img)]
    assert APPROVAL_LOOK["approval-rejected"][0] in svg_of(prop(image, "src"))


def test_the_legend_is_on_the_page_over_the_graph() -> None:
    page = graph_area()
    (legend,) = [c for c in components(page) if getattr(c, "id", None) == ids.ESTATE_LEGEND]
    assert isinstance(legend, html.Details)
    frames = [c for c in components(page) if getattr(c, "className", "") == "graph-frame"]
    assert any(legend in components(frame) for frame in frames)
    assert prop(legend, "open") is False  # closed by default: the graph owns the screen
    text = flat(legend)
    assert "model package group" in text and "registers" in text
