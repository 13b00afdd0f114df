"""Writing the audit log. Every staff read or change of a case, and every consent event, goes through here."""

from __future__ import annotations

from sqlalchemy import insert

from citizen_app.extensions import db
from citizen_app.models import AuditEntry, Person, SipCase, StaffUser, utcnow


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


def record_each(actor: StaffUser, action: str, cases: list[SipCase], **detail) -> None:
    """``record`` for each of many cases (a list page), written in one statement (an executemany)."""
    if not cases:
        return
    at = utcnow()
    db.session.execute(
        insert(AuditEntry),
        [
            {
                "at": at,
                "actor_kind": "staff",
                "actor_staff_id": actor.id,
                "action": action,
                "case_id": case.id,
                "detail": dict(detail),
            }
            for case in cases
        ],
    )
