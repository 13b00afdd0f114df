"""Error pages in simple Swedish, each with a way back. One commit per request: roll back on any error.

When the database is away (stopped, restarting, unreachable, out of connections) every page answers 503
"Min SIP fungerar inte just nu" with ``Retry-After``, in Swedish and English on the same page, instead of a
crash. That page needs nothing that could be away too: no database, no signed-in person (flask-login's
``current_user`` is never touched: it loads the person from the database), no session read or write, no
language choice (which lives in the session). The app recovers by itself: the connection pool checks each
connection before use (``pool_pre_ping``) and drops broken ones, so the first request after the database is
back works again.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sql_errors
from werkzeug.exceptions import HTTPException

from citizen_app.database import request_wrote
from citizen_app.extensions import db
from citizen_app.services import NotAllowed, NotFound

SHOWN = {400, 403, 404, 405, 410, 413, 422, 429, 500}
RETRY_AFTER_SECONDS = 30
_DATABASE_AWAY = "minsip_database_away"  # set on g for the rest of a request that got the 503 page

# The errors that mean "the database cannot be reached now", not "this request is wrong": a lost or refused
# connection, a server shutting down, a pool with no free connection (TimeoutError), a lock that timed out.
_AWAY_ERRORS = (sql_errors.OperationalError, sql_errors.InterfaceError, sql_errors.TimeoutError)


def is_database_away(error: BaseException | None) -> bool:
    """True when ``error``, or what caused it, says the database cannot be reached.

    Follows Flask's ``original_exception`` (an error outside the view becomes an InternalServerError) and
    Python's cause and context, so an error raised while handling a lost connection counts as well.
    """
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, _AWAY_ERRORS):
            return True
        if isinstance(error, sql_errors.DBAPIError) and error.connection_invalidated:
            return True
        error = getattr(error, "original_exception", None) or error.__cause__ or error.__context__
    return False


def database_away_in_this_request() -> bool:
    """True once this request has been answered with the 503 page: nothing may use the database or the
    session store for it any more (the session interface below skips saving)."""
    return bool(g.get(_DATABASE_AWAY))


def _texts(language: str) -> dict[str, str]:
    with force_locale(language):
        return {
            "skip": _("Hoppa till innehållet"),
            "title": _("Min SIP fungerar inte just nu"),
            "cause": _("Det är ett fel hos oss, inte hos dig. Vi arbetar med att rätta det."),
            "again": _("Försök igen om en stund."),
            "not_saved": _("Det du skickade sparades inte. Skicka det igen när Min SIP fungerar."),
            "retry": _("Försök igen"),
            "help": _("Behöver du hjälp nu?"),
            "phone": _("Telefon:"),
            "urgent": _("Ring 112 vid fara för liv. Ring 1177 om du behöver råd om vård."),
            "code_hint": _("Säg felkoden om du kontaktar oss."),
            "code": _("Felkod:"),
        }


def _same_page() -> str:
    """The page asked for, as a link on this site only (a path such as //example.com would leave it)."""
    path = request.full_path.rstrip("?")
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else "/"


def _database_away_page() -> Response:
    """The 503 page. Rendered straight from the Jinja environment: render_template would run the context
    processors, and flask-login's loads the signed-in person from the database."""
    g.setdefault(_DATABASE_AWAY, True)
    try:
        html = current_app.jinja_env.get_template("errors/database_away.html").render(
            sv=_texts("sv"),
            en=_texts("en"),
            retry_url=_same_page() if request.method == "GET" else None,
            contact_phone=current_app.config["SERVICE_CONTACT_PHONE"],
        )
        response = Response(html, 503, mimetype="text/html")
    except Exception:  # the page must never fail: plain text rather than the server's bare English 500
        current_app.logger.exception("The database-away page could not be rendered")
        response = Response(
            "Min SIP fungerar inte just nu. Försök igen om en stund.\n"
            "Min SIP is not working right now. Please try again in a while.\n",
            503,
            mimetype="text/plain",
        )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _database_away(error: BaseException) -> Response:
    current_app.logger.warning("Database unreachable: %s: %s", type(error).__name__, error)
    return _database_away_page()


class NoSessionSaveWhileDatabaseAway:
    """Wraps the app's session interface: a request answered with the 503 page saves no session (the store
    may be the database). Everything else is passed to the wrapped interface unchanged."""

    def __init__(self, inner) -> None:
        self._inner = inner

    def __getattr__(self, name: str):
        return getattr(self._inner, name)

    def save_session(self, app, session, response) -> None:
        if database_away_in_this_request():
            return None
        return self._inner.save_session(app, session, response)


def _page(status: int | str, template: str = "errors/error.html", status_code: int | None = None):
    """An error page in the site's layout. The layout shows the signed-in person, read from the database:
    if that fails because the database is away, the 503 page is shown instead."""
    try:
        return render_template(template, status=status), status_code or status
    except Exception as failed:
        if is_database_away(failed):
            return _database_away(failed)
        raise


def init_app(app: Flask) -> None:
    app.session_interface = NoSessionSaveWhileDatabaseAway(app.session_interface)  # type: ignore[assignment]

    for away in _AWAY_ERRORS:
        app.register_error_handler(away, _database_away)

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        db.session.rollback()
        return _page("csrf", status_code=400)

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
        # An error outside the view (opening the session, an after-request hook) reaches here as a 500.
        if is_database_away(error):
            return _database_away(error)
        db.session.rollback()
        status = error.code or 500
        return _page(status if status in SHOWN else 400 if status < 500 else 500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if is_database_away(error):  # e.g. a lost connection wrapped in another error
            return _database_away(error)
        db.session.rollback()
        app.logger.exception("Unhandled error")
        return _page(500)

    @app.teardown_request
    def commit_or_roll_back(exc):
        """One commit per request, only when it succeeded [STYLE: a request's way through the house]."""
        if exc is not None and not database_away_in_this_request():
            db.session.rollback()

    @app.after_request
    def commit(response):
        if database_away_in_this_request():
            return response  # the connection is gone; the session is thrown away at the end of the request
        if response.status_code < 400 and request_wrote(db.session):
            db.session.commit()
        else:
            db.session.rollback()
        return response
