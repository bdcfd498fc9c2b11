"""The one stylesheet: status told by colour and a second cue; edge kinds told apart."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dashboard.ui.components.elements import STATUSES, status_class, via_class
from dashboard.ui.components.stylesheet import EDGE_LOOK, STATUS_LOOK, stylesheet
from lineage.models import UNKNOWN

CSS = Path(__file__).resolve().parents[2] / "dashboard" / "assets" / "dashboard.css"
OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000"}


def style_of(selector: str) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for rule in stylesheet():
        if rule["selector"] == selector:
            merged.update(rule["style"])
    assert merged, f"no rule for {selector}"
    return merged


def test_every_status_has_its_own_colour_and_its_own_second_cue() -> None:
    fills, cues, icons = set(), set(), set()
    for status in STATUSES:
        style = style_of(f".{status_class(status)}")
        fills.add(style["background-color"])
        cues.add((style["border-style"], style["border-width"]))
        icons.add(style["background-image"])
    assert len(fills) == len(cues) == len(icons) == len(STATUSES)
    for status in ("Succeeded", "Executing", "Starting", "Stopping", "Stopped", "Failed"):
        assert STATUS_LOOK[status][0].upper() in OKABE_ITO
    assert ".status-unknown" in {r["selector"] for r in stylesheet()}
    assert UNKNOWN in STATUS_LOOK


def test_edge_kinds_differ_in_line_style() -> None:
    depends = style_of(f".{via_class('dependsOn')}")
    ref = style_of(f".{via_class('ref:Get')}")
    condition = style_of(f".{via_class('condition')}")
    artifact = style_of(f".{via_class('artifact')}")
    assert (depends["line-style"], ref["line-style"], condition["line-style"]) == (
        "dashed", "solid", "dotted")
    assert ref["target-arrow-shape"] == "triangle"
    assert artifact["width"] < ref["width"]
    assert style_of(".via-condition")["label"] == "data(label)"
    assert style_of(".via-ref-get:selected")["label"] == "data(property)"


def test_stylesheet_only_keys_on_classes_and_generic_selectors() -> None:
    for rule in stylesheet():
        for part in rule["selector"].split(","):
            assert re.fullmatch(r"\s*(node|edge|\.[a-z0-9-]+)(:selected)?\s*", part), part


def test_assets_css_uses_the_same_status_colours() -> None:
    css = CSS.read_text(encoding="utf-8")
    for status, (fill, ink, border, _, _) in STATUS_LOOK.items():
        rule = re.search(rf"\.{status_class(status)} \{{([^}}]*)\}}", css)
        assert rule, status
        assert f"--status: {fill};" in rule.group(1)
        assert f"--status-ink: {ink};" in rule.group(1)
        assert f"--status-border: {border};" in rule.group(1)


def test_legend_names_every_edge_kind() -> None:
    assert {"dependsOn", "ref:Get", "condition", "artifact"} <= set(EDGE_LOOK)
