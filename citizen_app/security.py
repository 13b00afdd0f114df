"""Security headers on every response [QUALITY 4]: CSP with a per-request nonce, HSTS and friends."""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request

PERSONAL_DATA_CACHE = "no-store"


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        nonce = csp_nonce()
        response.headers["Content-Security-Policy"] = "; ".join(
            [
                "default-src 'self'",
                f"script-src 'self' 'nonce-{nonce}'",
                "style-src 'self'",
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
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        # Pages may show personal data: never store them in any cache. Static files set their own policy.
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = PERSONAL_DATA_CACHE
            response.headers["Pragma"] = "no-cache"
        # Fragments and full pages come from the same URL: caches must keep them apart.
        response.vary.add("HX-Request")
        response.vary.add("Cookie")
        return response
