"""Who is asking: an API key, or the user a trusted proxy signed in. Off unless configured.

``LINEAGE_API_KEYS`` lists the SHA-256 hex digests of the accepted keys, so the environment
never holds a key itself (make one with ``printf %s "$KEY" | sha256sum``). A client sends its
key as ``X-Api-Key: <key>`` (API Gateway's header) or ``Authorization: Bearer <key>``.

``LINEAGE_TRUSTED_USER_HEADER`` names the header a proxy in front sets to the signed-in user
(an ALB with OIDC: ``X-Amzn-Oidc-Identity``). Anyone can send that header: the server must
then be reachable only through that proxy.

With either set, every request needs an identity: the JSON API, the dashboard's page and its
callbacks (a browser comes through the proxy, programs bring keys). Only liveness and
readiness (the load balancer asks them) and Dash's static files (code, no data) are open, and
preflights, which carry no credentials by design and answer nothing but CORS. A refusal is
``401 {"message": "authentication required"}`` that never says which part failed; the
identity (the user, truncated, or ``key:<first 8 of its digest>``) is ``g.identity`` (the rate
limiter keys on it) and the access log's ``identity``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import Unauthorized

from dashboard.api.cors import ANY_ORIGIN
from dashboard.api.errors import http_error
from dashboard.core.config import (
    ENV_API_KEYS,
    ENV_API_PREFIX,
    ENV_CORS_ORIGINS,
    ENV_TRUSTED_USER_HEADER,
)
from lineage.errors import ConfigError

API_KEY_HEADER = "X-Api-Key"
BEARER = "bearer "
# Asked for in the key mode (RFC 9110: a 401 names a scheme the client can use).
WWW_AUTHENTICATE = 'Bearer realm="sagemaker-lineage"'
MAX_IDENTITY = 128
KEY_PREFIX_SHOWN = 8
DIGEST = re.compile(r"[0-9a-f]{64}")
HEADER_NAME = re.compile(r"[A-Za-z0-9-]+")
OPEN_PATHS = ("/healthz", "/readyz")
# Dash's static files: its components' bundles, our assets, the favicon.
STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/", "/_favicon.ico")


@dataclass(frozen=True)
class AuthSettings:
    key_digests: tuple[str, ...] = ()
    user_header: str = ""

    @property
    def enabled(self) -> bool:
        return bool(self.key_digests or self.user_header)


def auth_settings(config: Mapping[str, Any]) -> AuthSettings:
    """The settings from the app's config; a ``ConfigError`` names the variable at fault."""
    digests = tuple(str(item).strip().lower() for item in config.get(ENV_API_KEYS) or ())
    for index, digest in enumerate(digests, start=1):
        if not DIGEST.fullmatch(digest):
            # Never echo the entry: it may be a key pasted by mistake.
            raise ConfigError(
                f"{ENV_API_KEYS} must list SHA-256 hex digests of the keys (64 hex characters, "
                f"e.g. printf %s KEY | sha256sum), not the keys; entry {index} is not one"
            )
    header = str(config.get(ENV_TRUSTED_USER_HEADER) or "").strip()
    if header and not HEADER_NAME.fullmatch(header):
        raise ConfigError(f"{ENV_TRUSTED_USER_HEADER} must be a header name, not {header!r}")
    settings = AuthSettings(digests, header)
    if settings.enabled and ANY_ORIGIN in tuple(config.get(ENV_CORS_ORIGINS) or ()):
        raise ConfigError(
            f"{ENV_CORS_ORIGINS}=* cannot be used with {ENV_API_KEYS} or "
            f"{ENV_TRUSTED_USER_HEADER}: list the origins allowed to read the API"
        )
    return settings


def key_identity(key: str, digests: tuple[str, ...]) -> str | None:
    """``key:<first 8 of its digest>`` when ``key`` is accepted, else ``None``."""
    digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()
    found = None
    for accepted in digests:  # every one compared, in constant time
        if hmac.compare_digest(accepted, digest):
            found = accepted
    return None if found is None else f"key:{found[:KEY_PREFIX_SHOWN]}"


def presented_key() -> str | None:
    key = request.headers.get(API_KEY_HEADER)
    if key:
        return key
    authorization = request.headers.get("Authorization", "")
    if authorization[: len(BEARER)].lower() == BEARER:
        return authorization[len(BEARER):].strip() or None
    return None


def identify(settings: AuthSettings) -> str | None:
    """Who is asking, or ``None``. A key that is presented must be right, proxy or not."""
    if settings.key_digests:
        key = presented_key()
        if key is not None:
            return key_identity(key, settings.key_digests)
    if settings.user_header:
        user = request.headers.get(settings.user_header, "").strip()
        if user:
            return user[:MAX_IDENTITY]
    return None


def is_open(path: str, api_prefix: str) -> bool:
    if request.method == "OPTIONS":
        return True
    if path.startswith(STATIC_PREFIXES):
        return True
    return path in OPEN_PATHS or (bool(api_prefix) and path.removeprefix(api_prefix) in OPEN_PATHS)


def refusal(settings: AuthSettings) -> Response:
    response, status = http_error(Unauthorized())
    response.status_code = status
    if settings.key_digests:
        response.headers["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response  # CORS, headers and the log line come from the after_request hooks


def install_auth(server: Flask) -> AuthSettings:
    """Require an identity on every request but the open ones, when configured.

    Install after the request tracking (a refusal has a request id and one log line) and
    before the rate limiter (it keys on ``g.identity``).
    """
    settings = auth_settings(server.config)
    if not settings.enabled:
        return settings
    api_prefix = str(server.config.get(ENV_API_PREFIX) or "")

    @server.before_request
    def require_identity() -> Response | None:
        if is_open(request.path, api_prefix):
            return None
        g.identity = identify(settings)
        return None if g.identity else refusal(settings)

    return settings
