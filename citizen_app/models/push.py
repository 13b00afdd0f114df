"""Web Push: a person's devices and which kinds of reminders they want [issue 8] [QUALITY 5, 6].

A push carries no health data: only a generic sentence and an opaque id; details load after sign-in.
``PushOutbox`` keeps each push until it is delivered, so a failed send is retried with back-off and a
send never happens inside the user's request. A sender first claims a row for a short while
(``claimed_until``), so two senders never send the same row at once, and a sender that died mid-send leaves
the row to be sent again once the claim has run out (at-least-once; the device drops a second copy).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citizen_app.models.base import Base, PublicIdMixin, UTCDateTime, utcnow


class PushSubscription(PublicIdMixin, Base):
    __tablename__ = "push_subscription"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))  # the browser's public key (base64url)
    auth: Mapped[str] = mapped_column(String(100))  # the browser's auth secret (base64url)
    device_label: Mapped[str] = mapped_column(String(100), default="")  # "Android", "iPhone", ...
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PushPreference(Base):
    """Which kinds a person wants as push; a person without a row gets the defaults."""

    __tablename__ = "push_preference"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    kinds: Mapped[list] = mapped_column(JSON, default=list)


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    GONE = "gone"  # the push service said 404/410: the subscription was removed
    FAILED = "failed"  # gave up after the last retry


class PushOutbox(Base):
    __tablename__ = "push_outbox"
    __table_args__ = (Index("ix_push_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("push_subscription.id", ondelete="SET NULL")
    )
    payload: Mapped[str] = mapped_column(Text)  # JSON with a generic text and an opaque id only
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, native_enum=False, length=20), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set by the sender that is sending this row right now; nobody else sends it before this time.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    subscription: Mapped[PushSubscription | None] = relationship()
