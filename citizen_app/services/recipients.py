"""Who on the citizen side is told about a case, and who the staff contacts are."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import (
    CoordinatorAssignment,
    Person,
    RelationKind,
    Relationship,
    SipCase,
    StaffMembership,
    StaffRole,
    StaffUser,
)
from citizen_app.services import mature_minor


def citizen_recipients(case: SipCase, today: date | None = None) -> list[Person]:
    """The person (unless a child), every guardian with custody of a child, and valid representatives.

    A parent without custody is never told anything about the child's SIP [DA 4.2]. A relative's
    suggestion not yet agreed to goes to the person only.
    """
    if case.subject is None:
        return []
    day = today or date.today()
    people: list[Person] = []
    subject_is_child = case.subject.is_child_on(day)
    # A child follows their SIP through their guardians; the child's own pages come with "Min röst". A child
    # who consents themself is told like an adult; the guardians then only what the child lets them see
    # (services/mature_minor.py, checked when each message is made).
    if not subject_is_child or mature_minor.consents_themself(case, day):
        people.append(case.subject)
    if case.awaiting_person_agreement:
        return people
    rels = db.session.scalars(
        select(Relationship).where(
            Relationship.subject_id == case.subject_id,
            Relationship.kind.in_([RelationKind.GUARDIAN, RelationKind.REPRESENTATIVE]),
        )
    ).all()
    for rel in rels:
        if rel.kind == RelationKind.GUARDIAN and subject_is_child and rel.has_custody:
            people.append(rel.holder)
        elif rel.kind == RelationKind.REPRESENTATIVE and rel.is_valid_on(day):
            people.append(rel.holder)
    unique: dict[int, Person] = {}
    for person in people:  # each person once, however many ways they are related
        unique.setdefault(person.id, person)
    return list(unique.values())


def unit_coordinators(unit_id: int) -> list[StaffUser]:
    """The unit's coordinators who can still sign in: a closed account is never the one told."""
    return list(
        db.session.scalars(
            select(StaffUser)
            .join(StaffMembership, StaffMembership.staff_id == StaffUser.id)
            .where(
                StaffMembership.unit_id == unit_id,
                StaffMembership.role == StaffRole.COORDINATOR,
                StaffUser.deactivated_at.is_(None),
            )
            .order_by(StaffUser.display_name)
        )
    )


def unit_staff(unit_id: int) -> list[StaffUser]:
    """Every staff member of the unit, coordinators and ordinary members alike.

    A unit taking part is told through all its staff: a school often has no coordinator in Min SIP, and
    its counsellor must still hear that a meeting is set or off, or that the SIP has ended [issue 13].
    A closed account (deactivated by an administrator) is not told.
    """
    return list(
        db.session.scalars(
            select(StaffUser)
            .join(StaffMembership, StaffMembership.staff_id == StaffUser.id)
            .where(StaffMembership.unit_id == unit_id, StaffUser.deactivated_at.is_(None))
            .order_by(StaffUser.display_name, StaffUser.id)
        )
    )


def current_coordinator(case: SipCase) -> StaffUser | None:
    return db.session.scalar(
        select(StaffUser)
        .join(CoordinatorAssignment, CoordinatorAssignment.staff_id == StaffUser.id)
        .where(CoordinatorAssignment.case_id == case.id, CoordinatorAssignment.ended_at.is_(None))
    )
