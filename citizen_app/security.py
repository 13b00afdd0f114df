"""Security headers on every response [QUALITY 4]: CSP with a per-request nonce, HSTS and friends.

Static files are the exception [issue 17]: the fingerprinted ones never reach Flask (assets.py serves them
through WhiteNoise); a stale or unfingerprinted name that does gets only the fixed headers, no nonce and no
``Vary: Cookie``, since it is the same file for everyone. ``sw.js`` and the manifest may be kept by the
browser if it asks again each time (``REVALIDATED``): they hold no personal data.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request

PERSONAL_DATA_CACHE = "no-store"
# Endpoints whose answer is the same for everyone: the browser keeps it and asks with If-None-Match.
REVALIDATED = frozenset({"pwa.service_worker", "pwa.show_manifest"})


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        if request.path.startswith("/static/"):
            return response
        nonce = csp_nonce()
        response.headers["Content-Security-Policy"] = "; ".join(
            [
                "default-src 'self'",
                f"script-src 'self' 'nonce-{nonce}'",
                # The stylesheet is inlined in every page (layouts/base.html) under the same nonce.
                f"style-src 'self' 'nonce-{nonce}'",
                "img-src 'self' data:",
                "font-src 'self'",
                "connect-src 'self'",
                "manifest-src 'self'",
                "worker-src 'self'",
                "object-src 'none'",
                "base-uri 'none'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )
        response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if request.endpoint in REVALIDATED:
            response.headers["Cache-Control"] = "no-cache"
            return response
        # Pages may show personal data: never store them in any cache.
        response.headers["Cache-Control"] = PERSONAL_DATA_CACHE
        response.headers["Pragma"] = "no-cache"
        # Fragments and full pages come from the same URL: caches must keep them apart.
        response.vary.add("HX-Request")
        response.vary.add("Cookie")
        return response
