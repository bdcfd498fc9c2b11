"""Dash callback requests as the renderer sends them, built from the app's callback map.

``callback_body(app, "lineage-graph.elements", {"view-store.data": {...}}, changed=[...])``
names the callback by one of its outputs and gives values by ``id.property``; every other
input and state is sent as ``None``, as the renderer does for a property never set.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import dash

CALLBACK_PATH = "/_dash-update-component"


def callback_key(app: dash.Dash, output: str) -> str:
    """The callback-map key of the callback that has ``output`` (``id.property``)."""
    for key in app.callback_map:
        if output in _outputs_of(key):
            return str(key)
    raise KeyError(f"no callback outputs {output}")


def callback_body(
    app: dash.Dash,
    output: str,
    values: Mapping[str, Any] | None = None,
    *,
    changed: Iterable[str] = (),
) -> dict[str, Any]:
    key = callback_key(app, output)
    spec = app.callback_map[key]
    given = dict(values or {})

    def entries(items: list[dict[str, str]]) -> list[Any]:
        out: list[Any] = []
        for item in items:
            name = f"{item['id']}.{item['property']}"
            component_id: Any = item["id"]
            if component_id.startswith("{"):  # a pattern: ALL arrives as a list of matches
                out.append([])
                continue
            out.append({"id": component_id, "property": item["property"],
                        "value": given.get(name)})
        return out

    outputs = [
        {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
        for part in _outputs_of(key)
    ]
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": entries(spec["inputs"]),
        "state": entries(spec["state"]),
        "changedPropIds": list(changed),
    }


def callback_json(app: dash.Dash, output: str, values: Mapping[str, Any] | None = None,
                  *, changed: Iterable[str] = ()) -> str:
    return json.dumps(callback_body(app, output, values, changed=changed))


def _outputs_of(key: str) -> list[str]:
    """``..a.x...b.y..`` (several outputs) or ``a.x`` (one) -> ``["a.x", "b.y"]``."""
    return key[2:-2].split("...") if key.startswith("..") else [key]
