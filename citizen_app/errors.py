"""Error pages in simple Swedish, each with a way back. One commit per request: roll back on any error."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from citizen_app.extensions import db
from citizen_app.services import NotAllowed, NotFound

SHOWN = {400, 403, 404, 405, 410, 413, 422, 429, 500}


def _page(status: int, template: str = "errors/error.html"):
    return render_template(template, status=status), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        db.session.rollback()
        return render_template("errors/error.html", status="csrf"), 400

    @app.errorhandler(NotFound)
    def domain_not_found(error):
        db.session.rollback()
        return _page(404)

    @app.errorhandler(NotAllowed)
    def domain_not_allowed(error):
        db.session.rollback()
        return _page(403)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        status = error.code or 500
        return _page(status if status in SHOWN else 400 if status < 500 else 500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error")
        return _page(500)

    @app.teardown_request
    def commit_or_roll_back(exc):
        """One commit per request, only when it succeeded [STYLE: a request's way through the house]."""
        if exc is not None:
            db.session.rollback()

    @app.after_request
    def commit(response):
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response
