"""The coordinator's intake: the queue of requests, accepting, forwarding, coordinators, staff-started SIPs.

Every staff read and change of a case is written to the audit log [QUALITY 4] [SIP.md 9].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import (
    CaseEvent,
    CoordinatorAssignment,
    EventKind,
    Initiator,
    NotificationKind,
    Participant,
    ParticipantRole,
    SipCase,
    StaffRole,
    StaffUser,
    Step,
    Unit,
    utcnow,
)
from citizen_app.services import (
    N_,
    DomainError,
    NotAllowed,
    NotFound,
    audit,
    identity,
    notifications,
    people,
    recipients,
)
from citizen_app.services.deadlines import Deadline, deadlines_for

MAX_REASON = 1000


@dataclass
class QueueItem:
    case: SipCase
    deadlines: list[Deadline]

    @property
    def overdue(self) -> bool:
        return any(d.overdue for d in self.deadlines)

    @property
    def is_urgent(self) -> bool:
        return self.case.urgent or self.case.discharge_date is not None or self.overdue


def coordinator_unit_ids(staff: StaffUser) -> list[int]:
    return [m.unit_id for m in staff.memberships if m.role == StaffRole.COORDINATOR]


def queue_for(staff: StaffUser, today: date | None = None) -> list[QueueItem]:
    """Requests waiting in the staff user's units: urgent ones first, then the newest [issue 3]."""
    day = today or date.today()
    unit_ids = coordinator_unit_ids(staff)
    if not unit_ids:
        return []
    cases = db.session.scalars(
        select(SipCase)
        .where(SipCase.owning_unit_id.in_(unit_ids), SipCase.step == Step.REQUESTED)
        .options(selectinload(SipCase.subject), selectinload(SipCase.owning_unit))
    ).all()
    items = [QueueItem(case, deadlines_for(case, day)) for case in cases]
    items.sort(key=lambda i: (not i.is_urgent, -i.case.requested_at.timestamp()))
    return items


def get_case(staff: StaffUser, public_id: str, action: Action = Action.STAFF_VIEW_CASE) -> SipCase:
    """A case the staff user may act on. Reading it is written to the audit log."""
    case = db.session.scalar(
        select(SipCase).where(SipCase.public_id == public_id).options(selectinload(SipCase.subject))
    )
    if case is None or not access.can(staff, action, case):
        raise NotFound(N_("Ärendet finns inte."))
    audit.record(staff, "case.read", case)
    return case


def coordinators_for(case: SipCase) -> list[StaffUser]:
    return recipients.unit_coordinators(case.owning_unit_id) if case.owning_unit_id else []


def other_units(case: SipCase) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.id != case.owning_unit_id).order_by(Unit.name)))


def _assign(case: SipCase, coordinator: StaffUser, by: StaffUser) -> None:
    now = utcnow()
    for current in db.session.scalars(
        select(CoordinatorAssignment).where(
            CoordinatorAssignment.case_id == case.id, CoordinatorAssignment.ended_at.is_(None)
        )
    ):
        current.ended_at = now
    db.session.add(
        CoordinatorAssignment(case_id=case.id, staff_id=coordinator.id, assigned_by_id=by.id, assigned_at=now)
    )


def _coordinator_in_unit(case: SipCase, public_id: str | None, fallback: StaffUser) -> StaffUser:
    if not public_id:
        return fallback
    chosen = db.session.scalar(select(StaffUser).where(StaffUser.public_id == public_id))
    if chosen is None or chosen.id not in {c.id for c in coordinators_for(case)}:
        raise DomainError(N_("Välj en samordnare i enheten"))
    return chosen


def accept(staff: StaffUser, case: SipCase, coordinator_public_id: str | None = None) -> SipCase:
    """Take the request: the staff user (or a chosen colleague) becomes coordinator; next step is consent."""
    access.require(staff, Action.STAFF_ACCEPT_CASE, case)
    if case.step != Step.REQUESTED:
        raise DomainError(N_("Förfrågan är redan hanterad."))
    if case.awaiting_person_agreement:
        raise DomainError(N_("Personen har inte sagt ja till förslaget än."))
    coordinator = _coordinator_in_unit(case, coordinator_public_id, staff)
    _assign(case, coordinator, staff)
    case.step = Step.CONSENT
    db.session.add(
        CaseEvent(
            case_id=case.id,
            kind=EventKind.ACCEPTED,
            step=Step.CONSENT,
            actor_staff_id=staff.id,
            data={"coordinator": coordinator.display_name},
        )
    )
    db.session.flush()
    audit.record(staff, "case.accept", case, coordinator=coordinator.public_id)
    for person in recipients.citizen_recipients(case):
        notifications.notify(
            person, NotificationKind.REQUEST_ACCEPTED, case, data={"coordinator": coordinator.display_name}
        )
    if coordinator.id != staff.id:
        notifications.notify(coordinator, NotificationKind.COORDINATOR_CHANGED, case)
    return case


def forward(staff: StaffUser, case: SipCase, unit_public_id: str, reason: str) -> SipCase:
    """Send the request on to the right unit, with a reason the person can read [DA 4.1]."""
    access.require(staff, Action.STAFF_FORWARD_CASE, case)
    if case.step != Step.REQUESTED:
        raise DomainError(N_("Bara nya förfrågningar kan skickas vidare."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(N_("Skriv varför förfrågan skickas vidare"))
    if len(reason) > MAX_REASON:
        raise DomainError(N_("Skriv högst 1000 tecken"))
    target = db.session.scalar(select(Unit).where(Unit.public_id == unit_public_id))
    if target is None or target.id == case.owning_unit_id:
        raise DomainError(N_("Välj en annan enhet"))
    source = case.owning_unit
    case.owning_unit_id = target.id
    db.session.add(
        CaseEvent(
            case_id=case.id,
            kind=EventKind.FORWARDED,
            step=Step.REQUESTED,
            actor_staff_id=staff.id,
            data={"from": source.name if source else None, "to": target.name, "reason": reason},
        )
    )
    db.session.flush()
    audit.record(staff, "case.forward", case, to=target.public_id)
    for person in recipients.citizen_recipients(case):
        notifications.notify(person, NotificationKind.REQUEST_FORWARDED, case, data={"to": target.name})
    for coordinator in recipients.unit_coordinators(target.id):
        notifications.notify(coordinator, NotificationKind.NEW_REQUEST_FOR_UNIT, case)
    return case


def change_coordinator(staff: StaffUser, case: SipCase, new_public_id: str) -> SipCase:
    """A new coordinator; the history is kept [VN]. The person is told who it is now."""
    access.require(staff, Action.STAFF_CHANGE_COORDINATOR, case)
    if case.is_closed:
        raise DomainError(N_("SIP:en är avslutad."))
    current = recipients.current_coordinator(case)
    new = _coordinator_in_unit(case, new_public_id, staff)
    if current is not None and current.id == new.id:
        raise DomainError(N_("Välj en annan samordnare"))
    _assign(case, new, staff)
    db.session.add(
        CaseEvent(
            case_id=case.id,
            kind=EventKind.COORDINATOR_CHANGED,
            actor_staff_id=staff.id,
            data={"coordinator": new.display_name},
        )
    )
    db.session.flush()
    audit.record(staff, "case.change_coordinator", case, coordinator=new.public_id)
    for person in recipients.citizen_recipients(case):
        notifications.notify(
            person, NotificationKind.COORDINATOR_CHANGED, case, data={"coordinator": new.display_name}
        )
    if new.id != staff.id:
        notifications.notify(new, NotificationKind.COORDINATOR_CHANGED, case)
    return case


def coordinator_history(case: SipCase) -> list[CoordinatorAssignment]:
    return list(
        db.session.scalars(
            select(CoordinatorAssignment)
            .where(CoordinatorAssignment.case_id == case.id)
            .options(selectinload(CoordinatorAssignment.staff))
            .order_by(CoordinatorAssignment.assigned_at)
        )
    )


def start_case(
    staff: StaffUser,
    identity_number: str,
    name: str,
    need: str,
    discharge_date: date | None = None,
    urgent: bool = False,
) -> SipCase:
    """Staff take the initiative for a person [DA 1, 4], e.g. at discharge ("utskrivningsklar" date)."""
    unit_ids = coordinator_unit_ids(staff)
    if not unit_ids:
        raise NotAllowed(N_("Bara samordnare kan starta en SIP."))
    try:
        person = people.find_person_by_identity(identity_number)
    except identity.InvalidIdentityNumber as exc:
        raise DomainError(N_("Skriv ett giltigt personnummer, 12 siffror")) from exc
    if person is None:
        if not (name or "").strip():
            raise DomainError(N_("Skriv personens namn"))
        person = people.create_person(identity_number, name.strip()[:200])
    case = SipCase(
        subject_id=person.id,
        owning_unit_id=unit_ids[0],
        step=Step.CONSENT,
        initiated_by=Initiator.STAFF,
        urgent=urgent,
        need_description=(need or "").strip()[:2000],
        discharge_date=discharge_date,
        requested_by_staff_id=staff.id,
    )
    db.session.add(case)
    db.session.flush()
    _assign(case, staff, staff)
    child = person.is_child_on(date.today())
    db.session.add(
        Participant(
            case_id=case.id,
            person_id=person.id,
            role=ParticipantRole.CHILD if child else ParticipantRole.PERSON,
        )
    )
    db.session.add(
        CaseEvent(
            case_id=case.id, kind=EventKind.STARTED_BY_STAFF, step=Step.REQUESTED, actor_staff_id=staff.id
        )
    )
    db.session.add(
        CaseEvent(
            case_id=case.id,
            kind=EventKind.ACCEPTED,
            step=Step.CONSENT,
            actor_staff_id=staff.id,
            data={"coordinator": staff.display_name},
        )
    )
    db.session.flush()
    audit.record(staff, "case.start", case)
    for someone in recipients.citizen_recipients(case):
        notifications.notify(someone, NotificationKind.STARTED_BY_STAFF, case)
    return case


def link_suggested_person(staff: StaffUser, case: SipCase, identity_number: str, name: str) -> SipCase:
    """After talking to the suggested person, the coordinator links them; they then say yes or no."""
    access.require(staff, Action.STAFF_ACCEPT_CASE, case)
    if case.subject_id is not None or not case.awaiting_person_agreement:
        raise DomainError(N_("Förslaget har redan en person."))
    try:
        person = people.find_person_by_identity(identity_number)
    except identity.InvalidIdentityNumber as exc:
        raise DomainError(N_("Skriv ett giltigt personnummer, 12 siffror")) from exc
    if person is None:
        if not (name or "").strip():
            raise DomainError(N_("Skriv personens namn"))
        person = people.create_person(identity_number, name.strip()[:200])
    case.subject_id = person.id
    db.session.add(Participant(case_id=case.id, person_id=person.id, role=ParticipantRole.PERSON))
    db.session.flush()
    audit.record(staff, "case.link_person", case)
    notifications.notify(person, NotificationKind.SUGGESTION_TO_ANSWER, case)
    return case


def unit_names(staff: StaffUser) -> list[str]:
    return [m.unit.name for m in staff.memberships]
