"""Writing a case's timeline: the one place that adds a ``CaseEvent`` when something happens to a case.

Each event must carry what its sentence on the case page needs ("Det här har hänt", services/history.py):
a step change names its step, a meeting its time, a closing its reason. ``record`` refuses an event that
lacks it, so no page has to fall back to "something changed".
"""

from __future__ import annotations

from citizen_app.extensions import db
from citizen_app.models import CaseEvent, EventKind, Person, SipCase, StaffUser, Step

# What each kind must carry in ``data`` for its sentence.
REQUIRED_DATA: dict[EventKind, tuple[str, ...]] = {
    EventKind.ACCEPTED: ("coordinator",),
    EventKind.COORDINATOR_CHANGED: ("coordinator",),
    EventKind.FORWARDED: ("to",),
    EventKind.MEETING_BOOKED: ("starts_at",),
    EventKind.MEETING_CHANGED: ("starts_at",),
    EventKind.CLOSED: ("reason",),
    EventKind.DISCHARGE_LINKED: ("discharge_date",),
    EventKind.MOVE_PROPOSED: ("to",),
    EventKind.MOVE_DECLINED: ("to",),
    EventKind.MOVE_WITHDRAWN: ("to",),
    EventKind.COORDINATION_MOVED: ("coordinator", "to"),
}


def record(
    case: SipCase,
    kind: EventKind,
    actor: Person | StaffUser | None,
    step: Step | None = None,
    data: dict | None = None,
) -> CaseEvent:
    """Add an event the person can read on their case page, by a citizen, a staff user or nobody (the
    calendar: a consent that ran out)."""
    data = data or {}
    if kind == EventKind.STEP_CHANGED and step is None:
        raise ValueError("a step change must name its step")
    missing = [key for key in REQUIRED_DATA.get(kind, ()) if not data.get(key)]
    if missing:
        raise ValueError(f"a {kind.value} event needs {', '.join(missing)}")
    event = CaseEvent(
        case_id=case.id,
        kind=kind,
        step=step,
        actor_person_id=actor.id if isinstance(actor, Person) else None,
        actor_staff_id=actor.id if isinstance(actor, StaffUser) else None,
        data=data,
    )
    db.session.add(event)
    return event
