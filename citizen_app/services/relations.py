"""Look-ups of how an actor stands to a case: family ties, participation, unit membership, coordinator.

Kept small and query-counted because the access policy asks these on every case page.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from citizen_app.extensions import db
from citizen_app.models import (
    CoordinatorAssignment,
    Participant,
    ParticipantRole,
    Person,
    RelationKind,
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
    """The person's ties, read with every guardian and representative of the case's subject (and them
    themselves) in the same query: the consent pages need the guardians, the person's SIP page the
    representatives, so they cost no query of their own [issue 17, 18] (``subject_guardians``,
    ``subject_representatives``)."""
    rels = db.session.scalars(
        select(Relationship)
        .where(
            Relationship.subject_id == case.subject_id,
            or_(
                Relationship.holder_id == person.id,
                Relationship.kind.in_((RelationKind.GUARDIAN, RelationKind.REPRESENTATIVE)),
            ),
        )
        .options(joinedload(Relationship.holder))
        .order_by(Relationship.id)
    ).all()
    if has_request_context() and case.subject_id is not None:
        g.setdefault("subject_guardians", {})[case.subject_id] = [
            rel for rel in rels if rel.kind == RelationKind.GUARDIAN
        ]
        # The person's own SIP page shows their representatives [issue 18]: read here too, for no query.
        g.setdefault("subject_representatives", {})[case.subject_id] = [
            rel for rel in rels if rel.kind == RelationKind.REPRESENTATIVE
        ]
    rels = [rel for rel in rels if rel.holder_id == person.id]
    roles = db.session.scalars(
        select(Participant.role).where(
            Participant.case_id == case.id,
            Participant.person_id == person.id,
            Participant.removed_at.is_(None),
        )
    ).all()
    return PersonTies(tuple(rels), frozenset(roles))


def subject_guardians(subject_id: int) -> list[Relationship] | None:
    """The subject's guardian relationships (oldest first, with their holders) if this request has read
    them with someone's ties; None if not. A request that changes a guardianship (sign-in, following the
    population register) drops them with ``forget_subject_ties``."""
    if not has_request_context():
        return None
    return g.get("subject_guardians", {}).get(subject_id)


def subject_representatives(subject_id: int) -> list[Relationship] | None:
    """The subject's representative relationships (oldest first, with their holders) if this request has
    read them with someone's ties; None if not."""
    if not has_request_context():
        return None
    return g.get("subject_representatives", {}).get(subject_id)


def forget_subject_ties() -> None:
    """Drop what this request read of subjects' guardians and representatives: after a change of them."""
    if has_request_context():
        g.pop("subject_guardians", None)
        g.pop("subject_representatives", None)


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


def staff_ties_for_many(
    staff_id: int, cases: list[SipCase], unit_roles: dict[int, StaffRole] | None = None
) -> dict[int, StaffTies]:
    """``staff_ties`` for many cases at once, in three queries (a list of SIPs, the workbench); two when the
    caller gives the staff member's units and roles (``unit_roles``, e.g. from ``staff.memberships``)."""
    if not cases:
        return {}
    ids = [case.id for case in cases]
    coordinating = set(
        db.session.scalars(
            select(CoordinatorAssignment.case_id).where(
                CoordinatorAssignment.case_id.in_(ids),
                CoordinatorAssignment.staff_id == staff_id,
                CoordinatorAssignment.ended_at.is_(None),
            )
        )
    )
    if unit_roles is None:
        memberships = db.session.execute(
            select(StaffMembership.unit_id, StaffMembership.role).where(StaffMembership.staff_id == staff_id)
        ).all()
        unit_roles = {unit_id: role for unit_id, role in memberships}
    participating: dict[int, set[str]] = {case_id: set() for case_id in ids}
    if unit_roles:
        for case_id, unit_public_id in db.session.execute(
            select(Participant.case_id, Unit.public_id)
            .join(Unit, Participant.unit_id == Unit.id)
            .where(
                Participant.case_id.in_(ids),
                Participant.unit_id.in_(unit_roles),
                Participant.removed_at.is_(None),
            )
        ):
            participating[case_id].add(unit_public_id)
    return {
        case.id: StaffTies(
            is_coordinator=case.id in coordinating,
            owning_unit_role=unit_roles.get(case.owning_unit_id) if case.owning_unit_id else None,
            participating_unit_ids=frozenset(participating[case.id]),
        )
        for case in cases
    }


__all__ = [
    "staff_ties_for_many",
    "PersonTies",
    "StaffTies",
    "person_ties",
    "subject_guardians",
    "subject_representatives",
    "person_ties_for_many",
    "staff_ties",
]
