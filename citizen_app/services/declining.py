"""Saying no to a SIP, and changing one's mind [issue 15] [SIP.md 4] [DA 4.2].

A SIP is voluntary. "Jag vill inte ha en SIP nu" is an answer of its own, not a silence: it is kept in the
consent history (ConsentEventKind.DECLINED), the SIP closes with the reason "Personen sa nej", and the
coordinator is told (the unit's coordinators, while nobody has taken the SIP yet).

- Who may say no: whoever may consent (the person, a guardian with custody, a representative). For a child,
  one guardian's no is enough, as with a withdrawal: a SIP needs every guardian's yes.
- When: while no consent is in force. Once it is, "Ta tillbaka samtycket" ends it (services/withdrawal.py).
- Changing one's mind: from the closed SIP, the same people can ask for a new SIP. It is a new request that
  links to the old one (``SipCase.previous_case_id``), so the staff see what happened before.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from citizen_app import access
from citizen_app.access import Action, Role
from citizen_app.extensions import db
from citizen_app.models import (
    ClosingReason,
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    EventKind,
    Initiator,
    NotificationKind,
    Participant,
    ParticipantRole,
    Person,
    SipCase,
    StaffUser,
    Step,
)
from citizen_app.services import N_, NotAllowed, audit, consent, meetings, notifications, recipients, timeline

# Who comes along to the new request: the person and those who act for them, and the units. Relatives and a
# support person are guests the person chooses again when the meeting is prepared.
_CARRIED_OVER = (
    ParticipantRole.PERSON,
    ParticipantRole.CHILD,
    ParticipantRole.GUARDIAN,
    ParticipantRole.REPRESENTATIVE,
    ParticipantRole.UNIT,
)


def can_decline(actor: Person, case: SipCase, today: date | None = None) -> bool:
    """Whether ``actor`` may say no to the SIP now: they may consent, and no consent is in force."""
    day = today or date.today()
    return decline_open(case, consent.cannot_consent_reason(actor, case), consent.in_force(case, day))


def decline_open(case: SipCase, cannot_consent: str | None, scope_in_force: consent.Scope | None) -> bool:
    """``can_decline`` on what a page has already read: why the actor cannot consent, the scope in force."""
    return (
        not case.is_closed
        and not case.awaiting_person_agreement  # a suggestion has its own "Nej tack" (requests.py)
        and cannot_consent is None
        and scope_in_force is None
    )


def decline(actor: Person, case: SipCase, today: date | None = None) -> ConsentEvent:
    """Say no: the no is kept in the consent history, the SIP closes, the coordinator and the others told."""
    day = today or date.today()
    consent.lock(case)
    if not can_decline(actor, case, day):
        raise NotAllowed(N_("Du kan inte säga nej till den här SIP:en nu."))
    event = ConsentEvent(
        case_id=case.id,
        kind=ConsentEventKind.DECLINED,
        consenter_id=actor.id,
        method=ConsentMethod.DIGITAL,
        valid_from=day,
    )
    db.session.add(event)
    case.step = Step.CLOSED
    case.closing_reason = ClosingReason.DECLINED_BY_PERSON
    timeline.record(
        case,
        EventKind.CLOSED,
        actor,
        step=Step.CLOSED,
        data={"reason": ClosingReason.DECLINED_BY_PERSON.value},
    )
    db.session.flush()
    audit.record(actor, "consent.declined", case, event=event.public_id)
    meetings.cancel_open_invitations(case)  # a meeting set while an earlier consent was in force
    for someone in _to_tell(case, actor):
        notifications.notify(someone, NotificationKind.SIP_DECLINED, case)
    return event


def _to_tell(case: SipCase, actor: Person) -> list[Person | StaffUser]:
    """The other citizens of the SIP (the other guardian), and the coordinator or, before one took the SIP,
    the coordinators of the unit it was sent to."""
    told: list[Person | StaffUser] = [p for p in recipients.citizen_recipients(case) if p.id != actor.id]
    coordinator = recipients.current_coordinator(case)
    if coordinator is not None:
        told.append(coordinator)
    elif case.owning_unit_id is not None:
        told.extend(recipients.unit_coordinators(case.owning_unit_id))
    return told


def was_declined(case: SipCase) -> bool:
    """Whether the SIP ended because someone said no to it in place of consent."""
    if case.closing_reason != ClosingReason.DECLINED_BY_PERSON:
        return False
    history = consent.history(case)
    return bool(history) and history[-1].kind == ConsentEventKind.DECLINED


def later_case(case: SipCase) -> SipCase | None:
    """The new request made from this SIP after a no, if there is one."""
    return db.session.scalar(
        select(SipCase).where(SipCase.previous_case_id == case.id).order_by(SipCase.id).limit(1)
    )


def can_start_again(actor: Person, case: SipCase) -> bool:
    """ "Jag har ändrat mig": someone who may consent, on a SIP that closed with a no, not yet asked again."""
    return was_declined(case) and access.can(actor, Action.GIVE_CONSENT, case) and later_case(case) is None


def start_again(actor: Person, case: SipCase) -> SipCase:
    """A new request that links to the SIP the person said no to. A double click gives the same one."""
    consent.lock(case)
    earlier = later_case(case)
    if earlier is not None and access.can(actor, Action.VIEW_CASE, earlier):
        return earlier
    if not can_start_again(actor, case):
        raise NotAllowed(N_("Du kan inte be om en ny SIP härifrån."))
    new = SipCase(
        subject_id=case.subject_id,
        owning_unit_id=case.owning_unit_id,
        step=Step.REQUESTED,
        initiated_by=_initiator(actor, case),
        need_description=case.need_description,
        details=dict(case.details or {}),
        requested_by_person_id=actor.id,
        previous_case_id=case.id,
    )
    db.session.add(new)
    db.session.flush()
    for party in db.session.scalars(
        select(Participant).where(
            Participant.case_id == case.id,
            Participant.removed_at.is_(None),
            Participant.role.in_(_CARRIED_OVER),
        )
    ):
        db.session.add(
            Participant(case_id=new.id, role=party.role, person_id=party.person_id, unit_id=party.unit_id)
        )
    timeline.record(new, EventKind.REQUESTED, actor, step=Step.REQUESTED, data={"previous": case.public_id})
    db.session.flush()
    audit.record(actor, "case.asked_again", new, previous=case.public_id)
    access.forget_roles()
    notifications.notify(actor, NotificationKind.REQUEST_RECEIVED, new)
    for person in recipients.citizen_recipients(new):
        if person.id != actor.id:
            notifications.notify(person, NotificationKind.REQUEST_RECEIVED, new, data={"for_whom": "other"})
    if new.owning_unit_id is not None:
        for coordinator in recipients.unit_coordinators(new.owning_unit_id):
            notifications.notify(coordinator, NotificationKind.NEW_REQUEST_FOR_UNIT, new)
    return new


def _initiator(actor: Person, case: SipCase) -> Initiator:
    roles = access.roles_of(actor, case)
    if Role.GUARDIAN_WITH_CUSTODY in roles:
        return Initiator.GUARDIAN
    if roles & {Role.REPRESENTATIVE, Role.REPRESENTATIVE_FUTURE_POWER}:
        return Initiator.REPRESENTATIVE
    return Initiator.PERSON
