"""A submitted form, remembered for a day so that the same form is never taken twice [QUALITY 5] [issue 12].

Every form carries a fresh random ``token`` (templates/components/forms.html). The first POST of a form that
creates something claims the token for its ``actor`` in the request's own transaction; ``location`` is where
that POST's answer led. A second POST of the same form (a double click, a reload, the same instant on two app
servers) finds the row and is sent to the same place instead of creating a second report, comment or answer.
The unique pair (actor, token) is what makes the concurrent case safe: the second insert waits for the
first transaction and then fails.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from citizen_app.models.base import Base, UTCDateTime, utcnow


class FormSubmission(Base):
    __tablename__ = "form_submission"
    __table_args__ = (UniqueConstraint("actor", "token", name="uq_form_submission_actor_token"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Whose form it was: "person:12", "staff:3", "child-link:7", "invitation-link:9". A token is honoured only
    # for the actor who sent it first, so nobody is ever sent to someone else's page.
    actor: Mapped[str] = mapped_column(String(40))
    token: Mapped[str] = mapped_column(String(64))
    # Where the first POST's answer led (its redirect), in this app; None while the first is still running.
    location: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
