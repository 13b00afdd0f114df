"""The 18th birthday: the parents' consent becomes the young adult's own [issue 15] [DA 4.2] [SIP.md 4].

What ``consent.latest_by_voice`` already does: from the birthday the guardians' consent no longer counts, and
``access`` gives guardians no role once the subject is an adult. This module does the rest, as a daily job
(``send_coming_of_age``, called from ``reminders.run_all``):

- 30 days before (on any run from then to the day before), the young person is told, once per birthday, that
  from their 18th birthday they decide themself.
- On the birthday (or the first run after it, within ``CATCH_UP_DAYS``), once per SIP:
  - each guardian's consent that was in force the day before ends, written in the consent history as an
    ``ENDED_AT_18`` event (history only: it is nobody's answer);
  - invitations the young adult's own consent does not cover are held (``InvitationStatus.HELD``), and those
    invited are told; the coordinator sends them again once the consent covers them (meetings.invite);
  - a SIP past the consent step with no consent in force goes back to waiting for consent;
  - the timeline says so (``EventKind.CAME_OF_AGE``, and a step change with reason "came_of_age");
  - the young adult is told and asked for their own consent (once per birthday), and the coordinator is told.

Each message carries a ``dedupe_key`` and the SIP's ``CAME_OF_AGE`` event marks it done, so running the job
again (the same day, or from another worker) changes nothing.

It also lets the young adult share their SIP with a former guardian, who then takes part as a relative
(``ParticipantRole.RELATIVE``: the relative's rights, no more), and take that back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from citizen_app.extensions import db
from citizen_app.models import (
    CaseEvent,
    ConsentEvent,
    ConsentEventKind,
    EventKind,
    Invitation,
    InvitationStatus,
    LinkPurpose,
    Meeting,
    MeetingStatus,
    NotificationKind,
    Participant,
    ParticipantRole,
    Person,
    RelationKind,
    Relationship,
    SipCase,
    StaffUser,
    Step,
    utcnow,
)
from citizen_app.services import (
    N_,
    NotAllowed,
    NotFound,
    access_links,
    audit,
    consent,
    meetings,
    notifications,
    recipients,
    timeline,
)

REMINDER_DAYS = 30  # the young person is told this many days before the birthday
# A job that did not run on the birthday still does the day's work on a later run, up to this many days on.
CATCH_UP_DAYS = 30
# How long after the birthday the pages keep saying "from your 18th birthday you decide yourself".
NOTICE_DAYS_AFTER = 90
ADULT_AGE = 18


def _key(*parts: object) -> str:
    return ":".join(str(p) for p in parts)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without it
        return date(day.year - years, 2, 28)


def _open_cases_with_birthday_between(first: date, last: date) -> list[SipCase]:
    """Open SIPs whose subject turns 18 from ``first`` to ``last``: one query bounded by birth dates."""
    born_from = _years_before(first, ADULT_AGE) - timedelta(days=1)  # a day's margin for 29 February
    born_until = _years_before(last, ADULT_AGE) + timedelta(days=1)
    found = db.session.scalars(
        select(SipCase)
        .join(Person, Person.id == SipCase.subject_id)
        .where(
            SipCase.step != Step.CLOSED,
            Person.birth_date >= born_from,
            Person.birth_date <= born_until,
        )
        .options(selectinload(SipCase.subject))
        .order_by(SipCase.id)
    ).all()
    return [c for c in found if c.subject is not None and first <= c.subject.adult_from() <= last]


# --- The job ------------------------------------------------------------------------------------------------


def send_coming_of_age(today: date) -> int:
    """The reminder before the birthday and the birthday itself; how many messages were sent.

    One query finds both (birthdays from ``CATCH_UP_DAYS`` ago to ``REMINDER_DAYS`` on); a birthday today or
    before it is the day's work, a later one the reminder.
    """
    sent = 0
    window = _open_cases_with_birthday_between(
        today - timedelta(days=CATCH_UP_DAYS), today + timedelta(days=REMINDER_DAYS)
    )
    for case in window:
        assert case.subject is not None
        if case.subject.adult_from() > today:
            sent += _remind_before(case, today)
        elif not _done(case):
            sent += turn_eighteen(case, today)
    return sent


def _remind_before(case: SipCase, today: date) -> int:
    person = case.subject
    assert person is not None
    birthday = person.adult_from()
    message = notifications.notify(
        person,
        NotificationKind.COMING_OF_AGE_SOON,
        case,
        data={"birthday": birthday.isoformat(), "days_left": (birthday - today).days},
        # Once per person and birthday, whatever number of SIPs they have.
        dedupe_key=_key("coming-of-age-soon", person.public_id, birthday),
    )
    return int(message is not None)


def _done(case: SipCase) -> bool:
    return bool(
        db.session.scalar(
            select(exists().where(CaseEvent.case_id == case.id, CaseEvent.kind == EventKind.CAME_OF_AGE))
        )
    )


def turn_eighteen(case: SipCase, today: date) -> int:
    """What happens to one SIP when its subject has turned 18 (see the module's doc); messages sent."""
    consent.lock(case)  # serialized with a consent given right now, and with another run of the job
    subject = case.subject
    if subject is None or subject.is_child_on(today) or case.is_closed or _done(case):
        return 0
    birthday = subject.adult_from()
    ended = _end_guardians_consent(case, subject, birthday)
    scope = consent.in_force(case, today)  # the young adult's own consent, if they gave one as a minor
    held = _hold_uncovered_invitations(case, scope)
    timeline.record(
        case,
        EventKind.CAME_OF_AGE,
        None,  # the calendar did this, not a person or a staff user
        data={"birthday": birthday.isoformat(), "guardians": len(ended), "held": len(held)},
    )
    if scope is None and case.step.position > Step.CONSENT.position:
        # Back to waiting for consent: the young adult's own yes moves it on (consent._after_change).
        timeline.record(
            case,
            EventKind.STEP_CHANGED,
            None,
            step=Step.CONSENT,
            data={"reason": "came_of_age", "step_before": case.step.value},
        )
        case.step = Step.CONSENT
    db.session.flush()
    audit.record(None, "consent.came_of_age", case, guardians_ended=len(ended), invitations_held=len(held))
    return _tell_on_the_day(case, subject, birthday, scope is not None) + _tell_held(case, held, birthday)


def _end_guardians_consent(case: SipCase, subject: Person, birthday: date) -> list[ConsentEvent]:
    """Each guardian's consent in force the day before the birthday gets an ``ENDED_AT_18`` event."""
    day_before = birthday - timedelta(days=1)
    ended = []
    for voice, event in consent.latest_by_voice(case, day_before).items():
        if voice == subject.id or not consent.is_active(event, day_before):
            continue
        ended.append(
            ConsentEvent(
                case_id=case.id,
                kind=ConsentEventKind.ENDED_AT_18,
                consenter_id=event.consenter_id,
                method=event.method,
                valid_from=birthday,
            )
        )
    db.session.add_all(ended)
    return ended


def _hold_uncovered_invitations(case: SipCase, scope: consent.Scope | None) -> list[Invitation]:
    """Open invitations to planned meetings that the consent in force does not cover are held.

    A unit is covered when the consent names it; a relative or support person when any consent is in force
    (as meetings.invitable decides). A held guest's personal link stops working.
    """
    held = []
    for invitation in db.session.scalars(
        select(Invitation)
        .join(Meeting, Meeting.id == Invitation.meeting_id)
        .where(
            Meeting.case_id == case.id,
            Meeting.status == MeetingStatus.PLANNED,
            Invitation.status.in_(meetings.OPEN),
        )
        .options(selectinload(Invitation.participant).selectinload(Participant.unit))
        .order_by(Invitation.id)
    ):
        party = invitation.participant
        if party.role == ParticipantRole.UNIT:
            covered = scope is not None and party.unit is not None and scope.covers_unit(party.unit.public_id)
        else:
            covered = scope is not None
        if covered:
            continue
        invitation.status = InvitationStatus.HELD
        access_links.revoke_all(case, LinkPurpose.RELATIVE_INVITATION, None, invitation_id=invitation.id)
        held.append(invitation)
    return held


def _tell_on_the_day(case: SipCase, subject: Person, birthday: date, own_consent: bool) -> int:
    sent = 0
    message = notifications.notify(
        subject,
        NotificationKind.COMING_OF_AGE,
        case,
        data={"birthday": birthday.isoformat(), "own_consent": own_consent},
        dedupe_key=_key("coming-of-age", subject.public_id, birthday),
    )
    sent += message is not None
    # The guardians who had custody lose the SIP today (unless the young adult lets them take part): told
    # why, once per birthday whatever the number of SIPs, and without a link to a SIP they can no longer open.
    for tie in _former_guardian_ties(subject):
        if tie.has_custody and tie.holder_id != subject.id:
            message = notifications.notify(
                tie.holder,
                NotificationKind.GUARDIAN_COMING_OF_AGE,
                None,
                data={"name": (subject.display_name.split() or [""])[0]},
                dedupe_key=_key("coming-of-age-guardian", subject.public_id, birthday, tie.holder.public_id),
            )
            sent += message is not None
    coordinator = recipients.current_coordinator(case)
    if coordinator is not None:
        message = notifications.notify(
            coordinator,
            NotificationKind.STAFF_COMING_OF_AGE,
            case,
            data={"birthday": birthday.isoformat(), "own_consent": own_consent},
            dedupe_key=_key("coming-of-age", case.public_id, birthday, coordinator.get_id()),
        )
        sent += message is not None
    return sent


def _tell_held(case: SipCase, held: list[Invitation], birthday: date) -> int:
    """Those invited are told their invitation waits: all staff of a unit, a guest with an account."""
    sent = 0
    for invitation in held:
        party = invitation.participant
        told: list[Person | StaffUser] = (
            list(recipients.unit_staff(party.unit_id))
            if party.unit_id is not None
            else ([party.person] if party.person is not None else [])
        )
        for someone in told:
            message = notifications.notify(
                someone,
                NotificationKind.INVITATION_HELD,
                case,
                dedupe_key=_key("invitation-held", invitation.public_id, birthday, someone.get_id()),
            )
            sent += message is not None
    return sent


# --- What the young person's pages say around the birthday --------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """What the consent and SIP pages tell the young person about their 18th birthday.

    ``kind``: "soon" (within 30 days before), "decide_now" (18, and no consent of their own in force),
    "decided" (18, their own consent in force, the birthday recent) or "sharing" (only the way to choose who
    may take part, for an adult with former guardians).
    """

    kind: str
    birthday: date
    days_left: int
    has_former_guardians: bool


def notice_for(actor: Person, case: SipCase, today: date) -> Notice | None:
    subject = case.subject
    if subject is None or actor.id != subject.id or case.is_closed:
        return None
    birthday = subject.adult_from()
    days_left = (birthday - today).days
    if days_left > REMINDER_DAYS:
        return None
    if days_left > 0:
        return Notice("soon", birthday, days_left, False)
    guardians = bool(_former_guardian_ties(subject))
    if consent.in_force(case, today) is None:
        kind = "decide_now" if guardians or -days_left <= NOTICE_DAYS_AFTER else ""
    else:
        kind = "decided" if -days_left <= NOTICE_DAYS_AFTER else ("sharing" if guardians else "")
    return Notice(kind, birthday, days_left, guardians) if kind else None


# --- Sharing with a former guardian, like a relative --------------------------------------------------


@dataclass(frozen=True)
class FormerGuardian:
    person: Person
    takes_part: bool  # takes part as a relative now, because the young adult chose it


def _former_guardian_ties(subject: Person) -> list[Relationship]:
    return list(
        db.session.scalars(
            select(Relationship)
            .where(Relationship.subject_id == subject.id, Relationship.kind == RelationKind.GUARDIAN)
            .options(selectinload(Relationship.holder))
            .order_by(Relationship.id)
        )
    )


def may_choose_who_takes_part(actor: Person, case: SipCase, today: date) -> bool:
    """Only the young adult themself chooses: not a guardian, and not while they are a child."""
    subject = case.subject
    return (
        subject is not None
        and actor.id == subject.id
        and not subject.is_child_on(today)
        and not case.is_closed
    )


def _require_choice(actor: Person, case: SipCase, today: date) -> None:
    if not may_choose_who_takes_part(actor, case, today):
        raise NotAllowed(N_("Bara du själv kan välja det här, från din 18-årsdag."))


def _relative_places(case: SipCase) -> dict[int, Participant]:
    return {
        p.person_id: p
        for p in db.session.scalars(
            select(Participant).where(
                Participant.case_id == case.id,
                Participant.role == ParticipantRole.RELATIVE,
                Participant.person_id.is_not(None),
                Participant.removed_at.is_(None),
            )
        )
        if p.person_id is not None
    }


def former_guardians(actor: Person, case: SipCase, today: date) -> list[FormerGuardian]:
    _require_choice(actor, case, today)
    assert case.subject is not None
    places = _relative_places(case)
    return [
        FormerGuardian(rel.holder, rel.holder_id in places) for rel in _former_guardian_ties(case.subject)
    ]


def _guardian(case: SipCase, public_id: str) -> Person:
    assert case.subject is not None
    holder = next(
        (r.holder for r in _former_guardian_ties(case.subject) if r.holder.public_id == public_id), None
    )
    if holder is None:
        raise NotFound(N_("Sidan finns inte."))
    return holder


def let_take_part(actor: Person, case: SipCase, guardian_public_id: str, today: date) -> None:
    """The young adult lets a former guardian take part as a relative. Choosing it twice changes nothing."""
    _require_choice(actor, case, today)
    holder = _guardian(case, guardian_public_id)
    if holder.id in _relative_places(case):
        return
    place = Participant(case_id=case.id, role=ParticipantRole.RELATIVE, person_id=holder.id)
    db.session.add(place)
    db.session.flush()
    audit.record(actor, "sharing.former_guardian_added", case, participant=place.public_id)


def stop_taking_part(actor: Person, case: SipCase, guardian_public_id: str, today: date) -> None:
    """The young adult takes it back: the former guardian no longer takes part; open invitations end."""
    _require_choice(actor, case, today)
    holder = _guardian(case, guardian_public_id)
    place = _relative_places(case).get(holder.id)
    if place is None:
        return
    place.removed_at = utcnow()
    meetings.cancel_invitations_of(case, place)
    audit.record(actor, "sharing.former_guardian_removed", case, participant=place.public_id)
    db.session.flush()
