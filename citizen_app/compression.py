"""HTML, JSON and scripts compressed by the app [issue 17]: brotli when the browser accepts it, else gzip,
else nothing (Flask-Compress reads ``Accept-Encoding`` and adds ``Vary: Accept-Encoding``). So a county's
server sends small pages with or without a proxy in front. Static files are not compressed here: they are
compressed once, at build time (citizen_app/precompress.py), and served by WhiteNoise (assets.py).
"""

from __future__ import annotations

from flask import Flask
from flask_compress import Compress

COMPRESSED_TYPES = [
    "text/html",
    "text/plain",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
]

compress = Compress()


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)  # per request: fast, and close to the best size for a page
    app.config.setdefault("COMPRESS_LEVEL", 6)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    # Only whole responses: static files that reach Flask (stale names) are sent as files, uncompressed.
    app.config.setdefault("COMPRESS_STREAMS", False)
    compress.init_app(app)
