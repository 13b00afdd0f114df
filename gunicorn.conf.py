"""Gunicorn settings for Min SIP's web processes [issue 18]: ``gunicorn -c gunicorn.conf.py`` (the Procfile's
``web`` line). Every value can be set from the environment; the defaults suit one small server.

| variable | what | default |
|---|---|---|
| ``PORT`` | the port to listen on (honcho gives each web process its own) | 8000 |
| ``MINSIP_HOST`` | the address to listen on (``127.0.0.1`` when the proxy is on the same machine) | 0.0.0.0 |
| ``MINSIP_BIND`` | the whole bind address instead, e.g. ``unix:/run/minsip.sock`` | — |
| ``WEB_CONCURRENCY`` | worker processes per web process (about 2 × cores in all) | 2 |
| ``MINSIP_THREADS`` | threads per worker process (requests each one answers at once) | 4 |
| ``MINSIP_TIMEOUT`` | seconds a request may take before its worker is restarted | 30 |
| ``MINSIP_GRACEFUL_TIMEOUT`` | seconds to finish running requests on a restart or stop | 30 |
| ``MINSIP_KEEPALIVE`` | seconds to keep an idle connection from the proxy open | 5 |
| ``MINSIP_LOG_LEVEL`` | as for the app: gunicorn's own lines use the same level | INFO |

Logging: gunicorn's own lines (starting, a worker restarted after a timeout) are JSON like the app's
(``citizen_app.logs.JsonHandler``), all on standard error. Gunicorn's access log is off: the app writes one
JSON access line per request itself, with its request id and without query strings.
"""

import os

wsgi_app = "citizen_app:create_app()"

_host = os.environ.get("MINSIP_HOST", "0.0.0.0")  # noqa: S104 (the proxy in front may be another machine)
bind = os.environ.get("MINSIP_BIND") or f"{_host}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("MINSIP_THREADS", "4"))
timeout = int(os.environ.get("MINSIP_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("MINSIP_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("MINSIP_KEEPALIVE", "5"))
# A worker is replaced after this many requests (give or take the jitter), so a slow leak never grows old.
max_requests = int(os.environ.get("MINSIP_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Each worker builds its own app after the fork: database and Redis connections are never shared.
preload_app = False
# gunicorn 24+ opens a control socket at one fixed path per user: two web processes on one machine would
# fight over it, and Min SIP does not use it.
control_socket_disable = True

accesslog = None
errorlog = "-"
loglevel = os.environ.get("MINSIP_LOG_LEVEL", "INFO").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": loglevel.upper(), "handlers": ["json"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
    },
    "handlers": {"json": {"class": "citizen_app.logs.JsonHandler"}},
    "formatters": {},
}
