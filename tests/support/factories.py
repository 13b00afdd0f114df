"""Factories for people, units, staff and cases. Each makes a valid row with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from citizen_app.extensions import db
from citizen_app.models import (
    CoordinatorAssignment,
    Initiator,
    Participant,
    ParticipantRole,
    Person,
    PlanAction,
    PlanVersion,
    Principal,
    PrincipalKind,
    RelationKind,
    Relationship,
    RepresentativeType,
    Responsible,
    SipCase,
    StaffMembership,
    StaffRole,
    StaffUser,
    Step,
    Unit,
    UnitKind,
)
from citizen_app.services import people, plans
from citizen_app.services.demo import test_identity_number

_serials = itertools.count()


def _next_number(birth: date) -> str:
    # Walk through birth numbers 980–999 and birth days so every factory person is unique.
    n = next(_serials)
    day = birth + timedelta(days=n // 20)
    return test_identity_number(day, 980 + n % 20)


def person(name: str = "Test Person", age: int = 40, **fields) -> Person:
    today = date.today()
    birth = date(today.year - age - 1, 12, 1) if age else today
    birth = birth - timedelta(days=40)
    number = _next_number(birth)
    return people.create_person(number, name, **fields)


def child(name: str = "Test Barn", age: int = 14) -> Person:
    return person(name, age=age)


def guardian_of(kid: Person, custody: bool = True, name: str = "Förälder") -> Person:
    parent = person(name, age=40)
    db.session.add(
        Relationship(holder_id=parent.id, subject_id=kid.id, kind=RelationKind.GUARDIAN, has_custody=custody)
    )
    db.session.flush()
    return parent


def representative_of(
    subject: Person,
    rep_type: RepresentativeType = RepresentativeType.GOD_MAN,
    valid_until: date | None = None,
    name: str = "Ställföreträdare",
    mandate: list[str] | None = None,
) -> Person:
    rep = person(name, age=55)
    db.session.add(
        Relationship(
            holder_id=rep.id,
            subject_id=subject.id,
            kind=RelationKind.REPRESENTATIVE,
            representative_type=rep_type,
            valid_from=date.today() - timedelta(days=30),
            valid_until=valid_until,
            mandate=mandate,
        )
    )
    db.session.flush()
    return rep


_unit_names = itertools.count()


def unit(
    name: str | None = None,
    kind: UnitKind = UnitKind.SOCIAL_SERVICES,
    principal_kind: PrincipalKind = PrincipalKind.MUNICIPALITY,
) -> Unit:
    n = next(_unit_names)
    principal = Principal(name=f"Huvudman {n}", kind=principal_kind)
    u = Unit(principal=principal, name=name or f"Enhet {n}", kind=kind)
    db.session.add_all([principal, u])
    db.session.flush()
    return u


def social_school_and_bup() -> tuple[Unit, Unit, Unit]:
    """The units of the usual scene: the municipality's social services (owning the case), a school, and
    the region's child psychiatry (BUP), each under a principal of its own."""
    return (
        unit("Socialtjänsten"),
        unit("Skolan", kind=UnitKind.SCHOOL),
        unit("BUP", kind=UnitKind.CHILD_PSYCHIATRY, principal_kind=PrincipalKind.REGION),
    )


def staff(
    unit_: Unit | None = None, role: StaffRole = StaffRole.COORDINATOR, name: str = "Personal"
) -> StaffUser:
    u = unit_ or unit()
    number = _next_number(date(1975, 1, 1))
    member = people.create_staff(number, name)
    db.session.add(StaffMembership(staff_id=member.id, unit_id=u.id, role=role))
    db.session.flush()
    return member


def administrator(name: str = "Ada Administratör") -> StaffUser:
    """An administrator of the county's organisation, with no unit [issue 18]."""
    member = people.create_staff(_next_number(date(1975, 10, 12)), name, is_admin=True)
    db.session.flush()
    return member


def case(
    subject: Person,
    owning_unit: Unit | None = None,
    coordinator: StaffUser | None = None,
    step: Step = Step.REQUESTED,
    **fields,
) -> SipCase:
    c = SipCase(
        subject_id=subject.id,
        owning_unit_id=owning_unit.id if owning_unit else None,
        step=step,
        initiated_by=fields.pop("initiated_by", Initiator.PERSON),
        **fields,
    )
    db.session.add(c)
    db.session.flush()
    if coordinator is not None:
        db.session.add(CoordinatorAssignment(case_id=c.id, staff_id=coordinator.id))
    db.session.flush()
    return c


def participant(
    case_: SipCase, role: ParticipantRole, person_: Person | None = None, unit_: Unit | None = None
) -> Participant:
    p = Participant(
        case_id=case_.id,
        role=role,
        person_id=person_.id if person_ else None,
        unit_id=unit_.id if unit_ else None,
    )
    db.session.add(p)
    db.session.flush()
    return p


def complete_plan(plan: PlanVersion, follow_up_on: date | None = None) -> PlanVersion:
    """Fill in what a draft still lacks before it may be sent or approved (services/plans.missing): a
    dated action when the plan has none (by a unit the consent covers, else by the person), a day for each
    action without one, the principal in charge, the coordinator and the follow-up day. What is already
    there is kept; only the gaps are filled. Call it where a test wants a plan that can be approved."""
    case_ = db.session.get(SipCase, plan.case_id)
    assert case_ is not None
    live = [goal for goal in plan.goals if not goal.ended]
    if live and not any(goal.actions for goal in live):
        units = plans.responsible_units(case_)
        by_unit = units[0] if units else None
        live[0].actions.append(
            PlanAction(
                what="Samordnaren ringer varje vecka.",
                responsible=Responsible(by_unit.principal.kind.value) if by_unit else Responsible.PERSON,
                responsible_unit_id=by_unit.id if by_unit else None,
                starts_on=date.today(),
                position=1,
            )
        )
    for goal in live:
        for action in goal.actions:
            if action.starts_on is None:
                action.starts_on = date.today()
    if not plan.principal_in_charge:
        plan.principal_in_charge = "Kommunen"
    if not plan.coordinator_name:
        plan.coordinator_name = "Samordnaren"
    if plan.follow_up_on is None and not (plan.no_follow_up_reason and plan.applies_until):
        plan.follow_up_on = follow_up_on or date.today() + timedelta(days=90)
    db.session.flush()
    return plan
