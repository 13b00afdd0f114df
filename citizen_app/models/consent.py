"""Consent (samtycke) as an append-only history of events [SIP.md 4] [DA 4.2].

Never a flag that is overwritten: every give, change, withdrawal, expiry and staff recording is a row, with
its scope stored as structure (parties, information categories, exclusions, period). What was agreed at any
moment can be read back from the rows.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citizen_app.models.base import Base, PublicIdMixin, UTCDateTime, utcnow
from citizen_app.models.people import Person
from citizen_app.models.units import StaffUser

if TYPE_CHECKING:
    from citizen_app.models.people import Person
    from citizen_app.models.units import StaffUser


class ConsentEventKind(enum.StrEnum):
    GIVEN = "given"
    CHANGED = "changed"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    RECORDED_BY_STAFF = "recorded_by_staff"  # given orally or on paper, written down by staff
    # issue 15: coming of age. A guardian's consent stopped counting on the 18th birthday (no scope): history
    # only, never a voice's latest answer (consent.latest_by_voice skips it).
    ENDED_AT_18 = "ended_at_18"
    # issue 15: representatives
    # A menprövning: staff found that sharing does not harm a person nobody can consent for. It stands in for
    # consent in that situation only (services/representation.py); the reason is in ``note``.
    HARM_ASSESSED = "harm_assessed"
    # issue 15: decline
    DECLINED = "declined"  # "Jag vill inte ha en SIP nu": a no before any consent; the SIP closes
    # What the coordinator saw at the start of the meeting [discharge guide]. No scope: never a voice's
    # latest consent (consent.NOT_AN_ANSWER).
    CONFIRMED_AT_MEETING = "confirmed_at_meeting"  # the consent in force was confirmed as it is
    CHANGED_AT_MEETING = "changed_at_meeting"  # a change was asked for: recorded as its own consent event
    NOT_CONFIRMED_AT_MEETING = "not_confirmed_at_meeting"  # not confirmed; ``note`` says why


class ConsentMethod(enum.StrEnum):
    DIGITAL = "digital"
    ORAL = "oral"
    PAPER = "paper"
    # issue 15: representatives
    ASSESSMENT = "assessment"  # a menprövning by staff, not anyone's consent


class ConsentEvent(PublicIdMixin, Base):
    __tablename__ = "consent_event"
    __table_args__ = (Index("ix_consent_event_case_at", "case_id", "at"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("sip_case.id"))
    kind: Mapped[ConsentEventKind] = mapped_column(Enum(ConsentEventKind, native_enum=False, length=30))
    # Whose voice this is: the person, one guardian with custody, or a representative.
    consenter_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    recorded_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    method: Mapped[ConsentMethod] = mapped_column(Enum(ConsentMethod, native_enum=False, length=20))
    # Scope: unit public ids, plus named parties that are not units ("Försäkringskassan", a private school).
    unit_ids: Mapped[list] = mapped_column(JSON, default=list)
    other_parties: Mapped[list] = mapped_column(JSON, default=list)
    categories: Mapped[list] = mapped_column(JSON, default=list)
    exclusions: Mapped[str] = mapped_column(Text, default="")
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str | None] = mapped_column(String(500))

    consenter: Mapped[Person] = relationship()
    recorded_by_staff: Mapped[StaffUser | None] = relationship()


class ChildAnswer(enum.StrEnum):
    WANT = "want"  # "Jag vill"
    DONT_WANT = "dont_want"  # "Jag vill inte"
    DONT_KNOW = "dont_know"  # "Jag vet inte"


class ChildView(PublicIdMixin, Base):
    """What the child thinks about the SIP, shown next to the consent [DA 4.2] [SIP.md 4].

    Append-only like consent: the latest row is the child's view now. Recorded by a guardian, or by the child
    themself when they have their own access (``recorded_by_id`` is then the child).
    """

    __tablename__ = "child_view"
    __table_args__ = (Index("ix_child_view_case_at", "case_id", "at"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("sip_case.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    answer: Mapped[ChildAnswer] = mapped_column(Enum(ChildAnswer, native_enum=False, length=20))
    own_words: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recorded_by: Mapped[Person] = relationship()


class ConsentAbility(PublicIdMixin, Base):
    """Whether an adult can consent themself, as the coordinator judged it, with reason and date [issue 15].

    Append-only: the latest row of the case is what holds. Without any row the person consents themself;
    only while the latest row says they cannot does a god man's or förvaltare's consent count for them.
    """

    __tablename__ = "consent_ability"
    __table_args__ = (Index("ix_consent_ability_case_at", "case_id", "at"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("sip_case.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    can_consent: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    assessed_on: Mapped[date] = mapped_column(Date)
    recorded_by_staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recorded_by_staff: Mapped[StaffUser] = relationship()  # noqa: F821 (resolved by name)


# --- issue 15: mature minors --------------------------------------------------------------------------------


class MatureMinorDecision(PublicIdMixin, Base):
    """The coordinator's assessment that a child has the age and maturity to consent themself [DA 4.2].

    Append-only: the latest row of a case says what holds now. A row with ``consents_themself`` starts it
    (with the reason and the day it was decided); a later row without it ends it, and the guardians decide
    again. Nothing is ever overwritten, so the history can always be read back.
    """

    __tablename__ = "mature_minor_decision"
    __table_args__ = (Index("ix_mature_minor_decision_case_at", "case_id", "at"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("sip_case.id"))
    child_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    consents_themself: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    decided_on: Mapped[date] = mapped_column(Date)
    recorded_by_staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recorded_by_staff: Mapped[StaffUser] = relationship()


class GuardianViewChoice(PublicIdMixin, Base):
    """What a mature minor lets their guardians see: the plan, the meetings, the consent [DA 4.2].

    Append-only like consent: the latest row of the decision in force is the child's choice now. Without
    one the guardians see only that there is a SIP and who coordinates it.
    """

    __tablename__ = "guardian_view_choice"
    __table_args__ = (Index("ix_guardian_view_choice_case_at", "case_id", "at"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("sip_case.id"))
    # The decision the choice belongs to: a new decision starts from "nothing" again.
    decision_id: Mapped[int] = mapped_column(ForeignKey("mature_minor_decision.id"))
    child_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    shows_plan: Mapped[bool] = mapped_column(Boolean, default=False)
    shows_meetings: Mapped[bool] = mapped_column(Boolean, default=False)
    shows_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
