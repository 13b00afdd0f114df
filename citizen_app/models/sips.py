"""The SIP case, its coordinators over time, its participants and its timeline [SIP.md 3]."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citizen_app.models.base import Base, PublicIdMixin, UTCDateTime, utcnow
from citizen_app.models.people import Person
from citizen_app.models.units import StaffUser, Unit


class Step(enum.StrEnum):
    """The steps of a SIP, in order [DA 4] [VN]. ``ORDER`` gives the position."""

    REQUESTED = "requested"
    CONSENT = "consent"
    PREPARATION = "preparation"
    INVITED = "invited"
    MEETING_HELD = "meeting_held"
    PLAN_DOCUMENTED = "plan_documented"
    PLAN_APPROVED = "plan_approved"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"

    @property
    def position(self) -> int:
        return list(Step).index(self)


class ClosingReason(enum.StrEnum):
    GOALS_MET = "goals_met"
    NO_LONGER_NEEDED = "no_longer_needed"
    CONSENT_WITHDRAWN = "consent_withdrawn"  # "samtycke återkallat" [DA 4.2] [VM]
    CANCELLED_BY_PERSON = "cancelled_by_person"
    # The person (or a guardian) said no: to a relative's suggestion, or "Jag vill inte ha en SIP nu" in
    # place of consent (services/declining.py).
    DECLINED_BY_PERSON = "declined_by_person"
    OTHER = "other"
    # issue 16: closing at death [VM] [DA 4.7]. Nobody writes to the person; the history says it gently.
    PERSON_DIED = "person_died"


class Initiator(enum.StrEnum):
    PERSON = "person"
    GUARDIAN = "guardian"
    REPRESENTATIVE = "representative"
    RELATIVE = "relative"  # a suggestion the person must agree to first
    STAFF = "staff"


class CompulsoryCare(enum.StrEnum):
    """A SIP made while the person is in compulsory psychiatric care [DA 3.6.1] (services/compulsory_care.py).

    The closed kinds (LPT, LRV: in hospital) and the open kinds (öppen psykiatrisk tvångsvård, öppen
    rättspsykiatrisk vård: care under compulsion outside hospital, with conditions).
    """

    LPT = "lpt"  # psykiatrisk tvångsvård, lag (1991:1128)
    LRV = "lrv"  # rättspsykiatrisk vård, lag (1991:1129)
    OPEN_LPT = "open_lpt"  # öppen psykiatrisk tvångsvård
    OPEN_LRV = "open_lrv"  # öppen rättspsykiatrisk vård


class SipCase(PublicIdMixin, Base):
    __tablename__ = "sip_case"
    __table_args__ = (
        Index("ix_sip_case_subject_step", "subject_id", "step"),
        Index("ix_sip_case_unit_step", "owning_unit_id", "step"),
    )

    # None only for a relative's suggestion about someone not yet identified: the coordinator links the
    # person.
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    owning_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    step: Mapped[Step] = mapped_column(Enum(Step, native_enum=False, length=20), default=Step.REQUESTED)
    closing_reason: Mapped[ClosingReason | None] = mapped_column(
        Enum(ClosingReason, native_enum=False, length=30)
    )
    closing_note: Mapped[str | None] = mapped_column(Text)
    initiated_by: Mapped[Initiator] = mapped_column(Enum(Initiator, native_enum=False, length=20))
    # A relative's suggestion stays "awaiting the person" until the person agrees [issue 3].
    awaiting_person_agreement: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who asked: the person, a guardian, a representative, a relative (citizens) or a staff user.
    requested_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    requested_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    need_description: Mapped[str | None] = mapped_column(Text)
    # "Utskrivningsklar": the invitation must go out within 3 days of this [ST] [VM].
    discharge_date: Mapped[date | None] = mapped_column(Date)
    # Compulsory psychiatric care during the SIP, when there is any [DA 3.6.1] (services/compulsory_care.py).
    compulsory_care: Mapped[CompulsoryCare | None] = mapped_column(
        Enum(CompulsoryCare, native_enum=False, length=20)
    )
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # A new request made from a SIP the person had said no to ("Jag har ändrat mig"): the earlier one.
    previous_case_id: Mapped[int | None] = mapped_column(ForeignKey("sip_case.id"))
    # Optimistic locking: two people changing the same case never silently overwrite each other.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    subject: Mapped[Person | None] = relationship(foreign_keys=[subject_id])
    previous_case: Mapped[SipCase | None] = relationship(remote_side="SipCase.id")
    owning_unit: Mapped[Unit | None] = relationship()
    coordinator_assignments: Mapped[list[CoordinatorAssignment]] = relationship(
        back_populates="case", order_by="CoordinatorAssignment.assigned_at"
    )
    participants: Mapped[list[Participant]] = relationship(back_populates="case")
    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="CaseEvent.at")

    @property
    def is_closed(self) -> bool:
        return self.step == Step.CLOSED


class CoordinatorAssignment(Base):
    """Who was the coordinator, from when to when. The current one has ``ended_at`` None [VN]."""

    __tablename__ = "coordinator_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("sip_case.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[SipCase] = relationship(back_populates="coordinator_assignments")
    staff: Mapped[StaffUser] = relationship(foreign_keys=[staff_id])


class ParticipantRole(enum.StrEnum):
    PERSON = "person"  # den enskilde, the plan owner
    GUARDIAN = "guardian"
    CHILD = "child"  # the child when the case is about a child and the child takes part
    RELATIVE = "relative"
    REPRESENTATIVE = "representative"
    SUPPORT_PERSON = "support_person"
    UNIT = "unit"


class Participant(PublicIdMixin, Base):
    """Someone taking part in a case: a citizen (``person``), a unit, or a named outsider (name + contact)."""

    __tablename__ = "participant"
    __table_args__ = (Index("ix_participant_person_role", "person_id", "role"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("sip_case.id"), index=True)
    role: Mapped[ParticipantRole] = mapped_column(Enum(ParticipantRole, native_enum=False, length=20))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    name: Mapped[str | None] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[SipCase] = relationship(back_populates="participants")
    person: Mapped[Person | None] = relationship()
    unit: Mapped[Unit | None] = relationship()


class EventKind(enum.StrEnum):
    REQUESTED = "requested"
    STARTED_BY_STAFF = "started_by_staff"
    ACCEPTED = "accepted"
    FORWARDED = "forwarded"
    COORDINATOR_CHANGED = "coordinator_changed"
    STEP_CHANGED = "step_changed"
    SUGGESTION_ACCEPTED = "suggestion_accepted"
    # The meeting: booked (data: starts_at), changed (data: starts_at, new_time), and a later meeting held
    # when the step does not change (the first one is a STEP_CHANGED to meeting_held).
    MEETING_BOOKED = "meeting_booked"
    MEETING_CHANGED = "meeting_changed"
    MEETING_HELD = "meeting_held"
    CANCELLED = "cancelled"
    CLOSED = "closed"
    NOTE = "note"
    # issue 15: coming of age. The subject turned 18 (data: birthday, held invitations); once per case.
    CAME_OF_AGE = "came_of_age"
    # issue 15: mature minors
    MATURE_MINOR_DECIDED = "mature_minor_decided"  # the coordinator recorded that the child consents themself
    MATURE_MINOR_ENDED = "mature_minor_ended"  # that ended: the guardians decide again
    # issue 16: intake and discharge
    DISCHARGE_LINKED = "discharge_linked"  # a discharge added to this open SIP (data: discharge_date)
    COMPULSORY_CARE_RECORDED = "compulsory_care_recorded"  # data: kind ("" when it ended)
    # issue 16: moving coordination after the first meeting [VN] (services/coordination_move.py). Proposed,
    # declined and withdrawn are between staff (data: from, to, reason); moved is for all (coordinator, to).
    MOVE_PROPOSED = "move_proposed"
    MOVE_DECLINED = "move_declined"
    MOVE_WITHDRAWN = "move_withdrawn"
    COORDINATION_MOVED = "coordination_moved"


class CaseEvent(Base):
    """The case's timeline, which the person can read. Append-only."""

    __tablename__ = "case_event"
    __table_args__ = (Index("ix_case_event_case_at", "case_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("sip_case.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[EventKind] = mapped_column(Enum(EventKind, native_enum=False, length=30))
    step: Mapped[Step | None] = mapped_column(Enum(Step, native_enum=False, length=20))
    actor_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    actor_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    # Structured details (unit names, reasons) so the text is rendered in the reader's language.
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    visible_to_person: Mapped[bool] = mapped_column(Boolean, default=True)

    case: Mapped[SipCase] = relationship(back_populates="events")
