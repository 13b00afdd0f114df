"""The staff case page: the case, its deadlines, events and coordinators, and what the staff user may do.

The reading (and the audit row) is services/intake.case_for_staff_page; who may do what is the access policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from citizen_app import access
from citizen_app.access import Action
from citizen_app.models import (
    CaseEvent,
    CoordinatorAssignment,
    ParticipantRole,
    SipCase,
    StaffUser,
    Step,
    Unit,
)
from citizen_app.services import intake, meetings, staff_consent
from citizen_app.services.deadlines import Deadline, deadlines_for


@dataclass
class StaffCasePage:
    """What the staff case page shows, and which actions the staff user may take now (decided here)."""

    case: SipCase
    deadlines: list[Deadline]
    events: list[CaseEvent]
    history: list[CoordinatorAssignment]
    coordinator: StaffUser | None
    named_units: list[Unit]  # the services the person said they are in contact with
    can_accept: bool
    can_forward: bool
    can_change_coordinator: bool
    can_link_person: bool
    can_record_compulsory_care: bool
    # issue 16: a SIP about a child whose consent names no school [DA 3.3.1] (None: nothing to say)
    school: meetings.SchoolCheck | None = None
    # The consent part of the page (None before anyone took the request), read once for the page and the
    # school notice.
    consent: staff_consent.StaffConsent | None = None

    @property
    def is_suggestion(self) -> bool:
        return self.case.awaiting_person_agreement


def case_page_for(staff: StaffUser, public_id: str, today: date | None = None) -> StaffCasePage:
    """Everything the staff case page shows, and which actions the staff user may take now."""
    case = intake.case_for_staff_page(staff, public_id)
    day = today or date.today()
    current = intake.current_assignment(case)
    requested = case.step == Step.REQUESTED
    consent_part = staff_consent.consent_for_staff(staff, case, day)
    return StaffCasePage(
        case=case,
        deadlines=[] if case.is_closed else deadlines_for(case, day),
        events=list(case.events),
        history=list(case.coordinator_assignments),
        coordinator=current.staff if current else None,
        named_units=[
            p.unit
            for p in case.participants
            if p.role == ParticipantRole.UNIT and p.unit is not None and p.removed_at is None
        ],
        can_accept=requested
        and not case.awaiting_person_agreement
        and access.can(staff, Action.STAFF_ACCEPT_CASE, case),
        can_forward=requested and access.can(staff, Action.STAFF_FORWARD_CASE, case),
        can_change_coordinator=current is not None
        and not case.is_closed
        and access.can(staff, Action.STAFF_CHANGE_COORDINATOR, case),
        can_record_compulsory_care=not case.is_closed
        and access.can(staff, Action.STAFF_RECORD_COMPULSORY_CARE, case),
        can_link_person=case.subject_id is None
        and case.awaiting_person_agreement
        and access.can(staff, Action.STAFF_ACCEPT_CASE, case),
        school=meetings.school_check(case, day, scope=consent_part.scope if consent_part else None)
        if case.step.position < Step.MEETING_HELD.position
        else None,
        consent=consent_part,
    )
