"""Scheduled reminders: one function per kind, all run by ``run_all(today)`` (``flask send-reminders``).

Each kind is safe to run again: a reminder carries a ``dedupe_key``, so a second run the same day (or a run
from another worker) sends nothing twice. A kind finds its cases with one bounded query; it never walks every
case of the county. To add a kind, write ``send_<kind>(today) -> int`` (how many messages it sent) and list
it in ``KINDS``. Issue 8 moves the schedule into background jobs; the functions stay the same.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased, selectinload

from citizen_app.extensions import db
from citizen_app.models import (
    ConsentEvent,
    ConsentEventKind,
    EventKind,
    NotificationKind,
    Person,
    SipCase,
    StaffUser,
    Step,
)
from citizen_app.services import audit, consent, notifications, recipients, timeline

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
    return sent


KINDS: dict[str, Callable[[date], int]] = {
    "consent": send_consent_reminders,
}


def run_all(today: date) -> dict[str, int]:
    """Every kind of reminder, in order; how many messages each sent. The caller commits."""
    return {name: send(today) for name, send in KINDS.items()}
