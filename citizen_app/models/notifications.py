"""In-app messages ("Meddelanden"). One row per recipient and event.

A message stores only a kind and structured data; its text is rendered in the reader's language when read.
Web Push (a later issue) hangs off this same record, so callers of ``services.notifications.notify`` never
change when push is added.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citizen_app.models.base import Base, PublicIdMixin, UTCDateTime, utcnow
from citizen_app.models.sips import SipCase


class NotificationKind(enum.StrEnum):
    REQUEST_RECEIVED = "request_received"  # your request has arrived
    SUGGESTION_TO_ANSWER = "suggestion_to_answer"  # someone close suggested a SIP for you
    REQUEST_ACCEPTED = "request_accepted"  # a coordinator has taken your SIP
    REQUEST_FORWARDED = "request_forwarded"  # sent on to the right unit
    COORDINATOR_CHANGED = "coordinator_changed"
    REQUEST_CANCELLED = "request_cancelled"
    STARTED_BY_STAFF = "started_by_staff"  # staff started a SIP for you
    STEP_CHANGED = "step_changed"
    NEW_REQUEST_FOR_UNIT = "new_request_for_unit"  # staff: a request arrived in your unit's queue


class Notification(PublicIdMixin, Base):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_person_read", "recipient_person_id", "read_at"),
        Index("ix_notification_staff_read", "recipient_staff_id", "read_at"),
    )

    recipient_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    recipient_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    kind: Mapped[NotificationKind] = mapped_column(Enum(NotificationKind, native_enum=False, length=40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("sip_case.id"), index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Idempotency for scheduled reminders and retried requests: the same key never makes a second message.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)

    case: Mapped[SipCase | None] = relationship()
