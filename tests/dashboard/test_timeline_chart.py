"""The Gantt chart of one execution, from the engine's timeline of the real mlops-pipeline
document: a bar per step from its offset, the graph's status colours, cache hits, retried and
running steps marked and named in the legend, idle gaps shaded, shares and absolute times in the
hover, the critical path outlined and said in a line whose attribute tests read; hostile
names and statuses drawn as text."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from dashboard.ui.components.plots import GRAPH_CONFIG
from dashboard.ui.components.stylesheet import BORDER_COLOUR, STATUS_LOOK
from dashboard.ui.components.timeline_chart import (
    CACHE_HIT_PATTERN,
    CRITICAL_OUTLINE,
    CRITICAL_PATH_ATTRIBUTE,
    RETRIED_PATTERN,
    RUNNING_PATTERN,
    TIMELINE_CRITICAL_PATH,
    TIMELINE_GRAPH,
    critical_path_note,
    critical_path_text,
    idle_text,
    not_run_text,
    timeline_figure,
    timeline_view,
)
from lineage.models import UNKNOWN
from lineage.timeline import document_timeline
from tests.dashboard.figures import assert_no_markup_from_aws, drawn_strings
from tests.dashboard.trees import components

AFTER = datetime(2025, 3, 3, tzinfo=UTC)  # long after the run
PATH = ["Preprocess", "Train", "Evaluate", "CheckAUC", "RegisterModel"]
HOSTILE_STEP = "<img src=x onerror=alert(1)>"


def timeline_of(document: dict[str, Any], now: datetime = AFTER) -> dict[str, Any]:
    """What GET /timeline answers for the document (strict JSON)."""
    answer: dict[str, Any] = json.loads(json.dumps(
        document_timeline(document, now=now).to_dict(), allow_nan=False))
    return answer


def bars(figure: Any) -> dict[str, dict[str, Any]]:
    """Step name -> what its bar is drawn with."""
    found = {}
    for trace in figure.data:
        for i, step in enumerate(trace.customdata):
            found[step] = {
                "trace": trace.name, "y": trace.y[i], "base": trace.base[i], "x": trace.x[i],
                "colour": trace.marker.color, "pattern": trace.marker.pattern.shape,
                "outline": (trace.marker.line.color, trace.marker.line.width),
                "hover": trace.hovertext[i],
            }
    return found


def rename(document: dict[str, Any], old: str, new: str) -> None:
    for node in document["graph"]["nodes"]:
        if node["id"] == old:
            node["id"] = new
    for edge in document["graph"]["edges"]:
        for end in ("from", "to"):
            if edge[end] == old:
                edge[end] = new


def test_a_bar_per_step_from_its_offset_in_minutes(document: dict[str, Any]) -> None:
    timeline = timeline_of(document)
    figure = timeline_figure(timeline)
    drawn = bars(figure)

    assert list(drawn) != []
    assert set(drawn) == {row["step"] for row in timeline["rows"]}
    train = drawn["Train"]
    # 272 s after the start, for 859 s: a 25-minute run reads in minutes.
    assert train["base"] == pytest.approx(272 / 60)
    assert train["x"] == pytest.approx(859 / 60)
    assert figure.layout.xaxis.title.text == "time since the execution started (min)"
    assert list(figure.layout.xaxis.range) == pytest.approx([0, 1510 / 60])
    # Rows top to bottom in the engine's order, named on the axis.
    assert list(figure.layout.yaxis.ticktext) == [row["step"] for row in timeline["rows"]]
    assert [drawn[row["step"]]["y"] for row in timeline["rows"]] == list(range(6))
    assert figure.layout.yaxis.autorange == "reversed"
    assert figure.layout.barmode == "overlay"
    json.loads(figure.to_json())  # what dcc.Graph sends


def test_bars_take_the_graphs_status_colours(document: dict[str, Any]) -> None:
    nodes = {node["id"]: node for node in document["graph"]["nodes"]}
    nodes["Evaluate"]["run"]["status"] = "Failed"
    nodes["CheckAUC"]["run"]["status"] = "Retrying"  # no look of its own: Unknown's

    drawn = bars(timeline_figure(timeline_of(document)))

    assert drawn["Train"]["colour"] == STATUS_LOOK["Succeeded"][0]
    assert drawn["Evaluate"]["colour"] == STATUS_LOOK["Failed"][0]
    assert drawn["CheckAUC"]["colour"] == STATUS_LOOK[UNKNOWN][0]
    assert "Retrying" in drawn["CheckAUC"]["hover"]  # said as it is
    assert drawn["CheckAUC"]["trace"].startswith("Unknown")


def test_a_cache_hit_is_hatched_and_the_legend_says_so(document: dict[str, Any]) -> None:
    figure = timeline_figure(timeline_of(document))
    drawn = bars(figure)

    assert drawn["Preprocess"]["pattern"] == CACHE_HIT_PATTERN  # the fixture's cache hit
    assert "cache hit (hatched)" in drawn["Preprocess"]["trace"]
    assert drawn["Train"]["pattern"] == ""
    assert "cache hit" not in drawn["Train"]["trace"]
    assert "cache hit: the result of an earlier execution, reused" in drawn["Preprocess"]["hover"]
    assert figure.layout.showlegend is True


def test_a_retried_step_is_cross_hatched_with_its_attempt(document: dict[str, Any]) -> None:
    nodes = {node["id"]: node for node in document["graph"]["nodes"]}
    nodes["Train"]["run"]["attempts"] = 2
    nodes["Evaluate"]["run"]["attempts"] = 1

    timeline = timeline_of(document)
    figure = timeline_figure(timeline)
    drawn = bars(figure)

    rows = {row["step"]: row for row in timeline["rows"]}
    assert (rows["Train"]["attempts"], rows["Train"]["retried"]) == (2, True)
    assert drawn["Train"]["pattern"] == RETRIED_PATTERN
    assert drawn["Train"]["trace"] == (
        "Succeeded, retried (cross-hatched), critical path (outlined)")
    assert "attempt 2: retried by its retry policy" in drawn["Train"]["hover"].split("<br>")
    legend = [trace.name for trace in figure.data]
    assert sum("retried (cross-hatched)" in name for name in legend) == 1  # Train's trace alone
    for step in ("Evaluate", "RegisterModel"):  # once, or AWS did not say
        assert drawn[step]["pattern"] == ""
        assert "retried" not in drawn[step]["trace"]
        assert "attempt" not in drawn[step]["hover"]


def test_a_running_retried_step_is_dotted_and_still_named_retried(
    document: dict[str, Any],
) -> None:
    document["execution"].update(status="Executing", endTime=None, elapsedSec=None)
    nodes = {node["id"]: node for node in document["graph"]["nodes"]}
    nodes["CreateModel"]["run"].update(status="Executing", endTime=None, elapsedSec=None,
                                       attempts=3)

    now = datetime(2025, 3, 2, 7, 30, tzinfo=UTC)
    drawn = bars(timeline_figure(timeline_of(document, now)))

    assert drawn["CreateModel"]["pattern"] == RUNNING_PATTERN
    assert drawn["CreateModel"]["trace"].startswith("Executing, retried, running (dotted)")
    assert "attempt 3: retried by its retry policy" in drawn["CreateModel"]["hover"]


def test_a_running_step_is_dotted_and_ends_now(document: dict[str, Any]) -> None:
    document["execution"].update(status="Executing", endTime=None, elapsedSec=None)
    nodes = {node["id"]: node for node in document["graph"]["nodes"]}
    for name in ("RegisterModel", "CreateModel"):
        nodes[name]["run"].update(status="Executing", endTime=None, elapsedSec=None)
    now = datetime(2025, 3, 2, 7, 30, tzinfo=UTC)

    timeline = timeline_of(document, now)
    drawn = bars(timeline_figure(timeline))

    assert drawn["CreateModel"]["pattern"] == RUNNING_PATTERN
    assert drawn["CreateModel"]["colour"] == STATUS_LOOK["Executing"][0]
    assert "running (dotted)" in drawn["CreateModel"]["trace"]
    assert "still running" in drawn["CreateModel"]["hover"]
    assert drawn["CreateModel"]["x"] == pytest.approx((30 * 60 - 1476) / 60)  # to now
    assert critical_path_text(timeline).endswith(", 29 min 35 s of 30 min 0 s so far (99%)")


def test_the_hover_gives_absolute_times_and_the_share_of_wall_time(
    document: dict[str, Any],
) -> None:
    hover = bars(timeline_figure(timeline_of(document)))["Train"]["hover"]

    assert hover.split("<br>") == [
        "<b>Train</b>",
        "Training · Succeeded",
        "start 2025-03-02 07:04:32 UTC",
        "end 2025-03-02 07:18:51 UTC",
        "duration 14 min 19 s, 56.9% of the run's wall time",
        "critical path: step 2 of 5",
    ]


def test_idle_gaps_are_shaded_with_one_legend_entry(document: dict[str, Any]) -> None:
    timeline = timeline_of(document)
    shapes = timeline_figure(timeline).layout.shapes

    assert len(shapes) == len(timeline["idle"]["gaps"]) == 6
    # The first gap: the run's first 5 seconds; the last: its final 8.
    assert (shapes[0].x0, shapes[0].x1) == pytest.approx((0, 5 / 60))
    assert (shapes[-1].x0, shapes[-1].x1) == pytest.approx((1502 / 60, 1510 / 60))
    assert all(shape.layer == "below" and shape.yref == "paper" for shape in shapes)
    assert [shape.showlegend for shape in shapes] == [True] + [False] * 5
    assert shapes[0].name == "idle: no step running"
    assert idle_text(timeline) == "idle: 33 s in 6 gaps (shaded: no step running)"


def test_the_critical_path_is_outlined_and_said(document: dict[str, Any]) -> None:
    timeline = timeline_of(document)
    drawn = bars(timeline_figure(timeline))

    assert timeline["criticalPath"]["steps"] == PATH
    outlined = {step for step, bar in drawn.items() if bar["outline"][1] == CRITICAL_OUTLINE}
    assert outlined == set(PATH)
    assert drawn["Train"]["outline"] == (BORDER_COLOUR, CRITICAL_OUTLINE)
    assert "critical path (outlined)" in drawn["Train"]["trace"]
    assert "critical path" not in drawn["CreateModel"]["trace"]
    assert critical_path_text(timeline) == (
        "critical path: Preprocess -> Train -> Evaluate -> CheckAUC -> RegisterModel, "
        "24 min 37 s of 25 min 10 s (98%)")
    note: Any = critical_path_note(timeline)
    assert note.id == TIMELINE_CRITICAL_PATH
    assert json.loads(getattr(note, CRITICAL_PATH_ATTRIBUTE)) == PATH


def test_the_view_holds_the_chart_and_its_notes(document: dict[str, Any]) -> None:
    view = timeline_view(timeline_of(document))
    found: list[Any] = components(view)
    by_id = {c.id: c for c in found if getattr(c, "id", None)}

    assert by_id[TIMELINE_GRAPH].config == GRAPH_CONFIG
    assert bars(by_id[TIMELINE_GRAPH].figure)["Train"]
    assert TIMELINE_CRITICAL_PATH in by_id
    assert not_run_text(timeline_of(document)) == "not run: AUCTooLow (Fail, Not started)"


def test_hostile_names_and_statuses_are_drawn_as_text(document: dict[str, Any]) -> None:
    rename(document, "Train", HOSTILE_STEP)
    rename(document, "Evaluate", "Eval\u202egnp.exe")
    nodes = {node["id"]: node for node in document["graph"]["nodes"]}
    nodes["CheckAUC"]["run"]["status"] = '<a href="javascript:alert(1)">Failed</a>'
    nodes["CheckAUC"]["type"] = "<b>Condition</b>"

    timeline = timeline_of(document)
    figure = timeline_figure(timeline)
    drawn = bars(figure)

    assert_no_markup_from_aws(figure)
    assert HOSTILE_STEP in drawn  # customdata keeps the API's name, never drawn
    assert "&lt;img src=x onerror=alert(1)&gt;" in figure.layout.yaxis.ticktext
    assert drawn[HOSTILE_STEP]["hover"].startswith("<b>&lt;img src=x onerror=alert(1)&gt;</b>")
    assert '&lt;a href="javascript:alert(1)"&gt;Failed&lt;/a&gt;' in drawn["CheckAUC"]["hover"]
    assert "Eval\\u202egnp.exe" in figure.layout.yaxis.ticktext
    assert not any("\u202e" in text for text in drawn_strings(figure))
    # Dash text: the name as a string child (React escapes it), hidden characters shown.
    line = critical_path_text(timeline)
    assert f"-> {HOSTILE_STEP} ->" in line
    assert "Eval\\u202egnp.exe" in line
    assert json.loads(getattr(critical_path_note(timeline), CRITICAL_PATH_ATTRIBUTE))[1] == (
        HOSTILE_STEP)


def test_an_execution_that_has_not_started(document: dict[str, Any]) -> None:
    document["execution"] = None
    for node in document["graph"]["nodes"]:
        node.pop("run", None)

    timeline = timeline_of(document)
    figure = timeline_figure(timeline)

    assert figure.data == ()
    assert figure.layout.annotations[0].text == "No step has started in this execution."
    assert critical_path_text(timeline) == "critical path: none (no step has run)"
    assert json.loads(getattr(critical_path_note(timeline), CRITICAL_PATH_ATTRIBUTE)) == []
    assert idle_text(timeline).startswith("idle: none")
    assert figure.layout.shapes == ()
