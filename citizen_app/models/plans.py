"""The plan: versions, goals in the person's own words, actions, and follow-up [SIP.md 5] [VM] [DA 4.5–4.7].

A version is a draft until it is approved together with the person; then it is locked (services/plans.py
refuses any change, and a flush guard there stops one that slipped through). A follow-up starts a new
version from the approved one; goals keep a ``goal_key`` across versions so outcomes and changes can be
compared version by version.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citizen_app.models.base import Base, PublicIdMixin, UTCDateTime, new_public_id, utcnow
from citizen_app.models.people import Person
from citizen_app.models.sips import Participant
from citizen_app.models.units import Unit


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"  # "Utkast – inte godkänd än"
    APPROVED = "approved"  # locked
    REPLACED = "replaced"  # an approved version a newer approved one took over from (still locked)


class ApprovalWay(enum.StrEnum):
    PERSON_IN_APP = "person_in_app"  # "Jag har läst planen och håller med"
    AT_MEETING = "at_meeting"  # the coordinator records that it was approved at the meeting


class PlanVersion(PublicIdMixin, Base):
    __tablename__ = "plan_version"
    __table_args__ = (UniqueConstraint("case_id", "number", name="uq_plan_version_case_number"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("sip_case.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[VersionStatus] = mapped_column(
        Enum(VersionStatus, native_enum=False, length=20), default=VersionStatus.DRAFT
    )
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("plan_version.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    # What the plan says besides its goals [SIP.md 5].
    if_worse: Mapped[str] = mapped_column(Text, default="")  # what happens if the person gets worse
    other_discussed: Mapped[str] = mapped_column(Text, default="")
    attendees: Mapped[str] = mapped_column(Text, default="")  # who took part in the meeting
    principal_in_charge: Mapped[str] = mapped_column(
        String(200), default=""
    )  # huvudman med övergripande ansvar
    coordinator_name: Mapped[str] = mapped_column(String(200), default="")
    coordinator_contact: Mapped[str] = mapped_column(String(200), default="")
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    follow_up_by: Mapped[str] = mapped_column(String(200), default="")  # who calls the follow-up
    # No follow-up [003]: why not, and until when the plan applies (instead of a follow-up date).
    no_follow_up_reason: Mapped[str | None] = mapped_column(Text)
    applies_until: Mapped[date | None] = mapped_column(Date)
    # "Det här är vi inte överens om" [003]: written by the coordinator, shown to the person in the plan.
    disagreements: Mapped[str | None] = mapped_column(Text)
    continued_need: Mapped[str] = mapped_column(
        Text, default=""
    )  # at follow-up: is coordination still needed?
    created_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # The person sees a draft only once the coordinator has sent it for reading (not while it is written).
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_way: Mapped[ApprovalWay | None] = mapped_column(Enum(ApprovalWay, native_enum=False, length=20))
    approved_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    approved_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # Counts the changes of a draft and of its goals, actions and pending decisions (services/plans.py bumps
    # it). Each staff form carries the revision it was based on, so a save from an older page is refused
    # instead of wiping what another tab saved in between.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    goals: Mapped[list[PlanGoal]] = relationship(
        back_populates="version", order_by="PlanGoal.position", cascade="all, delete-orphan"
    )
    pending_decisions: Mapped[list[PendingDecision]] = relationship(
        back_populates="version", order_by="PendingDecision.id", cascade="all, delete-orphan"
    )
    comments: Mapped[list[PlanComment]] = relationship(back_populates="version", order_by="PlanComment.id")

    @property
    def is_locked(self) -> bool:
        return self.status != VersionStatus.DRAFT


class GoalTerm(enum.StrEnum):
    LONG = "long"  # långsiktigt
    SHORT = "short"  # kortsiktigt


class GoalOutcome(enum.StrEnum):
    MET = "met"  # uppfyllt
    PARTLY = "partly"  # delvis uppfyllt
    NOT_MET = "not_met"  # inte uppfyllt


class PlanGoal(PublicIdMixin, Base):
    __tablename__ = "plan_goal"
    __table_args__ = (Index("ix_plan_goal_version_position", "version_id", "position"),)

    version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id"))
    # The same goal across versions (a follow-up copies it with the same key).
    goal_key: Mapped[str] = mapped_column(String(32), default=new_public_id)
    term: Mapped[GoalTerm] = mapped_column(Enum(GoalTerm, native_enum=False, length=10))
    text: Mapped[str] = mapped_column(Text)  # in the person's own words
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Set at follow-up, on the goal as it stands in the new version: how it went since the last one.
    outcome: Mapped[GoalOutcome | None] = mapped_column(Enum(GoalOutcome, native_enum=False, length=10))
    outcome_comment: Mapped[str] = mapped_column(Text, default="")
    ended: Mapped[bool] = mapped_column(default=False)  # ended at this follow-up; not carried further

    version: Mapped[PlanVersion] = relationship(back_populates="goals")
    actions: Mapped[list[PlanAction]] = relationship(
        back_populates="goal", order_by="PlanAction.position", cascade="all, delete-orphan"
    )


class Responsible(enum.StrEnum):
    MUNICIPALITY = "municipality"  # a unit of the municipality
    REGION = "region"  # a unit of the region
    OTHER_PARTY = "other_party"  # e.g. Försäkringskassan
    PERSON = "person"  # the person themself
    RELATIVE = "relative"


class PlanAction(PublicIdMixin, Base):
    __tablename__ = "plan_action"

    goal_id: Mapped[int] = mapped_column(ForeignKey("plan_goal.id"), index=True)
    # The same action across versions (a follow-up copies it with the same key), so how it is going
    # (ActionMark) carries over from version to version.
    action_key: Mapped[str] = mapped_column(String(32), default=new_public_id, index=True)
    what: Mapped[str] = mapped_column(Text)
    responsible: Mapped[Responsible] = mapped_column(Enum(Responsible, native_enum=False, length=20))
    responsible_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    responsible_name: Mapped[str] = mapped_column(String(200), default="")  # a party or person not a unit
    starts_on: Mapped[date | None] = mapped_column(Date)
    how_often: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    goal: Mapped[PlanGoal] = relationship(back_populates="actions")
    responsible_unit: Mapped[Unit | None] = relationship()


class ActionProgress(enum.StrEnum):
    STARTED = "started"  # påbörjad
    DONE = "done"  # klar
    NOT_DONE = "not_done"  # blev inte gjord


class ActionMark(PublicIdMixin, Base):
    """How an action of the plan is going, marked by its responsible unit (or the coordinator) [issue 16].

    Append-only: a new mark is a new row; the newest one (highest id) is the action's status. Keyed by the
    action's ``action_key``, so it belongs to the action in every version of the plan, and the approved
    (locked) version is never changed by marking.
    """

    __tablename__ = "plan_action_mark"
    __table_args__ = (Index("ix_plan_action_mark_case_key", "case_id", "action_key"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("sip_case.id"))
    action_key: Mapped[str] = mapped_column(String(32))
    progress: Mapped[ActionProgress] = mapped_column(Enum(ActionProgress, native_enum=False, length=20))
    marked_on: Mapped[date] = mapped_column(Date)  # the day it started, was done, or was given up
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))  # the unit that marked it
    marked_by_staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PendingDecision(PublicIdMixin, Base):
    """A decision still pending: what happens meanwhile, and when it is expected [SIP.md 5]."""

    __tablename__ = "pending_decision"

    version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id"), index=True)
    what: Mapped[str] = mapped_column(Text)
    meanwhile: Mapped[str] = mapped_column(Text, default="")
    expected_on: Mapped[date | None] = mapped_column(Date)

    version: Mapped[PlanVersion] = relationship(back_populates="pending_decisions")
    # What was decided, once the coordinator writes it in (DecisionOutcome). Read only from here: recording
    # it adds an outcome row and leaves the decision, and the approved version it belongs to, unchanged.
    outcome: Mapped[DecisionOutcome | None] = relationship(viewonly=True)


class DecisionOutcome(Base):
    """What a pending decision came to, and when the coordinator wrote it in [issue 13] [SIP.md 5].

    A row of its own because the decision belongs to an approved version, which is locked: the plan as it
    was approved stays as it was, and the person is told that the decision is made (services/decisions.py).
    One outcome per decision: the unique key stops a double click or a second tab from recording twice.
    """

    __tablename__ = "decision_outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    pending_decision_id: Mapped[int] = mapped_column(ForeignKey("pending_decision.id"), unique=True)
    decision: Mapped[str] = mapped_column(Text)  # what was decided, in the coordinator's plain words
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))


class PlanComment(PublicIdMixin, Base):
    """The person's comment on a draft ("Det här vill jag ändra"), before approving."""

    __tablename__ = "plan_comment"

    version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    version: Mapped[PlanVersion] = relationship(back_populates="comments")
    person: Mapped[Person] = relationship()


class PlanShare(PublicIdMixin, Base):
    """The person lets one relative (or one party) read the plan; taken back by setting ``revoked_at``."""

    __tablename__ = "plan_share"

    case_id: Mapped[int] = mapped_column(ForeignKey("sip_case.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    shared_by_person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    participant: Mapped[Participant] = relationship()
