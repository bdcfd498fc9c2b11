"""The page's Content-Security-Policy, from Dash's ``csp_hashes()``; the rest of the security
headers are every server's (``dashboard.server.headers``).

The page may run only scripts served by this server and Dash's own inline scripts, which
``csp_hashes()`` names one by one (the renderer's bootstrap, inline clientside callbacks): an
HTML/JS string that came from AWS (a step name, a tag, a failure reason) can never run, even
if something rendered it as markup.

Styles stay ``'unsafe-inline'``: Dash components and Cytoscape set inline styles, and a
style cannot run code.
"""

from __future__ import annotations

from collections.abc import Sequence

import dash
from dash.exceptions import DependencyException
from flask import Response, jsonify


def page_csp(script_hashes: Sequence[str]) -> str:
    """The page's policy; ``script_hashes`` as ``csp_hashes()`` gives them (quoted)."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class PagePolicy:
    """The page's policy, built again only when its inline scripts change."""

    def __init__(self, app: dash.Dash) -> None:
        self.app = app
        self._hashes: tuple[str, ...] | None = None
        self._policy = ""

    def __call__(self) -> str:
        # csp_hashes() also collects clientside callbacks registered after create_app; it
        # is cheap (a few SHA-256 of short strings) and gives the same answer once serving.
        hashes = tuple(self.app.csp_hashes())
        if hashes != self._hashes:
            self._hashes = hashes
            self._policy = page_csp(hashes)
        return self._policy


def _unknown_bundle(_exc: DependencyException) -> tuple[Response, int]:
    # Dash serves only the files its components registered and raises for any other path
    # (a typo, a traversal attempt): that is a 404, not a server error with a trace.
    return jsonify({"message": "not found"}), 404


def install_unknown_bundles(app: dash.Dash) -> None:
    """A request for a component bundle Dash does not serve is a 404."""
    app.server.register_error_handler(DependencyException, _unknown_bundle)
