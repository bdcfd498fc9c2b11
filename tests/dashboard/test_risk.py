"""Colour by risk, on both graph pages: the classes each node gets from its ``risk``, the looks
the Risk colouring gives them (never hue alone), the legend's Risk group, the side panel's Risk
section (own findings, inherited ones by source with their path, links that select nodes,
untrusted text as text), and ``color`` in the URL. From hand-made documents, no browser."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from dash import html, no_update

from dashboard.ui import ids
from dashboard.ui.components.elements import (
    ARTIFACT_PREFIX,
    STEP_PREFIX,
    artifact_node_id,
    document_elements,
    step_element_id,
)
from dashboard.ui.components.legend import colour_class, legend, risk_entries
from dashboard.ui.components.risk import (
    COLOR_RISK,
    COLOR_STATUS,
    RISK_LEVELS,
    UNVERIFIED_CLASS,
    color_of,
    risk_class,
)
from dashboard.ui.components.stylesheet import (
    RISK_LOOK,
    STATUS_LOOK,
    estate_stylesheet,
    risk_rules,
    stylesheet,
)
from dashboard.ui.pages.estate import details as estate_details
from dashboard.ui.pages.estate.graph import estate_elements
from dashboard.ui.pages.estate.legend import estate_legend, style_of
from dashboard.ui.pages.estate.view import EstateView
from dashboard.ui.pages.estate.view import parse_query as estate_query
from dashboard.ui.pages.estate.view import sync_view as estate_sync
from dashboard.ui.pages.graph_page import colour_look
from dashboard.ui.pages.pipeline.details import node_link, panel_for, selected_risk
from dashboard.ui.pages.pipeline.view import DATA_VIEW_ON, LATEST, View, parse_query, sync_view
from tests.dashboard.conftest import FakeCached, app_state
from tests.dashboard.test_estate_legend import explained, prop
from tests.dashboard.test_stylesheet import CSS, contrast, css_variable
from tests.dashboard.trees import components, flat, page_text

REGION = "ap-northeast-2"
HOSTILE = '<img src=x onerror="alert(1)">\u202e'


def finding(rule: str, severity: str, bucket: str, *, kind: str = "violation",
            setting: str = "encryption", detail: str = "no default encryption") -> dict[str, Any]:
    return {"id": f"{rule}:{setting}:{bucket}", "rule": rule, "severity": severity,
            "kind": kind, "bucket": bucket, "setting": setting,
            "title": f"{rule} title", "detail": detail, "remedy": f"fix {rule}"}


OPEN = finding("S3_PUBLIC_ACCESS_NOT_BLOCKED", "high", "open-b", setting="publicAccess",
               detail="public access is not blocked")
PLAIN = finding("S3_ENCRYPTION_MISSING", "medium", "open-b")
UNREAD = finding("S3_UNVERIFIED", "medium", "shut-b", kind="unverified", setting="tags",
                 detail="tags could not be read")


def risk(severity: str | None, own: list[dict[str, Any]] = (),  # type: ignore[assignment]
         inherited: list[dict[str, Any]] = (), **more: Any  # type: ignore[assignment]
         ) -> dict[str, Any]:
    return {"severity": severity, "findings": [dict(f) for f in own],
            "inherited": list(inherited), **more}


def reach(source: str, path: list[str], severity: str, *found: dict[str, Any]
          ) -> dict[str, Any]:
    return {"source": source, "path": path, "severity": severity,
            "findings": [f["id"] for f in found]}


A_OPEN, A_SHUT, A_CLEAN = artifact_node_id(1), artifact_node_id(2), artifact_node_id(3)
PREP, TRAIN, TIDY, OLD = (step_element_id(n) for n in ("Prep", "Train", "Tidy", "Old"))


def document() -> dict[str, Any]:
    """open-b (public, unencrypted) -> Prep -> Train; shut-b (tags unreadable) -> Tidy;
    a clean bucket; a step from before risk was read (no ``risk``)."""
    def step(name: str, node_risk: dict[str, Any] | None) -> dict[str, Any]:
        node: dict[str, Any] = {"id": name, "type": "Processing", "run": {"status": "Succeeded"}}
        if node_risk is not None:
            node["risk"] = node_risk
        return node

    def artifact(ident: int, bucket: str, node_risk: dict[str, Any], consumers: list[str]
                 ) -> dict[str, Any]:
        return {"id": ident, "uri": f"s3://{bucket}/data/part", "bucket": bucket,
                "key": "data/part", "s3": {"encryption": "AES256"}, "producers": [],
                "consumers": consumers, "risk": node_risk}

    return {
        "pipeline": {"name": "p", "region": REGION},
        "graph": {
            "nodes": [
                step("Prep", risk("high", inherited=[reach(A_OPEN, [A_OPEN, PREP], "high",
                                                           OPEN, PLAIN)])),
                step("Train", risk("high", inherited=[
                    reach(A_OPEN, [A_OPEN, PREP, TRAIN], "high", OPEN, PLAIN),
                    reach(A_SHUT, [A_SHUT, TRAIN], "medium", UNREAD)], moreSources=2)),
                step("Tidy", risk("medium", inherited=[reach(A_SHUT, [A_SHUT, TIDY], "medium",
                                                             UNREAD)])),
                step("Old", None),
            ],
            "edges": [{"from": "Prep", "to": "Train", "via": "ref:Get"}],
            "artifacts": [
                artifact(1, "open-b", risk("high", [OPEN, PLAIN]), ["Prep"]),
                artifact(2, "shut-b", risk("medium", [UNREAD]), ["Train", "Tidy"]),
                artifact(3, "clean-b", risk(None), []),
            ],
        },
    }


def by_id(elements: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["data"]["id"]: e for e in elements if "source" not in e["data"]}


def risk_classes_of(element: dict[str, Any]) -> list[str]:
    return [c for c in element["classes"].split() if c.startswith("risk-")]


# -- classes and looks ---------------------------------------------------------------------------


def test_the_risk_ids_are_the_graphs_element_ids() -> None:
    assert (STEP_PREFIX, ARTIFACT_PREFIX) == ("step:", "artifact:")
    drawn = by_id(document_elements(document(), data_view=True).elements)
    for element in (PREP, TRAIN, TIDY, OLD, A_OPEN, A_SHUT, A_CLEAN):
        assert element in drawn


def test_each_node_is_classed_by_its_severity_and_only_unverified_is_told_apart() -> None:
    drawn = by_id(document_elements(document(), data_view=True).elements)
    assert risk_classes_of(drawn[A_OPEN]) == ["risk-high"]
    assert risk_classes_of(drawn[PREP]) == ["risk-high"]
    # Train inherits a violation and an unverified setting: a violation wins.
    assert risk_classes_of(drawn[TRAIN]) == ["risk-high"]
    # Tidy's only finding, inherited, is one its source lists as unverified.
    assert risk_classes_of(drawn[TIDY]) == ["risk-medium", UNVERIFIED_CLASS]
    assert risk_classes_of(drawn[A_SHUT]) == ["risk-medium", UNVERIFIED_CLASS]
    assert risk_classes_of(drawn[A_CLEAN]) == ["risk-none"]
    assert risk_classes_of(drawn[OLD]) == ["risk-unassessed"]
    assert drawn[TRAIN]["data"]["risk"] == "high" and drawn[OLD]["data"]["risk"] == "unassessed"
    # The status classes stay: the toggle only changes the sheet.
    assert "status-succeeded" in drawn[PREP]["classes"]


def test_an_inherited_finding_its_source_does_not_list_is_never_called_unverified() -> None:
    doc = document()
    doc["graph"]["artifacts"][1]["risk"]["findings"] = []  # shut-b lists nothing now
    drawn = by_id(document_elements(doc, data_view=True).elements)
    assert risk_classes_of(drawn[TIDY]) == ["risk-medium"]


def merged(sheet: list[dict[str, Any]], classes: list[str]) -> dict[str, Any]:
    """What ``sheet`` gives a node of ``classes``, compound selectors (``.a.b``) too, later
    rules winning, as in Cytoscape."""
    compound = {"." + ".".join(classes[i:j]) for i in range(len(classes))
                for j in range(i + 2, len(classes) + 1)}
    look = dict(style_of(sheet, "node", classes))
    for rule in sheet:
        if rule["selector"] in compound:
            look.update(rule["style"])
    return look


def test_the_risk_sheet_colours_by_severity_with_a_second_and_third_cue() -> None:
    assert not any("risk-" in rule["selector"] for rule in stylesheet())
    assert stylesheet(COLOR_STATUS) == stylesheet()
    sheet = stylesheet(COLOR_RISK)
    assert sheet[-len(risk_rules()):] == risk_rules()  # last: they win over status looks
    fills, cues, icons = set(), set(), set()
    for level in RISK_LEVELS:
        look = merged(sheet, ["step", "status-failed", risk_class(level)])
        assert look["background-color"] == RISK_LOOK[level][0]
        assert look["background-color"] != STATUS_LOOK["Failed"][0] or level == "high"
        fills.add(look["background-color"])
        cues.add((look["border-style"], look["border-width"]))
        icons.add(look["background-image"])
    assert len(fills) == len(cues) == len(icons) == len(RISK_LEVELS)
    # The severities: borders widen, and each draws its letter.
    widths = [RISK_LOOK[s][3] for s in ("low", "medium", "high", "critical")]
    assert widths == sorted(widths) and len(set(widths)) == 4
    for severity, letter in (("low", "L"), ("medium", "M"), ("high", "H"), ("critical", "C")):
        icon = merged(sheet, ["step", risk_class(severity)])["background-image"]
        assert f">{letter}</text>" in unquote(icon)
    unverified = merged(sheet, ["step", "risk-medium", UNVERIFIED_CLASS])
    assert unverified["border-style"] == "dashed" and ">M?</text>" in unquote(
        unverified["background-image"])
    # An artifact and an estate node (approval, bucket looks) get the same risk look.
    estate = estate_stylesheet(COLOR_RISK)
    package = merged(estate, ["estate-node", "kind-model-package", "approval-approved",
                              "risk-critical"])
    assert package["border-width"] == RISK_LOOK["critical"][3]
    dataset = merged(estate, ["estate-node", "kind-dataset", "artifact", "artifact-insecure",
                              "risk-high"])
    assert dataset["border-style"] == "double" and dataset["background-color"] == "#D55E00"


def test_the_toggle_restyles_the_graph_and_switches_the_legend() -> None:
    risky = colour_look(COLOR_RISK, estate_stylesheet, "estate-legend")
    assert risky == {"stylesheet": estate_stylesheet(COLOR_RISK),
                     "legend": "estate-legend colour-risk"}
    for value in (None, "status", "RISK", {"x": 1}, "<b>"):
        assert colour_look(value, stylesheet, "legend") == {"stylesheet": stylesheet(),
                                                             "legend": "legend"}
    assert colour_class("legend", COLOR_RISK) == "legend colour-risk"


def test_the_legends_risk_group_explains_every_risk_look() -> None:
    entries = explained(risk_entries())
    assert set(entries) == {risk_class(level) for level in RISK_LEVELS} | {UNVERIFIED_CLASS}
    for level in RISK_LEVELS:
        assert RISK_LOOK[level][5] in flat(entries[risk_class(level)])
        (image,) = [c for c in components(entries[risk_class(level)])
                    if isinstance(c, html.Img)]
        assert RISK_LOOK[level][0] in unquote(prop(image, "src"))
    # Both legends hold it, beside their status looks (the CSS shows one of them).
    for tree in (legend(), estate_legend()):
        groups = [str(getattr(c, "className", "")) for c in components(tree)]
        groups = [g for g in groups if "legend-group" in g]
        assert len([g for g in groups if "legend-risk" in g]) == 1
        assert any("legend-status" in g for g in groups)
    # Every risk class the estate's risk sheet styles has its entry.
    styled = {m for rule in estate_stylesheet(COLOR_RISK)
              for m in re.findall(r"\.(risk-[a-z-]+)", rule["selector"])}
    assert styled <= set(explained(estate_legend()))


def test_the_css_risk_chips_are_the_sheets_colours_and_read_well() -> None:
    css = CSS.read_text(encoding="utf-8")
    for level, (fill, _, border, _, _, _) in RISK_LOOK.items():
        rule = re.search(rf"\.{risk_class(level)} \{{([^}}]*)\}}", css)
        assert rule, level
        assert f"--risk: {fill};" in rule.group(1)
        assert f"--risk-border: {border};" in rule.group(1)
        chip = contrast(css_variable(rule.group(1), "risk-ink"),
                        css_variable(rule.group(1), "risk-bg"))
        assert chip >= 4.5, (level, round(chip, 2))
    assert ".colour-risk .legend-risk" in css and ".colour-risk .legend-status" in css


# -- the side panel ------------------------------------------------------------------------------


def buttons(tree: Any) -> list[html.Button]:
    return [c for c in components(tree) if isinstance(c, html.Button)]


def test_a_steps_risk_lists_its_sources_findings_and_paths_with_links() -> None:
    section = selected_risk(document(), TRAIN)
    words = page_text(section)
    assert words.startswith("Risk H High")
    assert "Inherited from 2 sources" in words and "and 2 more sources" in words
    # Grouped by source: its URI, severity, findings (from the source's own list), path.
    assert "s3://open-b/data/part" in words and "S3_PUBLIC_ACCESS_NOT_BLOCKED title" in words
    assert "public access is not blocked" in words
    assert "s3://shut-b/data/part" in words and "could not verify" in words
    paths = [flat(c) for c in components(section) if getattr(c, "className", "") == "risk-path"]
    assert paths == ["Path part \u2192 Prep \u2192 Train", "Path part \u2192 Train"]
    # Each source and each node on a path (not this one) selects that node.
    linked = [prop(b, "id") for b in buttons(section)]
    assert [link["node"] for link in linked] == [A_OPEN, A_OPEN, PREP, A_SHUT, A_SHUT]
    assert all(link["type"] == ids.SELECT_NODE for link in linked)
    assert len({link["n"] for link in linked}) == len(linked)  # ids unique on the page
    assert node_link(A_OPEN, 3) == {"type": ids.SELECT_NODE, "node": A_OPEN, "n": 3}


def test_an_artifacts_own_findings_have_severity_title_detail_and_remedy() -> None:
    words = page_text(selected_risk(document(), A_OPEN))
    for expected in ("Its own findings (2)", "H High", "S3_PUBLIC_ACCESS_NOT_BLOCKED title",
                     "public access is not blocked", "fix S3_PUBLIC_ACCESS_NOT_BLOCKED",
                     "M Medium", "open-b"):
        assert expected in words, expected
    assert "No finding" in page_text(selected_risk(document(), A_CLEAN))
    assert "holds no risk" in page_text(selected_risk(document(), OLD))
    unverified = page_text(selected_risk(document(), TIDY))
    assert "only settings that could not be verified" in unverified


def test_untrusted_words_stay_text() -> None:
    doc = document()
    doc["graph"]["artifacts"][0]["risk"]["findings"][0].update(
        title=HOSTILE, detail=HOSTILE, remedy=HOSTILE, bucket=HOSTILE)
    doc["graph"]["artifacts"][0]["uri"] = f"s3://{HOSTILE}"
    for selected in (A_OPEN, PREP):
        section = selected_risk(doc, selected)
        shown = page_text(section)
        assert '<img src=x onerror="alert(1)">\\u202e' in shown and "\u202e" not in shown
        assert not [c for c in components(section) if isinstance(c, html.Img)]


def test_the_panel_puts_risk_first_when_coloured_by_it() -> None:
    app = app_state(FakeCached(lineage_answer=document()))
    meta = {"region": REGION, "pipeline": "p"}
    by_status = panel_for(app, meta, TRAIN, COLOR_STATUS)
    by_risk = panel_for(app, meta, TRAIN, COLOR_RISK)
    assert page_text(by_status[-1]).startswith("Risk")
    assert page_text(by_risk[1]).startswith("Risk") and len(by_risk) == len(by_status)


# -- the URL -------------------------------------------------------------------------------------


def test_color_round_trips_through_the_pipeline_url() -> None:
    view = View(REGION, "p", None, "step:Train", data=True, color=COLOR_RISK)
    assert view.query().endswith("&node=Train&data=1&color=risk")
    assert parse_query(view.query(), REGION) == view
    assert "color" not in view.store()  # restyling never redraws the graph
    assert "color" not in View(REGION, "p").query()
    for bad in ("?color=RISK", "?color=<b>", "?color=", "?color=" + "r" * 600):
        assert parse_query(bad, REGION).color == COLOR_STATUS
    assert color_of(["risk"]) == COLOR_STATUS


def sync(trigger: Any, current: View, **values: Any) -> Any:
    args: dict[str, Any] = dict(search=current.query(), region=current.region,
                                pipeline=current.pipeline, execution=LATEST, selected=None,
                                step_query=None, step_names=None, data_view=[],
                                layout_choice=current.layout, color=current.color)
    args.update(values)
    return sync_view(trigger, current=current, default_region=REGION, **args)


def test_the_toggle_the_url_and_the_links_agree_on_the_pipeline_page() -> None:
    shown = View(REGION, "p", None, TRAIN)
    # Opened from a URL: the toggle is set; a toggle that already agrees is left.
    opened = sync(ids.URL, View(), search=shown.query() + "&color=risk", color="status")
    assert opened.color == COLOR_RISK and opened.url_search is no_update
    assert sync(ids.URL, shown, search=shown.query()).color is no_update
    # The toggle pushes a URL; nothing else changes (no new view: no redraw).
    toggled = sync(ids.COLOR, View(REGION, "p", None, TRAIN, color=COLOR_RISK),
                   search=shown.query())
    assert parse_query(toggled.url_search, REGION).color == COLOR_RISK
    assert toggled.view is no_update and toggled.node is no_update
    # A toggle the URL already holds (the URL set it) pushes nothing.
    risky = View(REGION, "p", None, TRAIN, color=COLOR_RISK)
    assert sync(ids.COLOR, risky).url_search is no_update
    # A tap and a new pipeline keep the colouring in the URL.
    tapped = sync(ids.GRAPH, risky, selected=[{"id": PREP}])
    assert "color=risk" in tapped.url_search
    assert "color=risk" in sync(ids.PIPELINE, risky, pipeline="q").url_search
    # A risk's link to its source artifact selects it and opens the data view.
    linked = sync({"type": ids.SELECT_NODE, "node": A_OPEN, "n": 0}, risky)
    assert linked.node == A_OPEN and linked.data_view == [DATA_VIEW_ON]
    assert linked.view["data"] is True
    assert parse_query(linked.url_search, REGION) == View(REGION, "p", None, A_OPEN, data=True,
                                                          color=COLOR_RISK)
    step = sync({"type": ids.SELECT_NODE, "node": PREP, "n": 1}, risky)
    assert step.node == PREP and step.view is no_update
    for junk in ({"type": ids.SELECT_NODE, "node": 4}, {"type": ids.SELECT_NODE,
                                                         "node": "javascript:x"},
                 {"type": ids.SELECT_NODE, "node": TRAIN}):
        assert sync(junk, risky).url_search is no_update


# -- the estate page ------------------------------------------------------------------------------


SOURCE = "dataset:s3://open-b/features"
PIPE = f"pipeline:123456789012:{REGION}:train"
ENDPOINT = f"endpoint:arn:aws:sagemaker:{REGION}:123456789012:endpoint/prod"


def estate() -> dict[str, Any]:
    def node(node_id: str, kind: str, label: str, node_risk: dict[str, Any]) -> dict[str, Any]:
        return {"id": node_id, "kind": kind, "label": label, "region": REGION,
                "attributes": {}, "risk": node_risk}

    return {
        "nodes": [
            node(SOURCE, "dataset", "s3://open-b/features", risk("high", [OPEN, UNREAD])),
            node(PIPE, "pipeline", "train", risk("high", inherited=[
                reach(SOURCE, [SOURCE, PIPE], "high", OPEN, UNREAD)])),
            node(ENDPOINT, "endpoint", HOSTILE, risk("high", inherited=[
                reach(SOURCE, [SOURCE, PIPE, ENDPOINT], "high", OPEN, UNREAD)],
                moreSources=1)),
        ],
        "edges": [{"from": SOURCE, "to": PIPE, "kind": "reads"},
                  {"from": PIPE, "to": ENDPOINT, "kind": "deploys"}],
    }


def test_estate_nodes_are_classed_and_the_endpoints_panel_links_its_source() -> None:
    drawn = by_id(estate_elements(estate()).elements)
    assert risk_classes_of(drawn[ENDPOINT]) == ["risk-high"]
    panel = estate_details.panel_for(app_state(FakeCached(estate_answer=estate())),
                                     EstateView(REGION, None, ENDPOINT, COLOR_RISK))
    risk_first = page_text(panel[1])
    assert risk_first.startswith("Risk H High") and "and 1 more source" in risk_first
    assert "s3://open-b/features" in risk_first and "S3_PUBLIC_ACCESS_NOT_BLOCKED" in risk_first
    # The path by the nodes' names; this node (its name hostile) as text, escaped.
    (path,) = [flat(c) for c in components(panel) if getattr(c, "className", "") == "risk-path"]
    shown = '<img src=x onerror="alert(1)">\\u202e'
    assert path == f"Path s3://open-b/features \u2192 train \u2192 {shown}"
    linked = [prop(b, "id") for b in buttons(panel[1])]
    assert [link["node"] for link in linked] == [SOURCE, SOURCE, PIPE]
    assert all(link["type"] == ids.ESTATE_SELECT_NODE for link in linked)


def test_color_round_trips_through_the_estate_url_and_a_link_selects_its_node() -> None:
    view = EstateView(REGION, "prod", ENDPOINT, COLOR_RISK)
    assert view.query().endswith("&color=risk") and estate_query(view.query(), REGION) == view
    assert "color" not in view.store()
    assert estate_query("?color=blue", REGION).color == COLOR_STATUS

    def run(trigger: Any, current: EstateView, **values: Any) -> Any:
        args: dict[str, Any] = dict(search=current.query(), region=[REGION], query=None,
                                    tapped=None, color=current.color)
        args.update(values)
        return estate_sync(trigger, current=current, default_region=REGION, **args)

    assert run(ids.ESTATE_URL, EstateView(""), search=view.query(), color="status"
               ).color == COLOR_RISK
    toggled = run(ids.ESTATE_COLOR, view, search=EstateView(REGION, "prod", ENDPOINT).query())
    assert estate_query(toggled.url_search, REGION) == view and toggled.view is no_update
    assert run(ids.ESTATE_COLOR, view).url_search is no_update
    linked = run({"type": ids.ESTATE_SELECT_NODE, "node": SOURCE, "n": 0}, view)
    assert linked.node == SOURCE
    assert estate_query(linked.url_search, REGION) == EstateView(REGION, "prod", SOURCE,
                                                                 COLOR_RISK)
    tapped = run(ids.ESTATE_GRAPH, view, tapped={"id": PIPE})
    assert "color=risk" in tapped.url_search
    assert run({"type": ids.ESTATE_SELECT_NODE, "node": 7}, view).url_search is no_update
