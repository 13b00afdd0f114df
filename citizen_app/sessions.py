"""Sign-in sessions [QUALITY 4]: a new session at sign-in, 30 minutes idle, 12 hours at most.

The session is Flask's signed cookie (Secure in production, HttpOnly, SameSite=Lax; see config.py). Signing in
empties it first, so nothing an attacker planted before sign-in survives (session fixation), and stamps it
with the sign-in time and the time of the last request; every request checks both.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, Response, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_user, logout_user

from citizen_app.models import Person, StaffUser

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"
_KEPT_ACROSS_SIGN_IN = ("lang",)  # the chosen language is not a secret and should not reset


def _now() -> float:
    return datetime.now(UTC).timestamp()


def _clear_keeping_language() -> None:
    kept = {key: session[key] for key in _KEPT_ACROSS_SIGN_IN if key in session}
    session.clear()
    session.update(kept)


def sign_in(user: Person | StaffUser) -> None:
    """Start a fresh session for ``user`` (never reuse the anonymous one: session fixation)."""
    _clear_keeping_language()
    login_user(user)
    now = _now()
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN] = now
    session.permanent = True


def sign_out() -> None:
    logout_user()
    _clear_keeping_language()


def clear_site_data(response: Response) -> Response:
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


def is_expired(now: float, idle_seconds: float, absolute_seconds: float) -> bool:
    """Idle for longer than ``idle_seconds``, or signed in longer ago than ``absolute_seconds``.
    A session without the stamps (made some other way) counts as expired."""
    last_seen = session.get(LAST_SEEN)
    signed_in_at = session.get(SIGNED_IN_AT)
    if not isinstance(last_seen, int | float) or not isinstance(signed_in_at, int | float):
        return True
    return now - last_seen > idle_seconds or now - signed_in_at > absolute_seconds


def init_app(app: Flask, login_manager: LoginManager) -> None:
    from citizen_app.services.people import load_actor

    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_actor)

    @app.before_request
    def expire_old_sessions():
        if not current_user.is_authenticated:
            return None
        now = _now()
        idle = app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
        absolute = app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
        if not is_expired(now, idle, absolute):
            session[LAST_SEEN] = now
            return None
        was_staff = current_user.is_staff
        sign_out()
        flash(_("Du har loggats ut eftersom det har gått en stund. Logga in igen."), "info")
        if request.endpoint == "static":
            return None  # serve the file, now signed out; the next page shows the message
        endpoint = "auth.sign_in_staff" if was_staff else "auth.sign_in"
        back_to = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for(endpoint, next=back_to), 303)
