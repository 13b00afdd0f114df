"""The demo data: the people issue 2 asks for, fictional test identities, no duplicates when loaded again."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from citizen_app.extensions import db
from citizen_app.models import (
    Base,
    Mandate,
    Participant,
    Person,
    Principal,
    PrincipalKind,
    RelationKind,
    Relationship,
    RepresentativeType,
    SipCase,
    StaffMembership,
    StaffRole,
    StaffUser,
    Step,
    Unit,
    UnitKind,
)
from citizen_app.services import demo, identity, people
from citizen_app.services.demo import demo_staff, load_demo_data


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def _luhn_ok(ten_digits: str) -> bool:
    total = 0
    for i, ch in enumerate(ten_digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n // 10 + n % 10
    return total % 10 == 0


def _is_demo_test_number(number: str) -> bool:
    return len(number) == 12 and number.isdigit() and _luhn_ok(number[2:]) and 980 <= int(number[8:11]) <= 999


# ---- loading twice


def test_loading_the_demo_data_twice_adds_nothing(app):
    load_demo_data()
    db.session.commit()
    first = _row_counts()
    assert first["person"] >= 8 and first["staff_user"] >= 4 and first["sip_case"] >= 2

    load_demo_data()
    db.session.commit()
    assert _row_counts() == first


def test_loading_again_in_a_new_year_adds_nothing(app):
    with freeze_time("2026-12-30"):
        load_demo_data()
        db.session.commit()
    first = _row_counts()
    with freeze_time("2027-01-02"):
        load_demo_data()
        db.session.commit()
    assert _row_counts() == first


# ---- the people the issue asks for


def _age(person: Person, today: date) -> int:
    return person.age_on(today)


def _required_people_are_there(today: date) -> None:
    persons = db.session.scalars(select(Person)).all()
    rels = db.session.scalars(select(Relationship)).all()

    # An adult of about 45 with a relative.
    relatives_of = {r.subject_id for r in rels if r.kind == RelationKind.RELATIVE}
    adults_with_relative = [p for p in persons if 44 <= _age(p, today) <= 46 and p.id in relatives_of]
    assert adults_with_relative, "no adult of about 45 with a relative"

    # A 14-year-old with two guardians who both have custody, and a school taking part in their SIP.
    def custodians(p):
        return [r for r in rels if r.subject_id == p.id and r.kind == RelationKind.GUARDIAN and r.has_custody]

    fourteen = [p for p in persons if _age(p, today) == 14 and len(custodians(p)) == 2]
    assert fourteen, "no 14-year-old with two guardians with custody"
    schools_in_their_sips = db.session.scalars(
        select(Unit.id)
        .join(Participant, Participant.unit_id == Unit.id)
        .join(SipCase, SipCase.id == Participant.case_id)
        .where(SipCase.subject_id.in_([p.id for p in fourteen]), Unit.kind == UnitKind.SCHOOL)
    ).all()
    assert schools_in_their_sips, "no school takes part in the 14-year-old's SIP"

    # An 82-year-old about to be discharged from hospital, with a god man.
    def has_god_man(p):
        return any(
            r.subject_id == p.id
            and r.kind == RelationKind.REPRESENTATIVE
            and r.representative_type == RepresentativeType.GOD_MAN
            and r.is_valid_on(today)
            for r in rels
        )

    eighty_two = [p for p in persons if _age(p, today) == 82 and has_god_man(p)]
    assert eighty_two, "no 82-year-old with a god man"
    # The god man's mandate is recorded and reaches care [issue 15].
    assert any(
        r.subject_id in {p.id for p in eighty_two} and r.covers(Mandate.SORJA_FOR_PERSON) for r in rels
    ), "the god man may not see to the 82-year-old's care"
    discharges = db.session.scalars(
        select(SipCase.discharge_date).where(SipCase.subject_id.in_([p.id for p in eighty_two]))
    ).all()
    assert any(d is not None and today <= d <= today + timedelta(days=7) for d in discharges), (
        "the 82-year-old is not about to be discharged"
    )

    # A guardian without custody.
    assert any(r.kind == RelationKind.GUARDIAN and not r.has_custody for r in rels)


def test_the_demo_has_the_people_issue_2_asks_for(app):
    load_demo_data()
    db.session.commit()
    _required_people_are_there(date.today())


def test_the_demo_has_coordinators_in_region_and_municipality_and_staff_at_a_school_and_a_vardcentral(app):
    load_demo_data()
    db.session.commit()
    rows = db.session.execute(
        select(StaffMembership.role, Unit.kind, Principal.kind)
        .join(Unit, Unit.id == StaffMembership.unit_id)
        .join(Principal, Principal.id == Unit.principal_id)
    ).all()
    coordinators_in = {principal for role, _unit, principal in rows if role == StaffRole.COORDINATOR}
    assert PrincipalKind.REGION in coordinators_in
    assert PrincipalKind.MUNICIPALITY in coordinators_in
    staffed_units = {unit for _role, unit, _principal in rows}
    assert UnitKind.SCHOOL in staffed_units
    assert UnitKind.PRIMARY_CARE in staffed_units


@pytest.mark.parametrize(
    "today",
    [
        "2026-06-15",
        "2026-12-30",
        "2027-01-02",
    ],
)
def test_the_ages_hold_whatever_the_day_of_the_year(app, today):
    with freeze_time(today):
        load_demo_data()
        db.session.commit()
        _required_people_are_there(date.today())


# ---- test identities only


def test_every_demo_person_has_a_test_identity_number_matching_their_birth_date(app):
    load_demo_data()
    db.session.commit()
    for person in db.session.scalars(select(Person)):
        number = people.identity_number_of(person)
        assert _is_demo_test_number(number), f"{person.display_name}: {number} is not a test identity"
        assert identity.birth_date_of(number) == person.birth_date


def test_every_demo_staff_user_has_a_test_identity_number(app):
    """Staff rows keep only the keyed hash, so match each row against the numbers of the demo list."""
    load_demo_data()
    db.session.commit()
    numbers = [demo.test_identity_number(spec.birth, spec.serial) for spec in demo_staff()]
    assert all(_is_demo_test_number(n) for n in numbers), numbers
    known = {identity.identity_hash(n) for n in numbers}
    for staff in db.session.scalars(select(StaffUser)):
        assert staff.identity_hash in known, f"{staff.display_name} has a number outside the demo list"


def test_the_check_above_would_catch_a_real_looking_number():
    assert _is_demo_test_number("198005179877")  # birth number 987
    assert not _is_demo_test_number("198005171239")  # birth number 123, right check digit: could be real
    assert not _is_demo_test_number("198005179870")  # wrong check digit


# ---- the demo follows the rules of issue 16


def test_every_open_discharge_sip_in_the_demo_is_coordinated_by_a_fast_vardkontakt(app):
    from citizen_app.services import discharge

    load_demo_data()
    db.session.commit()
    cases = db.session.scalars(
        select(SipCase).where(SipCase.discharge_date.is_not(None), SipCase.step != Step.CLOSED)
    ).all()
    karl = db.session.scalars(select(Person).where(Person.display_name == "Karl Nyström")).one()
    assert karl.id in {case.subject_id for case in cases}
    for case in cases:
        assert discharge.unit_error(case.owning_unit, case.discharge_date) is None, case.owning_unit.name
    karls = next(case for case in cases if case.subject_id == karl.id)
    hugo = db.session.scalars(select(StaffUser).where(StaffUser.display_name == "Hugo Ström")).one()
    # Hugo at the ward started it; it waits at Psykiatrin Centrum, whose coordinator can take it.
    assert karls.owning_unit.name == "Psykiatrin Centrum" and karls.requested_by_staff_id == hugo.id


def test_one_of_ritas_approved_plans_shows_an_action_done_and_one_late(app):
    from citizen_app.services import action_follow_up, plans

    load_demo_data()
    db.session.commit()
    nora = db.session.scalars(select(Person).where(Person.display_name == "Nora Engström")).one()
    case = db.session.scalars(select(SipCase).where(SipCase.subject_id == nora.id)).one()
    plan = plans.in_force(case)
    assert plan is not None and plans.missing(case, plan) == []
    labels = [followed.label for followed in action_follow_up.statuses(case, plan).values()]
    assert sorted(labels) == ["Inte påbörjad", "Klart", "Sen"]
    vera = db.session.scalars(select(StaffUser).where(StaffUser.display_name == "Vera Nilsson")).one()
    (ours,) = action_follow_up.our_actions(vera)  # Vårdcentralen Norra's action, late
    assert ours.case.id == case.id and ours.followed.label == "Sen"
