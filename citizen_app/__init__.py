"""Min SIP: the citizen's side of samordnad individuell plan."""

from __future__ import annotations

import os

from flask import Flask

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(mode: str | None = None, config: dict | None = None) -> Flask:
    """Build the app. ``mode`` is production (default), demo or test; see config.py."""
    from citizen_app import assets, cli, errors, i18n, security, sessions
    from citizen_app.config import build_config
    from citizen_app.extensions import babel, csrf, db, htmx, limiter, login_manager
    from citizen_app.web import register_blueprints

    app = Flask(
        __name__,
        static_folder=None,  # assets.py serves static files with fingerprinted names
        template_folder=os.path.join(ROOT, "templates"),
        instance_path=os.path.join(ROOT, "instance"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(build_config(mode, app.instance_path, config))

    if app.config["PROXY_HOPS"] > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    db.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app, babel)
    sessions.init_app(app, login_manager)
    security.init_app(app)
    assets.init_app(app)
    register_blueprints(app)
    errors.init_app(app)
    cli.init_app(app)
    return app
