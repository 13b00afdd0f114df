"""Is this app server ready for traffic [issue 18]? For the load balancer's ``/readyz`` (web/health.py).

Ready means: the database answers, its schema is at the migrations' head (an app server started before
``flask upgrade-db`` ran, or a database restored from an older backup, is not), and Redis answers when
``REDIS_URL`` is configured. The answer is a list of short, machine-readable reasons, empty when ready. It
reads no personal data and writes nothing: one query (``alembic_version``) and a Redis ``PING``.
"""

from __future__ import annotations

import functools
import logging

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import exc as sql_errors
from sqlalchemy import text

from citizen_app.database import MIGRATIONS_DIR
from citizen_app.extensions import db

log = logging.getLogger(__name__)

DATABASE_UNREACHABLE = "database_unreachable"
MIGRATIONS_NOT_AT_HEAD = "migrations_not_at_head"
REDIS_UNREACHABLE = "redis_unreachable"

REDIS_TIMEOUT_SECONDS = 1


@functools.cache
def migration_heads() -> frozenset[str]:
    """The head revision(s) of the migrations this code carries (read once per process)."""
    return frozenset(ScriptDirectory(MIGRATIONS_DIR).get_heads())


def _database_problem() -> str | None:
    try:
        found = frozenset(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    except sql_errors.SQLAlchemyError as error:
        db.session.rollback()
        # Away, or there but never migrated (no alembic_version: SQLite calls that an OperationalError too)?
        # Only on this path a second, trivial query tells them apart.
        try:
            db.session.execute(text("SELECT 1"))
        except sql_errors.SQLAlchemyError:
            db.session.rollback()
            log.warning("Not ready: database unreachable (%s)", type(error).__name__)
            return DATABASE_UNREACHABLE
        log.warning("Not ready: no migrations have run (%s)", type(error).__name__)
        return MIGRATIONS_NOT_AT_HEAD
    if found != migration_heads():
        log.warning("Not ready: database at %s, head is %s", sorted(found), sorted(migration_heads()))
        return MIGRATIONS_NOT_AT_HEAD
    return None


@functools.cache
def _redis(url: str):
    """One client (and connection pool) per URL and process: a check every few seconds opens no new
    connection each time."""
    from redis import Redis

    return Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )


def _redis_problem() -> str | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    from redis.exceptions import RedisError

    try:
        _redis(url).ping()
    except RedisError as error:
        log.warning("Not ready: Redis unreachable (%s)", type(error).__name__)
        return REDIS_UNREACHABLE
    return None


def readiness_problems() -> list[str]:
    """Why this app server should not get traffic now; an empty list when it is ready."""
    return [problem for problem in (_database_problem(), _redis_problem()) if problem]
