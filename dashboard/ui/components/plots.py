"""What the plotly figures share: AWS's strings made safe for plotly, the status colours of
the graph, a unit for durations, the look of a small figure. Pure, no I/O.

plotly draws its text (tick labels, hover text, titles, annotations, legend names) from a
subset of HTML: ``<b>``, ``<br>``, ``<a href>``, ``<span style>``... A step named
``<a href="javascript:...">`` would become a link. So every string from AWS that goes into a
figure passes through :func:`plot_text`: hidden characters as escapes (``visible``), then
``<``, ``>`` and ``&`` escaped, which leaves no tag to interpret. Quotes are left alone: they
mean nothing outside a tag, and plotly does not decode ``&quot;``, it would show it.
Our own ``<br>`` and ``<b>`` are added around the escaped text, never inside it.

Text goes into ``hovertext`` with ``hoverinfo="text"``, never into a ``hovertemplate``:
a template would read a name's ``%{...}`` as a field to fill in.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from dashboard.ui.components.stylesheet import BORDER_COLOUR, STATUS_LOOK
from dashboard.ui.components.visible import visible_text
from lineage.models import UNKNOWN

FONT = "Inter, Segoe UI, DejaVu Sans, Arial, sans-serif"
INK = "#1f2933"
GRID = "#dde3ea"
MUTED = "#52606d"
LINE_BREAK = "<br>"
MAX_PLOT_TEXT = 300  # a failure reason or a URI in a hover box: the panels show them whole

# A figure the browser draws without plotly's toolbar (the page has its own export).
GRAPH_CONFIG: Any = {"displayModeBar": False, "responsive": True}


def graph_style(figure: Any) -> dict[str, str]:
    """A ``dcc.Graph``'s box for ``figure``: responsive (``GRAPH_CONFIG``), dcc.Graph fills
    its box's height, and a box of no height of its own collapses the chart; the box gets the
    figure's height."""
    height = figure.layout.height
    return {"height": f"{height}px"} if isinstance(height, int | float) else {}


def plot_text(value: Any, limit: int = MAX_PLOT_TEXT) -> str:
    """Any value as plotly text: hidden characters escaped, cut to ``limit`` characters,
    then HTML's ``<``, ``>``, ``&`` escaped (the cut comes first: it never splits an
    entity)."""
    shown = visible_text(value if isinstance(value, str) else str(value))
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return html.escape(shown, quote=False)


def bold(value: Any, limit: int = MAX_PLOT_TEXT) -> str:
    return f"<b>{plot_text(value, limit)}</b>"


def hover_lines(lines: Iterable[str]) -> str:
    """Hover text from lines that are already plot text (``plot_text``)."""
    return LINE_BREAK.join(line for line in lines if line)


def status_look(status: Any) -> tuple[str, str, str, float, str]:
    """The pipeline graph's look of a status (``STATUS_LOOK``); Unknown's for any other."""
    return STATUS_LOOK.get(str(status), STATUS_LOOK[UNKNOWN])


def status_colour(status: Any) -> str:
    return status_look(status)[0]


def status_key(status: Any) -> str:
    """The status a colour and a legend entry are drawn for: one the graph knows, else
    Unknown (the status itself is still said in the hover)."""
    return str(status) if str(status) in STATUS_LOOK else UNKNOWN


# (divisor, unit) from the longest duration shown: seconds, minutes or hours.
_UNITS: tuple[tuple[float, float, str], ...] = (
    (2 * 3600, 3600, "h"),
    (10 * 60, 60, "min"),
    (0, 1, "s"),
)


def duration_unit(longest_sec: float) -> tuple[float, str]:
    """The unit an axis of durations reads best in: ``(60, "min")`` past ten minutes."""
    for threshold, divisor, unit in _UNITS:
        if longest_sec >= threshold:
            return divisor, unit
    return 1, "s"


def base_layout(height: int) -> dict[str, Any]:
    """A small figure's layout: the dashboard's font, white, thin margins, no title (the
    page titles it in HTML, which needs no escaping)."""
    return {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 40},
        "font": {"family": FONT, "size": 12, "color": INK},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hoverlabel": {"font": {"family": FONT}, "align": "left"},
        "showlegend": False,
    }


def axis(title: str, **extra: Any) -> dict[str, Any]:
    """An axis with our title (our words: no AWS text) and the dashboard's grid."""
    return {"title": {"text": title}, "gridcolor": GRID, "zerolinecolor": GRID,
            "linecolor": BORDER_COLOUR, **extra}
