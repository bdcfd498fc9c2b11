"""Links between the pages that carry a view: the paths of the pages and their queries.

Pure: each function gives a path and query without the app's URL prefix; a page passes it
through the pages router's ``relative_path`` (as ``nav.page_links`` does). Values are
URL-encoded here, so an execution id or a pipeline name reaches the other page exactly.
"""

from __future__ import annotations

from urllib.parse import urlencode

PIPELINE_PATH = "/"
COMPARE_PATH = "/compare/view"
# The Executions page (every execution of a pipeline), built beside these pages.
EXECUTIONS_PATH = "/executions/view"


def _with_query(path: str, pairs: list[tuple[str, str | None]]) -> str:
    given = [(key, value) for key, value in pairs if value]
    return f"{path}?{urlencode(given)}" if given else path


def compare_link(region: str | None, pipeline: str | None, a: str | None,
                 b: str | None = None, *, only: bool = False) -> str:
    """``/compare/view?region=&pipeline=&a=&b=[&only=1]``: ``a`` the base, ``b`` compared."""
    return _with_query(COMPARE_PATH, [("region", region), ("pipeline", pipeline), ("a", a),
                                      ("b", b), ("only", "1" if only else None)])


def pipeline_link(region: str | None, pipeline: str | None, execution: str | None = None,
                  *, tab: str | None = None) -> str:
    """The pipeline page of ``execution`` (the latest when ``None``), on ``tab``."""
    return _with_query(PIPELINE_PATH, [("region", region), ("pipeline", pipeline),
                                       ("execution", execution), ("tab", tab)])


def executions_link(region: str | None, pipeline: str | None) -> str:
    """``/executions/view?pipeline=&region=``: every execution of the pipeline."""
    return _with_query(EXECUTIONS_PATH, [("pipeline", pipeline), ("region", region)])
