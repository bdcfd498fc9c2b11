"""The seeded world: what exists in the sandbox, as plain data.

Everything is fixed (names, ids, timestamps relative to :data:`BASE_TIME`, metrics), so a test
can assert it, except the live runs of ``fraud-detection-pipeline``, dated from the wall clock.
Account ``123456789012``. In ``ap-northeast-2``: ``mlops-pipeline`` (latest Succeeded; 36
runs over four weeks, their notable ones named in :mod:`~lineage.sandbox.world.mlops_history`),
``churn-pipeline`` (latest Failed at ``TrainChurn``), ``fraud-detection-pipeline`` (always
Executing: a new run every ~14 minutes), ``scale-pipeline`` (123 steps over 14 buckets, latest
Succeeded), the Studio domain ``ml-platform``; in ``us-east-1``: ``nlp-pipeline`` (latest
Stopped). The estate (:mod:`~lineage.sandbox.world.estate`): ``customer-features-pipeline``,
``churn-xgb-training-pipeline``, ``churn-lgbm-training-pipeline`` (Seoul),
``churn-batch-scoring-pipeline`` (us-east-1), the registry, models and endpoints made from it,
the endpoint ``mlops-churn-prod`` serving ``mlops-pipeline``'s Approved package (the chain that
is clean end to end), Macie in Seoul (findings in ``customer-raw-apne2``), and account
``210987654321`` (role ``arn:aws:iam::210987654321:role/sagemaker-lineage-readonly``) with
``partner-churn-scoring-pipeline``. ``--estate-size N`` adds
:mod:`~lineage.sandbox.world.generated`.

What the world holds is in :mod:`~lineage.sandbox.world.specs`, how a definition is written in
:mod:`~lineage.sandbox.world.builders`, one module per pipeline, the buckets in
:mod:`~lineage.sandbox.world.buckets`; this module assembles :data:`WORLD`. Turning it into
moto state and simulated executions is :mod:`lineage.sandbox.simulate` and
:mod:`lineage.sandbox.seed`.
"""

from __future__ import annotations

import copy
import dataclasses

from lineage.sandbox.world.buckets import buckets
from lineage.sandbox.world.builders import (
    condition_step,
    definition,
    evaluation_report,
    execution_output,
    fail_step,
    get,
    join,
    json_get,
    model_step,
    parameter,
    processing_step,
    register_step,
    training_step,
    transform_step,
)
from lineage.sandbox.world.churn import (
    CHURN,
    CHURN_BUCKET,
    CHURN_TRAINING_FAILURE,
    churn_definition,
)
from lineage.sandbox.world.datasets import FEATURE_GROUPS
from lineage.sandbox.world.estate import (
    ESTATE_ENDPOINTS,
    ESTATE_FEATURES_BUCKET,
    ESTATE_MACIE,
    ESTATE_MODELS,
    ESTATE_PIPELINES,
    FEATURES_PREFIX,
    LGBM_MODEL_GROUP,
    SECOND_ACCOUNT,
    XGB_MODEL_GROUP,
)
from lineage.sandbox.world.fraud import FRAUD, FRAUD_BUCKET, FRAUD_WORK_BUCKET, fraud_definition
from lineage.sandbox.world.mlops import (
    MLOPS,
    MLOPS_BUCKET,
    MLOPS_ENDPOINT,
    MLOPS_ENDPOINTS,
    MLOPS_MODEL_GROUP,
    MLOPS_MODELS,
    mlops_definition,
)
from lineage.sandbox.world.mlops_history import (
    EXECUTING_ID,
    HISTORY_ADDED_STEP,
    HISTORY_ADDED_STEP_ID,
    HISTORY_CACHE_HITS,
    HISTORY_EVALUATE_FAILURE_ID,
    HISTORY_IDS,
    HISTORY_OUTLIER_ID,
    HISTORY_PREPROCESS_OUTLIER_ID,
    HISTORY_TRAIN_FAILURE_ID,
    extra_runs,
)
from lineage.sandbox.world.nlp import NLP, NLP_BUCKET, nlp_definition
from lineage.sandbox.world.scale import (
    SCALE,
    SCALE_REPORT_BUCKET,
    SCALE_SHARDS,
    SCALE_SOURCE_BUCKET,
    scale_bucket,
    scale_definition,
    scale_metrics,
)
from lineage.sandbox.world.specs import (
    BASE_TIME,
    EXECUTION_FAILURE,
    HF_IMAGE,
    KMS_KEY_ARN,
    ROLE_ARN,
    SEOUL,
    SKLEARN_IMAGE,
    VIRGINIA,
    XGBOOST_IMAGE,
    BucketSpec,
    DomainSpec,
    ExecutionSpec,
    ExecutionStatus,
    JsonDict,
    LiveSpec,
    PipelineSpec,
    World,
    at,
)

__all__ = [
    "BASE_TIME",
    "CHURN",
    "CHURN_BUCKET",
    "CHURN_TRAINING_FAILURE",
    "ESTATE_ENDPOINTS",
    "ESTATE_FEATURES_BUCKET",
    "ESTATE_MODELS",
    "ESTATE_PIPELINES",
    "EXECUTING_ID",
    "EXECUTION_FAILURE",
    "FEATURES_PREFIX",
    "FRAUD",
    "FRAUD_BUCKET",
    "FRAUD_WORK_BUCKET",
    "HF_IMAGE",
    "HISTORY_ADDED_STEP",
    "HISTORY_ADDED_STEP_ID",
    "HISTORY_CACHE_HITS",
    "HISTORY_EVALUATE_FAILURE_ID",
    "HISTORY_IDS",
    "HISTORY_OUTLIER_ID",
    "HISTORY_PREPROCESS_OUTLIER_ID",
    "HISTORY_TRAIN_FAILURE_ID",
    "KMS_KEY_ARN",
    "LGBM_MODEL_GROUP",
    "MLOPS",
    "MLOPS_BUCKET",
    "MLOPS_ENDPOINT",
    "MLOPS_MODEL_GROUP",
    "NLP",
    "NLP_BUCKET",
    "ROLE_ARN",
    "SCALE",
    "SCALE_REPORT_BUCKET",
    "SCALE_SHARDS",
    "SCALE_SOURCE_BUCKET",
    "SECOND_ACCOUNT",
    "SEOUL",
    "SKLEARN_IMAGE",
    "VIRGINIA",
    "WORLD",
    "XGBOOST_IMAGE",
    "XGB_MODEL_GROUP",
    "BucketSpec",
    "DomainSpec",
    "ExecutionSpec",
    "ExecutionStatus",
    "JsonDict",
    "LiveSpec",
    "PipelineSpec",
    "World",
    "at",
    "buckets",
    "churn_definition",
    "condition_step",
    "definition",
    "evaluation_report",
    "execution_output",
    "fail_step",
    "fraud_definition",
    "get",
    "join",
    "json_get",
    "mlops_definition",
    "model_step",
    "nlp_definition",
    "parameter",
    "processing_step",
    "register_step",
    "scale_bucket",
    "scale_definition",
    "scale_metrics",
    "training_step",
    "transform_step",
    "with_extra_history",
    "world",
]

WORLD = World(
    buckets=buckets(),
    pipelines=(MLOPS, CHURN, FRAUD, SCALE, NLP, *ESTATE_PIPELINES),
    domains=(
        DomainSpec("ml-platform", SEOUL, "vpc-0a1b2c3d4e5f60718", ("subnet-0a1b2c3d4e5f60718",)),
    ),
    models=(*ESTATE_MODELS, *MLOPS_MODELS),
    endpoints=(*ESTATE_ENDPOINTS, *MLOPS_ENDPOINTS),
    accounts=(SECOND_ACCOUNT,),
    macie=(ESTATE_MACIE,),
    feature_groups=FEATURE_GROUPS,
)


def world() -> World:
    """A deep copy of the seeded world, safe to modify."""
    return copy.deepcopy(WORLD)


def with_extra_history(seeded: World, count: int) -> World:
    """``seeded`` with ``count`` runs more in mlops-pipeline's history (``--extra-history``):
    benchmarks of trends over more runs than the world's 36."""
    if not count:
        return seeded
    earlier = mlops_definition(with_create_model=False, threshold=0.7)
    pipelines = tuple(
        dataclasses.replace(spec, executions=(*extra_runs(count, earlier), *spec.executions))
        if spec.name == MLOPS.name else spec
        for spec in seeded.pipelines
    )
    return dataclasses.replace(seeded, pipelines=pipelines)
