"""What the plotly figures share: AWS's strings escaped for plotly's HTML subset, hidden
characters shown, status colours from the graph's own table, a unit for durations."""

from __future__ import annotations

from dashboard.ui.components.plots import (
    bold,
    duration_unit,
    hover_lines,
    plot_text,
    status_colour,
    status_key,
)
from dashboard.ui.components.stylesheet import STATUS_LOOK
from lineage.models import UNKNOWN


def test_markup_is_escaped_and_quotes_are_left_alone() -> None:
    assert plot_text("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert plot_text('<a href="javascript:alert(1)">x</a> & co') == (
        '&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt; &amp; co')
    assert plot_text(12.5) == "12.5"


def test_hidden_characters_show_as_escapes_and_the_cut_never_splits_an_entity() -> None:
    assert plot_text("Train\u202egnp.exe") == "Train\\u202egnp.exe"
    assert plot_text("abc<def", limit=5) == "abc&lt;…"
    assert plot_text("&" * 10, limit=3) == "&amp;&amp;…"


def test_our_own_tags_go_around_escaped_text() -> None:
    assert bold("<b>") == "<b>&lt;b&gt;</b>"
    assert hover_lines(["a", "", "b"]) == "a<br>b"


def test_status_colours_are_the_graphs() -> None:
    assert status_colour("Failed") == STATUS_LOOK["Failed"][0]
    assert status_colour("<b>Odd</b>") == STATUS_LOOK[UNKNOWN][0]
    assert status_key("Succeeded") == "Succeeded"
    assert status_key("Retrying") == UNKNOWN


def test_durations_read_in_seconds_minutes_or_hours() -> None:
    assert duration_unit(0) == (1, "s")
    assert duration_unit(599) == (1, "s")
    assert duration_unit(600) == (60, "min")
    assert duration_unit(3 * 3600) == (3600, "h")
