"""Reporting a problem (avvikelse) [SIP.md 8]: from any case page to the coordinator's unit, which looks into
it and answers. The person sees that it was received, its status and the answer. Every step is audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import (
    NotificationKind,
    Person,
    ProblemKind,
    ProblemReport,
    ProblemStatus,
    SipCase,
    StaffMembership,
    StaffRole,
    StaffUser,
    utcnow,
)
from citizen_app.services import (
    N_,
    InvalidInput,
    NotAllowed,
    NotFound,
    audit,
    notifications,
    recipients,
)

MAX_TEXT = 4000
KINDS = tuple(kind.value for kind in ProblemKind)  # in the order the form lists them [SIP.md 8]


class InvalidReport(InvalidInput):
    pass


def _unit_of(case: SipCase) -> int | None:
    """The unit a report goes to: the unit that owns the SIP, where its coordinator works [SIP.md 8]. None
    while no unit owns it (a request sent when no unit in the county had a coordinator)."""
    return case.owning_unit_id


def report(person: Person, case: SipCase, kind: str, text: str) -> ProblemReport:
    if not access.can(person, Action.REPORT_PROBLEM, case):
        raise NotAllowed(N_("Du kan inte rapportera ett problem för den här SIP:en."))
    errors: dict[str, str] = {}
    if kind not in {k.value for k in ProblemKind}:
        errors["kind"] = N_("Välj vad problemet gäller")
    text = (text or "").strip()
    if not text:
        errors["text"] = N_("Skriv vad som hände")
    elif len(text) > MAX_TEXT:
        errors["text"] = N_("Skriv högst 4000 tecken")
    if errors:
        raise InvalidReport(errors)
    unit_id = _unit_of(case)
    if unit_id is None:  # nobody could read or answer it: say so, and keep what they wrote in the form
        raise InvalidReport({"text": N_("Du kan inte rapportera ett problem för den här SIP:en.")})
    found = ProblemReport(
        case_id=case.id,
        unit_id=unit_id,
        reported_by_person_id=person.id,
        kind=ProblemKind(kind),
        text=text,
    )
    db.session.add(found)
    db.session.flush()
    audit.record(person, "problem.reported", case, report=found.public_id, kind=kind)
    for staff in recipients.unit_coordinators(found.unit_id):
        notifications.notify(staff, NotificationKind.PROBLEM_RECEIVED, case)
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


def queue_for(staff: StaffUser) -> list[ProblemReport]:
    """Reports to the units where the staff user is a coordinator, open ones first."""
    units = _staff_units(staff)
    if not units:
        return []
    rows = db.session.scalars(
        select(ProblemReport)
        .where(ProblemReport.unit_id.in_(units))
        .options(selectinload(ProblemReport.case), selectinload(ProblemReport.unit))
        .order_by(ProblemReport.created_at.desc())
    )
    return sorted(rows, key=lambda r: r.status == ProblemStatus.ANSWERED)


def get_for_staff(staff: StaffUser, public_id: str) -> ProblemReport:
    found = db.session.scalar(select(ProblemReport).where(ProblemReport.public_id == public_id))
    if found is None or found.unit_id not in _staff_units(staff):
        raise NotFound(N_("Sidan finns inte."))
    audit.record(staff, "problem.read", found.case, report=found.public_id)
    return found


def start_looking(staff: StaffUser, found: ProblemReport) -> bool:
    """Mark a new report as being looked into. A second click, or an answered report, changes nothing."""
    if found.status == ProblemStatus.RECEIVED:
        found.status = ProblemStatus.INVESTIGATING
        found.handled_by_staff_id = staff.id
        audit.record(staff, "problem.investigating", found.case, report=found.public_id)
        db.session.flush()
        return True
    return False


def answer(staff: StaffUser, found: ProblemReport, text: str) -> None:
    if found.unit_id not in _staff_units(staff):
        raise NotAllowed(N_("Du kan inte svara på den här rapporten."))
    text = (text or "").strip()
    if not text:
        raise InvalidReport({"answer": N_("Skriv ett svar")})
    if len(text) > MAX_TEXT:
        raise InvalidReport({"answer": N_("Skriv högst 4000 tecken")})
    found.answer = text
    found.status = ProblemStatus.ANSWERED
    found.answered_at = utcnow()
    found.handled_by_staff_id = staff.id
    db.session.flush()
    audit.record(staff, "problem.answered", found.case, report=found.public_id)
    reporter = db.session.get_one(Person, found.reported_by_person_id)
    notifications.notify(reporter, NotificationKind.PROBLEM_ANSWERED, found.case)
