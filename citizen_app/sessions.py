"""Sign-in sessions [QUALITY 4]: a new session at sign-in, 30 minutes idle, 12 hours at most."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, Response, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_user, logout_user

from citizen_app.models import Person, StaffUser


def sign_in(user: Person | StaffUser) -> None:
    """Start a fresh session for ``user`` (never reuse the anonymous one: session fixation)."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    login_user(user)
    now = datetime.now(UTC).timestamp()
    session["signed_in_at"] = now
    session["last_seen"] = now
    session.permanent = True


def sign_out() -> None:
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language


def clear_site_data(response: Response) -> Response:
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


def init_app(app: Flask, login_manager: LoginManager) -> None:
    from citizen_app.services.people import load_actor

    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_actor)

    @app.before_request
    def expire_idle_sessions():
        if not current_user.is_authenticated:
            return None
        now = datetime.now(UTC).timestamp()
        idle = app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
        absolute = app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
        last_seen = session.get("last_seen", 0)
        signed_in_at = session.get("signed_in_at", 0)
        if now - last_seen > idle or now - signed_in_at > absolute:
            sign_out()
            flash(_("Du har loggats ut eftersom det har gått en stund. Logga in igen."), "info")
            if request.method == "GET" and not request.path.startswith("/static/"):
                return redirect(url_for("auth.sign_in"), 303)
            return redirect(url_for("auth.sign_in"), 303)
        session["last_seen"] = now
        return None
