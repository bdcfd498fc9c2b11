"""Security headers on every response, for any Flask server of ours (no Dash here).

Everything that is not the page (the JSON API, assets, errors) gets a policy that allows
nothing at all; the page's own policy comes from whoever serves a page
(``dashboard.server.security``: Dash's ``csp_hashes()``). No page may frame this one
(``frame-ancestors 'none'``, and ``X-Frame-Options`` for old browsers).

JSON answers (the API, Dash's callbacks, every error) are ``Cache-Control: no-store``: they
hold an account's ARNs and bucket settings, which no browser or shared cache should keep; the
page is ``no-cache`` (it holds no data, but its CSP names this version's scripts); static
files keep their own caching. HSTS only on a request that came over TLS, which behind a
proxy is known only when the proxy is trusted (``LINEAGE_TRUSTED_PROXIES`` hops: werkzeug's
``ProxyFix`` then takes the client's address, scheme and host from ``X-Forwarded-*``; with 0
those headers are ignored, so a client cannot forge its address past the rate limiter).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, request
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


class SecurityHeaders:
    """The ``after_request`` hook; ``page_policy`` gives an HTML page's CSP, if pages are served."""

    def __init__(self, page_policy: Callable[[], str] | None = None) -> None:
        self.page_policy = page_policy

    def __call__(self, response: Response) -> Response:
        headers = response.headers
        for name, value in STATIC_HEADERS.items():
            headers.setdefault(name, value)
        # Werkzeug labels its empty answer to a preflight text/html: that is no page.
        page = response.mimetype == "text/html" and request.method != "OPTIONS"
        if page and self.page_policy is not None:
            headers["Content-Security-Policy"] = self.page_policy()
        else:
            headers.setdefault("Content-Security-Policy", LOCKED_DOWN_CSP)
        cache_control = CACHE_CONTROL.get(response.mimetype or "")
        if cache_control and "Cache-Control" not in headers:
            headers["Cache-Control"] = cache_control
        if request.is_secure:
            headers["Strict-Transport-Security"] = HSTS
        return response


def install_security_headers(
    server: Flask, page_policy: Callable[[], str] | None = None
) -> SecurityHeaders:
    """Add the headers to every response of ``server`` (errors and assets included)."""
    hook = SecurityHeaders(page_policy)
    server.after_request(hook)
    return hook


def install_trusted_proxies(server: Flask) -> None:
    """Believe ``X-Forwarded-For/-Proto/-Host`` of ``LINEAGE_TRUSTED_PROXIES`` hops, if any."""
    hops = int(server.config.get(ENV_TRUSTED_PROXIES) or 0)
    if hops > 0:
        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
