"""The one stylesheet: status told by colour and a second cue; edge kinds told apart; the
legend drawn from its tables; colours that meet WCAG AA."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dashboard.ui.components.elements import (
    KNOWN_TYPES,
    STATUSES,
    status_class,
    type_class,
    via_class,
)
from dashboard.ui.components.legend import legend, shape_entries, shape_svg
from dashboard.ui.components.stylesheet import (
    EDGE_LOOK,
    OTHER_SHAPE,
    STATUS_LOOK,
    TYPE_SHAPES,
    stylesheet,
)
from lineage.models import UNKNOWN
from tests.dashboard.trees import strings

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


# -- the legend is the stylesheet's own tables ---------------------------------------------------


def test_every_step_type_has_a_shape_the_legend_can_draw() -> None:
    drawn = {t for _, types in shape_entries() for t in types.split(", ")}
    assert set(KNOWN_TYPES) <= drawn
    for step_type, shape in TYPE_SHAPES.items():
        assert shape_svg(shape) is not None, (step_type, shape)
        assert style_of(f".{type_class(step_type)}")["shape"] == shape
    assert TYPE_SHAPES["Fail"] == "octagon"
    assert OTHER_SHAPE not in TYPE_SHAPES.values()  # an unknown type is told apart


def test_the_legend_lists_every_shape_status_edge_and_cache_hits() -> None:
    text = " ".join(strings(legend()))
    for _, types in shape_entries():
        assert types in text
    for status in STATUSES:
        assert STATUS_LOOK[status][4] in text
    for via, look in EDGE_LOOK.items():
        assert look[4] in text, via
    assert "cache hit" in text and "Not run (branch not taken)" in text
    assert style_of(".cache-hit")["background-opacity"] < 1  # the lighter fill is drawn


# -- contrast: WCAG AA for small text, from the stylesheet's own colours ------------------------


def luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(ink: str, background: str) -> float:
    high, low = sorted((luminance(ink), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def css_variable(block: str, name: str) -> str:
    found = re.search(rf"--{name}: (#[0-9a-fA-F]{{6}});", block)
    assert found, name
    return found.group(1)


def test_status_chips_and_muted_text_meet_wcag_aa() -> None:
    css = CSS.read_text(encoding="utf-8")
    root = re.search(r":root \{([^}]*)\}", css)
    assert root
    surface = css_variable(root.group(1), "surface")
    for name in ("ink", "ink-soft", "muted"):
        assert contrast(css_variable(root.group(1), name), surface) >= 4.5, name
    for status in STATUS_LOOK:
        rule = re.search(rf"\.{status_class(status)} \{{([^}}]*)\}}", css)
        assert rule, status
        chip = contrast(css_variable(rule.group(1), "chip-ink"), css_variable(rule.group(1),
                                                                              "chip-bg"))
        assert chip >= 4.5, (status, round(chip, 2))
    assert contrast("#b34f00", surface) >= 4.5  # the legend's insecure-bucket mark
    assert ".badge-sample { color: #b34f00;" in css
