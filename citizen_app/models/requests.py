"""A SIP request being written: the answers of the question-per-page flow, kept until sent [issue 3].

Stored in the database, not the cookie, so long answers fit and nothing is lost when the person goes back
and forth. ``submitted_case_id`` makes sending idempotent: a double-clicked submit finds the case it made.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from citizen_app.models.base import Base, PublicIdMixin, UTCDateTime, utcnow


class RequestDraft(PublicIdMixin, Base):
    __tablename__ = "request_draft"

    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    submitted_case_id: Mapped[int | None] = mapped_column(ForeignKey("sip_case.id"))
