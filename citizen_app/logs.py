"""Structured logs [issue 18]: one JSON object a line, each line of a request carrying its request id.

- **Request id.** Every request gets an id: a well-formed ``X-Request-ID`` from the proxy in front (only when
  ``MINSIP_PROXY_HOPS`` says there is one, or any visitor could choose it), else a new one. It is sent back
  in the ``X-Request-ID`` header (not for static files), is on every log line written while the request
  runs, and is shown on the error pages ("Felkod: …") so a person can quote it to support.
- **One access line per request** (logger ``citizen_app.access``): method, route (the rule, such as
  ``/sip/<string(length=22):public_id>``, never the path: a path may hold a link's secret), endpoint, status
  and duration. Never a query string, a form value, a name or an identity number.
- **Level** from ``MINSIP_LOG_LEVEL`` (DEBUG, INFO, WARNING, ERROR; default INFO). WARNING and above drop the
  access lines.

Why a small formatter of our own rather than a library: it writes exactly the fields below and nothing a
caller passes along by chance (``extra`` values are not copied), so nothing personal slips into the logs
through a field nobody looked at.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from time import perf_counter

from flask import Flask, request

REQUEST_ID_HEADER = "X-Request-ID"
# What an id from the proxy may look like: nginx's $request_id (32 hex), a UUID, or similar. Anything else
# (too long, spaces, other characters) is replaced, so a log line never carries text a client chose freely.
_WELL_FORMED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{7,63}$")
_ROUTE = "minsip.route"  # environ keys: what Flask matched, for the access line
_ENDPOINT = "minsip.endpoint"
ACCESS_LOGGER = "citizen_app.access"
# The fields an access line carries beside the message (JsonFormatter copies these and no others).
ACCESS_FIELDS = ("method", "route", "endpoint", "status", "duration_ms")

_current_id: ContextVar[str | None] = ContextVar("minsip_request_id", default=None)


def request_id() -> str | None:
    """The id of the request being answered in this thread (None outside a request)."""
    return _current_id.get()


def new_request_id() -> str:
    """12 hex digits: short enough to read out over the phone, and with the time of the error unique enough
    to find its lines."""
    return secrets.token_hex(6)


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time (UTC), level, logger, message, request_id when there is one,
    the access fields on access lines, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        found = getattr(record, "request_id", None) or _current_id.get()
        if found:
            entry["request_id"] = found
        for field in ACCESS_FIELDS:
            if field in record.__dict__:
                entry[field] = record.__dict__[field]
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class JsonHandler(logging.StreamHandler):
    """JSON lines to standard error (whatever ``sys.stderr`` is when the line is written: a test runner may
    replace it), or to ``stream``. gunicorn.conf.py names this class too, so the server's own lines and the
    app's are one format, and ``configure`` never adds a second one."""

    def __init__(self, stream=None) -> None:
        self._fixed = stream
        super().__init__(stream)
        self.setFormatter(JsonFormatter())

    @property
    def stream(self):
        return self._fixed if self._fixed is not None else sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


class _NoRequestLines(logging.Filter):
    """The development server's (werkzeug's) own request lines carry the whole address with its query
    string; our access line replaces them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return " - - [" not in str(record.msg)


def configure(level: str | int = "INFO", stream=None) -> logging.Handler:
    """Send every log line of this process to standard error (or ``stream``) as JSON, at ``level``.
    Safe to call again (each app built in one process, a gunicorn worker whose server set up logging from
    gunicorn.conf.py): the JSON handler is replaced, never added twice."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, JsonHandler)]:
        root.removeHandler(old)
    handler = JsonHandler(stream)
    root.addHandler(handler)
    root.setLevel(level)
    from flask.logging import default_handler

    logging.getLogger("citizen_app").removeHandler(default_handler)  # Flask's own plain-text handler
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # a line per plugin, each start
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, _NoRequestLines) for f in werkzeug.filters):
        werkzeug.addFilter(_NoRequestLines())
    return handler


class RequestLog:
    """WSGI middleware, outermost: gives the request its id, sends the header back and writes the access
    line. Outermost so the duration covers everything (the session is saved after Flask's after_request)
    and static files served by WhiteNoise get a line too."""

    def __init__(self, wsgi_app, trust_header: bool) -> None:
        self.wsgi_app = wsgi_app
        self.trust_header = trust_header
        self.log = logging.getLogger(ACCESS_LOGGER)

    def _id(self, environ) -> str:
        given = environ.get("HTTP_X_REQUEST_ID", "") if self.trust_header else ""
        return given if _WELL_FORMED.match(given) else new_request_id()

    def __call__(self, environ, start_response):
        rid = self._id(environ)
        token = _current_id.set(rid)
        started = perf_counter()
        answered: dict[str, int] = {}
        # A static file (WhiteNoise) has no page to quote an id from, and its 304 stays as small as it is
        # [issue 17]: it gets its access line but no header.
        static = str(environ.get("PATH_INFO", "")).startswith("/static/")

        def start(status: str, headers: list, exc_info=None):
            answered["status"] = int(status.split(" ", 1)[0])
            if not static:
                headers = [(k, v) for k, v in headers if k.lower() != REQUEST_ID_HEADER.lower()]
                headers.append((REQUEST_ID_HEADER, rid))
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, start)
        except Exception:
            answered.setdefault("status", 500)
            raise
        finally:
            self._access_line(environ, answered.get("status", 500), started, rid)
            _current_id.reset(token)

    def _access_line(self, environ, status: int, started: float, rid: str) -> None:
        path = environ.get("PATH_INFO", "")
        static = path.startswith("/static/")
        self.log.info(
            "request",
            extra={
                "request_id": rid,
                "method": str(environ.get("REQUEST_METHOD", ""))[:10],
                "route": environ.get(_ROUTE) or ("/static/<file>" if static else None),
                "endpoint": environ.get(_ENDPOINT) or ("static" if static else None),
                "status": status,
                "duration_ms": round((perf_counter() - started) * 1000, 1),
            },
        )


def init_app(app: Flask) -> None:
    """Call last in create_app: the middleware must wrap everything else (WhiteNoise, ProxyFix)."""
    app.jinja_env.globals["request_id"] = request_id

    @app.after_request
    def note_route(response):
        rule = request.url_rule
        if rule is not None:
            request.environ[_ROUTE] = rule.rule
            request.environ[_ENDPOINT] = rule.endpoint
        return response

    app.wsgi_app = RequestLog(app.wsgi_app, trust_header=app.config["PROXY_HOPS"] > 0)  # type: ignore[method-assign]
