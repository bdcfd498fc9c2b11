"""Reading plotly figures in tests: every string plotly would draw as text, and the check
that none of them holds markup beyond our own ``<b>`` and ``<br>``."""

from __future__ import annotations

import re
from typing import Any

import plotly.graph_objects as go

# The keys whose strings plotly draws through its HTML subset.
TEXT_KEYS = frozenset({"text", "hovertext", "ticktext", "name"})
OURS = re.compile(r"</?b>|<br>")


def drawn_strings(figure: go.Figure) -> list[str]:
    found: list[str] = []

    def walk(value: Any, key: str | None) -> None:
        if isinstance(value, dict):
            for child_key, child in value.items():
                walk(child, child_key)
        elif isinstance(value, list | tuple):
            for child in value:
                walk(child, key)
        elif isinstance(value, str) and key in TEXT_KEYS:
            found.append(value)

    walk(figure.to_plotly_json(), None)
    return found


def assert_no_markup_from_aws(figure: go.Figure) -> None:
    for drawn in drawn_strings(figure):
        assert "<" not in OURS.sub("", drawn), drawn
        assert ">" not in OURS.sub("", drawn), drawn
