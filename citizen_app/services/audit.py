"""Writing the audit log. Every staff read or change of a case, and every consent event, goes through here."""

from __future__ import annotations

from citizen_app.extensions import db
from citizen_app.models import AuditEntry, Person, SipCase, StaffUser


def record(
    actor: Person | StaffUser | None, action: str, case: SipCase | None = None, **detail
) -> AuditEntry:
    entry = AuditEntry(
        actor_kind="system" if actor is None else ("staff" if isinstance(actor, StaffUser) else "person"),
        actor_person_id=actor.id if isinstance(actor, Person) else None,
        actor_staff_id=actor.id if isinstance(actor, StaffUser) else None,
        action=action,
        case_id=case.id if case is not None else None,
        detail=detail,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
