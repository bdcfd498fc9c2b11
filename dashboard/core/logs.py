"""What the server's log may say, one JSON object per line, never a credential or AWS's text.

botocore's ``ClientError`` prints AWS's message (ARNs, account ids, principal names): a trace
keeps only its code and operation (``lineage.aws.safe_exception_text``); AWS key ids and this
process's secret key and session token are redacted wherever they appear.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

from lineage.aws import safe_exception_text

# AWS access key ids (long-term AKIA, temporary ASIA); secrets are redacted by value.
ACCESS_KEY_ID = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")
SECRET_VARIABLES = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a trace, when there is one, is a field of it."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            out.update(fields)
        else:
            out["message"] = record.getMessage()
        rid = getattr(record, "request_id", None)
        if rid:
            out["requestId"] = rid
        if record.exc_info:
            out["error"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            error = record.exc_info[1]
            out["trace"] = safe_trace(error) if error is not None else None
        return json.dumps(out, ensure_ascii=False, default=str)


def install_json_logging() -> None:
    """``dashboard.*`` and ``lineage.*`` (AWS retries) write JSON lines to stderr (gunicorn)."""
    for name in ("dashboard", "lineage"):
        root = logging.getLogger(name)
        if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
            continue
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        # dashboard.* stops here; lineage.* also goes on up (pytest's caplog reads it there).
        root.propagate = name != "dashboard"


def safe_trace(exc: BaseException) -> str:
    """The trace of ``exc`` and its causes, without AWS's own error text.

    botocore's ``ClientError`` prints AWS's message (ARNs, account ids, principal names):
    the log keeps its error code and operation only.
    """
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        lines = traceback.format_tb(current.__traceback__)
        parts.append("".join(["Traceback (most recent call last):\n", *lines,
                              f"{_qualified(current)}: {_safe_message(current)}\n"]))
        if current.__cause__ is not None:
            current = current.__cause__
            link = "The above exception was the direct cause of the following exception:"
        elif current.__context__ is not None and not current.__suppress_context__:
            current = current.__context__
            link = "During handling of the above exception, another exception occurred:"
        else:
            break
        parts.append(f"\n{link}\n\n")
    # format_exception order: the root cause first.
    return redact("".join(_pairs_reversed(parts)))


def redact(text: str) -> str:
    """``text`` without AWS key ids or this process's secret key and session token."""
    text = ACCESS_KEY_ID.sub(lambda m: f"{m.group(1)}****", text)
    for name in SECRET_VARIABLES:
        secret = os.environ.get(name, "")
        if len(secret) >= 8:
            text = text.replace(secret, "****")
    return text


def _pairs_reversed(parts: list[str]) -> list[str]:
    traces, links = parts[0::2], parts[1::2]
    ordered: list[str] = []
    for index, trace in enumerate(reversed(traces)):
        ordered.append(trace)
        if index < len(links):
            ordered.append(list(reversed(links))[index])
    return ordered


def _qualified(exc: BaseException) -> str:
    kind = type(exc)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


def _safe_message(exc: BaseException) -> str:
    return safe_exception_text(exc) or redact(str(exc))
