"""Reading Dash component trees in tests: their text and their components."""

from __future__ import annotations

from typing import Any

from dash.development.base_component import Component


def strings(tree: Any) -> list[str]:
    """Every text child of a component tree, in order."""
    if isinstance(tree, str):
        return [tree]
    if isinstance(tree, list | tuple):
        return [s for child in tree for s in strings(child)]
    if isinstance(tree, Component):
        return strings(getattr(tree, "children", None))
    return []


def page_text(tree: Any) -> str:
    return " ".join(strings(tree))


def flat(tree: Any) -> str:
    """The text of a component tree as the browser joins it (no added spaces)."""
    return "".join(strings(tree))


def components(tree: Any) -> list[Component]:
    if isinstance(tree, list | tuple):
        return [c for child in tree for c in components(child)]
    if isinstance(tree, Component):
        return [tree, *components(getattr(tree, "children", None))]
    return []
