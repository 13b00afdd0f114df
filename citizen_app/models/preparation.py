"""Preparing the meeting: "vad är viktigt för dig?" [SIP.md 6] [ST 2] [DA 4.3] [HA].

The person's own questions are the starting point of the meeting. Each theme is answered and saved on its
own (nothing is lost when the person leaves half-way). The agenda is an ordered list the person controls;
a second list, "Det här vill jag inte prata om", is for the coordinator's eyes only. The child has their own
voice with their own answers, and decides per answer whether the guardians may see it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citizen_app.models.base import Base, PublicIdMixin, UTCDateTime, utcnow
from citizen_app.models.meetings import Invitation


class Voice(enum.StrEnum):
    PERSON = "person"  # the person, or a guardian / representative preparing for them
    CHILD = "child"  # the child's own voice ("Min röst")


class PreparationAnswer(PublicIdMixin, Base):
    """One answer to one theme, by one voice. Saved as you go: one row per (case, voice, theme)."""

    __tablename__ = "preparation_answer"
    __table_args__ = (UniqueConstraint("case_id", "voice", "theme", name="uq_preparation_answer_theme"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("sip_case.id"), index=True)
    voice: Mapped[Voice] = mapped_column(Enum(Voice, native_enum=False, length=20))
    theme: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")
    # Structured answers of a theme (a choice among options, a list of chosen parties, ...).
    choice: Mapped[dict] = mapped_column(JSON, default=dict)
    # Only for the child's voice: may the guardians read this before the meeting? [issue 5]
    guardians_may_see: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class AgendaList(enum.StrEnum):
    TALK_ABOUT = "talk_about"  # what must be talked about, in order
    NOT_TALK_ABOUT = "not_talk_about"  # "Det här vill jag inte prata om": coordinator only


class SuggestionStatus(enum.StrEnum):
    ACCEPTED = "accepted"  # on the agenda (the person's own items are accepted from the start)
    PENDING = "pending"  # a relative suggested it; the person has not decided
    DECLINED = "declined"


class AgendaItem(PublicIdMixin, Base):
    __tablename__ = "agenda_item"
    __table_args__ = (Index("ix_agenda_item_case_list_position", "case_id", "list", "position"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("sip_case.id"))
    list: Mapped[AgendaList] = mapped_column(Enum(AgendaList, native_enum=False, length=20))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    most_important: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[SuggestionStatus] = mapped_column(
        Enum(SuggestionStatus, native_enum=False, length=20), default=SuggestionStatus.ACCEPTED
    )
    created_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # Set when a relative suggested the topic through their invitation link.
    suggested_by_invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    suggested_by_invitation: Mapped[Invitation | None] = relationship()


class LinkPurpose(enum.StrEnum):
    CHILD_PAGES = "child_pages"  # opens only the child's own pages of one case
    RELATIVE_INVITATION = "relative_invitation"  # opens only one relative's invitation


class AccessLink(PublicIdMixin, Base):
    """A single-purpose, expiring link or code for someone who does not sign in with e-ID.

    Only a hash of the secret is stored, so a copy of the database opens nothing.
    """

    __tablename__ = "access_link"

    purpose: Mapped[LinkPurpose] = mapped_column(Enum(LinkPurpose, native_enum=False, length=30))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("sip_case.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))  # the child
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"))  # the relative's
    created_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
