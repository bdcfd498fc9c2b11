"""What the seeded world holds: its shapes (buckets, pipelines, executions, domains) as frozen
data, and the fixed constants every part of it shares.

Every timestamp is :data:`BASE_TIME` shifted by a fixed offset (:func:`at`), so a test can
assert it; only the runs of a :class:`LiveSpec` are dated from the wall clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from lineage.sandbox import ACCOUNT_ID

JsonDict = dict[str, Any]
ExecutionStatus = Literal["Executing", "Stopping", "Stopped", "Failed", "Succeeded"]

#: Every seeded timestamp is this moment plus or minus a fixed offset.
BASE_TIME = datetime(2025, 3, 3, 9, 0, 0, tzinfo=UTC)
SEOUL = "ap-northeast-2"
VIRGINIA = "us-east-1"


def execution_role(account: str) -> str:
    """The SageMaker execution role the pipelines and jobs of ``account`` run as."""
    return (
        f"arn:aws:iam::{account}:role/service-role/AmazonSageMaker-ExecutionRole-20250101T000000"
    )


ROLE_ARN = execution_role(ACCOUNT_ID)
KMS_KEY_ARN = f"arn:aws:kms:{SEOUL}:{ACCOUNT_ID}:key/1f2e3d4c-5b6a-4789-8abc-def012345678"
EXECUTION_FAILURE = "Step failure: One or multiple steps failed."
SKLEARN_IMAGE = (
    "366743142698.dkr.ecr.ap-northeast-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
)
XGBOOST_IMAGE = "366743142698.dkr.ecr.ap-northeast-2.amazonaws.com/sagemaker-xgboost:1.7-1"
HF_IMAGE = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
    "huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04"
)


def at(days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
    """``BASE_TIME`` shifted by the given offset (negative: before)."""
    return BASE_TIME + timedelta(days=days, hours=hours, minutes=minutes)


@dataclass(frozen=True)
class BucketSpec:
    name: str
    region: str
    encryption: Literal["AES256", "aws:kms"] | None = None  # None: no default encryption
    versioning: Literal["Enabled", "Suspended"] | None = None  # None: never enabled
    public_access: Literal["all", "partial"] | None = None  # None: no block configuration
    tags: Mapping[str, str] = field(default_factory=dict)
    # The bucket policy's statements (PutBucketPolicy); () for none. A statement allowing
    # Principal "*" without a Condition makes GetBucketPolicyStatus say IsPublic.
    policy: tuple[JsonDict, ...] = ()
    # PutBucketLifecycleConfiguration's Rules, as AWS takes them; () for no configuration.
    lifecycle: tuple[JsonDict, ...] = ()
    # Object Lock (only at creation, with versioning): the default retention, or None for
    # a bucket made without it. ("GOVERNANCE" | "COMPLIANCE", days)
    object_lock: tuple[Literal["GOVERNANCE", "COMPLIANCE"], int] | None = None


@dataclass(frozen=True)
class ExecutionSpec:
    """One pipeline execution and how it went.

    Steps run in dependency order; a Condition step takes the branch in ``outcomes`` (default
    ``True``); a step in ``failures`` fails with that reason and its dependants never start.
    ``cut_after_s`` freezes the execution that many seconds after its start: finished steps
    stay, running ones are ``Executing`` (``Starting`` in their first 45 s), later ones are
    absent; with status ``Stopped`` the running ones become ``Stopped`` instead. A step starts
    ``gap_s`` after what it waits for and runs its type's typical time plus a deterministic
    0-59 s, unless ``durations`` names its wall time. A step in ``attempts`` reports that
    ``AttemptCount`` (its RetryPolicy retried it; its times are its attempts' together), the
    others 1.
    """

    execution_id: str
    status: ExecutionStatus
    started: datetime
    display_name: str | None = None
    description: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    outcomes: Mapping[str, bool] = field(default_factory=dict)
    failures: Mapping[str, str] = field(default_factory=dict)
    cut_after_s: int | None = None
    metrics: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    reports: Mapping[str, JsonDict] = field(default_factory=dict)  # property file name -> JSON
    approval: Mapping[str, str] = field(default_factory=dict)  # RegisterModel step -> status
    cache_hits: Mapping[str, str] = field(default_factory=dict)  # step -> source execution id
    delays: Mapping[str, int] = field(default_factory=dict)  # step -> extra seconds before start
    definition: JsonDict | None = None  # the definition as of this run (default: pipeline's)
    durations: Mapping[str, int] = field(default_factory=dict)  # step -> its wall time (s)
    attempts: Mapping[str, int] = field(default_factory=dict)  # step -> its AttemptCount (> 1)
    gap_s: int = 5


@dataclass(frozen=True)
class LiveSpec:
    """A pipeline that is always running: one run after another, dated from the wall clock.

    Each run goes as ``run`` says (its id, status, start and cut are each run's own). Run ``n``
    starts ``n`` periods after the Unix epoch, a period being the time from a run's start to
    its last step's start less a few seconds: the newest run is always executing with a step
    still to come, and each run finishes (Succeeded) while the next is under way. Dating runs
    from the epoch rather than from the sandbox's start makes every sandbox show the same runs
    at the same moment. ``history`` finished runs from before the sandbox started are listed.
    """

    run: ExecutionSpec
    history: int = 2


@dataclass(frozen=True)
class PipelineSpec:
    name: str
    region: str
    definition: JsonDict
    created: datetime
    executions: tuple[ExecutionSpec, ...]  # oldest first
    display_name: str | None = None
    description: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    model_package_groups: tuple[str, ...] = ()
    live: LiveSpec | None = None  # runs dated from the wall clock, after ``executions``

    @property
    def arn(self) -> str:
        return f"arn:aws:sagemaker:{self.region}:{ACCOUNT_ID}:pipeline/{self.name}"

    def execution_arn(self, execution_id: str) -> str:
        return f"{self.arn}/execution/{execution_id}"

    @property
    def latest(self) -> ExecutionSpec:
        """The newest of ``executions`` (live runs are newer still)."""
        return max(self.executions, key=lambda e: e.started)


@dataclass(frozen=True)
class DomainSpec:
    name: str
    region: str
    vpc_id: str
    subnet_ids: tuple[str, ...]


@dataclass(frozen=True)
class StepOutput:
    """What one step of one seeded execution produced: its training job's model artifact or
    the model package its RegisterModel step registered."""

    pipeline: str
    execution_id: str
    step: str


@dataclass(frozen=True)
class ModelSpec:
    """A model made outside the pipelines (a deployment), from a pipeline's output: its one
    container names the package (``ModelPackageName``) or the artifact (``ModelDataUrl``)."""

    name: str
    region: str
    source: StepOutput
    image: str
    created: datetime


@dataclass(frozen=True)
class VariantSpec:
    name: str
    model: str
    weight: float = 1.0
    instance_type: str = "ml.m5.large"
    instances: int = 1


@dataclass(frozen=True)
class EndpointSpec:
    """An endpoint and its endpoint config (``<name>-config``), as a deployment made them;
    ``status`` is what DescribeEndpoint reports (moto says ``InService`` at once)."""

    name: str
    region: str
    variants: tuple[VariantSpec, ...]
    created: datetime
    shadow_variants: tuple[VariantSpec, ...] = ()
    status: Literal["InService", "Failed", "Updating", "Creating"] = "InService"
    failure_reason: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def config_name(self) -> str:
        return f"{self.name}-config"


@dataclass(frozen=True)
class AccountSpec:
    """Another account's part of the world, reached by assuming ``role_arn``."""

    account_id: str
    role_arn: str
    buckets: tuple[BucketSpec, ...] = ()
    pipelines: tuple[PipelineSpec, ...] = ()


@dataclass(frozen=True)
class MacieFindingSpec:
    """One Macie finding of an S3 object (what a sensitive-data discovery job reported)."""

    bucket: str
    key: str
    type: str  # SensitiveData:S3Object/Personal, ..., or a Policy:IAMUser/... finding
    created: datetime
    occurrences: int = 1  # how many sensitive items the object holds
    severity: Literal["Low", "Medium", "High"] = "High"
    archived: bool = False  # suppressed by a rule: still listed, not current


@dataclass(frozen=True)
class MacieSpec:
    """Amazon Macie enabled in one account and region, with its findings there."""

    region: str
    account: str = ACCOUNT_ID
    findings: tuple[MacieFindingSpec, ...] = ()


@dataclass(frozen=True)
class FeatureGroupSpec:
    name: str
    region: str
    record_identifier: str
    event_time: str
    features: tuple[tuple[str, str], ...]  # (FeatureName, FeatureType)
    offline_store_uri: str


@dataclass(frozen=True)
class World:
    buckets: tuple[BucketSpec, ...]
    pipelines: tuple[PipelineSpec, ...]
    domains: tuple[DomainSpec, ...]
    models: tuple[ModelSpec, ...] = ()
    endpoints: tuple[EndpointSpec, ...] = ()
    accounts: tuple[AccountSpec, ...] = ()
    macie: tuple[MacieSpec, ...] = ()  # where Macie is enabled (elsewhere it is not)
    # Feature Store (lineage.sandbox.world.datasets; the sandbox adds ListFeatureGroups)
    feature_groups: tuple[FeatureGroupSpec, ...] = ()

    def pipeline(self, name: str) -> PipelineSpec:
        return next(p for p in self.pipelines if p.name == name)

    def bucket(self, name: str) -> BucketSpec:
        return next(b for b in self.buckets if b.name == name)
