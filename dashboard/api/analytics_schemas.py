"""The OpenAPI schemas of the analytics answers: ``/compare``, ``/timeline``, ``/trends``.

Written from the engine's own constants (change classes, what may differ in a step, the
outlier rule), so the document cannot name a value the answers never hold.
"""

from __future__ import annotations

from typing import Any, get_args

from lineage.compare import (
    ARGUMENTS,
    CACHE_HIT,
    CHANGE_CLASSES,
    CHANGED,
    FAILURE_REASON,
    INPUTS,
    MAX_KEY_CHANGES,
    METRICS,
    OUTPUTS,
    SAME,
    STATUS,
    TYPE,
)
from lineage.models import Branch, EdgeVia
from lineage.trends import MIN_POINTS, OUTLIER_METHOD, OUTLIER_THRESHOLD, OutlierCheck

JsonDict = dict[str, Any]

_TIME = {"type": "string", "format": "date-time"}
_TEXT = {"type": ["string", "null"]}
_NUMBER = {"type": ["number", "null"]}
_COUNT = {"type": "integer", "minimum": 0}
_NAMES = {"type": "array", "items": {"type": "string"}}
_CHANGE = {"enum": list(CHANGE_CLASSES),
           "description": "added: only in b; removed: only in a; changed; same"}
_DIFFERENCES = (TYPE, ARGUMENTS, STATUS, INPUTS, OUTPUTS, METRICS, CACHE_HIT, FAILURE_REASON)


def _object(properties: JsonDict, *, optional: tuple[str, ...] = ()) -> JsonDict:
    """An object with exactly these properties, all required but ``optional``."""
    return {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
        "properties": properties,
    }


def _key_changes() -> JsonDict:
    change = _object({
        "path": {"type": "string", "examples": ["Parameters[0].DefaultValue"]},
        "change": _CHANGE,
        "a": {**_TEXT, "description": "the value as compact JSON; null on the side without it"},
        "b": _TEXT,
    })
    return _object({
        "changes": {"type": "array", "items": change, "maxItems": MAX_KEY_CHANGES},
        "total": _COUNT,
        "truncated": {"type": "boolean"},
    })


def comparison_schema(warning: JsonDict) -> JsonDict:
    executed = {"oneOf": [{"type": "null"}, _object({
        "arn": _TEXT, "id": _TEXT, "status": _TEXT,
        "startTime": {"type": ["string", "null"], "format": "date-time"}})]}
    counts = _object({name: _COUNT for name in CHANGE_CLASSES})
    keys = _key_changes()
    state = {"oneOf": [{"type": "null"}, _object({
        "type": {"type": "string"},
        "status": {"type": "string", "description": "NotStarted when the step did not run"},
        "elapsedSec": _NUMBER,
        "cacheHit": {"type": ["boolean", "null"], "description": "null: it did not run"},
        "failureReason": _TEXT,
    })]}
    scalar = {"type": ["string", "number", "boolean", "null"]}
    column = _object({"name": {"type": "string"}, "type": {"type": "string"}})
    uris = _object({"name": {"type": "string"}, "change": _CHANGE, "a": _NAMES, "b": _NAMES,
                    "perRunOnly": {"type": "boolean", "description": "the URIs differ only "
                                   "by each run's own parts (ids, job names, dates)"}})
    edge = _object({
        "from": {"type": "string"}, "to": {"type": "string"},
        "via": {"enum": list(get_args(EdgeVia))},
        "property": {"type": "string"}, "branch": {"enum": list(get_args(Branch))},
    }, optional=("property", "branch"))
    return _object({
        "pipeline": _object({"name": _TEXT, "region": _TEXT}),
        "summary": _object({
            "a": executed, "b": executed,
            "definitionsDiffer": {"type": "boolean"}, "parametersDiffer": {"type": "boolean"},
            "steps": counts, "edges": counts,
        }),
        "definition": _object({
            "differ": {"type": "boolean"},
            "stepsAdded": _NAMES, "stepsRemoved": _NAMES, "stepsChanged": _NAMES,
            "edgesAdded": {"type": "array", "items": edge},
            "edgesRemoved": {"type": "array", "items": edge},
            "outsideSteps": keys,
        }),
        "parameters": {"type": "array", "items": _object({
            "name": {"type": "string"}, "change": _CHANGE, "a": scalar, "b": scalar})},
        "steps": {"type": "array", "items": _object({
            "name": {"type": "string"},
            "type": {"type": "string"},
            "change": _CHANGE,
            "differences": {"type": "array", "items": {"enum": list(_DIFFERENCES)}},
            "a": state, "b": state,
            "elapsedDeltaSec": _NUMBER,
            "arguments": keys,
            "metrics": {"type": "array", "items": _object({
                "name": {"type": "string"}, "change": _CHANGE, "a": _NUMBER, "b": _NUMBER,
                "delta": _NUMBER,
                "relativeChange": {**_NUMBER, "description": "delta / |a|; null when a is 0"},
            })},
            "inputs": {"type": "array", "items": uris},
            "outputs": {"type": "array", "items": uris},
        })},
        "edges": {"type": "array", "items": _object(
            {**edge["properties"], "change": _CHANGE}, optional=("property", "branch"))},
        "warnings": {"type": "array", "items": warning},
        "schemaDrift": {"type": "array", "items": _object({
            "dataset": {"type": "string", "description": "the two runs' URIs folded"},
            "a": {"type": "string"}, "b": {"type": "string"},
            "change": {"enum": [CHANGED, SAME]},
            "added": {"type": "array", "items": column},
            "removed": {"type": "array", "items": column},
            "retyped": {"type": "array", "items": _object({
                "name": {"type": "string"}, "a": {"type": "string"}, "b": {"type": "string"}})},
        }), "description": "only when a dataset has a schema in both runs "
            "(ENABLE_SCHEMA=true): its columns added, removed and retyped from a to b"},
    }, optional=("schemaDrift",))


def timeline_schema() -> JsonDict:
    step = {"step": {"type": "string"}, "type": {"type": "string"},
            "status": {"type": "string"}}
    return _object({
        "asOf": {**_TIME, "description": "the moment a running step's bar ends at"},
        "execution": {"oneOf": [{"type": "null"}, _object({
            "arn": _TEXT, "id": _TEXT, "status": {"type": "string"},
            "startTime": _TIME, "endTime": {**_TIME, "description": "asOf while it runs"},
            "elapsedSec": {"type": "number", "minimum": 0},
            "running": {"type": "boolean"},
        })]},
        "rows": {"type": "array", "items": _object({
            **step,
            "startTime": _TIME, "endTime": _TIME,
            "offsetSec": {"type": "number", "description": "from the run's start"},
            "durationSec": {"type": "number", "minimum": 0},
            "cacheHit": {"type": "boolean"},
            "running": {"type": "boolean"},
            "sharePct": {**_NUMBER, "description": "of the run's wall time"},
            "attempts": {"type": ["integer", "null"], "minimum": 1,
                         "description": "AWS's AttemptCount; null when AWS did not say"},
            "retried": {"type": "boolean", "description": "attempts > 1: a retry policy ran "
                                                          "it again"},
        })},
        "notRun": {"type": "array", "items": _object(step)},
        "idle": _object({
            "totalSec": {"type": "number", "minimum": 0},
            "gaps": {"type": "array", "items": _object({
                "startTime": _TIME, "endTime": _TIME,
                "durationSec": {"type": "number", "minimum": 0}})},
        }),
        "criticalPath": _object({
            "steps": {**_NAMES, "description": "in order along the edges"},
            "lengthSec": {"type": "number", "minimum": 0},
            "ratio": {**_NUMBER, "minimum": 0,
                      "description": "lengthSec / the run's elapsed time"},
        }),
    })


def trends_schema(warning: JsonDict) -> JsonDict:
    series = _object({
        "points": {"type": "array", "items": _object({
            "executionId": {"type": "string"}, "startTime": _TIME, "value": {"type": "number"},
            "score": {**_NUMBER, "description": "the modified z-score; null: not scored"},
            "outlier": {"type": "boolean"},
        })},
        "median": _NUMBER,
        "check": {"enum": list(get_args(OutlierCheck))},
        "outliers": _COUNT,
    })
    by_name = {"type": "object", "additionalProperties": series}
    return _object({
        "pipeline": _TEXT,
        "runs": {"type": "array", "description": "oldest first", "items": _object({
            "arn": _TEXT, "id": {"type": "string"}, "status": {"type": "string"},
            "startTime": _TIME, "elapsedSec": _NUMBER,
            "steps": {"type": "object", "additionalProperties": {"type": "number"}},
            "cacheHits": _NAMES,
        })},
        "statusCounts": {"type": "object", "additionalProperties": _COUNT},
        "outlierRule": _object({
            "method": {"const": OUTLIER_METHOD}, "threshold": {"const": OUTLIER_THRESHOLD},
            "minPoints": {"const": MIN_POINTS}, "fallback": {"const": "meanAD"},
        }),
        "series": _object({
            "duration": series,
            "steps": {**by_name, "description": "step -> its durations (cache hits left out)"},
            "metrics": {**by_name, "description": "<step>/<metric> -> its values"},
        }),
        "skipped": {**_COUNT, "description": "documents without a dated execution"},
        "warnings": {"type": "array", "items": warning,
                     "description": "the runs whose document could not be read"},
    })
