"""Feedback after a meeting (SIPkollen-style) and problem reports (avvikelser) [SIP.md 7, 8] [ST].

Anonymity is built into the tables: ``FeedbackAnswer`` has no column that points to a person, a case, a
meeting or an exact time — only the units of the meeting, the month and the audience. ``FeedbackRequest``
remembers, per person and meeting, only that they were asked and whether they answered (no time), so
nobody is asked twice and the two tables cannot be joined by time.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citizen_app.models.base import Base, PublicIdMixin, UTCDateTime, utcnow
from citizen_app.models.sips import SipCase
from citizen_app.models.units import StaffUser, Unit


class Audience(enum.StrEnum):
    ADULT = "adult"  # the person, or a guardian / representative
    YOUNG = "young"  # a child or young person with their own access
    RELATIVE = "relative"  # a relative who took part in the meeting


class FeedbackRequest(PublicIdMixin, Base):
    """Who was asked to "tyck till om mötet" after which meeting, and whether they answered. Nothing else."""

    __tablename__ = "feedback_request"
    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id", name="uq_feedback_request_person"),
        UniqueConstraint("meeting_id", "invitation_id", name="uq_feedback_request_invitation"),
    )

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    # A signed-in person (adult, guardian, child), or a relative without an account (their invitation).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"))
    audience: Mapped[Audience] = mapped_column(Enum(Audience, native_enum=False, length=20))
    answered: Mapped[bool] = mapped_column(Boolean, default=False)


class FeedbackAnswer(Base):
    """One anonymous answer. Deliberately no public id, no person, no case, no meeting, no timestamp."""

    __tablename__ = "feedback_answer"
    __table_args__ = (Index("ix_feedback_answer_month_audience", "month", "audience"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_set: Mapped[str] = mapped_column(String(40))  # e.g. "adult"
    set_version: Mapped[int] = mapped_column()
    audience: Mapped[Audience] = mapped_column(Enum(Audience, native_enum=False, length=20))
    month: Mapped[str] = mapped_column(String(7))  # "2026-11": the meeting's month
    unit_ids: Mapped[list] = mapped_column(JSON, default=list)  # the units of the meeting
    answers: Mapped[dict] = mapped_column(JSON, default=dict)  # question id -> option id
    free_text: Mapped[dict] = mapped_column(JSON, default=dict)  # question id -> text


class ProblemKind(enum.StrEnum):
    NO_INITIATIVE = "no_initiative"  # nobody took the initiative
    INVITED_DID_NOT_COME = "invited_did_not_come"
    BAD_TREATMENT = "bad_treatment"  # at the meeting
    PLAN_NOT_FOLLOWED = "plan_not_followed"
    OTHER = "other"
    # issue 16: "my SIP stopped" (no step forward, nobody answers) [HA] [DA 5.2]
    SIP_STOPPED = "sip_stopped"


class ProblemStatus(enum.StrEnum):
    RECEIVED = "received"  # mottagen
    INVESTIGATING = "investigating"  # utreds
    ANSWERED = "answered"  # besvarad


class ProblemReport(PublicIdMixin, Base):
    """A problem report ("Rapportera ett problem", avvikelse). It goes to the coordinators of both principals
    (``recipients``), who handle it together and answer [HA] [DA 5.2] [issue 16].

    ``case_id`` is None for a report made without a SIP ("nobody took the initiative"); ``unit_id`` is the
    unit the report is about (the SIP's unit), None when there is none.
    """

    __tablename__ = "problem_report"
    __table_args__ = (Index("ix_problem_report_unit_status", "unit_id", "status"),)

    case_id: Mapped[int | None] = mapped_column(ForeignKey("sip_case.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    reported_by_person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[ProblemKind] = mapped_column(Enum(ProblemKind, native_enum=False, length=30))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[ProblemStatus] = mapped_column(
        Enum(ProblemStatus, native_enum=False, length=20), default=ProblemStatus.RECEIVED
    )
    answer: Mapped[str] = mapped_column(Text, default="")
    handled_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Two staff handling the same report never overwrite each other's change unseen [issue 16].
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    unit: Mapped[Unit | None] = relationship()
    case: Mapped[SipCase | None] = relationship()
    recipients: Mapped[list[ProblemRecipient]] = relationship(back_populates="report")
    changes: Mapped[list[ProblemChange]] = relationship(back_populates="report", order_by="ProblemChange.at")


class ProblemRecipient(Base):
    """A unit whose coordinators handle a report: the SIP's unit and the other principal's [issue 16]."""

    __tablename__ = "problem_recipient"
    __table_args__ = (UniqueConstraint("report_id", "unit_id", name="uq_problem_recipient_report_unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("problem_report.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)

    report: Mapped[ProblemReport] = relationship(back_populates="recipients")
    unit: Mapped[Unit] = relationship()


class ProblemChange(Base):
    """Who changed a report's status or answer, and when: both principals see each other's steps."""

    __tablename__ = "problem_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("problem_report.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[ProblemStatus] = mapped_column(Enum(ProblemStatus, native_enum=False, length=20))
    answered: Mapped[bool] = mapped_column(Boolean, default=False)

    report: Mapped[ProblemReport] = relationship(back_populates="changes")
    staff: Mapped[StaffUser] = relationship()
