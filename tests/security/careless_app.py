"""``tests.api.fault_app`` plus the careless code a future change could bring, for the log test.

A Dash callback that calls AWS itself and, when the call is denied, logs the ``ClientError``
through Dash's and werkzeug's loggers as text and lets it escape (Flask logs ``Exception on
/_dash-update-component`` with its trace); and a path whose denied call escapes the WSGI app
altogether (gunicorn's error log prints the trace). Each puts AWS's text (the role's ARN) on
the way to stderr: ``tests/security/test_no_secrets.py`` proves none of it arrives.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

import boto3
from dash import Input, Output

from tests.api.fault_app import app, server

CALLBACK_ID = "careless-probe"
WSGI_PATH = "/_careless/wsgi"


def denied_call() -> None:
    """A call the sandbox denies (its faults deny sagemaker:ListPipelines)."""
    boto3.client("sagemaker").list_pipelines()


@app.callback(Output(CALLBACK_ID, "children"), Input(CALLBACK_ID, "id"))
def careless(_id: Any) -> str:
    try:
        denied_call()
    except Exception as exc:
        logging.getLogger("dash").warning("careless callback failed: %s", exc)
        logging.getLogger("werkzeug").error(f"careless callback failed: {exc}")
        raise
    return "not denied"


def _escaping(wsgi_app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == WSGI_PATH:
            denied_call()
        return wsgi_app(environ, start_response)

    return serve


server.wsgi_app = _escaping(server.wsgi_app)

__all__ = ["CALLBACK_ID", "WSGI_PATH", "app", "server"]
