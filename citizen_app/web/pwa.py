"""The installable app (PWA): web app manifest, service worker, offline page and "Installera Min SIP".

[QUALITY 6] The service worker keeps a copy of the static files and of the offline page, and of nothing
else: pages with personal data are never put in a cache. Its script is rendered from this module so that
the list of static files carries their fingerprinted names: a deploy that changes a file changes the script,
the browser installs the new worker, and the new worker throws away the old cache.
"""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_login import AnonymousUserMixin

from citizen_app.services import push
from citizen_app.web.guards import public

bp = Blueprint("pwa", __name__)

# The static files every page uses (templates/layouts/base.html), and the icons. A web test checks that
# each static file a page links to is here, so the offline copy is never missing one.
# The stylesheet is inlined in every page (and so in the offline page), not fetched.
STATIC_FILES = (
    "js/app.js",
    "vendor/htmx-2.0.11.min.js",
    "icons/favicon.svg",
    "icons/icon-192.png",
)
THEME_COLOUR = "#1f4e79"  # --brand in static/css/app.css: the header's colour
BACKGROUND_COLOUR = "#ffffff"  # the page background


def _asset_url(filename: str) -> str:
    return current_app.extensions["assets"].url(filename)


def precached_urls() -> list[str]:
    """Everything the service worker may ever put in its cache: the static files and the offline page."""
    return [_asset_url(name) for name in STATIC_FILES] + [url_for("pwa.show_offline")]


def _cache_name(urls: list[str]) -> str:
    """A new name whenever a static file or the offline page's template changes."""
    loader = current_app.jinja_env.loader
    assert loader is not None  # Flask always gives its Jinja environment a loader
    source = loader.get_source(current_app.jinja_env, "pwa/show_offline.html")[0]
    digest = hashlib.sha256(("\n".join(urls) + source).encode()).hexdigest()[:12]
    return f"min-sip-{digest}"


@bp.route("/manifest.webmanifest")
@public
def show_manifest():
    manifest = {
        "id": "/",
        "name": "Min SIP",
        "short_name": "Min SIP",
        "description": "Din samordnade individuella plan i mobilen.",
        "lang": "sv",
        "dir": "ltr",
        "start_url": url_for("start.show_start"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {
                "src": _asset_url("icons/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": _asset_url("icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": _asset_url("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    body = json.dumps(manifest, ensure_ascii=False)
    return _revalidated(Response(body, mimetype="application/manifest+json"))


def _revalidated(response: Response) -> Response:
    """Kept by the browser, asked for again with If-None-Match: 304 with no body while unchanged
    (security.REVALIDATED sends ``Cache-Control: no-cache``)."""
    response.add_etag()
    response.make_conditional(request)  # changes the response itself (304, no body) when the tag matches
    return response


@bp.route("/sw.js")
@public
def service_worker():
    """Served from the root, so its scope is the whole site without a Service-Worker-Allowed header."""
    urls = precached_urls()
    script = render_template(
        "pwa/sw.js",
        cache_name=_cache_name(urls),
        precache=urls,
        offline_url=url_for("pwa.show_offline"),
        messages_url=url_for("messages.list_messages"),
        title=push.TITLE,
        generic_text=push.GENERIC_TEXT,
        icon=_asset_url("icons/icon-192.png"),
    )
    # Kept, but revalidated on every update check (``no-cache`` + ETag, security.REVALIDATED): a deploy still
    # reaches every browser on its next visit, and an unchanged worker costs a 304 without a body.
    return _revalidated(Response(script, mimetype="application/javascript"))


@bp.route("/offline")
@public
def show_offline():
    """The page the service worker shows when there is no network. It is stored in the browser, so it is
    always rendered as for a signed-out visitor: no name, no unread count, whoever asks."""
    return render_template("pwa/show_offline.html", current_user=AnonymousUserMixin())


@bp.route("/installera")
@public
def show_install():
    return render_template("pwa/show_install.html")
