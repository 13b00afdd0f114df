"""Scheduled reminders: one function per kind, all run by ``run_all(today)``.

Kinds [issue 4, issue 8] [SIP.md 3, deadlines]:
- consent ends in 30 or 7 days, or has ended (the person, guardians, representatives; the coordinator);
- the SIP meeting is tomorrow (the person's side, and relatives with an account who said they come);
- the plan's follow-up is near (the person's side and the coordinator);
- staff deadlines: an invited unit has not answered within one working day (the case's coordinator and the
  unit's coordinators), and the plan was not written within two working days of the meeting (coordinator);
- the first meeting is not held 7 days before the 30-day goal, or after it; the invitation is not sent on
  day 2 after "utskrivningsklar", or after day 3 (the coordinator, or the unit's coordinators before there
  is one) [issue 16].

Each kind is safe to run again: a reminder carries a ``dedupe_key``, so a second run the same day (or a run
from another worker) sends nothing twice. A kind finds its cases with one bounded query (filtered by dates and
status in SQL); it never walks every case of the county. To add a kind, write ``send_<kind>(today) -> int``
(how many messages it sent) and list it in ``KINDS``.

How they run: ``flask run-jobs`` from cron (inline), or ``flask run-jobs --enqueue``, which puts
``run_all_job`` on the Redis queue for a ``flask worker``. Days are Swedish days: "tomorrow" and "past the
deadline" are counted in Swedish time, whatever the server's clock zone is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased, selectinload

from citizen_app.extensions import db
from citizen_app.models import (
    ConsentEvent,
    ConsentEventKind,
    EventKind,
    Invitation,
    InvitationStatus,
    Meeting,
    MeetingStatus,
    NotificationKind,
    Participant,
    ParticipantRole,
    Person,
    PlanVersion,
    SipCase,
    StaffUser,
    Step,
    VersionStatus,
)
from citizen_app.services import (
    audit,
    consent,
    consent_spread,
    deadlines,
    meetings,
    notifications,
    plans,
    recipients,
    timeline,
)
from citizen_app.services.action_follow_up import send_late_actions
from citizen_app.services.coming_of_age import send_coming_of_age

# Days before a consent's last day when the person is reminded [issue 4]: 30 first, then 7.
CONSENT_REMINDER_DAYS = (30, 7)
_ACTIVE_KINDS = (ConsentEventKind.GIVEN, ConsentEventKind.CHANGED, ConsentEventKind.RECORDED_BY_STAFF)


def _consents_near_or_past_expiry(today: date) -> list[ConsentEvent]:
    """Consent events of open SIPs that end within 30 days or have ended, and were not replaced since.

    "Replaced" means a later event of the same case by the same consenter (a change, a withdrawal, the
    expiry we record): that drops the event from the next run, so the query stays small over the years.
    The caller still checks that the event is the latest of its voice (``consent.latest_by_voice``).
    """
    later = aliased(ConsentEvent)
    horizon = date.fromordinal(today.toordinal() + max(CONSENT_REMINDER_DAYS))
    return list(
        db.session.scalars(
            select(ConsentEvent)
            .join(SipCase, SipCase.id == ConsentEvent.case_id)
            .where(
                SipCase.step != Step.CLOSED,
                ConsentEvent.kind.in_(_ACTIVE_KINDS),
                ConsentEvent.valid_until.is_not(None),
                ConsentEvent.valid_until <= horizon,
                ~exists().where(
                    and_(
                        later.case_id == ConsentEvent.case_id,
                        later.consenter_id == ConsentEvent.consenter_id,
                        later.id > ConsentEvent.id,
                        later.kind.not_in(consent.NOT_AN_ANSWER),  # a confirmation replaces nothing
                    )
                ),
            )
            .options(selectinload(ConsentEvent.consenter))
            .order_by(ConsentEvent.case_id, ConsentEvent.id)
        )
    )


def _cases_by_id(case_ids: set[int]) -> dict[int, SipCase]:
    if not case_ids:
        return {}
    cases = db.session.scalars(
        select(SipCase).where(SipCase.id.in_(case_ids)).options(selectinload(SipCase.subject))
    )
    return {case.id: case for case in cases}


def _current_of_their_voice(case: SipCase, events: list[ConsentEvent], today: date) -> list[ConsentEvent]:
    """Those of ``events`` that are still the latest answer of a voice that must consent."""
    latest = consent.latest_by_voice(case, today)
    current_ids = {latest[v.id].id for v in consent.required_voices(case, today) if v.id in latest}
    return [e for e in events if e.id in current_ids]


def _people_to_remind(case: SipCase, event: ConsentEvent, today: date) -> list[Person]:
    """A guardian is reminded of their own consent; for an adult, the person and those acting for them."""
    if case.subject is not None and case.subject.is_child_on(today):
        return [event.consenter]
    return recipients.citizen_recipients(case, today)


def _key(*parts: object) -> str:
    return ":".join(str(p) for p in parts)


def send_consent_reminders(today: date) -> int:
    """Consent ends in 30 or 7 days: remind. Consent has ended: record it as expired and tell everyone.

    The 30-day reminder goes out on any run from 30 down to 8 days before the last day, the 7-day one from 7
    days down to the last day, each once: a job that missed a day still reminds. A consent first seen with 5
    days left gets only the 7-day reminder.
    """
    events = _consents_near_or_past_expiry(today)
    cases = _cases_by_id({e.case_id for e in events})
    sent = 0
    for case_id, case in cases.items():
        of_case = [e for e in events if e.case_id == case_id]
        for event in _current_of_their_voice(case, of_case, today):
            assert event.valid_until is not None
            days_left = (event.valid_until - today).days
            if days_left < 0:
                sent += _expire(case, event, today)
            else:
                sent += _remind(case, event, days_left, today)
    return sent


def _remind(case: SipCase, event: ConsentEvent, days_left: int, today: date) -> int:
    assert event.valid_until is not None  # days_left was counted to it
    reminder = min(d for d in CONSENT_REMINDER_DAYS if d >= days_left)
    sent = 0
    for person in _people_to_remind(case, event, today):
        message = notifications.notify(
            person,
            NotificationKind.CONSENT_EXPIRING,
            case,
            data={"days_left": days_left, "reminder": reminder, "valid_until": event.valid_until.isoformat()},
            dedupe_key=_key("consent-expiring", event.public_id, reminder, person.get_id()),
        )
        sent += message is not None
    return sent


def _expire(case: SipCase, event: ConsentEvent, today: date) -> int:
    """Append the expiry (once), send the SIP back to waiting for consent, tell the citizens and coordinator.

    An expired consent blocks what consent blocks (``consent.in_force`` is None from the day after the last
    day); recording it makes the history say so, and a SIP in preparation no longer looks ready to invite.
    """
    consent.lock(case)  # another run, or a guardian renewing right now, is serialized with this one
    if event not in _current_of_their_voice(case, [event], today) or case.is_closed:
        return 0
    shared_until_now = consent.in_force(case, event.valid_until)  # what the units could share on its last day
    expired = ConsentEvent(
        case_id=case.id,
        kind=ConsentEventKind.EXPIRED,
        consenter_id=event.consenter_id,
        method=event.method,
        valid_from=event.valid_until,
    )
    db.session.add(expired)
    if case.step == Step.PREPARATION:
        # Back to waiting for consent; giving it again moves the SIP on (consent._after_change). Later steps
        # keep their place: the plan and meetings that happened stay, and in_force still blocks what needs it.
        case.step = Step.CONSENT
        no_one = None  # the calendar did this, not a person or a staff user
        timeline.record(
            case, EventKind.STEP_CHANGED, no_one, step=Step.CONSENT, data={"reason": "consent_expired"}
        )
    db.session.flush()
    audit.record(None, "consent.expired", case, event=event.public_id)
    told: list[Person | StaffUser] = list(recipients.citizen_recipients(case, today))
    coordinator = recipients.current_coordinator(case)
    if coordinator is not None:
        told.append(coordinator)
    sent = 0
    for someone in told:
        message = notifications.notify(
            someone,
            NotificationKind.CONSENT_EXPIRED,
            case,
            data={"valid_until": event.valid_until.isoformat() if event.valid_until else None},
            # Per case and day: two guardians' consents ending on the same day make one message, not two.
            dedupe_key=_key("consent-expired", case.public_id, event.valid_until, someone.get_id()),
        )
        sent += message is not None
    # The units taking part are told they may share nothing more (once per case and day) [issue 15].
    consent_spread.tell_units(
        case, shared_until_now, None, dedupe_key=_key("consent-spread", case.public_id, event.valid_until)
    )
    return sent


# --- Meeting tomorrow ---------------------------------------------------------------------------------------

SWEDISH_TIME = meetings.SWEDISH_TIME
COMING = (InvitationStatus.ACCEPTED, InvitationStatus.BY_PHONE)


def _start_of(day: date) -> datetime:
    """Midnight at the start of ``day`` in Sweden (an aware datetime; the database compares it in UTC)."""
    return datetime.combine(day, time(0), tzinfo=SWEDISH_TIME)


def _coming_relatives(meeting: Meeting) -> list[Person]:
    """Relatives and support persons with an account who said they come (in person or by phone)."""
    return list(
        db.session.scalars(
            select(Person)
            .join(Participant, Participant.person_id == Person.id)
            .join(Invitation, Invitation.participant_id == Participant.id)
            .where(
                Invitation.meeting_id == meeting.id,
                Invitation.status.in_(COMING),
                Participant.role.in_(meetings.GUEST_ROLES),
                Participant.removed_at.is_(None),
            )
            .order_by(Person.id)
        )
    )


def send_meeting_reminders(today: date) -> int:
    """The day before a planned meeting, remind everyone on the person's side who takes part.

    The key holds the meeting's day, so a meeting moved to another day is reminded of again.
    """
    tomorrow = today + timedelta(days=1)
    planned = db.session.scalars(
        select(Meeting)
        .join(SipCase, SipCase.id == Meeting.case_id)
        .where(
            Meeting.status == MeetingStatus.PLANNED,
            Meeting.starts_at >= _start_of(tomorrow),
            Meeting.starts_at < _start_of(tomorrow + timedelta(days=1)),
            SipCase.step != Step.CLOSED,
        )
        .order_by(Meeting.id)
    ).all()
    sent = 0
    for meeting in planned:
        case = db.session.get_one(SipCase, meeting.case_id)
        people = recipients.citizen_recipients(case, today) + _coming_relatives(meeting)
        for person in dict.fromkeys(people):  # someone both close and a guardian is told once
            message = notifications.notify(
                person,
                NotificationKind.MEETING_REMINDER,
                case,
                dedupe_key=_key("meeting-tomorrow", meeting.public_id, tomorrow, person.get_id()),
            )
            sent += message is not None
    return sent


# --- Follow-up of the plan ----------------------------------------------------------------------------------

# Days before the follow-up day when the person and the coordinator are reminded (once, on any run from then
# to the day itself).
FOLLOW_UP_REMINDER_DAYS = 7


def send_follow_up_reminders(today: date) -> int:
    """The plan in force is followed up within a week (or today): tell the person's side and coordinator."""
    due = db.session.scalars(
        select(PlanVersion)
        .join(SipCase, SipCase.id == PlanVersion.case_id)
        .where(
            PlanVersion.status == VersionStatus.APPROVED,
            PlanVersion.follow_up_on >= today,
            PlanVersion.follow_up_on <= today + timedelta(days=FOLLOW_UP_REMINDER_DAYS),
            SipCase.step != Step.CLOSED,
        )
        .order_by(PlanVersion.id)
    ).all()
    sent = 0
    for version in due:
        assert version.follow_up_on is not None  # the query compared it with today
        case = db.session.get_one(SipCase, version.case_id)
        told: list[Person | StaffUser] = list(recipients.citizen_recipients(case, today))
        coordinator = recipients.current_coordinator(case)
        if coordinator is not None:
            told.append(coordinator)
        for someone in told:
            message = notifications.notify(
                someone,
                NotificationKind.FOLLOW_UP_DUE,
                case,
                data={"follow_up_on": version.follow_up_on.isoformat()},
                # Per version and day: a follow-up moved to a later day is reminded of again.
                dedupe_key=_key("follow-up", version.public_id, version.follow_up_on, someone.get_id()),
            )
            sent += message is not None
    return sent


# --- Staff deadlines ----------------------------------------------------------------------------------------


def send_unanswered_invitations(today: date) -> int:
    """An invited unit has not answered by the end of its working day [VM] [DA 4.4] (meetings.answer_due).

    Told the first day after the deadline: the case's coordinator (one message per invitation) and the
    invited unit's coordinators, who should answer. An invitation sent again is a new deadline.
    """
    # The deadline is at least the end of the day after sending, so only invitations sent before yesterday
    # can be past it today: the query never reads fresh invitations.
    candidates = db.session.scalars(
        select(Invitation)
        .join(Meeting, Meeting.id == Invitation.meeting_id)
        .join(Participant, Participant.id == Invitation.participant_id)
        .join(SipCase, SipCase.id == Meeting.case_id)
        .where(
            Invitation.status == InvitationStatus.SENT,
            Invitation.sent_at < _start_of(today - timedelta(days=1)),
            Meeting.status == MeetingStatus.PLANNED,
            Participant.role == ParticipantRole.UNIT,
            Participant.unit_id.is_not(None),
            SipCase.step != Step.CLOSED,
        )
        .options(selectinload(Invitation.meeting), selectinload(Invitation.participant))
        .order_by(Invitation.id)
    ).all()
    sent = 0
    for invitation in candidates:
        unit_id = invitation.participant.unit_id
        if unit_id is None:  # never: the query takes unit parties only; said for the type checker
            continue
        if meetings.answer_due(invitation).date() >= today:
            continue  # the deadline is today or later (a long weekend, a holiday)
        case = db.session.get_one(SipCase, invitation.meeting.case_id)
        sent_day = invitation.sent_at.astimezone(SWEDISH_TIME).date()
        told: list[tuple[StaffUser, str]] = [
            (staff, "invited_unit") for staff in recipients.unit_coordinators(unit_id)
        ]
        coordinator = recipients.current_coordinator(case)
        if coordinator is not None:
            told.append((coordinator, "coordinator"))
        for staff, role in told:
            message = notifications.notify(
                staff,
                NotificationKind.STAFF_INVITATION_UNANSWERED,
                case,
                data={"for": role, "invitation": invitation.public_id},
                # One per invitation (and sending) and person: a coordinator who is also in the invited
                # unit gets the message once, as the one who should answer.
                dedupe_key=_key("invitation-late", invitation.public_id, sent_day, staff.get_id()),
            )
            sent += message is not None
    return sent


def send_overdue_plans(today: date) -> int:
    """The meeting is held but no plan was sent or approved in two working days [VM]: tell the coordinator.

    Held meetings whose plan was written (a version sent or approved since, as plans.writing_deadline counts)
    drop out in SQL, so the query stays small over the years.
    """
    written = exists().where(
        PlanVersion.case_id == Meeting.case_id,
        (PlanVersion.sent_at >= Meeting.held_at) | (PlanVersion.approved_at >= Meeting.held_at),
    )
    held = db.session.scalars(
        select(Meeting)
        .join(SipCase, SipCase.id == Meeting.case_id)
        .where(
            Meeting.status == MeetingStatus.HELD,
            Meeting.held_at.is_not(None),
            # Two working days after the meeting day end two days later at the earliest: a meeting held
            # yesterday or today cannot be overdue yet (a day's margin for how plans.document_due counts).
            Meeting.held_at < _start_of(today - timedelta(days=1)),
            SipCase.step != Step.CLOSED,
            ~written,
        )
        .order_by(Meeting.id)
    ).all()
    sent = 0
    for meeting in held:
        assert meeting.held_at is not None  # the query asked for held_at before a day
        case = db.session.get_one(SipCase, meeting.case_id)
        deadline = plans.writing_deadline(case, meeting.held_at, today)
        coordinator = recipients.current_coordinator(case)
        if not deadline.overdue or coordinator is None:
            continue
        message = notifications.notify(
            coordinator,
            NotificationKind.STAFF_PLAN_OVERDUE,
            case,
            data={"due": deadline.due.isoformat()},
            dedupe_key=_key("plan-overdue", meeting.public_id, coordinator.get_id()),
        )
        sent += message is not None
    return sent


# --- The 30-day first-meeting goal and the 3-day discharge invitation [issue 16] ---------------------------

# The first meeting is held within 30 days of the request [HA]: the coordinator is reminded from 7 days before
# the last day (once), and once more when it has passed. The invitation is sent within 3 days of
# "utskrivningsklar" [VM] [ST]: reminded on day 2, the day before the last day (once), and when it has passed.
FIRST_MEETING_SOON_DAYS = 7
DISCHARGE_INVITATION_SOON_DAYS = 1
_BEFORE_THE_MEETING = (Step.REQUESTED, Step.CONSENT, Step.PREPARATION, Step.INVITED)


def _staff_to_remind(case: SipCase) -> list[StaffUser]:
    """The coordinator; before anyone took the SIP, the coordinators of the unit that has it."""
    coordinator = recipients.current_coordinator(case)
    if coordinator is not None:
        return [coordinator]
    if case.owning_unit_id is None:
        return []
    return recipients.unit_coordinators(case.owning_unit_id)


def _remind_of_deadline(
    case: SipCase, deadline: deadlines.Deadline, soon_days: int, kind: NotificationKind
) -> int:
    """One reminder when ``soon_days`` or fewer are left (on any run until the last day), one when passed."""
    if deadline.overdue:
        when = "passed"
    elif deadline.days_left <= soon_days:
        when = "soon"
    else:
        return 0
    sent = 0
    for staff in _staff_to_remind(case):
        message = notifications.notify(
            staff,
            kind,
            case,
            data={"when": when, "due": deadline.due.isoformat()},
            # Per case, deadline day and stage: a deadline that moves (a new discharge date) reminds again.
            dedupe_key=_key(deadline.kind, case.public_id, deadline.due, when, staff.get_id()),
        )
        sent += message is not None
    return sent


def send_first_meeting_reminders(today: date) -> int:
    """No first meeting held yet, and the 30-day goal is 7 days away or has passed: tell the coordinator.

    Only SIPs before the meeting whose request is old enough are read (in SQL); deadlines.deadlines_for says
    when the goal is, and drops it once the meeting is held.
    """
    requested_before = _start_of(
        today - timedelta(days=deadlines.MEETING_WITHIN_DAYS - FIRST_MEETING_SOON_DAYS - 1)
    )
    candidates = db.session.scalars(
        select(SipCase)
        .where(SipCase.step.in_(_BEFORE_THE_MEETING), SipCase.requested_at < requested_before)
        .order_by(SipCase.id)
    ).all()
    sent = 0
    for case in candidates:
        for deadline in deadlines.deadlines_for(case, today):
            if deadline.kind == "first_meeting":
                sent += _remind_of_deadline(
                    case, deadline, FIRST_MEETING_SOON_DAYS, NotificationKind.STAFF_FIRST_MEETING_DUE
                )
    return sent


def send_discharge_invitation_reminders(today: date) -> int:
    """Ready for discharge ("utskrivningsklar"), nobody invited yet: on day 2, and when the 3 days passed."""
    ready_by = today - timedelta(
        days=deadlines.DISCHARGE_INVITATION_WITHIN_DAYS - DISCHARGE_INVITATION_SOON_DAYS
    )
    candidates = db.session.scalars(
        select(SipCase)
        .where(
            SipCase.step.in_(_BEFORE_THE_MEETING),
            SipCase.discharge_date.is_not(None),
            SipCase.discharge_date <= ready_by,
        )
        .order_by(SipCase.id)
    ).all()
    sent = 0
    for case in candidates:
        for deadline in deadlines.deadlines_for(case, today):
            if deadline.kind == "discharge_invitation":
                sent += _remind_of_deadline(
                    case,
                    deadline,
                    DISCHARGE_INVITATION_SOON_DAYS,
                    NotificationKind.STAFF_DISCHARGE_INVITATION_DUE,
                )
    return sent


# --- Running them -------------------------------------------------------------------------------------------

KINDS: dict[str, Callable[[date], int]] = {
    "consent": send_consent_reminders,
    "meeting": send_meeting_reminders,
    "follow_up": send_follow_up_reminders,
    "invitation_unanswered": send_unanswered_invitations,
    "plan_overdue": send_overdue_plans,
    "coming_of_age": send_coming_of_age,  # the 18th birthday [issue 15]
    "first_meeting": send_first_meeting_reminders,  # the 30-day goal [issue 16]
    "discharge_invitation": send_discharge_invitation_reminders,  # 3 days after utskrivningsklar [issue 16]
    "action_late": send_late_actions,  # an action of the plan is past its day and not started [issue 16]
}


def run_all(today: date) -> dict[str, int]:
    """Every kind of reminder, in order; how many messages each sent. The caller commits."""
    return {name: send(today) for name, send in KINDS.items()}


def today_in_sweden() -> date:
    return datetime.now(SWEDISH_TIME).date()


JOB = "citizen_app.services.reminders.run_all_job"  # the name to give jobs.enqueue / jobs.submit


def run_all_job() -> dict[str, int]:
    """The job form of ``run_all`` (jobs.enqueue / ``flask run-jobs --enqueue``): today is read from the clock
    when the job runs, not when it was queued. The job runner commits."""
    return run_all(today_in_sweden())
