"""The estate: pipelines that share datasets, a model registry, deployments, a second region
and a second account (issue 12).

In ``ap-northeast-2`` (account ``123456789012``):

- ``customer-features-pipeline`` builds customer features from
  ``s3://customer-raw-apne2/raw/customers/`` and writes each run's to
  ``s3://customer-features-apne2/features/customers/<execution id>/`` (a ``_manifest.json``
  there), then validates them (the second run's validation failed); it belongs to the Studio
  domain ``ml-platform`` (tag ``DomainName``).
- ``churn-xgb-training-pipeline`` trains on the whole prefix
  ``s3://customer-features-apne2/features/customers/`` and registers into
  ``churn-xgb-models``: versions 1 Approved, 2 Rejected, 3 PendingManualApproval.
- ``churn-lgbm-training-pipeline`` trains on the newest feature run's folder (its
  ``FeaturesUri`` parameter), registers into ``churn-lgbm-models`` (1 Approved, 2
  PendingManualApproval) and deploys itself: a ``Model``, an ``EndpointConfig`` and the
  endpoint ``churn-lgbm-staging`` (InService).
- Deployments made outside the pipelines: models ``churn-xgb-v1`` (its container names the
  package ``churn-xgb-models/1``), ``churn-xgb-v3`` and ``churn-lgbm-v1`` (their containers
  name the training jobs' ``model.tar.gz``); endpoints ``churn-prod`` (InService),
  ``churn-canary`` (Failed) and ``churn-ab-test`` (Updating, two production variants and a
  shadow variant), each with the config ``<endpoint>-config``.

Every package registered by a run has ``MetadataProperties.GeneratedBy`` = the execution ARN.

In ``us-east-1``: ``churn-batch-scoring-pipeline`` reads the Seoul features prefix and writes
``s3://churn-scores-use1/scores/<execution id>/``.

In account ``210987654321`` (reached with ``sts:AssumeRole`` of
``arn:aws:iam::210987654321:role/sagemaker-lineage-readonly``, :data:`SECOND_ACCOUNT_ROLE_ARN`):
``partner-churn-scoring-pipeline`` in Seoul scores a feature run of the first account
(its ``FeaturesUri``: ``s3://customer-features-apne2/features/customers/<feature run>/``) and
writes ``s3://partner-scores-210987654321/scores/<execution id>/``: an older run Failed (the
features bucket's policy did not yet grant the partner's role), the latest Succeeded. Its runs
are simulated like the first account's, with that account's ARNs and jobs.

Buckets differ in their security: ``customer-features-apne2`` has no default encryption, no
versioning and no public access block, a bucket policy that makes it public, and a lifecycle
rule deleting ``features/`` after 30 days (the churn trainers' inputs, behind ``churn-prod``);
``customer-raw-apne2`` holds personal data Macie found (Macie is enabled in Seoul only);
``churn-models-apne2`` has Object Lock; the others have some of each.
"""

from __future__ import annotations

from datetime import datetime

from lineage.sandbox import SECOND_ACCOUNT_ID, SECOND_ACCOUNT_ROLE_ARN
from lineage.sandbox.world.builders import (
    definition,
    execution_output,
    get,
    join,
    model_step,
    parameter,
    processing_step,
    register_step,
    training_step,
)
from lineage.sandbox.world.specs import (
    ROLE_ARN,
    SEOUL,
    SKLEARN_IMAGE,
    VIRGINIA,
    XGBOOST_IMAGE,
    AccountSpec,
    BucketSpec,
    EndpointSpec,
    ExecutionSpec,
    JsonDict,
    MacieFindingSpec,
    MacieSpec,
    ModelSpec,
    PipelineSpec,
    StepOutput,
    VariantSpec,
    at,
    execution_role,
)

ESTATE_RAW_BUCKET = "customer-raw-apne2"
ESTATE_FEATURES_BUCKET = "customer-features-apne2"
ESTATE_MODELS_BUCKET = "churn-models-apne2"
ESTATE_SCORES_BUCKET = "churn-scores-use1"
PARTNER_BUCKET = f"partner-scores-{SECOND_ACCOUNT_ID}"
#: The Studio domain the feature pipeline belongs to (its DomainName tag).
ESTATE_DOMAIN = "ml-platform"
#: The prefix the feature pipeline writes (one folder per execution) and the trainers read.
FEATURES_PREFIX = f"s3://{ESTATE_FEATURES_BUCKET}/features/customers/"
XGB_MODEL_GROUP = "churn-xgb-models"
LGBM_MODEL_GROUP = "churn-lgbm-models"
LGBM_IMAGE = "366743142698.dkr.ecr.ap-northeast-2.amazonaws.com/sagemaker-lightgbm:3.3-1"
PARTNER_READ_FAILURE = (
    "ClientError: Failed to download data. AccessDenied: Access Denied when calling GetObject "
    f"on s3://{ESTATE_FEATURES_BUCKET}/features/customers/"
)
CANARY_FAILURE = (
    "The primary container for production variant AllTraffic did not pass the ping health "
    "check. Please check CloudWatch logs for this endpoint."
)

FEATURES_PIPELINE = "customer-features-pipeline"
XGB_PIPELINE = "churn-xgb-training-pipeline"
LGBM_PIPELINE = "churn-lgbm-training-pipeline"
SCORING_PIPELINE = "churn-batch-scoring-pipeline"
PARTNER_PIPELINE = "partner-churn-scoring-pipeline"
# Execution ids of the feature runs, oldest first (the trainers' runs follow each).
FEATURE_RUNS = ("cf7k2m9x4q1a", "cf7k2m9x4q1b", "cf7k2m9x4q1c")
# The partner's runs, oldest first: one Failed reading the first feature run, one Succeeded
# reading the newest.
PARTNER_RUNS = ("pp2c4e6g8i0a", "pp2c4e6g8i0b")


def features_definition() -> JsonDict:
    p = FEATURES_PIPELINE
    return definition(
        [
            parameter("RawDataUri", "String", f"s3://{ESTATE_RAW_BUCKET}/raw/customers/"),
            parameter("ProcessingInstanceType", "String", "ml.m5.xlarge"),
        ],
        [
            processing_step(
                "BuildFeatures",
                image=SKLEARN_IMAGE,
                script="features.py",
                code_uri=f"s3://{ESTATE_RAW_BUCKET}/code/{p}/features.py",
                inputs={"raw": get("Parameters.RawDataUri")},
                # One folder per run, like the SDK's default paths under the execution id.
                outputs={
                    "features": join(
                        f"s3://{ESTATE_FEATURES_BUCKET}/features/customers",
                        get("Execution.PipelineExecutionId"),
                    )
                },
                instance_type=get("Parameters.ProcessingInstanceType"),
                display_name="Build customer features",
                property_files=(("FeatureManifest", "features", "_manifest.json"),),
            ),
            processing_step(
                "ValidateFeatures",
                image=SKLEARN_IMAGE,
                script="validate.py",
                code_uri=f"s3://{ESTATE_RAW_BUCKET}/code/{p}/validate.py",
                inputs={
                    "features": get(
                        "Steps.BuildFeatures.ProcessingOutputConfig.Outputs['features']"
                        ".S3Output.S3Uri"
                    )
                },
                outputs={
                    "report": execution_output(ESTATE_FEATURES_BUCKET, p, "ValidateFeatures",
                                               "report")
                },
            ),
        ],
    )


def _manifest(rows: int) -> JsonDict:
    return {"rows": rows, "columns": 42, "files": ["part-00000.parquet", "part-00001.parquet"]}


def _training_definition(
    *, pipeline: str, step: str, image: str, group: str, deploy: bool
) -> JsonDict:
    output = f"s3://{ESTATE_MODELS_BUCKET}/{pipeline}/models"
    model_data = get(f"Steps.{step}.ModelArtifacts.S3ModelArtifacts")
    steps: list[JsonDict] = [
        training_step(
            step,
            image=image,
            channels={"train": get("Parameters.FeaturesUri")},
            output_path=output,
            hyperparameters={"objective": "binary", "num_round": "100"},
        ),
        register_step(
            step.replace("Train", "Register"),
            group=group,
            image=image,
            model_data=model_data,
            statistics=join(output, get("Execution.PipelineExecutionId"), "evaluation.json"),
            approval=get("Parameters.ModelApprovalStatus"),
        ),
    ]
    if deploy:
        steps += [
            model_step("CreateStagingModel", image=image, model_data=model_data),
            {
                "Name": "StagingEndpointConfig",
                "Type": "EndpointConfig",
                "Arguments": {
                    "ProductionVariants": [
                        {
                            "VariantName": "AllTraffic",
                            "ModelName": get("Steps.CreateStagingModel.ModelName"),
                            "InstanceType": "ml.m5.large",
                            "InitialInstanceCount": 1,
                            "InitialVariantWeight": 1.0,
                        }
                    ]
                },
            },
            {
                "Name": "DeployStaging",
                "Type": "Endpoint",
                "Arguments": {
                    "EndpointName": "churn-lgbm-staging",
                    "EndpointConfigName": get(
                        "Steps.StagingEndpointConfig.EndpointConfigName"
                    ),
                },
            },
        ]
    return definition(
        [
            parameter("FeaturesUri", "String", FEATURES_PREFIX),
            parameter("ModelApprovalStatus", "String", "PendingManualApproval"),
        ],
        steps,
    )


def _scoring_definition(pipeline: str, output_bucket: str, role: str = ROLE_ARN) -> JsonDict:
    return definition(
        [parameter("FeaturesUri", "String", FEATURES_PREFIX)],
        [
            processing_step(
                "ScoreCustomers",
                image=SKLEARN_IMAGE,
                script="score.py",
                code_uri=f"s3://{output_bucket}/code/score.py",
                inputs={"features": get("Parameters.FeaturesUri")},
                outputs={
                    "scores": join(
                        f"s3://{output_bucket}/scores", get("Execution.PipelineExecutionId")
                    )
                },
                role=role,
            )
        ],
    )


FEATURES = PipelineSpec(
    name=FEATURES_PIPELINE,
    region=SEOUL,
    display_name="Customer features",
    description="Builds the customer feature set the churn trainers read",
    created=at(days=-40),
    # Built in the Studio domain ml-platform (WORLD.domains), as mlops-pipeline is.
    tags={"Project": "estate", "Team": "features", "DomainName": ESTATE_DOMAIN},
    definition=features_definition(),
    executions=(
        ExecutionSpec(
            execution_id=FEATURE_RUNS[0],
            status="Succeeded",
            started=at(days=-6),
            reports={"FeatureManifest": _manifest(120_000)},
        ),
        ExecutionSpec(
            execution_id=FEATURE_RUNS[1],
            status="Failed",
            started=at(days=-4),
            reports={"FeatureManifest": _manifest(121_400)},
            failures={"ValidateFeatures": "AlgorithmError: 3.2% of rows have a null tenure"},
        ),
        ExecutionSpec(
            execution_id=FEATURE_RUNS[2],
            status="Succeeded",
            started=at(days=-2),
            reports={"FeatureManifest": _manifest(123_050)},
        ),
    ),
)

def _training_run(execution_id: str, started: datetime, *, step: str, auc: float,
                  approval: str | None = None, features_run: str | None = None) -> ExecutionSpec:
    """A succeeded trainer's run: its AUC, the package's approval (if it changed from the
    default) and the feature run it read (if not the whole prefix)."""
    return ExecutionSpec(
        execution_id=execution_id,
        status="Succeeded",
        started=started,
        parameters=(
            {"FeaturesUri": f"{FEATURES_PREFIX}{features_run}/"} if features_run else {}
        ),
        metrics={step: {"validation:auc": auc}},
        approval={step.replace("Train", "Register"): approval} if approval else {},
    )


def _training_pipeline(
    name: str, *, step: str, image: str, group: str, deploy: bool, created: datetime,
    runs: tuple[ExecutionSpec, ...],
) -> PipelineSpec:
    return PipelineSpec(
        name=name,
        region=SEOUL,
        created=created,
        tags={"Project": "estate", "Team": "retention"},
        model_package_groups=(group,),
        definition=_training_definition(
            pipeline=name, step=step, image=image, group=group, deploy=deploy
        ),
        executions=runs,
    )


XGB_TRAINING = _training_pipeline(
    XGB_PIPELINE, step="TrainXgb", image=XGBOOST_IMAGE, group=XGB_MODEL_GROUP, deploy=False,
    created=at(days=-35),
    runs=(
        _training_run("cx8p3n5v2w1a", at(days=-5), step="TrainXgb", auc=0.84,
                      approval="Approved"),
        _training_run("cx8p3n5v2w1b", at(days=-3), step="TrainXgb", auc=0.71,
                      approval="Rejected"),
        _training_run("cx8p3n5v2w1c", at(days=-1), step="TrainXgb", auc=0.86),
    ),
)

LGBM_TRAINING = _training_pipeline(
    LGBM_PIPELINE, step="TrainLgbm", image=LGBM_IMAGE, group=LGBM_MODEL_GROUP, deploy=True,
    created=at(days=-20),
    runs=(
        _training_run("cl4t6r8y0u2a", at(days=-4, hours=6), step="TrainLgbm", auc=0.83,
                      approval="Approved", features_run=FEATURE_RUNS[1]),
        _training_run("cl4t6r8y0u2b", at(days=-2, hours=6), step="TrainLgbm", auc=0.85,
                      features_run=FEATURE_RUNS[2]),
    ),
)

SCORING = PipelineSpec(
    name=SCORING_PIPELINE,
    region=VIRGINIA,
    created=at(days=-10),
    tags={"Project": "estate"},
    definition=_scoring_definition(SCORING_PIPELINE, ESTATE_SCORES_BUCKET),
    executions=(
        ExecutionSpec(
            execution_id="cs1b3d5f7h9a", status="Succeeded", started=at(days=-2, hours=3)
        ),
        ExecutionSpec(execution_id="cs1b3d5f7h9b", status="Succeeded", started=at(hours=-20)),
    ),
)

PARTNER = PipelineSpec(
    name=PARTNER_PIPELINE,
    region=SEOUL,
    created=at(days=-12),
    tags={"Project": "partner"},
    definition=_scoring_definition(
        PARTNER_PIPELINE, PARTNER_BUCKET, execution_role(SECOND_ACCOUNT_ID)
    ),
    executions=(
        ExecutionSpec(
            execution_id=PARTNER_RUNS[0],
            status="Failed",
            started=at(days=-5, hours=2),
            parameters={"FeaturesUri": f"{FEATURES_PREFIX}{FEATURE_RUNS[0]}/"},
            failures={"ScoreCustomers": PARTNER_READ_FAILURE},
        ),
        ExecutionSpec(
            execution_id=PARTNER_RUNS[1],
            status="Succeeded",
            started=at(hours=-30),
            parameters={"FeaturesUri": f"{FEATURES_PREFIX}{FEATURE_RUNS[2]}/"},
        ),
    ),
)

ESTATE_MODELS = (
    ModelSpec("churn-xgb-v1", SEOUL, StepOutput(XGB_PIPELINE, "cx8p3n5v2w1a", "RegisterXgb"),
              XGBOOST_IMAGE, at(days=-4, hours=20)),
    ModelSpec("churn-xgb-v3", SEOUL, StepOutput(XGB_PIPELINE, "cx8p3n5v2w1c", "TrainXgb"),
              XGBOOST_IMAGE, at(hours=-20)),
    ModelSpec("churn-lgbm-v1", SEOUL, StepOutput(LGBM_PIPELINE, "cl4t6r8y0u2a", "TrainLgbm"),
              LGBM_IMAGE, at(days=-3)),
)

ESTATE_ENDPOINTS = (
    EndpointSpec(
        "churn-prod",
        SEOUL,
        (VariantSpec("AllTraffic", "churn-xgb-v1", instance_type="ml.m5.xlarge", instances=2),),
        created=at(days=-4, hours=21),
        tags={"Env": "production"},
    ),
    EndpointSpec(
        "churn-canary",
        SEOUL,
        (VariantSpec("AllTraffic", "churn-xgb-v3"),),
        created=at(hours=-19),
        status="Failed",
        failure_reason=CANARY_FAILURE,
    ),
    EndpointSpec(
        "churn-ab-test",
        SEOUL,
        (
            VariantSpec("XgbVariant", "churn-xgb-v1", weight=0.8),
            VariantSpec("LgbmVariant", "churn-lgbm-v1", weight=0.2),
        ),
        shadow_variants=(VariantSpec("ShadowXgbV3", "churn-xgb-v3"),),
        created=at(hours=-2),
        status="Updating",
    ),
)

#: How long the features bucket keeps a feature run (its lifecycle rule on ``features/``).
FEATURES_EXPIRE_DAYS = 30
#: The features bucket's policy: the partner's role may read the feature runs (the grant the
#: partner's failed run lacked), and a statement added while that was debugged lets anyone
#: read them: GetBucketPolicyStatus says IsPublic (no public access block stops it).
FEATURES_POLICY = (
    {
        "Sid": "PartnerReadsFeatureRuns",
        "Effect": "Allow",
        "Principal": {"AWS": SECOND_ACCOUNT_ROLE_ARN},
        "Action": ["s3:GetObject"],
        "Resource": f"arn:aws:s3:::{ESTATE_FEATURES_BUCKET}/features/customers/*",
    },
    {
        "Sid": "TemporaryPublicReadForDebugging",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{ESTATE_FEATURES_BUCKET}/features/*",
    },
)
FEATURES_LIFECYCLE = (
    {
        # Feature runs are rebuilt daily; nobody thought of the models trained on them.
        "ID": "expire-feature-runs",
        "Status": "Enabled",
        "Filter": {"Prefix": "features/"},
        "Expiration": {"Days": FEATURES_EXPIRE_DAYS},
    },
    {
        "ID": "abort-incomplete-uploads",
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
    },
)
# The raw bucket moves old exports to Glacier: nothing expires.
RAW_LIFECYCLE = (
    {
        "ID": "archive-raw-exports",
        "Status": "Enabled",
        "Filter": {"Prefix": "raw/"},
        "Transitions": [{"Days": 90, "StorageClass": "GLACIER"}],
    },
)
# Model artifacts are kept (Object Lock, governance mode, a year); old versions go after 90 days.
MODELS_LIFECYCLE = (
    {
        "ID": "expire-old-model-versions",
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
    },
)

ESTATE_BUCKETS = (
    BucketSpec(ESTATE_RAW_BUCKET, SEOUL, "AES256", "Enabled", "all", {"Team": "data"},
               lifecycle=RAW_LIFECYCLE),
    BucketSpec(ESTATE_FEATURES_BUCKET, SEOUL, None, None, None, {"Team": "features"},
               policy=FEATURES_POLICY, lifecycle=FEATURES_LIFECYCLE),
    BucketSpec(ESTATE_MODELS_BUCKET, SEOUL, "aws:kms", "Enabled", "all", {"Team": "retention"},
               lifecycle=MODELS_LIFECYCLE, object_lock=("GOVERNANCE", 365)),
    BucketSpec(ESTATE_SCORES_BUCKET, VIRGINIA, "AES256", "Suspended", "partial", {}),
)

#: Macie in Seoul (not in us-east-1, not in the partner's account): a discovery job found
#: personal data in the raw customer exports; one finding was archived (a test file), and
#: the features bucket's public policy is a policy finding (not sensitive data).
ESTATE_MACIE = MacieSpec(
    SEOUL,
    findings=(
        MacieFindingSpec(ESTATE_RAW_BUCKET, "raw/customers/2025-02/customers-000.csv",
                         "SensitiveData:S3Object/Personal", at(days=-9), occurrences=48_210),
        MacieFindingSpec(ESTATE_RAW_BUCKET, "raw/customers/2025-02/customers-001.csv",
                         "SensitiveData:S3Object/Personal", at(days=-9), occurrences=47_988),
        MacieFindingSpec(ESTATE_RAW_BUCKET, "raw/customers/2025-02/contacts.parquet",
                         "SensitiveData:S3Object/Multiple", at(days=-9), occurrences=12_400),
        MacieFindingSpec(ESTATE_RAW_BUCKET, "raw/customers/samples/fake-cards.csv",
                         "SensitiveData:S3Object/Financial", at(days=-9), severity="Medium",
                         archived=True),
        MacieFindingSpec(ESTATE_FEATURES_BUCKET, "", "Policy:IAMUser/S3BucketPublic",
                         at(days=-3), severity="High"),
    ),
)

ESTATE_PIPELINES = (FEATURES, XGB_TRAINING, LGBM_TRAINING, SCORING)

SECOND_ACCOUNT = AccountSpec(
    account_id=SECOND_ACCOUNT_ID,
    role_arn=SECOND_ACCOUNT_ROLE_ARN,
    buckets=(BucketSpec(PARTNER_BUCKET, SEOUL, "aws:kms", None, "all", {"Owner": "partner"}),),
    pipelines=(PARTNER,),
)
