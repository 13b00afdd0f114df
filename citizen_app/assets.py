"""Static files with fingerprinted names: ``/static/css/app.3f2a1b9c.css``, cached for a year.

The fingerprint is the first 10 hex digits of the file's SHA-256, so a changed file gets a new name and a
repeat visit downloads only the HTML. Files asked for without (or with a stale) fingerprint are still served,
but with a short cache, so the service worker and manifest can live at fixed names.

Production path [issue 17]: WhiteNoise wraps the WSGI app and answers every current fingerprinted URL itself,
before Flask runs: with the precompressed copy the browser accepts (``.br``, else ``.gz``; made at build
time, citizen_app/precompress.py, hatch_build.py), ``Vary: Accept-Encoding``, an ETag and a year of
``immutable`` caching; no session cookie, no ``Vary: Cookie``, no per-request CSP; a 304 without a body. So it
holds with or without a proxy in front. Only a stale or unfingerprinted name reaches the Flask route below.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from wsgiref.headers import Headers

from flask import Flask, abort, send_from_directory, url_for
from markupsafe import Markup
from whitenoise import WhiteNoise
from whitenoise.responders import StaticFile

from citizen_app import precompress
from citizen_app.paths import package_path
from citizen_app.web.guards import public

STATIC_DIR = package_path("static")
_FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})(?P<ext>\.[A-Za-z0-9]+)$")
YEAR = 31536000
IMMUTABLE = f"public, max-age={YEAR}, immutable"
log = logging.getLogger(__name__)


def _digest(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:10]


def minify_css(css: str) -> str:
    """Comments and runs of white space out; spaces next to ``{ } ; ,`` and ``>`` too. Nothing that changes
    what a selector or value means (a space before ``:`` or inside ``calc()`` stays)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s+", " ", css)
    css = re.sub(r"\s*([{};,>])\s*", r"\1", css)
    if "</" in css:
        raise ValueError("a stylesheet to inline must not contain '</'")
    return css.replace(";}", "}").strip()


class Assets:
    def __init__(self) -> None:
        self._digests: dict[str, str] = {}
        self._texts: dict[str, str] = {}

    def digest(self, filename: str) -> str:
        if filename not in self._digests:
            self._digests[filename] = _digest(os.path.join(STATIC_DIR, filename))
        return self._digests[filename]

    def fingerprinted(self, filename: str) -> str:
        """``css/app.css`` -> ``css/app.3f2a1b9c0d.css``"""
        stem, ext = os.path.splitext(filename)
        return f"{stem}.{self.digest(filename)}{ext}"

    def url(self, filename: str) -> str:
        return url_for("static", filename=self.fingerprinted(filename))

    def inline_css(self, filename: str) -> Markup:
        """A stylesheet's text for a ``<style nonce>`` in the page, read and minified once [issue 17]: one
        request less before the first paint (Lighthouse mobile, slow 4G: LCP ≤ 1.0 s)."""
        if filename not in self._texts:
            with open(os.path.join(STATIC_DIR, filename), encoding="utf-8") as fh:
                self._texts[filename] = minify_css(fh.read())
        return Markup(self._texts[filename])  # noqa: S704 (our own stylesheet, with no "</")


class StaticFiles(WhiteNoise):
    """WhiteNoise with the app's fingerprinted names: ``/static/css/app.<digest>.css`` is ``css/app.css``."""

    def __init__(self, application, assets: Assets, prefix: str = "/static/") -> None:
        super().__init__(application, max_age=None, allow_all_origins=False)
        for path in precompress.source_files(STATIC_DIR):
            filename = os.path.relpath(path, STATIC_DIR).replace(os.sep, "/")
            self.add_file_to_dictionary(prefix + assets.fingerprinted(filename), path)

    def get_static_file(self, path, url, stat_cache=None):
        headers = Headers([])
        self.add_mime_headers(headers, path, url)
        headers["Cache-Control"] = IMMUTABLE
        headers["X-Content-Type-Options"] = "nosniff"  # the same for every request: no nonce here
        # Only copies at least as new as the file: a checkout updated without a new build serves the file
        # itself rather than an old stylesheet.
        encodings = {
            encoding: path + suffix
            for encoding, suffix in precompress.SUFFIXES.items()
            if precompress.is_fresh(path, encoding)
        }
        return StaticFile(path, headers.items(), encodings=encodings)


def _refresh_copies() -> None:
    """A checkout (editable install) gets its copies from ``pip install -e .``; after a ``git pull`` they can
    be stale, so missing or old ones are written again here (atomically: several workers may start at
    once). An installed wheel carries fresh copies and may be read-only: nothing is written there."""
    from citizen_app.paths import is_installed

    if is_installed():
        return
    try:
        precompress.precompress(STATIC_DIR)
    except OSError as error:  # a read-only checkout: the files are then served uncompressed
        log.warning("Static files could not be precompressed (%s); they are served uncompressed", error)


def init_app(app: Flask) -> None:
    assets = Assets()
    app.extensions["assets"] = assets
    app.jinja_env.globals["asset_url"] = assets.url
    app.jinja_env.globals["inline_css"] = assets.inline_css
    _refresh_copies()
    app.wsgi_app = StaticFiles(app.wsgi_app, assets)  # type: ignore[method-assign]

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
