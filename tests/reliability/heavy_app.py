"""The production app answering one 10,000-step document to every lineage request, no AWS.

gunicorn serves ``tests.reliability.heavy_app:server`` for the burst of heavy renders: every
render of the pipeline page lays out and sends 10,000 steps (about 20,000 elements) from a
cached document, the work that held every request thread in issue 11.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from dashboard.core.config import LINEAGE_SERVICE
from dashboard.server.app import create_app
from lineage.config import Settings
from lineage.models import LineageDocument
from lineage.render import render_definition
from lineage.request import LineageRequest
from lineage.service import LineageService

STEPS = 10_000
PIPELINE = "ten-thousand-steps"


def _step(i: int) -> dict[str, Any]:
    """A processing step reading what the one before it wrote: one long chain."""
    inputs = [{"InputName": "in", "S3Input": {"S3Uri": f"s3://bucket/s{i - 1}/part"}}] if i else []
    return {
        "Name": f"S{i}",
        "Type": "Processing",
        "DependsOn": [f"S{i - 1}"] if i else [],
        "Arguments": {
            "ProcessingInputs": inputs,
            "ProcessingOutputConfig": {
                "Outputs": [{"OutputName": "out", "S3Output": {"S3Uri": f"s3://bucket/s{i}"}}]
            },
        },
    }


@functools.cache
def ten_thousand_steps() -> LineageDocument:
    definition = {"Version": "2020-12-01", "Steps": [_step(i) for i in range(STEPS)]}
    return render_definition(definition, name=PIPELINE)


class TenThousandSteps(LineageService):
    """Every pipeline is the same 10,000 steps, made without AWS (and warmed at once)."""

    def warm(self, regions: Iterable[str] | None = None) -> float:
        return 0.0

    def get_lineage(self, request: LineageRequest, **options: Any) -> LineageDocument:
        return ten_thousand_steps()


app = create_app({LINEAGE_SERVICE: TenThousandSteps(Settings())})
server = app.server
