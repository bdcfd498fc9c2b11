"""The pure parts of the benchmark: bounds, minimum calls, percentiles, the table.

Every goal is a ratio of two figures measured in the same run; absolute times are shown
for information only (they are noisy on a shared 2-core machine).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lineage.buckets import BUCKET_READS, MACIE_BATCH
from lineage.definition import ParsedDefinition
from lineage.step_types import STEP_TYPES, DescribeWhen

STEPS_PER_PAGE = 100  # ListPipelineExecutionSteps MaxResults
# DescribePipeline, ListPipelineExecutions, DescribePipelineExecution,
# DescribePipelineDefinitionForExecution, ListPipelineParametersForExecution, ListTags.
FIXED_CALLS = 6
# Per bucket: encryption, versioning, public access block, tags, policy status, lifecycle,
# Object Lock (lineage.buckets.BUCKET_READS); the regions (one ListBuckets of the account)
# and Macie's come on top (bucket_calls).
BUCKET_SETTINGS_CALLS = len(BUCKET_READS)
# A run's job ARN resource types that have one Describe* call each (lineage.runinfo).
DESCRIBED_RESOURCES = frozenset(
    {
        "training-job",
        "processing-job",
        "transform-job",
        "hyper-parameter-tuning-job",
        "model-package",
    }
)
# Those described whatever the definition says (describe_when METRICS or STATE in
# lineage.step_types): their metrics, a model package's approval.
ALWAYS_DESCRIBED_RESOURCES = frozenset(
    {"training-job", "hyper-parameter-tuning-job", "model-package"}
)


def step_pages(steps_run: int) -> int:
    """Pages of ``ListPipelineExecutionSteps`` for that many steps (at least one)."""
    return max(1, math.ceil(steps_run / STEPS_PER_PAGE))


def rounds(steps_run: int) -> int:
    """Dependent rounds of a request: 3 + pages of steps.

    The pipeline and its executions; each page of steps (the definition, parameters and tags
    come with the first); the Describe* of the last page's jobs; the buckets those reveal.
    """
    return 3 + step_pages(steps_run)


def bound_ms(steps_run: int, latency_ms: float) -> float:
    """The floor of a cold request: ``rounds x latency``."""
    return rounds(steps_run) * latency_ms


def steps_run(document: Mapping[str, Any]) -> int:
    """Steps the execution listed (those with run information)."""
    return sum(1 for node in document["graph"]["nodes"] if node.get("run"))


@dataclass(frozen=True)
class CallBreakdown:
    fixed: int
    pages: int
    describes: int
    bucket_settings: int
    reports: int

    @property
    def total(self) -> int:
        return self.fixed + self.pages + self.describes + self.bucket_settings + self.reports


def bucket_calls(settings: Iterable[Mapping[str, Any]]) -> int:
    """The fewest reads of these buckets' settings (their ``s3`` objects), all of the
    account's own: the same set for each; one ListBuckets for their regions; Macie's session
    once per region the buckets are in, and where it is on one count of the region's buckets
    (per MACIE_BATCH of them), then the findings by type of each bucket that has any (a
    region's single bucket: its findings by type at once)."""
    settings = list(settings)
    regions: dict[str, list[str]] = {}
    for s3 in settings:
        if s3.get("region"):
            status = str((s3.get("sensitiveData") or {}).get("status"))
            regions.setdefault(str(s3["region"]), []).append(status)
    macie = 0
    for statuses in regions.values():
        read = [status for status in statuses if status in ("Found", "NoneFound")]
        if len(read) == 1:
            macie += 1
        elif read:
            macie += math.ceil(len(read) / MACIE_BATCH) + read.count("Found")
    listing = 1 if settings else 0
    return BUCKET_SETTINGS_CALLS * len(settings) + listing + len(regions) + macie


def _described_anyway(step_type: str) -> bool:
    spec = STEP_TYPES.get(step_type)
    call = spec.metadata.describe if spec is not None and spec.metadata is not None else None
    return call is not None and call.describe_when is not DescribeWhen.UNRESOLVED


def unresolved_steps(parsed: ParsedDefinition) -> frozenset[str]:
    """Steps whose job's Describe* the document needs for its locations: an output the
    definition leaves a placeholder, or an input that is one no always-described step's
    answer resolves (LINEAGE_DESCRIBE=needed's rule, counted here independently)."""
    resolved = [ref.uri for step in parsed.steps if _described_anyway(step.type)
                for ref in step.outputs if "{" in ref.uri]

    def resolvable(uri: str) -> bool:
        return any(uri == out or uri.startswith(out.rstrip("/") + "/") for out in resolved)

    return frozenset(
        step.name for step in parsed.steps
        if any("{" in ref.uri for ref in step.outputs)
        or any("{" in ref.uri and not resolvable(ref.uri) for ref in step.inputs)
    )


def minimum_calls(
    document: Mapping[str, Any],
    report_steps: Iterable[str] = (),
    unresolved: Iterable[str] | None = None,
) -> CallBreakdown:
    """The fewest AWS calls that can produce ``document``: a Describe* per job whose answer
    adds to it, one set per bucket.

    ``report_steps`` names the steps whose property files (evaluation reports) are read: one
    ``GetObject`` each when the step succeeded. A tuning job adds its best training job.
    ``unresolved`` names the steps whose locations only their job's answer gives
    (:func:`unresolved_steps`); a processing or transform job of another step (not a cache
    hit) is not described. ``None``: every job is (``LINEAGE_DESCRIBE=all``).
    """
    nodes = document["graph"]["nodes"]
    located = None if unresolved is None else frozenset(unresolved)
    jobs: set[str] = set()
    for node in nodes:
        run = node.get("run") or {}
        arn = str(run.get("jobArn") or "")
        resource = arn.split(":", 5)[-1].split("/", 1)[0] if arn.count(":") >= 5 else ""
        needed = (located is None or resource in ALWAYS_DESCRIBED_RESOURCES
                  or node["id"] in located or bool(run.get("cacheHit")))
        if resource in DESCRIBED_RESOURCES and needed:
            jobs.add(arn)
            if resource == "hyper-parameter-tuning-job":
                jobs.add(f"best-training-job-of:{arn}")
    buckets = {a["bucket"]: a["s3"] for a in document["graph"].get("artifacts", [])
               if a.get("s3")}
    wanted = set(report_steps)
    reports = sum(
        1
        for node in nodes
        if node["id"] in wanted and (node.get("run") or {}).get("status") == "Succeeded"
    )
    return CallBreakdown(
        fixed=FIXED_CALLS,
        pages=step_pages(steps_run(document)),
        describes=len(jobs),
        bucket_settings=bucket_calls(buckets.values()),
        reports=reports,
    )


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100), linear between closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


# -- the table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One figure against its goal: ``value <= goal`` (``>=`` when ``at_least``, ``==`` when
    ``exactly``)."""

    label: str
    value: float | None  # None: could not be measured (``note`` says why)
    goal: float | None  # None: shown for information
    at_least: bool = False
    unit: str = ""  # "x" for ratios, "" for counts, "ms", "MB"
    info: str = ""  # absolute times etc.
    note: str = ""
    exactly: bool = False

    @property
    def met(self) -> bool | None:
        if self.value is None or math.isnan(self.value) or self.goal is None:
            return None
        if self.exactly:
            return self.value == self.goal
        return self.value >= self.goal if self.at_least else self.value <= self.goal

    def cells(self) -> list[str]:
        relation = "=" if self.exactly else ">=" if self.at_least else "<="
        goal = "-" if self.goal is None else f"{relation} {_number(self.goal)}{self.unit}"
        value = "n/a" if self.value is None else f"{_number(self.value)}{self.unit}"
        met = {True: "yes", False: "**no**", None: "n/a" if self.goal is not None else "-"}[
            self.met
        ]
        info = "; ".join(part for part in (self.info, self.note) if part)
        return [self.label, value, goal, met, info]


@dataclass
class Row:
    number: int
    title: str
    checks: list[Check] = field(default_factory=list)


HEADER = ["#", "what", "measured", "goal", "met", "absolute figures (information)"]


def format_table(rows: Sequence[Row], preamble: Sequence[str] = ()) -> str:
    """The Markdown table: one line per check, the row number and title on its first line."""
    lines = [*preamble, ""] if preamble else []
    lines.append("| " + " | ".join(HEADER) + " |")
    lines.append("|" + "|".join("---" for _ in HEADER) + "|")
    for row in rows:
        checks = row.checks or [Check("not measured", None, None)]
        for index, check in enumerate(checks):
            number = str(row.number) if index == 0 else ""
            what = f"**{row.title}**: {check.label}" if index == 0 else check.label
            cells = [number, what, *check.cells()[1:]]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _number(value: float) -> str:
    if isinstance(value, int):  # a count
        return str(value)
    if math.isnan(value):
        return "n/a"
    if value == int(value) and abs(value) >= 10:
        return str(int(value))
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


# -- the estate rows -------------------------------------------------------------------------

# One of each per pipeline whose lineage document is read (again): ListPipelineExecutions
# may also serve other purposes, these two only that one.
PIPELINE_READ_OPERATIONS = ("DescribePipelineExecution", "DescribePipelineDefinitionForExecution")


def operation_counts(calls: Iterable[Mapping[str, str]]) -> dict[str, int]:
    """Calls of the sandbox's ledger by operation, the most made first (ties by name)."""
    counts: dict[str, int] = {}
    for call in calls:
        counts[call["operation"]] = counts.get(call["operation"], 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def describe_operations(calls: Iterable[Mapping[str, str]], most: int = 8) -> str:
    """``ListPipelines x3, DescribePipeline x1``: the ``most`` commonest, then how many others."""
    counts = operation_counts(calls)
    if not counts:
        return "no AWS call"
    shown = [f"{operation} x{count}" for operation, count in list(counts.items())[:most]]
    rest = list(counts.values())[most:]
    if rest:
        shown.append(f"{len(rest)} other operations x{sum(rest)}")
    return ", ".join(shown)


def pipelines_read(calls: Iterable[Mapping[str, str]]) -> int:
    """Pipelines whose document a build read: one of each ``PIPELINE_READ_OPERATIONS`` each."""
    counts = operation_counts(calls)
    return max(counts.get(operation, 0) for operation in PIPELINE_READ_OPERATIONS)


def estate_shape(document: Mapping[str, Any]) -> str:
    """``651 nodes (404 dataset, 207 pipeline), 1146 edges, 0 warnings`` of an estate."""
    nodes = document.get("nodes", [])
    kinds: dict[str, int] = {}
    for node in nodes:
        kind = str(node.get("kind") or "node")
        kinds[kind] = kinds.get(kind, 0) + 1
    listed = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
    return (f"{len(nodes)} nodes ({listed}), {len(document.get('edges', []))} edges, "
            f"{len(document.get('warnings', []))} warnings")


def estate_built(document: Mapping[str, Any], previous: str | None = None) -> bool:
    """Whether an ``/estate`` answer is a finished build newer than the one generated at
    ``previous``: no ``progress`` (still building) and another ``generatedAt``."""
    return "progress" not in document and document.get("generatedAt") != previous


# -- the generated large pipeline -----------------------------------------------------------


def large_definition(steps: int = 1000, lanes: int = 20) -> dict[str, Any]:
    """A pipeline definition of ``steps`` Processing steps in ``lanes`` chains.

    Lane ``k`` writes to bucket ``bench-lane-kk``; each step reads its predecessor's output,
    and every tenth step also reads the previous lane's output at the same depth, so the
    graph is connected and has a few thousand edges.
    """
    from lineage.sandbox.world import SKLEARN_IMAGE, definition, get, processing_step

    def output(step: str) -> dict[str, Any]:
        return get(f"Steps.{step}.ProcessingOutputConfig.Outputs['out'].S3Output.S3Uri")

    def name(lane: int, depth: int) -> str:
        return f"L{lane:02d}-S{depth:03d}"

    depth_count = math.ceil(steps / lanes)
    made: list[dict[str, Any]] = []
    for depth in range(depth_count):
        for lane in range(lanes):
            if len(made) == steps:
                break
            bucket = f"bench-lane-{lane:02d}"
            inputs: dict[str, Any] = {}
            if depth == 0:
                inputs["raw"] = f"s3://{bucket}/raw/"
            else:
                inputs["prev"] = output(name(lane, depth - 1))
                if depth % 10 == 0 and lane > 0:
                    inputs["cross"] = output(name(lane - 1, depth - 1))
            made.append(
                processing_step(
                    name(lane, depth),
                    image=SKLEARN_IMAGE,
                    script="step.py",
                    code_uri=f"s3://{bucket}/code/step.py",
                    inputs=inputs,
                    outputs={"out": f"s3://{bucket}/data/{name(lane, depth)}/"},
                )
            )
    return definition([], made)
