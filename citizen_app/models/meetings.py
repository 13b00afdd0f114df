"""The SIP meeting and its invitations [SIP.md 3.4–3.5] [VM] [DA 4.4].

An invitation goes only to a party the consent covers (services/consent.require_covering). Units answer
within one working day and say who comes, or name a replacement; relatives answer through a personal link.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citizen_app.models.base import Base, PublicIdMixin, UTCDateTime, utcnow
from citizen_app.models.sips import Participant


class MeetingMode(enum.StrEnum):
    IN_PERSON = "in_person"
    VIDEO = "video"
    PHONE = "phone"


class MeetingStatus(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class Meeting(PublicIdMixin, Base):
    __tablename__ = "meeting"

    case_id: Mapped[int] = mapped_column(ForeignKey("sip_case.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    length_minutes: Mapped[int] = mapped_column(Integer, default=60)
    mode: Mapped[MeetingMode] = mapped_column(Enum(MeetingMode, native_enum=False, length=20))
    place: Mapped[str] = mapped_column(String(300), default="")  # an address, or "hemma hos ..."
    video_link: Mapped[str] = mapped_column(String(500), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")  # the number to call in to
    interpreter_language: Mapped[str] = mapped_column(String(80), default="")
    interpreter_booked: Mapped[bool] = mapped_column(Boolean, default=False)
    other_needs: Mapped[str] = mapped_column(Text, default="")  # aids, time limit, adaptations
    status: Mapped[MeetingStatus] = mapped_column(
        Enum(MeetingStatus, native_enum=False, length=20), default=MeetingStatus.PLANNED
    )
    created_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    invitations: Mapped[list[Invitation]] = relationship(back_populates="meeting", order_by="Invitation.id")


class InvitationStatus(enum.StrEnum):
    SENT = "sent"  # waiting for an answer
    ACCEPTED = "accepted"  # coming
    BY_PHONE = "by_phone"  # taking part by phone
    DECLINED = "declined"  # not coming (a unit names a replacement)
    CANCELLED = "cancelled"  # the SIP ended, or the meeting was cancelled
    # issue 15: coming of age. Paused on the 18th birthday: the young adult's own consent does not cover the
    # party yet. Sent again (meetings.invite) once it does; until then it cannot be answered.
    HELD = "held"
    # issue 16: the invited unit does not know the person [DA 3.6]; the coordinator is told (with a note).
    NOT_KNOWN = "not_known"


class Invitation(PublicIdMixin, Base):
    """One party's invitation to one meeting, and their answer."""

    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("meeting_id", "participant_id", name="uq_invitation_participant"),)

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    status: Mapped[InvitationStatus] = mapped_column(
        Enum(InvitationStatus, native_enum=False, length=20), default=InvitationStatus.SENT
    )
    who_comes: Mapped[str] = mapped_column(String(300), default="")  # a unit names who comes
    replacement: Mapped[str] = mapped_column(String(300), default="")  # if the invited cannot come
    answer_note: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="invitations")
    participant: Mapped[Participant] = relationship()
