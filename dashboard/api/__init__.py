"""The JSON API as a Flask blueprint: views, OpenAPI, error mapping, CORS. No Dash here.

``install_api(server, prefix)`` registers it at the root and, when given, under a prefix such
as ``/prod`` (the API Gateway stage the original API is reached under).
"""

from __future__ import annotations

from flask import Flask

from dashboard.api.views import bp


def install_api(server: Flask, prefix: str = "") -> None:
    server.register_blueprint(bp)
    if prefix:
        # Clients of the API Gateway deployment (/prod/lineage) only change the host.
        server.register_blueprint(bp, url_prefix=prefix, name="api_prefixed")


__all__ = ["bp", "install_api"]
