"""A draft of a question-per-page flow: the answers given so far, kept on the server until sent [issue 14].

Both flows keep their drafts here: asking for a SIP ("request", one draft per person at a time, found by its
public id in the URL) and giving or changing consent ("consent", one draft per person and case). Kept in the
database, not in the session, so a long answer fits and going back and forth loses nothing.

A draft is only ever looked up together with its author (services/drafts.py): another person never reads or
changes it, even with its id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from citizen_app.models.base import Base, PublicIdMixin, UTCDateTime, utcnow


class FlowDraft(PublicIdMixin, Base):
    __tablename__ = "flow_draft"
    # One consent draft per person and case. Request drafts have no case (NULLs never collide), so a person
    # keeps every sent request draft, each with the case it became.
    __table_args__ = (
        UniqueConstraint("flow", "author_id", "case_id", name="uq_flow_draft_flow_author_case"),
    )

    flow: Mapped[str] = mapped_column(String(20))  # "request" or "consent"
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("sip_case.id"))  # the case a consent draft is for
    # The answers by field name; "_done" lists the questions answered (pages/flow.py).
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # The case a sent request became: sending twice (a double click) finds it instead of making a second.
    submitted_case_id: Mapped[int | None] = mapped_column(ForeignKey("sip_case.id"))
