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
    CONSENT_NEEDED = "consent_needed"  # the other guardian has said yes; your answer is missing
    CONSENT_IN_FORCE = "consent_in_force"  # every voice has said yes: the SIP can go on
    CONSENT_WITHDRAWN = "consent_withdrawn"  # the SIP has ended because consent was withdrawn
    CONSENT_RECORDED = "consent_recorded"  # staff wrote down an oral or paper consent: check it
    CONSENT_EXPIRING = "consent_expiring"  # 30 or 7 days left
    CONSENT_EXPIRED = "consent_expired"
    MEETING_INVITATION = "meeting_invitation"  # you (or your unit) are invited to a SIP meeting
    MEETING_CHANGED = "meeting_changed"  # time or place changed
    MEETING_CANCELLED = "meeting_cancelled"
    INVITATION_ANSWERED = "invitation_answered"  # someone invited has answered
    TOPIC_SUGGESTED = "topic_suggested"  # a relative suggested a topic: accept it or not
    PLAN_READY = "plan_ready"  # a draft plan is ready to read and approve
    PLAN_APPROVED = "plan_approved"
    PLAN_COMMENTED = "plan_commented"  # staff: the person commented on the draft
    PLAN_CLOSED = "plan_closed"  # the SIP has ended; the plan no longer applies
    DECISION_MADE = "decision_made"  # a decision the plan waited for is made [issue 13]
    FEEDBACK_REQUESTED = "feedback_requested"  # a short questionnaire after the meeting
    PROBLEM_RECEIVED = "problem_received"  # staff: a problem report came to your unit
    PROBLEM_ANSWERED = "problem_answered"  # the unit has answered your problem report
    # Scheduled reminders [issue 8] (services/reminders.py)
    MEETING_REMINDER = "meeting_reminder"  # the SIP meeting is tomorrow
    FOLLOW_UP_DUE = "follow_up_due"  # the plan's follow-up is near
    STAFF_INVITATION_UNANSWERED = "invitation_unanswered"  # staff: a unit has not answered in time
    STAFF_PLAN_OVERDUE = "plan_overdue"  # staff: the plan was not written within 2 working days
    # issue 15: coming of age (services/coming_of_age.py)
    COMING_OF_AGE_SOON = "coming_of_age_soon"  # you turn 18 in 30 days: then you decide yourself
    COMING_OF_AGE = "coming_of_age"  # you are 18 today: your parents' yes no longer counts, say yes yourself
    STAFF_COMING_OF_AGE = "staff_coming_of_age"  # staff: the person turned 18; their own consent is needed
    # the guardians who had custody: the child is 18 and decides; at meetings only if they want you there
    GUARDIAN_COMING_OF_AGE = "guardian_coming_of_age"
    INVITATION_HELD = "invitation_held"  # the invited: the invitation waits for the young adult's own consent
    # issue 15: mature minors
    MATURE_MINOR_DECIDED = "mature_minor_decided"  # the child now consents themself
    MATURE_MINOR_ENDED = "mature_minor_ended"  # the guardians decide about consent again
    # issue 15: decline
    SIP_DECLINED = "sip_declined"  # the person (or a guardian) said no to the SIP; it is closed
    # staff of a unit taking part: what the unit may share now (unit names and categories only)
    CONSENT_SHARING = "consent_sharing"
    # issue 16: staff: a discharge day was added to the SIP you coordinate (the person was admitted)
    DISCHARGE_LINKED = "discharge_linked"
    # issue 16 (meetings): a unit answered that it does not know the person; staff reminders of the 30-day
    # first-meeting goal and the 3-day discharge invitation (services/reminders.py)
    UNIT_DOES_NOT_KNOW_PERSON = "unit_does_not_know_person"
    STAFF_FIRST_MEETING_DUE = "first_meeting_due"
    STAFF_DISCHARGE_INVITATION_DUE = "discharge_invitation_due"
    # issue 16: moving coordination [VN], closing, deviations
    MOVE_PROPOSED = "move_proposed"  # staff of the target unit: take over the coordination of a SIP?
    MOVE_DECLINED = "move_declined"  # the proposer: the other unit said no (data: unit)
    COORDINATION_MOVED = "coordination_moved"  # everyone: who coordinates now (data: coordinator, unit)
    PROBLEM_STATUS_CHANGED = "problem_status_changed"  # the reporter: the report is being looked into
    # issue 16: the plan's actions are followed (services/action_follow_up.py)
    STAFF_ACTION_LATE = "action_late"  # coordinator: an action is past its date and not started
    STAFF_ACTION_NOT_DONE = "action_not_done"  # coordinator: a unit marked its action as not done
    # the unit's coordinators: the SIP's coordinator can no longer sign in (account closed); choose a new one
    STAFF_COORDINATOR_GONE = "coordinator_gone"
    # issue 18: the population register changed a child's custody while the child has an open SIP. To the new
    # guardian with custody: you now take part (data: consent_needed). To the coordinator: the guardians
    # changed (data: gained).
    CUSTODY_GAINED = "custody_gained"
    STAFF_CUSTODY_CHANGED = "custody_changed"
    # issue 18: to a representative whose decision staff wrote down as ended (data: name, last_day, ended)
    REPRESENTATION_ENDED = "representation_ended"


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
