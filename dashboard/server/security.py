"""Security headers on every response: the page's CSP from Dash's ``csp_hashes()``, and more.

The page may run only scripts served by this server and Dash's own inline scripts, which
``csp_hashes()`` names one by one (the renderer's bootstrap, inline clientside callbacks): an
HTML/JS string that came from AWS (a step name, a tag, a failure reason) can never run, even
if something rendered it as markup. Everything that is not the page (the JSON API, assets,
errors) gets a policy that allows nothing at all. No page may frame this one
(``frame-ancestors 'none'``, and ``X-Frame-Options`` for old browsers).

Styles stay ``'unsafe-inline'``: Dash components and Cytoscape set inline styles, and a
style cannot run code.

JSON answers (the API, Dash's callbacks, every error) are ``Cache-Control: no-store``: they
hold an account's ARNs and bucket settings, which no browser or shared cache should keep; the
page is ``no-cache`` (it holds no data, but its CSP names this version's scripts); static
files keep Dash's own caching. HSTS only on a request that came over TLS, which behind a
proxy is known only when the proxy is trusted (``LINEAGE_TRUSTED_PROXIES`` hops: werkzeug's
``ProxyFix`` then takes the client's address, scheme and host from ``X-Forwarded-*``; with 0
those headers are ignored, so a client cannot forge its address past the rate limiter).
"""

from __future__ import annotations

from collections.abc import Sequence

import dash
from dash.exceptions import DependencyException
from flask import Flask, Response, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.core.config import ENV_TRUSTED_PROXIES

# Everything that is not HTML: a JSON body or a file needs no script, style or frame.
LOCKED_DOWN_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000; includeSubDomains"
# Unless the response set its own (static files do): data is never stored, the page revalidated.
CACHE_CONTROL = {"application/json": "no-store", "text/html": "no-cache"}


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


class SecurityHeaders:
    """The ``after_request`` hook; the page's policy is built once its inline scripts are known."""

    def __init__(self, app: dash.Dash) -> None:
        self.app = app
        self._hashes: tuple[str, ...] | None = None
        self._page_csp = ""

    def page_policy(self) -> str:
        # csp_hashes() also collects clientside callbacks registered after create_app; it
        # is cheap (a few SHA-256 of short strings) and gives the same answer once serving.
        hashes = tuple(self.app.csp_hashes())
        if hashes != self._hashes:
            self._hashes = hashes
            self._page_csp = page_csp(hashes)
        return self._page_csp

    def __call__(self, response: Response) -> Response:
        headers = response.headers
        for name, value in STATIC_HEADERS.items():
            headers.setdefault(name, value)
        if response.mimetype == "text/html":
            headers["Content-Security-Policy"] = self.page_policy()
        else:
            headers.setdefault("Content-Security-Policy", LOCKED_DOWN_CSP)
        cache_control = CACHE_CONTROL.get(response.mimetype or "")
        if cache_control and "Cache-Control" not in headers:
            headers["Cache-Control"] = cache_control
        if request.is_secure:
            headers["Strict-Transport-Security"] = HSTS
        return response


def _unknown_bundle(_exc: DependencyException) -> tuple[Response, int]:
    # Dash serves only the files its components registered and raises for any other path
    # (a typo, a traversal attempt): that is a 404, not a server error with a trace.
    return jsonify({"message": "not found"}), 404


def install_security_headers(app: dash.Dash) -> SecurityHeaders:
    """Add the headers to every response of ``app.server`` (errors and assets included).

    Also answers a request for a component bundle Dash does not serve with a 404.
    """
    hook = SecurityHeaders(app)
    app.server.after_request(hook)
    app.server.register_error_handler(DependencyException, _unknown_bundle)
    return hook


def install_trusted_proxies(server: Flask) -> None:
    """Believe ``X-Forwarded-For/-Proto/-Host`` of ``LINEAGE_TRUSTED_PROXIES`` hops, if any."""
    hops = int(server.config.get(ENV_TRUSTED_PROXIES) or 0)
    if hops > 0:
        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
