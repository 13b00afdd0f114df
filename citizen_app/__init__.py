"""Min SIP: the citizen's side of samordnad individuell plan."""

from __future__ import annotations

import os

from flask import Flask

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(PACKAGE_DIR)  # the checkout (in an installed copy: site-packages)


def is_installed() -> bool:
    """True when this copy of the package carries its own templates/, static/ and translations/: installed
    from a wheel, which hatch_build.py fills. A checkout (or an editable install) keeps them at the top."""
    return os.path.isdir(os.path.join(PACKAGE_DIR, "templates"))


def package_path(folder: str) -> str:
    """Where ``templates``, ``static`` or ``translations`` is: inside the package when installed, else the
    checkout's top-level folder."""
    return os.path.join(PACKAGE_DIR if is_installed() else ROOT, folder)


def instance_path() -> str:
    """The folder for the demo's SQLite database and Web Push keys: ``MINSIP_INSTANCE_PATH``, else instance/
    in the checkout, or (installed) instance/ in the current directory, never inside site-packages."""
    configured = os.environ.get("MINSIP_INSTANCE_PATH")
    if configured:
        return os.path.abspath(configured)
    return os.path.join(os.getcwd() if is_installed() else ROOT, "instance")


def create_app(mode: str | None = None, config: dict | None = None) -> Flask:
    """Build the app. ``mode`` is production (default), demo or test; see config.py."""
    from citizen_app import assets, cli, errors, i18n, page_titles, security, sessions
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
    if app.config["MINSIP_MODE"] != "production":
        # Demo and test keep a SQLite database and Web Push keys there. Production uses neither and may run
        # where nothing can be written.
        os.makedirs(app.instance_path, exist_ok=True)

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
    page_titles.init_app(app)
    sessions.init_app(app, login_manager)
    security.init_app(app)
    assets.init_app(app)
    register_blueprints(app)
    errors.init_app(app)
    cli.init_app(app)
    _web_push_keys(app)
    from citizen_app.services import push  # noqa: F401  (registers Web Push as a delivery channel)

    return app


def _web_push_keys(app: Flask) -> None:
    """Production must configure VAPID keys; demo and test make a key pair once and keep it in instance/."""
    if app.config.get("VAPID_PRIVATE_KEY") or app.config["MINSIP_MODE"] == "production":
        return
    import json

    from citizen_app.services.vapid import new_key_pair

    path = os.path.join(app.instance_path, "vapid.json")
    if not os.path.exists(path):
        private, public = new_key_pair()
        with open(path, "w", encoding="utf-8") as fh:
            json.dump({"private": private, "public": public}, fh)
    with open(path, encoding="utf-8") as fh:
        keys = json.load(fh)
    app.config["VAPID_PRIVATE_KEY"], app.config["VAPID_PUBLIC_KEY"] = keys["private"], keys["public"]
