"""Health checks for the load balancer and the process manager [issue 18].

- ``/healthz``: the process is up and answers (nothing else is checked: a restart will not help a database
  that is away, so this must not fail when it is).
- ``/readyz``: ready for traffic: database reachable, migrations at head, Redis reachable if configured
  (services/health.py). 503 with the reasons otherwise, e.g. ``{"status": "unavailable", "reasons":
  ["database_unreachable"]}``.

Both are open to anyone (``public``), read and write no personal data, are not audited, and never open or
save a session (sessions.py skips them: no cookie is read or set). JSON, never cached.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from citizen_app.services import health
from citizen_app.web.guards import public

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@public
def alive():
    return jsonify(status="ok")


@bp.route("/readyz")
@public
def ready():
    problems = health.readiness_problems()
    if problems:
        response = jsonify(status="unavailable", reasons=problems)
        response.status_code = 503
        return response
    return jsonify(status="ready")
