"""Every real-world definition under tests/fixtures/definitions/, two ways.

1. Golden: ``render`` -> ``to_dict()`` (minus ``generatedAt``) equals
   ``tests/fixtures/golden/<stem>.json``. Regenerate with ``UPDATE_GOLDEN=1 pytest ...`` and
   review the diff by eye before committing.
2. Oracle: facts computed from the raw JSON by a simple walk written here, independently of
   the parser (no lineage code but ``render_file``), must hold in the rendered document.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lineage.render import render_file
from tests.helpers import fixture_path, load_fixture

DEFINITIONS = sorted(fixture_path("definitions").glob("*.json"))
GOLDEN = fixture_path("golden")
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _ids(paths: list[Path]) -> list[str]:
    return [path.stem for path in paths]


def test_all_shared_fixtures_are_here() -> None:
    assert len(DEFINITIONS) == 15
    listed = [line.split("\t")[0] for line in load_fixture("definitions/SOURCES.tsv").splitlines()]
    assert sorted(listed[1:]) == [path.name for path in DEFINITIONS]


@pytest.mark.parametrize("path", DEFINITIONS, ids=_ids(DEFINITIONS))
def test_golden(path: Path) -> None:
    document = render_file(path).to_dict()
    del document["generatedAt"]
    golden = GOLDEN / f"{path.stem}.json"
    if UPDATE:
        golden.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    assert golden.exists(), f"no golden file; run with UPDATE_GOLDEN=1 and review {golden}"
    assert document == json.loads(golden.read_text())


# -- the oracle: a deliberately naive reading of the raw JSON --------------------------------


def _all_steps(steps: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for step in steps:
        yield step
        if step["Type"] == "Condition":
            yield from _all_steps(step["Arguments"].get("IfSteps", []))
            yield from _all_steps(step["Arguments"].get("ElseSteps", []))


def _own(step: dict[str, Any]) -> dict[str, Any]:
    """The step without its nested steps (they are nodes of their own)."""
    if step["Type"] != "Condition":
        return step
    arguments = {k: v for k, v in step["Arguments"].items() if k not in ("IfSteps", "ElseSteps")}
    return {**step, "Arguments": arguments}


def _walk(value: Any, in_join: bool = False) -> Iterator[tuple[Any, bool]]:
    """Every value in the tree, with whether it sits inside a Std:Join."""
    yield value, in_join
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _walk(child, in_join or key == "Std:Join")
    elif isinstance(value, list):
        for child in value:
            yield from _walk(child, in_join)


def _gets(tree: Any) -> Iterator[tuple[str, bool]]:
    for value, in_join in _walk(tree):
        if isinstance(value, dict) and isinstance(value.get("Get"), str):
            yield value["Get"], in_join


def _producer(path: str, names: set[str]) -> str | None:
    fits = [n for n in names if path == f"Steps.{n}" or path.startswith(f"Steps.{n}.")]
    fits += [n for n in names if path.startswith(f"Steps.{n}[")]
    return max(fits, key=len, default=None)


@pytest.fixture(params=DEFINITIONS, ids=_ids(DEFINITIONS))
def case(request: pytest.FixtureRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    path: Path = request.param
    return json.loads(path.read_text()), render_file(path).to_dict()


def test_oracle_nodes_and_types(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    raw, document = case
    steps = list(_all_steps(raw["Steps"]))
    nodes = document["graph"]["nodes"]
    assert [n["id"] for n in nodes] == [s["Name"] for s in steps]  # definition order, pre-order
    assert {n["id"]: n["type"] for n in nodes} == {s["Name"]: s["Type"] for s in steps}


def test_oracle_edges(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    raw, document = case
    steps = list(_all_steps(raw["Steps"]))
    names = {s["Name"] for s in steps}
    edges = {(e["from"], e["to"], e["via"]) for e in document["graph"]["edges"]}
    expected_depends = {
        (d, s["Name"], "dependsOn") for s in steps for d in s.get("DependsOn", []) if d in names
    }
    expected_refs = set()
    for step in steps:
        for path, _ in _gets(_own(step)):
            producer = _producer(path, names)
            if producer is not None and producer != step["Name"]:
                expected_refs.add((producer, step["Name"], "ref:Get"))
    expected_conditions = {
        (s["Name"], child["Name"], "condition")
        for s in steps
        if s["Type"] == "Condition"
        for key in ("IfSteps", "ElseSteps")
        for child in s["Arguments"].get(key, [])
    }
    assert expected_depends <= edges
    assert {e for e in edges if e[2] == "ref:Get"} == expected_refs
    assert {e for e in edges if e[2] == "condition"} == expected_conditions
    # Every edge joins two existing steps, never a step to itself, once per (from, to, via).
    assert all(a in names and b in names and a != b for a, b, _ in edges)
    assert len(edges) == len(document["graph"]["edges"])
    listed = [(e["from"], e["to"], e["via"]) for e in document["graph"]["edges"]]
    assert listed == sorted(listed)


def test_oracle_s3_uris_are_artifacts(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    raw, document = case
    artifacts = {a["uri"] for a in document["graph"]["artifacts"]}
    defaults = {
        p["Name"]: p["DefaultValue"]
        for p in raw.get("Parameters", [])
        if isinstance(p.get("DefaultValue"), str) and p["DefaultValue"].startswith("s3://")
    }
    for step in _all_steps(raw["Steps"]):
        for value, _ in _walk(_own(step)):
            if isinstance(value, str) and value.strip('"').startswith("s3://"):
                # A literal is read or written exactly as written.
                assert value.strip('"') in artifacts, (step["Name"], value)
        for path, in_join in _gets(_own(step)):
            name = path.removeprefix("Parameters.")
            if name in defaults:
                uri = defaults[name]
                if in_join:  # the default is the start of a longer joined URI
                    assert any(a == uri or a.startswith(uri) for a in artifacts), (path, uri)
                else:
                    assert uri in artifacts, (step["Name"], path, uri)


def _runs_before(edges: list[dict[str, Any]], first: str, then: str) -> bool:
    """Is ``then`` reachable from ``first`` over the definition's own edges?"""
    seen, pending = {first}, [first]
    while pending:
        current = pending.pop()
        for edge in edges:
            if edge["via"] != "artifact" and edge["from"] == current and edge["to"] not in seen:
                seen.add(edge["to"])
                pending.append(edge["to"])
    return then != first and then in seen


def _folder_above(output: str, uri: str) -> bool:
    """``uri`` lies under ``output``, a folder (not a whole bucket, no placeholder)."""
    folder = output.rstrip("/")
    return (
        "{" not in output
        and "/" in folder.removeprefix("s3://")
        and uri.startswith(folder + "/")
    )


def test_oracle_artifacts_are_what_nodes_read_and_write(
    case: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _, document = case
    graph = document["graph"]
    written: dict[str, set[str]] = {}
    read: dict[str, set[str]] = {}
    for node in graph["nodes"]:
        for ref in node["outputs"]:
            written.setdefault(ref["uri"], set()).add(node["id"])
        for ref in node["inputs"]:
            read.setdefault(ref["uri"], set()).add(node["id"])
    expected = sorted(u for u in written.keys() | read.keys() if u.startswith("s3://"))
    assert [a["uri"] for a in graph["artifacts"]] == expected
    assert [a["id"] for a in graph["artifacts"]] == list(range(1, len(expected) + 1))
    for artifact in graph["artifacts"]:
        uri = artifact["uri"]
        assert f"s3://{artifact['bucket']}/{artifact['key']}" in (uri, uri + "/")
        readers = read.get(uri, set())
        # The writers of the URI itself, and of a folder above it unless the object was
        # there before that writer ran (it reads it, or one of its readers runs first).
        producers = set(written.get(uri, ()))
        for output, writers in written.items():
            if not _folder_above(output, uri):
                continue
            for writer in writers:
                earlier = any(
                    _runs_before(graph["edges"], reader, writer) for reader in readers
                )
                if writer not in readers and not earlier:
                    producers.add(writer)
        assert artifact["producers"] == sorted(producers)
        assert artifact["consumers"] == sorted(readers)
        assert "s3" not in artifact
    assert document["execution"] is None
    assert document["summary"]["overallStatus"] == "NotExecuted"
