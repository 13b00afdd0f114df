"""The user-facing areas, one blueprint each. Views are thin: parse, call a service, render or redirect."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from citizen_app.web import auth, cases, consent, messages, pages, preparation, requests, staff, start

    for module in (start, auth, pages, cases, consent, messages, preparation, requests, staff):
        app.register_blueprint(module.bp)
