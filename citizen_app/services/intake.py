"""The coordinator's intake: the queue of requests, accepting, forwarding, coordinators, staff-started SIPs.

Every staff read and change of a case is written to the audit log [QUALITY 4] [SIP.md 9].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import (
    CoordinatorAssignment,
    EventKind,
    Initiator,
    NotificationKind,
    Participant,
    ParticipantRole,
    Person,
    SipCase,
    StaffMembership,
    StaffRole,
    StaffUser,
    Step,
    Unit,
    utcnow,
)
from citizen_app.services import (
    N_,
    DomainError,
    InvalidInput,
    NotAllowed,
    NotFound,
    audit,
    identity,
    notifications,
    people,
    recipients,
    timeline,
)
from citizen_app.services.deadlines import Deadline, deadlines_for

MAX_REASON = 1000
MAX_NEED = 2000
MAX_NAME = 200


class InvalidAnswers(InvalidInput):
    """One or more fields of a staff form broke a rule: ``errors`` maps field name to a Swedish msgid."""


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


def get_case(
    staff: StaffUser, public_id: str, action: Action = Action.STAFF_VIEW_CASE, load: tuple = ()
) -> SipCase:
    """A case the staff user may act on. Reading it is written to the audit log.

    ``load`` adds loader options (e.g. the coordinator history) so a page stays within its query budget;
    those collections are then read afresh, also when the session already holds the case.
    """
    query = (
        select(SipCase)
        .where(SipCase.public_id == public_id)
        .options(joinedload(SipCase.subject), joinedload(SipCase.owning_unit), *load)
    )
    if load:
        query = query.execution_options(populate_existing=True)
    case = db.session.scalars(query).unique().one_or_none()
    # Staff of a unit taking part see it only while the consent covers their unit: access.py decides.
    if case is None or not access.can(staff, action, case):
        raise NotFound(N_("Ärendet finns inte."))
    audit.record(staff, "case.read", case)
    return case


# Loader options for the coordinators of a case, without each colleague's memberships (one query less).
WITH_COORDINATORS = (
    joinedload(SipCase.coordinator_assignments)
    .joinedload(CoordinatorAssignment.staff)
    .options(lazyload(StaffUser.memberships)),
)


def current_assignment(case: SipCase) -> CoordinatorAssignment | None:
    """The coordinator assignment in force, from the loaded history (load it with WITH_COORDINATORS)."""
    return next((a for a in case.coordinator_assignments if a.ended_at is None), None)


def case_for_staff_page(staff: StaffUser, public_id: str) -> SipCase:
    """The case for the staff case page (pages/staff_case.py), read once (and audited) with all the page
    shows: participants and the coordinator history joined (a handful of rows each); the timeline, which
    grows, in one more query. With the signed-in user, the access check and the audit row the page stays
    within 8 queries [QUALITY 3].
    """
    return get_case(
        staff,
        public_id,
        load=(
            *WITH_COORDINATORS,
            joinedload(SipCase.participants).joinedload(Participant.unit),
            selectinload(SipCase.events),
        ),
    )


def is_coordinator(staff: StaffUser) -> bool:
    """Only coordinators have a queue and may start a SIP."""
    return bool(coordinator_unit_ids(staff))


def memberships_of(staff: StaffUser) -> list[tuple[Unit, StaffRole]]:
    """The staff user's units and role in each, in one query."""
    return [
        (unit, role)
        for unit, role in db.session.execute(
            select(Unit, StaffMembership.role)
            .join(StaffMembership, StaffMembership.unit_id == Unit.id)
            .where(StaffMembership.staff_id == staff.id)
            .order_by(Unit.name)
        )
    ]


def waiting_count(staff: StaffUser) -> int:
    """How many requests wait in the staff user's queue (the same cases as queue_for), in one query."""
    unit_ids = coordinator_unit_ids(staff)
    if not unit_ids:
        return 0
    return (
        db.session.scalar(
            select(func.count(SipCase.id)).where(
                SipCase.owning_unit_id.in_(unit_ids), SipCase.step == Step.REQUESTED
            )
        )
        or 0
    )


def coordinators_for(case: SipCase) -> list[StaffUser]:
    """The coordinators of the case's unit, by name (one query: their memberships are not loaded)."""
    if not case.owning_unit_id:
        return []
    return list(
        db.session.scalars(
            select(StaffUser)
            .join(StaffMembership, StaffMembership.staff_id == StaffUser.id)
            .where(
                StaffMembership.unit_id == case.owning_unit_id,
                StaffMembership.role == StaffRole.COORDINATOR,
            )
            .options(lazyload(StaffUser.memberships))
            .order_by(StaffUser.display_name)
        )
    )


def other_units(case: SipCase) -> list[Unit]:
    """Every unit but the case's own, with its principal (for grouping), in one query."""
    return list(
        db.session.scalars(
            select(Unit)
            .where(Unit.id != case.owning_unit_id)
            .options(joinedload(Unit.principal))
            .order_by(Unit.name)
        )
    )


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
    access.forget_roles()  # the new coordinator's rights count from now, also in this request


def _coordinator_in_unit(case: SipCase, public_id: str | None, fallback: StaffUser) -> StaffUser:
    if not public_id:
        return fallback
    chosen = db.session.scalar(select(StaffUser).where(StaffUser.public_id == public_id))
    if chosen is None or chosen.id not in {c.id for c in coordinators_for(case)}:
        raise DomainError(N_("Välj en samordnare i enheten"))
    return chosen


class AlreadyHandled(DomainError):
    """The request was accepted already, e.g. by the first click of a double click."""


def accept(staff: StaffUser, case: SipCase, coordinator_public_id: str | None = None) -> SipCase:
    """Take the request: the staff user (or a chosen colleague) becomes coordinator; next step is consent."""
    access.require(staff, Action.STAFF_ACCEPT_CASE, case)
    if case.step != Step.REQUESTED:
        raise AlreadyHandled(N_("Förfrågan är redan hanterad."))
    if case.awaiting_person_agreement:
        raise DomainError(N_("Personen har inte sagt ja till förslaget än."))
    coordinator = _coordinator_in_unit(case, coordinator_public_id, staff)
    _assign(case, coordinator, staff)
    case.step = Step.CONSENT
    timeline.record(
        case, EventKind.ACCEPTED, staff, step=Step.CONSENT, data={"coordinator": coordinator.display_name}
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
    reason = (reason or "").replace("\r\n", "\n").replace("\x00", "").strip()
    target = (
        db.session.scalar(select(Unit).where(Unit.public_id == unit_public_id)) if unit_public_id else None
    )
    errors = {}
    if target is None or target.id == case.owning_unit_id:
        errors["unit"] = N_("Välj en annan enhet")
    if not reason:
        errors["reason"] = N_("Skriv varför förfrågan skickas vidare")
    elif len(reason) > MAX_REASON:
        errors["reason"] = N_("Skriv högst 1000 tecken")
    if errors:
        raise InvalidAnswers(errors)
    assert target is not None
    source = case.owning_unit
    case.owning_unit_id = target.id
    timeline.record(
        case,
        EventKind.FORWARDED,
        staff,
        step=Step.REQUESTED,
        data={"from": source.name if source else None, "to": target.name, "reason": reason},
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
    timeline.record(case, EventKind.COORDINATOR_CHANGED, staff, data={"coordinator": new.display_name})
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


def _clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").replace("\x00", "").strip() if isinstance(text, str) else ""


def _find_person(identity_number: str, name: str) -> tuple[Person | None, dict[str, str]]:
    """The person with this identity number, or the field errors that stop a new one being made."""
    errors: dict[str, str] = {}
    person = None
    try:
        person = people.find_person_by_identity(identity_number or "")
    except identity.InvalidIdentityNumber:
        errors["identity_number"] = N_("Skriv ett giltigt personnummer, 12 siffror")
    else:
        if person is None and not name:
            errors["name"] = N_("Skriv personens namn")
    if len(name) > MAX_NAME:
        errors["name"] = N_("Namnet får vara högst 200 tecken")
    return person, errors


def new_case_errors(
    identity_number: str, name: str, need: str, discharge_date: date | None = None, today: date | None = None
) -> dict[str, str]:
    """The field errors of a staff-started SIP (empty when it can be started)."""
    _person, errors = _find_person(identity_number, _clean(name))
    need = _clean(need)
    if not need:
        errors["need"] = N_("Skriv vad hjälpen gäller")
    elif len(need) > MAX_NEED:
        errors["need"] = N_("Skriv högst 2000 tecken")
    day = today or date.today()
    earliest, latest = day - timedelta(days=30), day + timedelta(days=365)
    if discharge_date is not None and not earliest <= discharge_date <= latest:
        errors["discharge_date"] = N_("Skriv ett datum inom ett år från i dag")
    return errors


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
    errors = new_case_errors(identity_number, name, need, discharge_date)
    if errors:
        raise InvalidAnswers(errors)
    name, need = _clean(name), _clean(need)
    person = people.find_person_by_identity(identity_number) or people.create_person(identity_number, name)
    case = SipCase(
        subject_id=person.id,
        owning_unit_id=unit_ids[0],
        step=Step.CONSENT,
        initiated_by=Initiator.STAFF,
        urgent=urgent,
        need_description=need,
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
    timeline.record(case, EventKind.STARTED_BY_STAFF, staff, step=Step.REQUESTED)
    timeline.record(
        case, EventKind.ACCEPTED, staff, step=Step.CONSENT, data={"coordinator": staff.display_name}
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
    name = _clean(name)
    person, errors = _find_person(identity_number, name)
    if errors:
        raise InvalidAnswers(errors)
    person = person or people.create_person(identity_number, name)
    case.subject_id = person.id
    db.session.add(Participant(case_id=case.id, person_id=person.id, role=ParticipantRole.PERSON))
    db.session.flush()
    audit.record(staff, "case.link_person", case)
    notifications.notify(person, NotificationKind.SUGGESTION_TO_ANSWER, case)
    return case
