"""Look-ups of how an actor stands to a case: family ties, participation, unit membership, coordinator.

Kept small and query-counted because the access policy asks these on every case page.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import (
    CoordinatorAssignment,
    Participant,
    ParticipantRole,
    Person,
    Relationship,
    SipCase,
    StaffMembership,
    StaffRole,
    Unit,
)


@dataclass(frozen=True)
class PersonTies:
    """How a citizen stands to a case's subject and to the case itself."""

    relationships: tuple[Relationship, ...]
    participant_roles: frozenset[ParticipantRole]


def person_ties(person: Person, case: SipCase) -> PersonTies:
    rels = db.session.scalars(
        select(Relationship).where(
            Relationship.holder_id == person.id, Relationship.subject_id == case.subject_id
        )
    ).all()
    roles = db.session.scalars(
        select(Participant.role).where(
            Participant.case_id == case.id,
            Participant.person_id == person.id,
            Participant.removed_at.is_(None),
        )
    ).all()
    return PersonTies(tuple(rels), frozenset(roles))


def person_ties_for_many(person: Person, cases: list[SipCase]) -> dict[int, PersonTies]:
    """``person_ties`` for many cases at once, in two queries (a start page listing several SIPs)."""
    subject_ids = {case.subject_id for case in cases if case.subject_id is not None}
    rels = (
        db.session.scalars(
            select(Relationship).where(
                Relationship.holder_id == person.id, Relationship.subject_id.in_(subject_ids)
            )
        ).all()
        if subject_ids
        else []
    )
    roles = (
        db.session.execute(
            select(Participant.case_id, Participant.role).where(
                Participant.case_id.in_([case.id for case in cases]),
                Participant.person_id == person.id,
                Participant.removed_at.is_(None),
            )
        ).all()
        if cases
        else []
    )
    return {
        case.id: PersonTies(
            tuple(rel for rel in rels if rel.subject_id == case.subject_id),
            frozenset(role for case_id, role in roles if case_id == case.id),
        )
        for case in cases
    }


@dataclass(frozen=True)
class StaffTies:
    is_coordinator: bool
    owning_unit_role: StaffRole | None
    # The public ids of the staff member's units that take part: access.py asks the consent about them.
    participating_unit_ids: frozenset[str]

    @property
    def in_participating_unit(self) -> bool:
        return bool(self.participating_unit_ids)


def staff_ties(staff_id: int, case: SipCase) -> StaffTies:
    is_coordinator = (
        db.session.scalar(
            select(CoordinatorAssignment.id).where(
                CoordinatorAssignment.case_id == case.id,
                CoordinatorAssignment.staff_id == staff_id,
                CoordinatorAssignment.ended_at.is_(None),
            )
        )
        is not None
    )
    memberships = db.session.execute(
        select(StaffMembership.unit_id, StaffMembership.role).where(StaffMembership.staff_id == staff_id)
    ).all()
    unit_roles = {unit_id: role for unit_id, role in memberships}
    participating: set[str] = set()
    if unit_roles:
        participating = set(
            db.session.scalars(
                select(Unit.public_id)
                .join(Participant, Participant.unit_id == Unit.id)
                .where(
                    Participant.case_id == case.id,
                    Participant.unit_id.in_(unit_roles),
                    Participant.removed_at.is_(None),
                )
            )
        )
    return StaffTies(
        is_coordinator=is_coordinator,
        owning_unit_role=unit_roles.get(case.owning_unit_id) if case.owning_unit_id else None,
        participating_unit_ids=frozenset(participating),
    )


__all__ = [
    "PersonTies",
    "StaffTies",
    "person_ties",
    "person_ties_for_many",
    "staff_ties",
]
