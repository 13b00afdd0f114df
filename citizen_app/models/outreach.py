"""E-mail and SMS [issue 18]: what a person chose, and every message on its way out.

``ContactChoice``: whether the person wants e-mail and/or SMS when something new is in Min SIP (the address
and number themselves are ``Person.email`` and ``Person.phone``).

``MessageOutbox``: one row per e-mail or SMS. The text is fixed and never about health; a link or a child's
code in it is erased (``body`` set to "") as soon as the row is sent or given up, so the secret lives in the
database only for the minutes the row waits. ``dedupe_key`` is unique: the same message is never queued twice.
A sender takes a row by moving it from PENDING to SENDING (committed before it sends), so a row is sent at
most once: a sender that dies mid-send leaves it SENDING, never sent again.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from citizen_app.models.base import Base, UTCDateTime, utcnow


class ContactChoice(Base):
    """Which of e-mail and SMS a person wants about new messages. No row: neither."""

    __tablename__ = "contact_choice"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean, default=False)
    sms: Mapped[bool] = mapped_column(Boolean, default=False)


class OutreachChannel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"


class OutreachPurpose(enum.StrEnum):
    NEW_MESSAGE = "new_message"  # "Du har ett nytt meddelande i Min SIP"
    RELATIVE_LINK = "relative_link"  # a relative's personal invitation link
    CHILD_CODE = "child_code"  # a child's code for "Min röst"


class OutreachStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # taken by a sender; never taken again
    SENT = "sent"
    FAILED = "failed"  # refused by the server or gateway, or given up after the last retry


class MessageOutbox(Base):
    __tablename__ = "message_outbox"
    __table_args__ = (
        Index("ix_message_outbox_status_next", "status", "next_attempt_at"),
        Index("ix_message_outbox_person_channel", "person_id", "channel", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[OutreachChannel] = mapped_column(Enum(OutreachChannel, native_enum=False, length=10))
    purpose: Mapped[OutreachPurpose] = mapped_column(Enum(OutreachPurpose, native_enum=False, length=20))
    address: Mapped[str] = mapped_column(String(200))  # an e-mail address or a number as +46...
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")  # erased once sent or given up
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[OutreachStatus] = mapped_column(
        Enum(OutreachStatus, native_enum=False, length=20), default=OutreachStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
