"""The rate limiter, re-exported for the web layer (which may not import extensions directly)."""

from citizen_app.extensions import limiter

__all__ = ["limiter"]
