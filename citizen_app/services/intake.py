"""The coordinator's intake: the queue of requests, accepting, forwarding, coordinators, staff-started SIPs.

Which unit receives a citizen's request is services/intake_rules.py (county configuration). A SIP started by
staff is coordinated where the starter chooses (``start_case``); at discharge that is a fast vårdkontakt
(services/discharge.py); compulsory psychiatric care is services/compulsory_care.py.

Every staff read and change of a case is written to the audit log [QUALITY 4] [SIP.md 9].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import (
    CompulsoryCare,
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
    NotFound,
    audit,
    compulsory_care,
    discharge,
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


QUEUE_PAGE_SIZE = 25  # as "Mina SIP:ar" (services/workbench.PAGE_SIZE)


def _waiting(staff: StaffUser, day: date, *options) -> list[QueueItem]:
    """Every request waiting in the staff user's units, in the queue's order: urgent ones first, then the
    newest [issue 3]. One query."""
    unit_ids = coordinator_unit_ids(staff)
    if not unit_ids:
        return []
    cases = db.session.scalars(
        select(SipCase)
        .where(SipCase.owning_unit_id.in_(unit_ids), SipCase.step == Step.REQUESTED)
        .options(*options)
    ).all()
    items = [QueueItem(case, deadlines_for(case, day)) for case in cases]
    items.sort(key=lambda i: (not i.is_urgent, -i.case.requested_at.timestamp()))
    return items


def queue_for(staff: StaffUser, today: date | None = None) -> list[QueueItem]:
    """Requests waiting in the staff user's units: urgent ones first, then the newest [issue 3]."""
    return _waiting(
        staff, today or date.today(), selectinload(SipCase.subject), selectinload(SipCase.owning_unit)
    )


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue (25 requests), and where it is in the whole queue."""

    items: list[QueueItem]
    total: int
    page: int
    pages: int


def queue_page(staff: StaffUser, page: int | None = 1, today: date | None = None) -> QueuePage:
    """The queue 25 at a time [issue 17]: the waiting requests in one query, sorted by the queue's rule, and
    the people of the 25 shown in one more, however long the queue."""
    items = _waiting(staff, today or date.today())
    pages = max(1, -(-len(items) // QUEUE_PAGE_SIZE))
    number = min(max(page or 1, 1), pages)
    shown = items[(number - 1) * QUEUE_PAGE_SIZE : number * QUEUE_PAGE_SIZE]
    subject_ids = {i.case.subject_id for i in shown if i.case.subject_id is not None}
    people = (
        {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(subject_ids)))}
        if subject_ids
        else {}
    )
    for item in shown:  # each item.case.subject without a query of its own
        set_committed_value(item.case, "subject", people.get(item.case.subject_id or 0))
    return QueuePage(shown, len(items), number, pages)


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
    """Only coordinators have a queue (any staff member may start a SIP: ``start_case``)."""
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
    return db.session.scalar(waiting_count_query(unit_ids)) or 0


def waiting_count_query(unit_ids: list[int]):
    """The statement counting the requests waiting in these units (to combine with other counts)."""
    return select(func.count(SipCase.id)).where(
        SipCase.owning_unit_id.in_(unit_ids), SipCase.step == Step.REQUESTED
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
                StaffUser.deactivated_at.is_(None),
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


def start_units() -> list[Unit]:
    """The units a SIP can be started for: each with at least one coordinator, by name (one query).

    Any staff member who notices a need starts the SIP [DA 1, 4.1] and chooses where it is coordinated; a
    unit without a coordinator could not take it. At discharge only a fast vårdkontakt is accepted
    (services/discharge.py); the form marks them.
    """
    return list(
        db.session.scalars(
            select(Unit)
            .where(
                Unit.id.in_(
                    select(StaffMembership.unit_id).where(StaffMembership.role == StaffRole.COORDINATOR)
                )
            )
            .options(joinedload(Unit.principal))
            .order_by(Unit.name)
        )
    )


def own_start_unit(staff: StaffUser, units: list[Unit]) -> str:
    """The unit the start form offers first: the starter's own unit, by name, when SIPs are coordinated
    there; else none (the starter chooses)."""
    own = {unit.id for unit, _role in memberships_of(staff)}
    return next((unit.public_id for unit in units if unit.id in own), "")


@dataclass(frozen=True)
class _Start:
    """A staff-started SIP, checked: the person (None: a new one), the unit, the kind of compulsory care,
    and the person's open SIP a discharge day is added to instead (services/discharge.py)."""

    errors: dict[str, str]
    person: Person | None = None
    unit: Unit | None = None
    compulsory_care: CompulsoryCare | None = None
    existing: SipCase | None = None


def _check_start(
    identity_number: str,
    name: str,
    need: str,
    discharge_date: date | None,
    unit_public_id: str | None,
    compulsory_care_value: str | None,
    today: date | None,
) -> _Start:
    person, errors = _find_person(identity_number, _clean(name))
    need = _clean(need)
    if not need:
        errors["need"] = N_("Skriv vad hjälpen gäller")
    elif len(need) > MAX_NEED:
        errors["need"] = N_("Skriv högst 2000 tecken")
    day = today or date.today()
    date_error = discharge.date_error(discharge_date, day)
    if date_error:
        errors["discharge_date"] = date_error
        discharge_date = None
    kind = None
    try:
        kind = compulsory_care.parse(compulsory_care_value)
    except compulsory_care.InvalidCompulsoryCare as invalid:
        errors.update(invalid.errors)
    existing = discharge.open_case_of(person) if person is not None and discharge_date is not None else None
    refused = compulsory_care.refusal(
        kind or (existing.compulsory_care if existing else None), discharge_date
    )
    if refused:
        errors["compulsory_care" if kind else "discharge_date"] = refused
    unit = None
    if existing is None:
        unit = (
            next((u for u in start_units() if u.public_id == unit_public_id), None)
            if unit_public_id
            else None
        )
        if unit is None:
            errors["unit"] = N_("Välj enheten där samordnaren ska finnas")
        elif discharge.unit_error(unit, discharge_date):
            errors["unit"] = discharge.NOT_A_FIXED_CARE_CONTACT
    return _Start(errors, person, unit, kind, existing)


def new_case_errors(
    identity_number: str,
    name: str,
    need: str,
    discharge_date: date | None = None,
    today: date | None = None,
    unit_public_id: str | None = None,
    compulsory_kind: str | None = None,
) -> dict[str, str]:
    """The field errors of a staff-started SIP (empty when it can be started)."""
    return _check_start(
        identity_number, name, need, discharge_date, unit_public_id, compulsory_kind, today
    ).errors


def _starters_own_unit(staff: StaffUser, chosen: Unit) -> Unit | None:
    """The unit the starter works in: the chosen one when they work there, else their first by name."""
    own = memberships_of(staff)
    if any(unit.id == chosen.id for unit, _role in own):
        return chosen
    return own[0][0] if own else None


@dataclass(frozen=True)
class Started:
    """What starting did, so the view can tell the starter what happens next."""

    case: SipCase
    outcome: str  # "coordinator": the starter coordinates; "sent": waits in the unit; "linked": see discharge


def start_case(
    staff: StaffUser,
    identity_number: str,
    name: str,
    need: str,
    discharge_date: date | None = None,
    urgent: bool = False,
    unit_public_id: str | None = None,
    compulsory_kind: str | None = None,
    today: date | None = None,
) -> Started:
    """Any staff member who notices a need starts a SIP for the person [DA 1, 4.1] [issue 16].

    The SIP is coordinated in the unit the starter chooses (one with a coordinator). A coordinator of that
    unit who starts it becomes the coordinator at once (next step: consent); anyone else sends it to the
    unit, where it waits as a new request (step REQUESTED) for its coordinators, who are told. The starter is
    recorded (``requested_by_staff_id``). At discharge ("utskrivningsklar" day) the unit must be a fast
    vårdkontakt, and a person with an open SIP gets the day added to it instead (services/discharge.py).
    """
    checked = _check_start(
        identity_number, name, need, discharge_date, unit_public_id, compulsory_kind, today
    )
    if checked.errors:
        raise InvalidAnswers(checked.errors)
    if checked.existing is not None and discharge_date is not None:
        return Started(discharge.link(staff, checked.existing, discharge_date), "linked")
    unit = checked.unit
    assert unit is not None
    name, need = _clean(name), _clean(need)
    person = checked.person or people.create_person(identity_number, name)
    coordinates = unit.id in coordinator_unit_ids(staff)
    case = SipCase(
        subject_id=person.id,
        owning_unit_id=unit.id,
        step=Step.CONSENT if coordinates else Step.REQUESTED,
        initiated_by=Initiator.STAFF,
        urgent=urgent,
        need_description=need,
        discharge_date=discharge_date,
        compulsory_care=checked.compulsory_care,
        requested_by_staff_id=staff.id,
    )
    db.session.add(case)
    db.session.flush()
    child = person.is_child_on(today or date.today())
    db.session.add(
        Participant(
            case_id=case.id,
            person_id=person.id,
            role=ParticipantRole.CHILD if child else ParticipantRole.PERSON,
        )
    )
    # The starter's unit takes part: the consent can then name it, and it can be invited and do its part of
    # the plan (a school counsellor's school) [DA 1, 4.1].
    starters = _starters_own_unit(staff, unit)
    if starters is not None and starters.id != unit.id:
        db.session.add(Participant(case_id=case.id, unit_id=starters.id, role=ParticipantRole.UNIT))
    timeline.record(
        case,
        EventKind.STARTED_BY_STAFF,
        staff,
        step=Step.REQUESTED,
        data={"unit": (starters or unit).name},
    )
    if coordinates:
        _assign(case, staff, staff)
        timeline.record(
            case, EventKind.ACCEPTED, staff, step=Step.CONSENT, data={"coordinator": staff.display_name}
        )
    db.session.flush()
    audit.record(staff, "case.start", case, unit=unit.public_id)
    for someone in recipients.citizen_recipients(case):
        notifications.notify(someone, NotificationKind.STARTED_BY_STAFF, case)
    if not coordinates:
        for coordinator in recipients.unit_coordinators(unit.id):
            notifications.notify(coordinator, NotificationKind.NEW_REQUEST_FOR_UNIT, case)
    return Started(case, "coordinator" if coordinates else "sent")


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
