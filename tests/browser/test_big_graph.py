"""scale-pipeline (123 steps) readable: focus to a depth, groups collapsed and expanded, every
path between two steps, filters and an SVG export, in a real Chromium.

What the graph marks is read from Cytoscape itself (``window.cy``): the classes the server gave
(``dimmed``, ``on-path``) and the group nodes' data (``members``, ``statusCounts``).
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import quote

import dash

from dashboard.ui import ids
from tests.browser.test_dashboard import UNTYPED_CHAINS, Duo, js, lineage, url_query, wait
from tests.browser.test_first_look import console, open_page, settle

PIPELINE = "scale-pipeline"
SHARDS = range(12)


def open_scale(duo: Duo, extra: str = "") -> None:
    duo.driver.get(f"{duo.server_url}/?region=ap-northeast-2&pipeline={PIPELINE}{extra}")
    wait(duo, lambda: js(duo, "return !!window.cy && window.cy.nodes().length > 0"),
         "the graph of scale-pipeline")
    settle(duo)


def with_class(duo: Duo, cls: str) -> set[str]:
    found: list[str] = js(duo, "return window.cy.nodes('.' + arguments[0]).map(n => n.id())",
                          cls)
    return set(found)


def node_ids(duo: Duo) -> set[str]:
    found: list[str] = js(duo, "return window.cy.nodes().map(n => n.id())")
    return set(found)


def notes(duo: Duo) -> str:
    text: str = duo.find_element(f"#{ids.MESSAGE}").text
    return text


def open_tools(duo: Duo) -> None:
    """The toolbar's Tools menu opened (closed, it takes no room from the graph)."""
    if not js(duo, "return document.getElementById(arguments[0]).open", ids.GRAPH_TOOLS):
        duo.find_element(f"#{ids.GRAPH_TOOLS} summary").click()


def click_radio(duo: Duo, control: str, value: str) -> None:
    open_tools(duo)
    duo.find_element(f'#{control} input[value="{value}"]').click()


def tap_element(duo: Duo, element: str) -> None:
    """A real click on an element of the graph, brought into view first."""
    x, y = js(duo, "const n = window.cy.getElementById(arguments[0]); window.cy.stop();"
                   "window.cy.center(n); const p = n.renderedPosition(); return [p.x, p.y];",
              element)
    canvas = duo.find_element(f"#{ids.GRAPH}")
    size = canvas.size
    chain: Any = UNTYPED_CHAINS(duo.driver)
    chain.move_to_element(canvas).move_by_offset(
        int(x - size["width"] / 2), int(y - size["height"] / 2)).click().perform()


def steps(*names: str) -> set[str]:
    return {f"step:{name}" for name in names}


def test_focus_depth_one_two_and_all_dim_what_is_further(dash_duo: Duo,
                                                         mlops_app: dash.Dash) -> None:
    open_page(dash_duo, mlops_app)
    open_scale(dash_duo, "&collapse=none&node=Features-03&focus=1")
    wait(dash_duo, lambda: with_class(dash_duo, "dimmed"), "a focus")
    every = {n for n in node_ids(dash_duo) if n.startswith("step:")}
    assert len(every) == 123
    near = steps("Features-03", "Clean-03", "Profile-03", "Evaluate-03", "Score-03",
                 "Train-03-A", "Train-03-B", "Train-03-C")
    assert every - with_class(dash_duo, "dimmed") == near
    assert with_class(dash_duo, "focus-root") == steps("Features-03")
    assert js(dash_duo, "return document.querySelector('#focus-depth input:checked').value") == "1"

    click_radio(dash_duo, ids.FOCUS, "2")
    wait(dash_duo, lambda: url_query(dash_duo).get("focus") == "2", "focus=2 in the URL")
    depth_two = near | steps("Split-03", "Model-03", "Aggregate", "Publish")
    wait(dash_duo, lambda: every - with_class(dash_duo, "dimmed") == depth_two, "depth 2")

    click_radio(dash_duo, ids.FOCUS, "all")
    wait(dash_duo, lambda: url_query(dash_duo).get("focus") == "all", "focus=all in the URL")
    kin = depth_two | steps("Ingest")
    wait(dash_duo, lambda: every - with_class(dash_duo, "dimmed") == kin, "every ancestor")
    assert "step:Train-04-A" in with_class(dash_duo, "dimmed")  # another shard: no kin

    # Hidden instead of dimmed, and another selection refocuses.
    open_tools(dash_duo)
    dash_duo.find_element(f'#{ids.HIDE_REST} input').click()
    wait(dash_duo, lambda: url_query(dash_duo).get("hide") == "1", "hide=1")
    wait(dash_duo, lambda: js(dash_duo, "return window.cy.getElementById('step:Train-04-A')"
                                        ".style('display')") == "none", "the rest hidden")
    assert with_class(dash_duo, "dimmed") == set()
    assert console(dash_duo) == []


def test_big_pipelines_open_collapsed_and_a_click_expands_a_group(
        dash_duo: Duo, mlops_app: dash.Dash) -> None:
    open_page(dash_duo, mlops_app)
    open_scale(dash_duo)
    document = lineage(dash_duo, PIPELINE).json()
    statuses = {n["id"]: (n.get("run") or {}).get("status", "NotStarted")
                for n in document["graph"]["nodes"]}
    groups = js(dash_duo, "return window.cy.nodes('.group-collapsed').map(n => n.data())")
    by_key = {g["groupKey"]: g for g in groups}
    assert set(by_key) == {"Split-*", "Clean-*", "Profile-*", "Features-*", "Train-*-A",
                           "Train-*-B", "Train-*-C", "Evaluate-*", "Model-*", "Score-*"}
    train_a = by_key["Train-*-A"]
    members = [f"Train-{i:02d}-A" for i in SHARDS]
    counts: dict[str, int] = {}
    for name in members:
        counts[statuses[name]] = counts.get(statuses[name], 0) + 1
    assert train_a["count"] == 12 and train_a["statusCounts"] == counts
    said = ", ".join(f"{n} {s.lower()}" for s, n in counts.items())
    assert train_a["label"] == f"Train-*-A \u00b7 12 \u00b7 {said}"
    assert node_ids(dash_duo) == {"step:Ingest", "step:Aggregate", "step:Publish",
                                  *(f"group:{key}" for key in by_key)}
    # Its members' edges are one edge per pair of ends, and none from a group to itself.
    ends = js(dash_duo, "return window.cy.edges().map(e => [e.source().id(), e.target().id()])")
    assert len({tuple(e) for e in ends}) == len(ends) and all(a != b for a, b in ends)

    for _ in range(3):  # a click may land while Cytoscape is still busy
        tap_element(dash_duo, "group:Train-*-A")
        try:
            wait(dash_duo, lambda: url_query(dash_duo).get("expand") == "Train-*-A",
                 "expand=Train-*-A", timeout=5)
            break
        except AssertionError:
            continue
    wait(dash_duo, lambda: steps(*members) <= node_ids(dash_duo), "its members drawn")
    parents = js(dash_duo, "return window.cy.nodes('[kind = \"step\"]').filter(n => n.isChild())"
                           ".map(n => [n.id(), n.parent().id()])")
    assert {(child, parent) for child, parent in parents} == {
        (f"step:{m}", "group:Train-*-A") for m in members}
    assert "group:Train-*-B" in with_class(dash_duo, "group-collapsed")

    open_tools(dash_duo)
    dash_duo.find_element(f"#{ids.EXPAND_ALL}").click()
    wait(dash_duo, lambda: url_query(dash_duo).get("collapse") == "none", "collapse=none")
    wait(dash_duo, lambda: len([n for n in node_ids(dash_duo) if n.startswith("step:")]) == 123,
         "every step drawn")
    assert not with_class(dash_duo, "group-collapsed") | with_class(dash_duo, "group-expanded")
    dash_duo.find_element(f"#{ids.COLLAPSE_ALL}").click()
    wait(dash_duo, lambda: url_query(dash_duo).get("collapse") == "all", "collapse=all")
    wait(dash_duo, lambda: "group:Train-*-A" in with_class(dash_duo, "group-collapsed"),
         "collapsed again")
    # Back returns to the expanded view the URL held.
    dash_duo.driver.back()
    wait(dash_duo, lambda: url_query(dash_duo).get("collapse") == "none", "back")
    wait(dash_duo, lambda: "step:Train-07-B" in node_ids(dash_duo), "expanded again")
    assert console(dash_duo) == []


def test_every_path_between_two_steps_is_highlighted_and_counted(
        dash_duo: Duo, mlops_app: dash.Dash) -> None:
    open_page(dash_duo, mlops_app)
    open_scale(dash_duo, "&collapse=none&node=Clean-05")
    # Path to... from the tools' box (the search's suggestions).
    open_tools(dash_duo)
    box = dash_duo.find_element(f"#{ids.PATH_TO}")
    box.send_keys("Evaluate-05\n")
    wait(dash_duo, lambda: url_query(dash_duo).get("path") == "Evaluate-05", "path= in the URL")
    expected = steps("Clean-05", "Profile-05", "Features-05", "Train-05-A", "Train-05-B",
                     "Train-05-C", "Evaluate-05")
    wait(dash_duo, lambda: with_class(dash_duo, "on-path") == expected, "the path's nodes")
    assert with_class(dash_duo, "path-end") == steps("Clean-05", "Evaluate-05")
    wait(dash_duo, lambda: "8 paths: Clean-05 \u2192 Evaluate-05" in notes(dash_duo), "a count")
    on_edges = js(dash_duo, "return window.cy.edges('.path-edge')"
                            ".map(e => [e.source().id(), e.target().id()])")
    assert on_edges and all(a in expected and b in expected for a, b in on_edges)
    everything = {n for n in node_ids(dash_duo) if n.startswith("step:")}
    assert {n for n in with_class(dash_duo, "dimmed") if n.startswith("step:")} == (
        everything - expected)
    # A shared link holds it, and the other way round finds the same paths.
    open_scale(dash_duo, "&collapse=none&node=Evaluate-05&path=Clean-05")
    wait(dash_duo, lambda: with_class(dash_duo, "on-path") == expected, "the same paths")
    assert console(dash_duo) == []


def test_filters_and_bad_values_are_said(dash_duo: Duo, mlops_app: dash.Dash) -> None:
    open_page(dash_duo, mlops_app)
    open_scale(dash_duo, "&collapse=none&type=Training&focus=9")
    wait(dash_duo, lambda: with_class(dash_duo, "dimmed"), "a filter")
    kept = {n for n in node_ids(dash_duo) if n.startswith("step:")} - with_class(dash_duo,
                                                                                 "dimmed")
    assert kept == {f"step:Train-{i:02d}-{v}" for i in SHARDS for v in "ABC"}
    wait(dash_duo, lambda: "Unknown focus: \u201c9\u201d" in notes(dash_duo), "the bad focus")
    assert console(dash_duo) == []


def test_the_svg_export_is_an_svg_document_with_the_labels(dash_duo: Duo,
                                                           mlops_app: dash.Dash) -> None:
    open_page(dash_duo, mlops_app)
    open_scale(dash_duo)
    downloads = Path(dash_duo.download_path)
    dash_duo.driver.execute_cdp_cmd("Page.setDownloadBehavior",
                                    {"behavior": "allow", "downloadPath": str(downloads)})
    wait(dash_duo, lambda: dash_duo.find_element(f"#{ids.EXPORT_SVG}").is_enabled(),
         "the SVG button on")
    dash_duo.find_element(f"#{ids.EXPORT_SVG}").click()
    svg_file = downloads / f"{PIPELINE}-lineage.svg"
    wait(dash_duo, lambda: svg_file.exists() and svg_file.stat().st_size > 0, "an SVG file")
    time.sleep(0.5)  # the download written out
    root = ET.fromstring(svg_file.read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    # Every node's label, as drawn (a long one ends in an ellipsis on the graph too).
    labels = js(dash_duo, "return window.cy.nodes().map(n => n.data('label'))")
    assert len(labels) == 13
    for label in labels:
        assert label[:24] in texts, (label, texts[:300])
    assert "Train-*-A \u00b7 12 \u00b7 12 succeeded" in texts
    assert quote(PIPELINE) in svg_file.name
    assert console(dash_duo) == []
