"""``--estate-size N``: N generated pipelines that share datasets, for benchmarks.

Pipeline ``estate-gen-0001`` ... ``estate-gen-NNNN`` (Seoul) each run one Processing step,
one Succeeded execution. They come in chains of :data:`CHAIN` sharing prefixes of
``s3://estate-shared-datasets-apne2``: the first of a chain reads
``datasets/chain-CCC/raw/`` and writes ``datasets/chain-CCC/stage-1/``, the next reads that
and writes ``stage-2/``, and so on; every pipeline also reads the common
``reference/calendar/`` prefix. Cheap to seed (two Create* calls a pipeline).
"""

from __future__ import annotations

from lineage.sandbox.world.builders import definition, get, parameter, processing_step
from lineage.sandbox.world.specs import (
    SEOUL,
    SKLEARN_IMAGE,
    BucketSpec,
    ExecutionSpec,
    PipelineSpec,
    World,
    at,
)

GENERATED_BUCKET = "estate-shared-datasets-apne2"
GENERATED_PREFIX = "estate-gen-"
CHAIN = 5  # pipelines per chain of shared prefixes
CALENDAR = f"s3://{GENERATED_BUCKET}/reference/calendar/"


def generated_name(index: int) -> str:
    """The name of the ``index``-th generated pipeline (from 1)."""
    return f"{GENERATED_PREFIX}{index:04d}"


def stage_uri(chain: int, stage: int) -> str:
    """The prefix stage ``stage`` of chain ``chain`` writes (stage 0: the chain's raw data)."""
    part = "raw" if stage == 0 else f"stage-{stage}"
    return f"s3://{GENERATED_BUCKET}/datasets/chain-{chain:03d}/{part}/"


def generated_pipeline(index: int) -> PipelineSpec:
    chain, stage = divmod(index - 1, CHAIN)
    name = generated_name(index)
    return PipelineSpec(
        name=name,
        region=SEOUL,
        created=at(days=-7, minutes=index),
        tags={"Generated": "estate", "Chain": f"{chain:03d}"},
        definition=definition(
            [parameter("InputUri", "String", stage_uri(chain, stage))],
            [
                processing_step(
                    "Transform",
                    image=SKLEARN_IMAGE,
                    script="transform.py",
                    code_uri=f"s3://{GENERATED_BUCKET}/code/transform.py",
                    inputs={"input": get("Parameters.InputUri"), "calendar": CALENDAR},
                    outputs={"output": stage_uri(chain, stage + 1)},
                )
            ],
        ),
        executions=(
            ExecutionSpec(
                execution_id=f"eg{index:010d}",
                status="Succeeded",
                started=at(days=-1, minutes=index),
            ),
        ),
    )


def generated_estate(size: int) -> World:
    """``size`` generated pipelines and their shared bucket (nothing for 0)."""
    if size <= 0:
        return World(buckets=(), pipelines=(), domains=())
    return World(
        buckets=(BucketSpec(GENERATED_BUCKET, SEOUL, "AES256", None, "partial", {}),),
        pipelines=tuple(generated_pipeline(i) for i in range(1, size + 1)),
        domains=(),
    )
