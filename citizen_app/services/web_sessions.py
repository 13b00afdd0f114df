"""Server-side sessions [QUALITY 4] [issue 12]: the rules for when a session has ended, and its rows.

The browser's cookie holds only a random id (256 bits); the table ``web_session`` holds a SHA-256 of it and
the session's contents. So the server decides, on every request, whether a session is still good:

- signing out deletes the row: a copy of the cookie then opens nothing;
- "Logga ut på alla enheter" deletes every row of the signed-in person or staff member;
- a signed-in session ends 30 minutes after its last request (idle) and 12 hours after sign-in (absolute);
  a session of someone not signed in (language, CSRF token, an opened child or invitation link) ends after
  12 hours. The times are the server's: nothing the browser sends can move them.

Why the database and not Redis (or Flask-Session): the app must keep working when Redis is away (issue 12,
"Faults"), and the database is the one component it cannot run without anyway; several app servers share it,
so a sign-out on one ends the session on all. Own code rather than Flask-Session, because Flask-Session stores
the cookie's id itself (not a hash), writes the row on every request and makes its table outside the
migrations; here the row is written only when its contents change, and ``last_seen_at`` at most once a minute
(issue 17).

Expired rows are deleted when they are read, and by ``flask run-jobs`` (cron) once their 12 hours are up.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, func, insert, select, update

from citizen_app.extensions import db
from citizen_app.models import Person, StaffUser, WebSession
from citizen_app.models.base import utcnow
from citizen_app.services.row_counts import rows_changed

# How stale ``last_seen_at`` may get before a request writes it again. The idle limit is therefore measured to
# the minute: a session may end up to a minute early, never late.
LAST_SEEN_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class StoredSession:
    """A row as it was read at the start of the request, with the person or staff member it names (read in
    the same query, so a signed-in page costs no more queries than with the old cookie) [QUALITY 3]."""

    id_hash: str
    actor_id: str | None
    data: str
    created_at: datetime
    last_seen_at: datetime
    actor: Person | StaffUser | None = None


def new_id() -> str:
    """The cookie's value: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_of(session_id: str) -> str:
    """What the table keeps instead of the id. A plain hash is enough: the id is random, not a password."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def idle_limit() -> timedelta:
    return current_app.config["SESSION_IDLE_TIMEOUT"]


def absolute_limit() -> timedelta:
    return current_app.config["SESSION_ABSOLUTE_TIMEOUT"]


# The row's actor_id is flask-login's id ("p:" or "s:" and the public id, see people.load_actor). The join
# takes the public id out of the session row, so the look-up uses the unique index on public_id.
_ITS_PERSON = and_(
    WebSession.actor_id.startswith("p:"), Person.public_id == func.substr(WebSession.actor_id, 3)
)
_ITS_STAFF = and_(
    WebSession.actor_id.startswith("s:"), StaffUser.public_id == func.substr(WebSession.actor_id, 3)
)


def find(session_id: str) -> StoredSession | None:
    """The row of this cookie and who it names, read in the request's own transaction (one query, no
    write)."""
    row = db.session.execute(
        select(
            WebSession.id_hash,
            WebSession.actor_id,
            WebSession.data,
            WebSession.created_at,
            WebSession.last_seen_at,
            Person,
            StaffUser,
        )
        .outerjoin(Person, _ITS_PERSON)
        .outerjoin(StaffUser, _ITS_STAFF)
        .where(WebSession.id_hash == hash_of(session_id))
    ).first()
    if row is None:
        return None
    id_hash, actor_id, data, created_at, last_seen_at, person, staff = row
    return StoredSession(id_hash, actor_id, data, created_at, last_seen_at, actor=person or staff)


def has_ended(stored: StoredSession, now: datetime) -> bool:
    """12 hours after the id was made (a new id is made at sign-in); for someone signed in, also 30 minutes
    after the last request [QUALITY 4]."""
    if now - stored.created_at > absolute_limit():
        return True
    return stored.actor_id is not None and now - stored.last_seen_at > idle_limit()


def is_stale(stored: StoredSession, now: datetime) -> bool:
    """Whether this request should write ``last_seen_at``: only signed-in sessions have an idle limit, and
    writing it at most once a minute keeps a page view to reads [issue 17]."""
    return stored.actor_id is not None and now - stored.last_seen_at >= LAST_SEEN_PRECISION


# --- Writes at the end of a request ------------------------------------------------------------------------


@dataclass
class Change:
    """What the end of a request writes; most requests write nothing (``Change().is_empty``)."""

    forget: list[str] = field(default_factory=list)  # rows (id hashes) to delete: ended, or replaced
    create: tuple[str, str | None, str] | None = None  # (new session id, actor id, data)
    save: tuple[str, str] | None = None  # (id hash, data): the contents changed
    touch: str | None = None  # id hash: only last_seen_at

    @property
    def is_empty(self) -> bool:
        return not (self.forget or self.create or self.save or self.touch)


def apply(change: Change, now: datetime) -> None:
    """Write ``change`` in a short transaction of its own. The session is saved after the request's own
    transaction has committed or rolled back (citizen_app/errors.py), and this never commits, or waits for,
    the page's work."""
    with db.engine.begin() as connection:
        for id_hash in change.forget:
            connection.execute(delete(WebSession).where(WebSession.id_hash == id_hash))
        if change.create:
            session_id, actor_id, data = change.create
            connection.execute(
                insert(WebSession).values(
                    id_hash=hash_of(session_id),
                    actor_id=actor_id,
                    data=data,
                    created_at=now,
                    last_seen_at=now,
                )
            )
        if change.save:
            id_hash, data = change.save
            connection.execute(
                update(WebSession).where(WebSession.id_hash == id_hash).values(data=data, last_seen_at=now)
            )
        if change.touch:
            connection.execute(
                update(WebSession).where(WebSession.id_hash == change.touch).values(last_seen_at=now)
            )


# --- Ending sessions on purpose: in the request's transaction, so it commits with the page or not at all ---


def end(id_hash: str) -> None:
    """Sign-out: this session's row is gone, so any copy of its cookie opens nothing."""
    db.session.execute(delete(WebSession).where(WebSession.id_hash == id_hash))


def end_all_for(actor_id: str) -> int:
    """ "Logga ut på alla enheter": every session of this person or staff member, on every device."""
    return rows_changed(delete(WebSession).where(WebSession.actor_id == actor_id)) or 0


def delete_expired(now: datetime | None = None) -> int:
    """Housekeeping for cron (``flask run-jobs``): rows past the absolute limit can never be used again.

    A signed-in row that ran out after 30 idle minutes stays until then (it can no longer be used: every read
    checks the limits and deletes it), so a person who comes back within the 12 hours is told why they were
    signed out. The caller commits."""
    cutoff = (now or utcnow()) - absolute_limit()
    return rows_changed(delete(WebSession).where(WebSession.created_at < cutoff)) or 0
