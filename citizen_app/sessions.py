"""Sign-in sessions [QUALITY 4] [issue 12]: kept on the server, so signing out really ends them.

The cookie (Secure in production, HttpOnly, SameSite=Lax; see config.py) holds only a random id. The session's
contents and its times live in the database (``web_session``, rules in services/web_sessions.py), so:

- signing out deletes the row: a copied cookie is then worth nothing; "Logga ut på alla enheter" deletes every
  row of the signed-in person or staff member;
- the 30-minute idle limit and the 12-hour absolute limit are checked against the server's times on every
  request; the person is then told why they were signed out;
- a new id whenever the signed-in user changes, and always at sign-in, so nothing an attacker planted before
  sign-in (an id, a value) survives it (session fixation); the chosen language is kept across sign-in.

Why the database and not Redis: the app must keep working when Redis is away (issue 12, "Faults"), and the
database is the one component it cannot run without anyway. Why own code and not Flask-Session: see
services/web_sessions.py (hashed ids, no write per request, a table made by the migrations).

Performance [issue 17]: reading the session is one query by primary key. The row is written only when its
contents change, ``last_seen_at`` at most once a minute, and a visitor who stores nothing (no CSRF token, no
language, no message) gets no row and no cookie.

When the database cannot be read, the request goes on as signed out and nothing about the session is written
or changed (the cookie stays), so the error page can be shown and the session still works afterwards.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Flask, Request, Response, flash, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSession, SessionInterface, session_json_serializer
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import SQLAlchemyError

from citizen_app.extensions import db
from citizen_app.models import Person, StaffUser
from citizen_app.models.base import utcnow
from citizen_app.services import web_sessions
from citizen_app.services.people import is_staff_id, load_actor
from citizen_app.services.population_register import reconcile as population_register

log = logging.getLogger(__name__)
_KEPT_ACROSS_SIGN_IN = ("lang",)  # the chosen language is not a secret and should not reset
# The health checks (web/health.py) never touch a session: no cookie is read, no row made, no cookie set.
SESSIONLESS_PATHS = frozenset({"/healthz", "/readyz"})


class ServerSession(SecureCookieSession):
    """The session's contents for one request (a dict, as Flask expects), and what the server knew of it."""

    def __init__(
        self,
        initial: dict | None = None,
        *,
        session_id: str | None = None,
        stored: web_sessions.StoredSession | None = None,
        ended: web_sessions.StoredSession | None = None,
        had_cookie: bool = False,
        unavailable: bool = False,
    ) -> None:
        super().__init__(initial)
        self.session_id = session_id  # the cookie's id, when it named a session still in force
        self.stored = stored  # that row, as read when the request began
        self.ended = ended  # a row that ran out just now (its id is not used again)
        self.had_cookie = had_cookie
        self.unavailable = unavailable  # the database could not be read: write and change nothing
        self.renew = False  # sign-in: a new id, even for the same user
        self.row_gone = False  # the row was deleted in this request (sign-out)

    def preloaded_actor(self, user_id: str) -> tuple[bool, Person | StaffUser | None]:
        """The user the session's row named, read with the row: (True, actor) when it is ``user_id``."""
        if self.stored is not None and not self.row_gone and self.stored.actor_id == user_id:
            return True, self.stored.actor
        return False, None

    @property
    def timed_out_actor(self) -> str | None:
        """Who was signed in, if this request found their session run out."""
        return self.ended.actor_id if self.ended else None


def _loads(data: str) -> dict:
    try:
        loaded = session_json_serializer.loads(data)
    except ValueError:
        log.warning("A session's stored data could not be read; it starts empty")
        return {}
    return loaded if isinstance(loaded, dict) else {}


class DatabaseSessionInterface(SessionInterface):
    """Flask's session, kept in the ``web_session`` table; the cookie holds only the id."""

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        session_id = request.cookies.get(self.get_cookie_name(app))
        if not session_id or request.path in SESSIONLESS_PATHS:
            return ServerSession()
        try:
            stored = web_sessions.find(session_id)
        except SQLAlchemyError:
            # A signed-in person must not be shown the site as signed out: errors.py answers with the
            # "Min SIP fungerar inte just nu" page (503) and saves no session while the database is away.
            db.session.rollback()
            log.warning("The session could not be read (is the database away?)")
            raise
        if stored is None:  # signed out, ended on every device, deleted by cron, or never made here
            return ServerSession(had_cookie=True)
        data = _loads(stored.data)
        if web_sessions.has_ended(stored, utcnow()):
            kept = {key: data[key] for key in _KEPT_ACROSS_SIGN_IN if key in data}
            return ServerSession(kept, ended=stored, had_cookie=True)
        return ServerSession(data, session_id=session_id, stored=stored, had_cookie=True)

    def save_session(self, app: Flask, session, response: Response) -> None:
        if not isinstance(session, ServerSession) or session.unavailable:
            return
        if session.accessed:
            response.vary.add("Cookie")
        now = utcnow()
        change, new_id = self._change(session, now)
        if not change.is_empty:
            try:
                web_sessions.apply(change, now)
            except SQLAlchemyError:
                log.warning("The session could not be saved (is the database away?); the cookie is unchanged")
                return
        if new_id:
            self._set_cookie(app, response, new_id, now if session.permanent else None)
        elif not session and session.had_cookie:
            self._delete_cookie(app, response)

    @staticmethod
    def _change(session: ServerSession, now: datetime) -> tuple[web_sessions.Change, str | None]:
        """What to write for this request, and the new id if a new row is made."""
        change = web_sessions.Change()
        if session.ended and not session.row_gone:
            change.forget.append(session.ended.id_hash)
        live = None if session.row_gone else session.stored
        actor_id = session.get("_user_id")
        if live is not None:
            if session and not session.renew and live.actor_id == actor_id:
                if session.modified:
                    change.save = (live.id_hash, session_json_serializer.dumps(dict(session)))
                elif web_sessions.is_stale(live, now):
                    change.touch = live.id_hash
                return change, None
            change.forget.append(live.id_hash)  # emptied, or another user signed in: the id is not used again
        if not session:
            return change, None
        new_id = web_sessions.new_id()
        change.create = (new_id, actor_id, session_json_serializer.dumps(dict(session)))
        return change, new_id

    def _cookie_options(self, app: Flask) -> dict:
        return {
            "domain": self.get_cookie_domain(app),
            "path": self.get_cookie_path(app),
            "secure": self.get_cookie_secure(app),
            "partitioned": self.get_cookie_partitioned(app),
            "samesite": self.get_cookie_samesite(app),
            "httponly": self.get_cookie_httponly(app),
        }

    def _set_cookie(self, app: Flask, response: Response, session_id: str, made: datetime | None) -> None:
        """A signed-in (permanent) session's cookie lasts as long as the absolute limit; others last until the
        browser closes. Either way the server's row decides."""
        expires = made + app.permanent_session_lifetime if made else None
        name = self.get_cookie_name(app)
        response.set_cookie(name, session_id, expires=expires, **self._cookie_options(app))
        response.vary.add("Cookie")

    def _delete_cookie(self, app: Flask, response: Response) -> None:
        response.delete_cookie(self.get_cookie_name(app), **self._cookie_options(app))
        response.vary.add("Cookie")


def _clear_keeping_language() -> None:
    kept = {key: session[key] for key in _KEPT_ACROSS_SIGN_IN if key in session}
    session.clear()
    session.update(kept)


def sign_in(user: Person | StaffUser) -> None:
    """Start a fresh session for ``user``: new contents and a new id (never reuse the one from before sign-in:
    session fixation). The CSRF token is made now, so it is stored with the new row rather than written by
    the first page."""
    if isinstance(user, Person):
        # Who is whose guardian with custody comes from the population register, asked at every citizen's
        # sign-in (e-ID and the test identities alike); its being away never stops the sign-in [issue 18].
        population_register.refresh_at_sign_in(user)
    _clear_keeping_language()
    login_user(user)
    session.permanent = True
    if isinstance(session, ServerSession):
        session.renew = True
    g.pop("csrf_token", None)  # flask-wtf keeps the request's token in g; that one left with the old session
    generate_csrf()


def _load_user(user_id: str) -> Person | StaffUser | None:
    """flask-login's loader: the actor read with the session's row when it is the same user, else a query."""
    if isinstance(session, ServerSession):
        found, actor = session.preloaded_actor(user_id)
    else:
        found, actor = False, None
    if not found:
        actor = load_actor(user_id)
    # A deactivated staff member's sessions are deleted when they are deactivated [issue 18]; this is the
    # second lock: a session still open in that very moment is not theirs any more either.
    return actor if actor is not None and actor.is_active else None


def _end_this_session() -> None:
    if isinstance(session, ServerSession) and session.stored is not None:
        web_sessions.end(session.stored.id_hash)
        session.row_gone = True


def sign_out() -> None:
    """End this session on the server (in the request's transaction), then empty it, keeping the language."""
    _end_this_session()
    logout_user()
    _clear_keeping_language()


def sign_out_everywhere() -> None:
    """ "Logga ut på alla enheter": every session of the signed-in user, this one included."""
    if current_user.is_authenticated:
        web_sessions.end_all_for(current_user.get_id())
    sign_out()


def clear_site_data(response: Response) -> Response:
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


def init_app(app: Flask, login_manager: LoginManager) -> None:
    app.session_interface = DatabaseSessionInterface()
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)

    def tell_about_ended_sessions():
        """The session ran out (found when it was opened, by the server's times): say so, and send the person
        to sign in again, coming back to the page afterwards. First of all before_request hooks: a form sent
        after the session ran out carries the ended session's CSRF token, and the person should learn why
        they must sign in, not that the page was open too long."""
        ended_actor = getattr(session, "timed_out_actor", None)
        if ended_actor is None:
            return None
        flash(_("Du har loggats ut eftersom det har gått en stund. Logga in igen."), "info")
        if request.endpoint == "static":
            return None  # serve the file, now signed out; the next page shows the message
        endpoint = "auth.sign_in_staff" if is_staff_id(ended_actor) else "auth.sign_in"
        back_to = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for(endpoint, next=back_to), 303)

    app.before_request_funcs.setdefault(None, []).insert(0, tell_about_ended_sessions)
