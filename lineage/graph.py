"""Parsed definition + what the run told -> the lineage document of docs/CONTRACT.md (pure).

Adds what only the whole picture gives: the artifacts (every S3 URI read or written, once,
with the steps that write it or a folder above it), the ``artifact`` edges (a step reads what
another wrote, and nothing else links them yet), the values a Condition compared (a report's
number is in the producing step's run), and the summary.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from lineage.conditions import explain
from lineage.definition import CONDITION, ParsedDefinition, ParsedStep
from lineage.models import (
    NOT_EXECUTED,
    NOT_STARTED,
    UNKNOWN,
    Artifact,
    ConditionResult,
    Edge,
    ExecutionInfo,
    IORef,
    LineageDocument,
    Node,
    PipelineInfo,
    Registry,
    RunInfo,
    S3Settings,
    Summary,
    Warning,
)
from lineage.step_types import normalize_s3_uri

S3_SCHEME = "s3://"
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html (general
# purpose buckets; legacy names with capitals or "_" cannot be made any more).
BUCKET_NAME_PATTERN = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
_BUCKET_NAME = re.compile(f"^{BUCKET_NAME_PATTERN}$")
UNKNOWN_S3_SETTINGS = S3Settings(
    encryption=UNKNOWN, versioning=UNKNOWN, public_access=UNKNOWN, tags=None
)
BUCKET_UNRESOLVED = "S3_BUCKET_UNRESOLVED"


@dataclass(frozen=True)
class StepEnrichment:
    run: RunInfo | None = None
    registry: Registry | None = None
    condition: ConditionResult | None = None
    inputs: tuple[IORef, ...] | None = None  # concrete, merged by name over the definition's
    outputs: tuple[IORef, ...] | None = None


def _parts(uri: str) -> tuple[str, str] | None:
    """(bucket, key) of any ``s3://`` URI with a non-empty bucket part, valid or not."""
    if not uri.startswith(S3_SCHEME):
        return None
    bucket, _, key = uri[len(S3_SCHEME) :].partition("/")
    return (bucket, key) if bucket else None


def split_s3_uri(uri: str) -> tuple[str, str] | None:
    """(bucket, key); ``None`` if not a fetchable S3 URI.

    Not fetchable: another scheme, a ``{...}`` placeholder or a Terraform ``${bucket}`` in
    the bucket part, anything that is not a valid bucket name. ``s3:/b/k`` reads as
    ``s3://b/k`` (see :func:`lineage.step_types.normalize_s3_uri`).
    """
    parts = _parts(normalize_s3_uri(uri))
    if parts is None or not _BUCKET_NAME.match(parts[0]) or ".." in parts[0]:
        return None
    return parts


def _merge(defined: tuple[IORef, ...], concrete: tuple[IORef, ...] | None) -> tuple[IORef, ...]:
    """Concrete refs replace the definition's of the same name, in place; others are kept."""
    if concrete is None:
        return defined
    by_name: dict[str, list[IORef]] = {}
    for ref in concrete:
        by_name.setdefault(ref.name, []).append(ref)
    merged: list[IORef] = []
    for ref in defined:
        if ref.name not in by_name:
            merged.append(ref)
        elif by_name[ref.name]:
            merged.extend(by_name[ref.name])
            by_name[ref.name] = []
    merged.extend(ref for refs in by_name.values() for ref in refs)
    return tuple(dict.fromkeys(merged))


def _concrete_outputs(
    parsed: ParsedDefinition, enrichments: Mapping[str, StepEnrichment]
) -> dict[str, str]:
    """Definition-time output URI -> the URI the producing job really wrote.

    A step whose job has no Describe* answer (a Model step, or a RegisterModel step that reads
    ``Steps.Train.ModelArtifacts...``) still learns the real location from its producer.
    Ambiguous mappings (one definition URI, several real ones) are left out.
    """
    found: dict[str, set[str]] = {}
    for step in parsed.steps:
        concrete = enrichments.get(step.name, StepEnrichment()).outputs
        if not concrete:
            continue
        real = {ref.name: ref.uri for ref in concrete}
        for ref in step.outputs:
            if ref.name in real and real[ref.name] != ref.uri:
                found.setdefault(ref.uri, set()).add(real[ref.name])
    return {defined: next(iter(uris)) for defined, uris in found.items() if len(uris) == 1}


def _as_produced(ref: IORef, produced: Mapping[str, str]) -> IORef:
    """``ref`` pointing where its producer really wrote (the same URI or one under it)."""
    if ref.uri in produced:
        return IORef(ref.name, produced[ref.uri])
    for defined, real in produced.items():
        prefix = defined.rstrip("/") + "/"
        if ref.uri.startswith(prefix):
            return IORef(ref.name, real.rstrip("/") + "/" + ref.uri[len(prefix) :])
    return ref


def _has_placeholder(uri: str) -> bool:
    return "{" in uri


def reads_from(written: str, read: str) -> bool:
    """A read of ``read`` consumes what was written at ``written``: the same URI, or one
    under it at a ``/`` boundary. Placeholder URIs only match when equal."""
    if written == read:
        return True
    if _has_placeholder(written) or _parts(written) is None or _parts(read) is None:
        return False
    return read.startswith(written.rstrip("/") + "/")


Reaches = Callable[[str, str], bool]


def _reachability(edges: Sequence[Edge]) -> Reaches:
    """``reaches(a, b)``: is ``b`` reachable from ``a`` over ``edges``?

    Built once: strongly connected components (Tarjan's, iterative) and, for each component,
    the set of components below it as the bits of one integer. A ring of 10,000 steps costs
    a few megabytes, where a set of descendants per step would cost 10,000 squared.
    """
    children: dict[str, list[str]] = {}
    for edge in edges:
        children.setdefault(edge.source, []).append(edge.target)
        children.setdefault(edge.target, [])
    component: dict[str, int] = {}
    below: list[int] = []  # component -> bits of the components reachable from it
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for root in children:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = children[node]
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if work:  # hand our low-link to the parent once we are done
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                # Tarjan closes components sinks first, so every child component is done.
                number = len(below)
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component[member] = number
                    members.append(member)
                    if member == node:
                        break
                bits = 0
                for member in members:
                    for target in children[member]:
                        other = component[target]
                        bits |= (1 << other) | (below[other] if other != number else 0)
                below.append(bits)

    def reaches(start: str, goal: str) -> bool:
        if start not in component or goal not in component:
            return False
        return bool(below[component[start]] >> component[goal] & 1)

    return reaches


@dataclass(frozen=True)
class _Written:
    """What the steps wrote, indexed so that a URI looks up itself and its parent prefixes
    instead of being compared with every output of every step."""

    exact: Mapping[str, set[str]]  # output URI -> the steps writing it
    under: Mapping[str, set[str]]  # output URI without its last "/" (no placeholder) -> steps

    @classmethod
    def of(cls, nodes: Sequence[Node]) -> _Written:
        exact: dict[str, set[str]] = {}
        under: dict[str, set[str]] = {}
        for producer in nodes:
            for out in producer.outputs:
                exact.setdefault(out.uri, set()).add(producer.id)
                if not _has_placeholder(out.uri) and _parts(out.uri) is not None:
                    under.setdefault(out.uri.rstrip("/"), set()).add(producer.id)
        return cls(exact, under)

    def writers_of(self, read: str, *, bucket_root: bool = True) -> set[str]:
        """Steps whose output ``read`` reads (see :func:`reads_from`); without ``bucket_root``,
        an output that is a whole bucket does not count."""
        writers = set(self.exact.get(read, ()))
        if _parts(read) is None:
            return writers
        slash = read.find("/", len(S3_SCHEME))
        if not bucket_root and slash != -1:
            slash = read.find("/", slash + 1)
        while slash != -1:
            writers |= self.under.get(read[:slash], set())
            slash = read.find("/", slash + 1)
        return writers


def _artifact_edges(
    nodes: Sequence[Node], edges: Sequence[Edge], written: _Written, reaches: Reaches
) -> list[Edge]:
    """Producer -> consumer when the consumer reads what the producer wrote and no edge links
    them yet.

    One more rule: no artifact edge against the pipeline's own order. When the consumer
    already runs before the producer (the producer is reachable from it over the other
    edges), the consumer reads an older object, not this run's output: a training job writing
    to a bucket root would otherwise "feed" the code file its upstream processing step reads.
    """
    linked = {(edge.source, edge.target) for edge in edges}
    found: set[tuple[str, str]] = set()
    for consumer in nodes:
        for inp in consumer.inputs:
            for producer_id in written.writers_of(inp.uri):
                pair = (producer_id, consumer.id)
                if producer_id == consumer.id or pair in linked or pair in found:
                    continue
                if not reaches(consumer.id, producer_id):
                    found.add(pair)
    return [Edge(source, target, "artifact") for source, target in found]


def _producers(
    uri: str, consumers: set[str], written: _Written, reaches: Reaches
) -> tuple[str, ...]:
    """The steps that write ``uri``, or a folder above it (the rule of :func:`reads_from`).

    A step writing only a folder above it is left out where the object was there before the
    step ran: the step reads it itself (a step never produces its own input), or a step
    reading it runs before it (the rule of the artifact edges). A whole bucket is no such
    folder: the SDK's default output path is the default bucket's root, and that does not
    make a training job the author of every code file uploaded there.
    """
    exact = written.exact.get(uri, set())
    found = set(exact)
    for writer in written.writers_of(uri, bucket_root=False) - exact:
        if writer in consumers or any(reaches(reader, writer) for reader in consumers):
            continue
        found.add(writer)
    return tuple(sorted(found))


def _artifacts(
    nodes: Sequence[Node],
    bucket_settings: Mapping[str, S3Settings] | None,
    written: _Written,
    reaches: Reaches,
) -> tuple[tuple[Artifact, ...], list[Warning]]:
    """Every S3 location read or written, once; and a warning per bucket that cannot be real.

    A bucket part that no S3 bucket can have (an unrendered ``${bucket}``, a
    ``{Parameters.X}`` placeholder, capitals) was never sent to S3: its settings are Unknown.
    """
    uris: set[str] = set()
    consumers: dict[str, set[str]] = {}
    for node in nodes:
        for ref in node.outputs:
            if _parts(ref.uri) is not None:
                uris.add(ref.uri)
        for ref in node.inputs:
            if _parts(ref.uri) is not None:
                uris.add(ref.uri)
                consumers.setdefault(ref.uri, set()).add(node.id)
    artifacts = []
    unresolved: set[str] = set()
    for number, uri in enumerate(sorted(uris), start=1):
        parts = _parts(uri)
        assert parts is not None  # only such URIs were collected
        bucket, key = parts
        settings = None
        if bucket_settings is not None:
            settings = bucket_settings.get(bucket, UNKNOWN_S3_SETTINGS)
            if split_s3_uri(uri) is None:
                unresolved.add(bucket)
        artifacts.append(
            Artifact(
                id=number,
                uri=uri,
                bucket=bucket,
                key=key,
                producers=_producers(uri, consumers.get(uri, set()), written, reaches),
                consumers=tuple(sorted(consumers.get(uri, ()))),
                s3=settings,
            )
        )
    warnings = [
        Warning(
            BUCKET_UNRESOLVED,
            f"bucket {bucket} is not a real bucket name (an unresolved value?); its settings "
            "are Unknown",
            bucket,
        )
        for bucket in sorted(unresolved)
    ]
    return tuple(artifacts), warnings


def _summary(nodes: Sequence[Node], execution: ExecutionInfo | None) -> Summary:
    counts = Counter(node.run.status if node.run else NOT_STARTED for node in nodes)
    return Summary(
        overall_status=execution.status if execution else NOT_EXECUTED,
        node_status=dict(counts),
        elapsed_sec=execution.elapsed_sec if execution else None,
    )


def _condition(
    step: ParsedStep, extra: StepEnrichment, enrichments: Mapping[str, StepEnrichment]
) -> ConditionResult | None:
    """A Condition's outcome (from its run) and its clauses with the values it compared."""
    if step.type != CONDITION:
        return extra.condition

    def metric(step_name: str, key: str) -> float | None:
        run = enrichments[step_name].run if step_name in enrichments else None
        return run.metrics.get(key) if run is not None else None

    return ConditionResult(
        outcome=extra.condition.outcome if extra.condition is not None else None,
        conditions=explain(step.conditions, metric),
    )


def build_document(
    parsed: ParsedDefinition,
    *,
    pipeline: PipelineInfo,
    execution: ExecutionInfo | None = None,
    enrichments: Mapping[str, StepEnrichment] | None = None,
    bucket_settings: Mapping[str, S3Settings] | None = None,  # None: no "s3" key
    warnings: Sequence[Warning] = (),
    generated_at: datetime,
) -> LineageDocument:
    """The lineage document: nodes in definition order, edges and artifacts sorted."""
    enrichments = enrichments or {}
    produced = _concrete_outputs(parsed, enrichments)
    nodes = []
    for step in parsed.steps:
        extra = enrichments.get(step.name, StepEnrichment())
        inputs = _merge(step.inputs, extra.inputs)
        if extra.inputs is None:
            inputs = tuple(_as_produced(ref, produced) for ref in inputs)
        nodes.append(
            Node(
                id=step.name,
                type=step.type,
                inputs=inputs,
                outputs=_merge(step.outputs, extra.outputs),
                run=extra.run,
                registry=extra.registry,
                condition=_condition(step, extra, enrichments),
            )
        )
    written = _Written.of(nodes)
    reaches = _reachability(parsed.edges)
    edges = sorted(
        [*parsed.edges, *_artifact_edges(nodes, parsed.edges, written, reaches)],
        key=lambda edge: (edge.source, edge.target, edge.via),
    )
    artifacts, artifact_warnings = _artifacts(nodes, bucket_settings, written, reaches)
    all_warnings = sorted(
        {*parsed.warnings, *warnings, *artifact_warnings},
        key=lambda w: (w.code, w.message, w.target or ""),
    )
    return LineageDocument(
        pipeline=pipeline,
        execution=execution,
        summary=_summary(nodes, execution),
        nodes=tuple(nodes),
        edges=tuple(edges),
        artifacts=artifacts,
        warnings=tuple(all_warnings),
        generated_at=generated_at,
    )
