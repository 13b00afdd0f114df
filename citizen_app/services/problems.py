"""Reporting a problem (avvikelse) [SIP.md 8] [HA] [DA 5.2] [issue 16].

- From a case page (also a closed one), or without a SIP at all ("nobody took the initiative", "my SIP
  stopped") from the start page.
- A report goes to the coordinators of both principals, not only to the unit it is about: the SIP's own unit,
  and for the other of municipality and region the units taking part that the consent in force covers; a
  principal with none in the SIP (and every report without a SIP) goes to the county's default intake unit of
  that principal (``intake_rules.default_units``, set with ``flask intake default``); only with none
  configured (or its unit has no coordinator), the first of its units, by name, that has a coordinator in Min
  SIP (``default_units``).
- Staff of every receiving unit handle it together: either may mark it "being looked into" or write (and
  later change) the answer. Each change is kept with who made it (``ProblemChange``); a change made from an
  older page is refused (the report's version), so nobody's answer is overwritten unseen.
- The person is told of every status and of the answer (a message, and their report page).
Every step is audited.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload, selectinload

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import (
    NotificationKind,
    Person,
    PrincipalKind,
    ProblemChange,
    ProblemKind,
    ProblemRecipient,
    ProblemReport,
    ProblemStatus,
    SipCase,
    StaffMembership,
    StaffRole,
    StaffUser,
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
    consent,
    intake_rules,
    notifications,
    recipients,
)

MAX_TEXT = 4000
KINDS = tuple(kind.value for kind in ProblemKind)  # in the order the form lists them [SIP.md 8]
# What a person can report without a SIP open [HA] [DA 5.2].
KINDS_WITHOUT_SIP = (ProblemKind.NO_INITIATIVE.value, ProblemKind.SIP_STOPPED.value, ProblemKind.OTHER.value)
BOTH_PRINCIPALS = (PrincipalKind.MUNICIPALITY, PrincipalKind.REGION)


class InvalidReport(InvalidInput):
    pass


class ChangedElsewhere(DomainError):
    """A colleague changed the report after this page was shown: read it again, then change it."""

    def __init__(self) -> None:
        super().__init__(N_("Någon annan har ändrat rapporten. Läs hur den ser ut nu."))


def default_units() -> dict[PrincipalKind, Unit]:
    """The county's default unit of each principal: its configured default intake unit, else the first unit
    by name that has a coordinator."""
    found = intake_rules.default_units()
    if all(kind in found for kind in BOTH_PRINCIPALS):
        return found
    has_coordinator = exists().where(
        StaffMembership.unit_id == Unit.id, StaffMembership.role == StaffRole.COORDINATOR
    )
    for unit in db.session.scalars(
        select(Unit).where(has_coordinator).options(joinedload(Unit.principal)).order_by(Unit.name)
    ):
        found.setdefault(unit.principal.kind, unit)
    return found


def receiving_units(case: SipCase | None) -> list[Unit]:
    """The units whose coordinators get a report: both principals' [HA] [DA 5.2]."""
    units: dict[int, Unit] = {}
    kinds_in: set[PrincipalKind] = set()
    if case is not None and case.owning_unit is not None:
        units[case.owning_unit.id] = case.owning_unit
        kinds_in.add(case.owning_unit.principal.kind)
        scope = consent.in_force(case)
        for unit in consent.parties_of(case) if scope is not None else []:
            if unit.id in units or scope is None or not scope.covers_unit(unit.public_id):
                continue
            kind = unit.principal.kind
            if kind in BOTH_PRINCIPALS and kind not in kinds_in and recipients.unit_coordinators(unit.id):
                units[unit.id] = unit
                kinds_in.add(kind)
    defaults = default_units()
    for kind in BOTH_PRINCIPALS:
        if kind not in kinds_in and kind in defaults:
            units.setdefault(defaults[kind].id, defaults[kind])
    return list(units.values())


def _send(
    person: Person, case: SipCase | None, kind: str, text: str, kinds: tuple[str, ...]
) -> ProblemReport:
    errors: dict[str, str] = {}
    if kind not in kinds:
        errors["kind"] = N_("Välj vad problemet gäller")
    text = (text or "").strip()
    if not text:
        errors["text"] = N_("Skriv vad som hände")
    elif len(text) > MAX_TEXT:
        errors["text"] = N_("Skriv högst 4000 tecken")
    if errors:
        raise InvalidReport(errors)
    units = receiving_units(case)
    if not units:  # nobody could read or answer it: say so, and keep what they wrote in the form
        raise InvalidReport({"text": N_("Du kan inte rapportera ett problem för den här SIP:en.")})
    found = ProblemReport(
        case_id=case.id if case is not None else None,
        unit_id=case.owning_unit_id if case is not None else None,
        reported_by_person_id=person.id,
        kind=ProblemKind(kind),
        text=text,
    )
    db.session.add(found)
    db.session.flush()
    for unit in units:
        db.session.add(ProblemRecipient(report_id=found.id, unit_id=unit.id))
    db.session.flush()
    audit.record(person, "problem.reported", case, report=found.public_id, kind=kind)
    told: set[int] = set()
    for unit in units:
        for staff in recipients.unit_coordinators(unit.id):
            if staff.id not in told:
                told.add(staff.id)
                notifications.notify(
                    staff, NotificationKind.PROBLEM_RECEIVED, case, data={"report": found.public_id}
                )
    return found


def report(person: Person, case: SipCase, kind: str, text: str) -> ProblemReport:
    """A report about a SIP (open or closed) by someone who may report for it."""
    if not access.can(person, Action.REPORT_PROBLEM, case):
        raise NotAllowed(N_("Du kan inte rapportera ett problem för den här SIP:en."))
    return _send(person, case, kind, text, KINDS)


def report_without_sip(person: Person, kind: str, text: str) -> ProblemReport:
    """ "Ingen tog initiativ", "Min SIP stannade av": a report with no SIP, to both principals."""
    return _send(person, None, kind, text, KINDS_WITHOUT_SIP)


def own_reports(person: Person) -> list[ProblemReport]:
    """The reports the person made without a SIP, newest first."""
    return list(
        db.session.scalars(
            select(ProblemReport)
            .where(ProblemReport.reported_by_person_id == person.id, ProblemReport.case_id.is_(None))
            .order_by(ProblemReport.created_at.desc())
        )
    )


def own_report(person: Person, public_id: str) -> ProblemReport:
    """One report without a SIP, only for the one who made it."""
    found = next((r for r in own_reports(person) if r.public_id == public_id), None)
    if found is None:
        raise NotFound(N_("Sidan finns inte."))
    return found


def reports_of(person: Person, case: SipCase) -> list[ProblemReport]:
    """What the person (or someone acting for them) reported about this case, newest first."""
    if not access.can(person, Action.REPORT_PROBLEM, case):
        return []
    return list(
        db.session.scalars(
            select(ProblemReport)
            .where(ProblemReport.case_id == case.id)
            .order_by(ProblemReport.created_at.desc())
        )
    )


def report_of(person: Person, case: SipCase, public_id: str) -> ProblemReport:
    """One report about this case, for someone who may report (and so read the reports); NotFound else."""
    found = next((r for r in reports_of(person, case) if r.public_id == public_id), None)
    if found is None:
        raise NotFound(N_("Sidan finns inte."))
    return found


def _staff_units(staff: StaffUser) -> set[int]:
    return set(
        db.session.scalars(
            select(StaffMembership.unit_id).where(
                StaffMembership.staff_id == staff.id, StaffMembership.role == StaffRole.COORDINATOR
            )
        )
    )


def _received_by(units: set[int]):
    return exists().where(ProblemRecipient.report_id == ProblemReport.id, ProblemRecipient.unit_id.in_(units))


def queue_for(staff: StaffUser) -> list[ProblemReport]:
    """Reports to the units where the staff user is a coordinator, open ones first."""
    units = _staff_units(staff)
    if not units:
        return []
    rows = db.session.scalars(
        select(ProblemReport)
        .where(_received_by(units))
        .options(
            selectinload(ProblemReport.case).selectinload(SipCase.subject),
            selectinload(ProblemReport.unit),
            selectinload(ProblemReport.recipients).selectinload(ProblemRecipient.unit),
        )
        .order_by(ProblemReport.created_at.desc())
    )
    return sorted(rows, key=lambda r: r.status == ProblemStatus.ANSWERED)


def get_for_staff(staff: StaffUser, public_id: str) -> ProblemReport:
    """A report to one of the staff user's units (as coordinator); "not found" for anyone else."""
    units = _staff_units(staff)
    found = db.session.scalar(
        select(ProblemReport)
        .where(ProblemReport.public_id == public_id, _received_by(units))
        .options(
            selectinload(ProblemReport.recipients).selectinload(ProblemRecipient.unit),
            selectinload(ProblemReport.changes).selectinload(ProblemChange.staff),
        )
    )
    if found is None:
        raise NotFound(N_("Sidan finns inte."))
    audit.record(staff, "problem.read", found.case, report=found.public_id)
    return found


def _check_version(found: ProblemReport, version: int | None) -> None:
    """Take the report's row lock (the colleague's change waits), then refuse a change from an older page."""
    db.session.refresh(found, with_for_update=True)
    if version is not None and version != found.version:
        raise ChangedElsewhere()


def _reporter(found: ProblemReport) -> Person:
    return db.session.get_one(Person, found.reported_by_person_id)


def start_looking(staff: StaffUser, found: ProblemReport, version: int | None = None) -> bool:
    """Mark a new report as being looked into. A second click, or an answered report, changes nothing."""
    if found.status != ProblemStatus.RECEIVED:
        return False
    _check_version(found, version)
    found.status = ProblemStatus.INVESTIGATING
    found.handled_by_staff_id = staff.id
    db.session.add(ProblemChange(report_id=found.id, staff_id=staff.id, status=found.status))
    db.session.flush()
    audit.record(staff, "problem.investigating", found.case, report=found.public_id)
    notifications.notify(
        _reporter(found),
        NotificationKind.PROBLEM_STATUS_CHANGED,
        found.case,
        data={"report": found.public_id, "status": found.status.value},
    )
    return True


def answer(staff: StaffUser, found: ProblemReport, text: str, version: int | None = None) -> None:
    """Write, or change, the answer; either principal's staff may. The person is told each time."""
    if not (set(r.unit_id for r in found.recipients) & _staff_units(staff)):
        raise NotAllowed(N_("Du kan inte svara på den här rapporten."))
    text = (text or "").strip()
    if not text:
        raise InvalidReport({"answer": N_("Skriv ett svar")})
    if len(text) > MAX_TEXT:
        raise InvalidReport({"answer": N_("Skriv högst 4000 tecken")})
    _check_version(found, version)
    found.answer = text
    found.status = ProblemStatus.ANSWERED
    found.answered_at = utcnow()
    found.handled_by_staff_id = staff.id
    db.session.add(ProblemChange(report_id=found.id, staff_id=staff.id, status=found.status, answered=True))
    db.session.flush()
    audit.record(staff, "problem.answered", found.case, report=found.public_id)
    notifications.notify(
        _reporter(found), NotificationKind.PROBLEM_ANSWERED, found.case, data={"report": found.public_id}
    )
