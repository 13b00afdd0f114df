"""Writing a case's timeline: the one place that adds a ``CaseEvent`` when something happens to a case."""

from __future__ import annotations

from citizen_app.extensions import db
from citizen_app.models import CaseEvent, EventKind, Person, SipCase, StaffUser, Step


def record(
    case: SipCase,
    kind: EventKind,
    actor: Person | StaffUser,
    step: Step | None = None,
    data: dict | None = None,
) -> CaseEvent:
    """Add an event the person can read on their case page, by a citizen or a staff user."""
    event = CaseEvent(
        case_id=case.id,
        kind=kind,
        step=step,
        actor_person_id=actor.id if isinstance(actor, Person) else None,
        actor_staff_id=actor.id if isinstance(actor, StaffUser) else None,
        data=data or {},
    )
    db.session.add(event)
    return event
