"""Min SIP: the citizen's side of samordnad individuell plan."""

from __future__ import annotations

import json
import os

from flask import Flask

# Where templates, static files, translations and instance/ are: citizen_app/paths.py (kept importable from
# here, e.g. ``from citizen_app import ROOT``).
from citizen_app.paths import PACKAGE_DIR, ROOT, instance_path, is_installed, package_path

__all__ = ["PACKAGE_DIR", "ROOT", "create_app", "instance_path", "is_installed", "package_path"]


def create_app(mode: str | None = None, config: dict | None = None) -> Flask:
    """Build the app. ``mode`` is production (default), demo or test; see config.py."""
    # The app's parts are imported when an app is built, not when the package is: ``import citizen_app``
    # (the flask CLI, hatch_build, paths) stays light and needs no configuration.
    from citizen_app import (
        assets,
        cli,
        compression,
        errors,
        fragments,
        i18n,
        logs,
        page_titles,
        security,
        sessions,
    )
    from citizen_app.config import build_config
    from citizen_app.extensions import babel, csrf, db, htmx, limiter, login_manager
    from citizen_app.web import register_blueprints

    app = Flask(
        __name__,
        static_folder=None,  # assets.py serves static files with fingerprinted names
        template_folder=package_path("templates"),
        instance_path=instance_path(),
    )
    app.config.from_mapping(build_config(mode, app.instance_path, config))
    logs.configure(app.config["LOG_LEVEL"])  # first, so every line, Flask's own included, is JSON
    if app.config["MINSIP_MODE"] != "production":
        # Demo and test keep a SQLite database and Web Push keys there. Production uses neither and may run
        # where nothing can be written.
        os.makedirs(app.instance_path, exist_ok=True)

    if app.config["PROXY_HOPS"] > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    compression.init_app(app)  # first: its after_request then runs last, on the finished response
    db.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app, babel)
    page_titles.init_app(app)
    fragments.init_app(app)
    sessions.init_app(app, login_manager)
    security.init_app(app)
    assets.init_app(app)  # also wraps app.wsgi_app in WhiteNoise (fingerprinted static files)
    register_blueprints(app)
    errors.init_app(app)
    cli.init_app(app)
    _web_push_keys(app)
    from citizen_app.services import (
        outreach,  # noqa: F401  (registers e-mail and SMS as delivery channels)
        push,  # noqa: F401  (registers Web Push as a delivery channel)
    )

    logs.init_app(app)  # last: its middleware wraps everything (request id, one access line per request)

    return app


def _web_push_keys(app: Flask) -> None:
    """Production must configure VAPID keys; demo and test make a key pair once and keep it in instance/."""
    if app.config.get("VAPID_PRIVATE_KEY") or app.config["MINSIP_MODE"] == "production":
        return
    from citizen_app.services.vapid import new_key_pair  # with the app's other parts: see create_app

    path = os.path.join(app.instance_path, "vapid.json")
    if not os.path.exists(path):
        private, public = new_key_pair()
        with open(path, "w", encoding="utf-8") as fh:
            json.dump({"private": private, "public": public}, fh)
    with open(path, encoding="utf-8") as fh:
        keys = json.load(fh)
    app.config["VAPID_PRIVATE_KEY"], app.config["VAPID_PUBLIC_KEY"] = keys["private"], keys["public"]
