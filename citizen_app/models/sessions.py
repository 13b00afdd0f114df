"""Server-side sessions [QUALITY 4] [issue 12]: the browser's cookie holds only a random id; this row holds
the rest, so signing out, the idle limit and the absolute limit are decided here, not by the cookie.

The rules live in services/web_sessions.py; the request plumbing in citizen_app/sessions.py.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from citizen_app.models.base import Base, UTCDateTime, utcnow


class WebSession(Base):
    """One browser session. Only the SHA-256 of the cookie's id is stored: a copy of this table (a backup, a
    dump) cannot be turned into a working cookie."""

    __tablename__ = "web_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Who is signed in, as flask-login names them ("p:<public id>", "s:<public id>"); none for a visitor
    # who is not signed in. "Logga ut på alla enheter" deletes every row of one actor.
    actor_id: Mapped[str | None] = mapped_column(String(64), index=True)
    # Flask's tagged JSON of the session's contents (language, CSRF token, flashed messages, ...).
    data: Mapped[str] = mapped_column(Text, default="{}")
    # When this id was made. A new id is made at sign-in, so for a signed-in row this is the sign-in time
    # (12 hours at most). Expired rows are deleted by age: the index keeps that cheap.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The last request, written at most once a minute (30 minutes idle at most).
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
