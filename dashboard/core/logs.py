"""What the server's log may say, one JSON object per line, never a credential or AWS's text.

botocore's ``ClientError`` prints AWS's message (ARNs, account ids, principal names): a trace
keeps only its code and operation (``lineage.aws.safe_exception_text``), and so does a message
a ``ClientError`` was formatted into; AWS key ids and this process's secret key and session
token are redacted wherever they appear. Every logger goes through this formatter, not only
ours: one handler on the root logger takes Flask's (``Exception on /_dash-update-component``),
Dash's and werkzeug's lines, and gunicorn's error log is given the same formatter
(``GUNICORN_LOGCONFIG`` for its master process, ``install_json_logging`` in each worker).
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
# str(ClientError) (botocore.exceptions.ClientError.MSG_TEMPLATE): AWS's text is all after ": ".
CLIENT_ERROR_TEXT = re.compile(
    r"An error occurred \(([^)]*)\) when calling the (\S+) operation"
    r"(?: \(reached max retries: \d+\))?: .*",
    re.DOTALL,
)
OUR_LOGGERS = ("dashboard", "lineage")
GUNICORN_ERROR_LOG = "gunicorn.error"


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
            out.update({key: clean(value) if isinstance(value, str) else value
                        for key, value in fields.items()})
        else:
            out["message"] = safe_message(record)
        rid = getattr(record, "request_id", None)
        if rid:
            out["requestId"] = rid
        if record.exc_info:
            out["error"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            error = record.exc_info[1]
            out["trace"] = safe_trace(error) if error is not None else None
        if record.stack_info:
            out["stack"] = clean(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def safe_message(record: logging.LogRecord) -> str:
    """``record.getMessage()`` with any ``ClientError`` argument as its code only, redacted."""
    args = record.args
    if isinstance(args, tuple) and any(isinstance(arg, BaseException) for arg in args):
        args = tuple(_safe_message(arg) if isinstance(arg, BaseException) else arg
                     for arg in args)
    try:
        message = str(record.msg) % args if args else str(record.msg)
    except (TypeError, ValueError):  # as logging itself would fail; keep what it was given
        message = f"{record.msg} {args!r}"
    return clean(message)


def clean(text: str) -> str:
    """``text`` without AWS's text from a ``ClientError`` formatted into it, redacted."""
    return redact(CLIENT_ERROR_TEXT.sub(r"\1 from \2 (AWS's message withheld)", text))


def install_json_logging() -> None:
    """Every logger writes JSON lines to stderr, through one handler on the root logger.

    ``dashboard.*`` and ``lineage.*`` (AWS retries) at INFO, the rest at their own levels. A
    plain stream handler already on the root (``logging.basicConfig``) or on gunicorn's error
    log is given the JSON formatter instead of printing beside it.
    """
    root = logging.getLogger()
    plain = [h for h in root.handlers if type(h) is logging.StreamHandler]  # not pytest's
    for handler in plain:
        handler.setFormatter(JsonFormatter())
    if not plain and not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        stderr = logging.StreamHandler(sys.stderr)
        stderr.setFormatter(JsonFormatter())
        root.addHandler(stderr)
    for name in OUR_LOGGERS:
        ours = logging.getLogger(name)
        ours.setLevel(logging.INFO)
        ours.propagate = True
    for gunicorn_handler in logging.getLogger(GUNICORN_ERROR_LOG).handlers:
        gunicorn_handler.setFormatter(JsonFormatter())


# gunicorn's logconfig_dict (dashboard.server.gunicorn_conf): its master's lines as JSON too.
# Its access log stays off (the app writes one line per request), and a worker inherits this
# root handler, so install_json_logging adds no second one.
GUNICORN_LOGCONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "dashboard.core.logs.JsonFormatter"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "json",
                   "stream": "ext://sys.stderr"},
        "discard": {"class": "logging.NullHandler"},
    },
    "root": {"level": "WARNING", "handlers": ["stderr"]},
    "loggers": {
        GUNICORN_ERROR_LOG: {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["discard"], "propagate": False},
    },
}


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
    return safe_exception_text(exc) or clean(str(exc))
