"""Static files with fingerprinted names: ``/static/css/app.3f2a1b9c.css``, cached for a year.

The fingerprint is the first 10 hex digits of the file's SHA-256, so a changed file gets a new name and a
repeat visit downloads only the HTML. Files asked for without (or with a stale) fingerprint are still served,
but with a short cache, so the service worker and manifest can live at fixed names.
"""

from __future__ import annotations

import hashlib
import os
import re

from flask import Flask, abort, send_from_directory, url_for

from citizen_app.paths import package_path
from citizen_app.web.guards import public

STATIC_DIR = package_path("static")
_FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})(?P<ext>\.[A-Za-z0-9]+)$")
YEAR = 31536000


def _digest(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:10]


class Assets:
    def __init__(self) -> None:
        self._digests: dict[str, str] = {}

    def digest(self, filename: str) -> str:
        if filename not in self._digests:
            self._digests[filename] = _digest(os.path.join(STATIC_DIR, filename))
        return self._digests[filename]

    def url(self, filename: str) -> str:
        stem, ext = os.path.splitext(filename)
        return url_for("static", filename=f"{stem}.{self.digest(filename)}{ext}")


def init_app(app: Flask) -> None:
    assets = Assets()
    app.extensions["assets"] = assets
    app.jinja_env.globals["asset_url"] = assets.url

    @app.route("/static/<path:filename>", endpoint="static")
    @public
    def static(filename: str):
        match = _FINGERPRINTED.match(filename)
        real = match.group("stem") + match.group("ext") if match else filename
        if not os.path.isfile(os.path.join(STATIC_DIR, real)) or ".." in real.split("/"):
            abort(404)
        response = send_from_directory(STATIC_DIR, real, max_age=0)
        if match and match.group("digest") == assets.digest(real):
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        else:
            response.headers["Cache-Control"] = "no-cache"
        return response
