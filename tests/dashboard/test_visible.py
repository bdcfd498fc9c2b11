"""Names from AWS are shown as written, but for hidden characters, which show as escapes."""

from __future__ import annotations

from typing import Any

import pytest

from dashboard.ui.components.messages import bad_region, shown
from dashboard.ui.components.visible import visible_text
from dashboard.ui.pages.pipeline.catalog import execution_options, pipeline_options
from dashboard.ui.pages.pipeline.details import panel_for
from dashboard.ui.pages.pipeline.graph import load_view
from dashboard.ui.pages.pipeline.view import View, find_steps, match_list
from tests.dashboard.conftest import FakeCached, app_state
from tests.dashboard.trees import components, page_text

SPOOF = "Train\u202egnp.exe"  # drawn as is, it reads "Train" + "exe.png"
SHOWN = "Train\\u202egnp.exe"  # what the page shows: the escape, in ASCII


@pytest.mark.parametrize(
    ("char", "escape"),
    [("\x00", "\\x00"), ("\x1b", "\\x1b"), ("\n", "\\x0a"), ("\x7f", "\\x7f"),  # C0, DEL
     ("\x85", "\\x85"), ("\x9b", "\\x9b"),  # C1
     ("\u200e", "\\u200e"), ("\u200f", "\\u200f"), ("\u061c", "\\u061c"),  # bidi marks
     *[(chr(c), f"\\u{c:04x}") for c in range(0x202A, 0x202F)],  # embeddings, overrides
     *[(chr(c), f"\\u{c:04x}") for c in range(0x2066, 0x206A)],  # isolates
     ("\ufeff", "\\ufeff"), ("\u200b", "\\u200b"), ("\u00ad", "\\xad"),  # invisible
     ("\u2028", "\\u2028"), ("\u2029", "\\u2029"),  # line and paragraph separators
     ("\U000e0041", "\\U000e0041"), ("\ud800", "\\ud800")],  # a tag; a lone surrogate
)
def test_hidden_characters_become_ascii_escapes(char: str, escape: str) -> None:
    assert visible_text(f"a{char}b") == f"a{escape}b"
    assert visible_text(f"a{char}b").isascii()


def test_the_rest_is_kept_as_written() -> None:
    for name in ("Train-Model_2", "ünïcödé", "日本語", "مرحبا", "\U0001f468\u200d\U0001f469",
                 "\u0646\u200c\u0645"):  # a ZWJ emoji sequence; a Persian ZWNJ
        assert visible_text(name) == name
    plain = "an ordinary name"
    assert visible_text(plain) is plain
    assert visible_text(SPOOF) == SHOWN
    assert visible_text("line 1\n\tline 2\u202e", lines=True) == "line 1\n\tline 2\\u202e"


def test_everywhere_a_name_from_aws_is_shown_it_is_escaped(document: dict[str, Any]) -> None:
    train = document["graph"]["nodes"][1]
    train["id"] = SPOOF
    train["run"].update(status="Failed", failureReason="Error\u202e\nTraceback (most recent"
                                                        " call last):\n  File x\nValueError: y")
    document["pipeline"]["displayName"] = f"Churn {SPOOF}"
    for edge in document["graph"]["edges"]:
        edge.update({k: SPOOF for k in ("from", "to") if edge[k] == "Train"})
    cached = FakeCached(lineage_answer=document, pipelines_answer={"pipelines": [
        {"name": SPOOF, "description": SPOOF, "latestExecution": {"status": SPOOF}}]},
        executions_answer={"executions": [{"id": "e1", "status": "Failed",
                                           "displayName": SPOOF}]})
    app = app_state(cached)
    loaded = load_view(app, View("ap-northeast-2", "mlops-pipeline"))
    label = next(e["data"]["label"] for e in loaded.elements
                 if e["data"]["id"] == f"step:{SPOOF}")
    options, _, _ = pipeline_options(app, "ap-northeast-2", None)
    executions = execution_options(app, "ap-northeast-2", "mlops-pipeline", None)
    panel = panel_for(app, {"region": "ap-northeast-2", "pipeline": "mlops-pipeline"},
                      f"step:{SPOOF}")
    seen = {
        "graph label": label,
        "summary": page_text(loaded.summary),
        "search options": " ".join(o.value for o in loaded.search_options),
        "pipeline option": options[0]["label"] + options[0]["title"],
        "execution option": executions[1]["label"],
        "side panel": page_text(panel),
        "match buttons": page_text(match_list([SPOOF, "Other"])),
        "a note": page_text(shown([bad_region(SPOOF)])),
    }
    for where, words in seen.items():
        assert SHOWN in words, where
        assert "\u202e" not in words, where
    assert options[0]["value"] == SPOOF  # values stay exact: they name the pipeline to AWS
    assert "\nTraceback" in page_text(panel)  # a failure reason keeps its lines
    # The step is found as it is shown, and as it is named.
    assert find_steps(SHOWN, loaded.step_names) == [SPOOF]
    assert find_steps("train\\u202e", loaded.step_names) == [SPOOF]
    button = next(c for c in components(loaded.summary) if type(c).__name__ == "Button")
    assert button.id["step"] == SPOOF  # type: ignore[attr-defined]
