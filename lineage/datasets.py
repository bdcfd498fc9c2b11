"""Datasets: an S3 location with its per-run parts folded away (pure).

The runs of one pipeline write to locations that differ only in what each run makes up (its
execution id, its jobs' names, a date); folded, they are one dataset, and two pipelines that
share a location meet in it. The rule lives in :func:`dataset_of`, segment by segment of the
key:

- an execution id (the one given, or the parser's ``{Execution.PipelineExecutionId}`` /
  ``{Execution.PipelineExecutionArn}``) becomes ``{execution}``, inside a segment too
  (``run-{execution}``);
- a segment equal to or containing a job name (one given, a SageMaker pipeline job name
  ``pipelines-<execution id>-<step>-<suffix>``, or the parser's ``{Steps.X.Y}`` placeholder
  for what only the run knows) becomes ``{job}`` as a whole;
- a date or time becomes ``{timestamp}``: ``2025-03-03``, ``2025-03-03T09:00:00Z``,
  ``20250303T090000Z``, ``20250303``, ``2025-03-03-09-00-00-123`` (the SDK's job suffix),
  epoch milliseconds (13 digits), inside a segment too (``train-{timestamp}``), and
  ``2025/03/03[/09]`` as consecutive segments, folded into one;
- the trailing object name is folded to its folder when the folder is per run (holds one of
  the placeholders above) and the name looks like a file (``model.tar.gz``,
  ``evaluation.json``): a training job's model under ``models/{job}/output`` is the dataset
  ``models/{job}/output``. A file in a fixed folder (``code/train.py``) stays itself.

Scheme and bucket are lower-cased, empty segments and the trailing slash dropped. Other
placeholders (``{Parameters.X}``) are kept: they are not per run. Folding is idempotent.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

EXECUTION = "{execution}"
JOB = "{job}"
TIMESTAMP = "{timestamp}"
PER_RUN = (EXECUTION, JOB, TIMESTAMP)

_S3 = re.compile(r"(?i)s3://(?P<bucket>[^/]+)(?:/(?P<key>.*))?")
_EXECUTION_PLACEHOLDER = re.compile(r"\{Execution\.PipelineExecution(?:Id|Arn)\}")
_STEP_PLACEHOLDER = re.compile(r"\{Steps\.[^{}]+\}")
# SageMaker Pipelines names the jobs it starts pipelines-<execution id>-<step>-<suffix>.
_PIPELINE_JOB = re.compile(r"pipelines-[a-z0-9]{12}-[A-Za-z0-9-]+")
_Y, _M, _D = r"(?:19|20)\d\d", r"(?:0[1-9]|1[0-2])", r"(?:0[1-9]|[12]\d|3[01])"
_HMS = r"(?:[01]\d|2[0-3])[-:_]?[0-5]\d(?:[-:_]?[0-5]\d)?"
# A date, optionally a time and fractions/zone; or epoch milliseconds. Never inside a number.
_TIMESTAMP = re.compile(
    rf"(?<![0-9])(?:{_Y}-{_M}-{_D}(?:[T_-]{_HMS}(?:[-.]\d{{1,6}})?Z?)?"
    rf"|{_Y}{_M}{_D}(?:T?(?:[01]\d|2[0-3])[0-5]\d[0-5]\d(?:\d{{1,6}})?Z?)?"
    rf"|1\d{{12}})(?![0-9])"
)
_YEAR, _MONTH_OR_DAY, _HOUR = re.compile(_Y), re.compile(r"\d\d"), re.compile(r"[01]\d|2[0-3]")
_FILE_NAME = re.compile(r"[^{}/]*[^.{}/]\.[A-Za-z][A-Za-z0-9]{0,9}")


def dataset_of(
    uri: str,
    *,
    execution_id: str | None = None,
    job_names: Iterable[str] = (),
    execution_ids: Iterable[str] = (),
) -> str | None:
    """The folded S3 location of ``uri`` (module docstring), ``None`` if it is not one."""
    ids = sorted({i for i in (execution_id, *execution_ids) if i}, key=len, reverse=True)
    jobs = sorted({j for j in job_names if j}, key=len, reverse=True)
    return _folded(uri, tuple(ids), tuple(jobs))


# Pure, and asked the same again on every rebuild of an estate.
@functools.lru_cache(maxsize=65536)
def _folded(uri: str, ids: tuple[str, ...], jobs: tuple[str, ...]) -> str | None:
    match = _S3.fullmatch(uri.strip())
    if match is None:
        return None
    bucket = match["bucket"]
    if "{" not in bucket:
        bucket = bucket.lower()
    segments = [s for s in (match["key"] or "").split("/") if s]
    folded = [_fold_segment(segment, ids, jobs) for segment in segments]
    folded = _fold_date_paths(folded)
    if (
        len(folded) > 1
        and _FILE_NAME.fullmatch(folded[-1])
        and not _FILE_NAME.fullmatch(folded[-2])
        and any(mark in segment for segment in folded[:-1] for mark in PER_RUN)
    ):
        folded = folded[:-1]
    return "/".join([f"s3://{bucket}", *folded])


def _fold_segment(segment: str, ids: tuple[str, ...], jobs: tuple[str, ...]) -> str:
    if segment in PER_RUN:
        return segment
    if _STEP_PLACEHOLDER.search(segment) or _PIPELINE_JOB.search(segment):
        return JOB
    if any(job in segment for job in jobs):
        return JOB
    segment = _EXECUTION_PLACEHOLDER.sub(EXECUTION, segment)
    for execution in ids:
        segment = segment.replace(execution, EXECUTION)
    return _TIMESTAMP.sub(TIMESTAMP, segment)


def _fold_date_paths(segments: list[str]) -> list[str]:
    """``2025/03/03[/09]`` as segments -> one ``{timestamp}``."""
    out: list[str] = []
    i = 0
    while i < len(segments):
        window = segments[i : i + 3]
        if (
            len(window) == 3
            and _YEAR.fullmatch(window[0])
            and _MONTH_OR_DAY.fullmatch(window[1])
            and 1 <= int(window[1]) <= 12
            and _MONTH_OR_DAY.fullmatch(window[2])
            and 1 <= int(window[2]) <= 31
        ):
            i += 3
            if i < len(segments) and _HOUR.fullmatch(segments[i]):
                i += 1
            out.append(TIMESTAMP)
            continue
        out.append(segments[i])
        i += 1
    return out


def bucket_of(dataset_or_uri: str) -> str | None:
    """The bucket of a dataset or S3 URI (lower-cased like a dataset's), ``None`` if none."""
    match = _S3.fullmatch(dataset_or_uri.strip())
    if match is None:
        return None
    bucket = match["bucket"]
    return bucket if "{" in bucket else bucket.lower()


def dataset_matches(dataset: str, uri_or_prefix: str) -> bool:
    """Whether ``uri_or_prefix`` (folded first) is the dataset, below it or above it.

    At ``/`` boundaries only; a placeholder segment of the dataset matches any one segment
    (a run's concrete folder the fold could not recognise), a bucket alone matches all of it.
    """
    folded = dataset_of(uri_or_prefix)
    if folded is None or not dataset.startswith("s3://"):
        return False
    left, right = dataset[5:].split("/"), folded[5:].split("/")
    return all(_segment_matches(a, b) for a, b in zip(left, right, strict=False))


def _segment_matches(pattern: str, segment: str) -> bool:
    if pattern == segment:
        return True
    if "{" not in pattern:
        return False
    parts = re.split(r"\{[^{}]*\}", pattern)
    return re.fullmatch("[^/]+".join(re.escape(p) for p in parts), segment) is not None


def nearest_folder(location: str, folders: Mapping[str, str]) -> str | None:
    """The dataset of the nearest folder above ``location`` among ``folders`` (keyed by the
    folder without a trailing slash), never a bucket alone (``s3://bucket``)."""
    head = location.rstrip("/")
    while True:
        head, slash, _ = head.rpartition("/")
        if not slash or head.count("/") <= 2:
            return None
        if head in folders:
            return folders[head]
