"""Who does it: a plan action names only a unit the consent in force covers [issue 12] [DA 4.2]. The same rule
as invitations (consent.require_covering), in the service: "Vem gör det?" offers only those units, and an
action naming another is refused whatever sent it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from citizen_app.extensions import db
from citizen_app.models import ParticipantRole, StaffRole, Step, UnitKind
from citizen_app.services import consent, plans, withdrawal
from tests.support import factories

UNTIL = date.today() + timedelta(days=300)
NOT_COVERED = "Samtycket gäller inte den här verksamheten. Välj en annan."


@pytest.fixture
def sip(app):
    """Elsa (14): Maria and Johan have custody. Both consented to the social services and the school; the
    youth clinic takes part too, but the consent does not cover it. The draft has one goal."""
    social = factories.unit("Socialtjänsten")
    school = factories.unit("Skolan", kind=UnitKind.SCHOOL)
    clinic = factories.unit("Ungdomsmottagningen", kind=UnitKind.PRIMARY_CARE)
    kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
    elsa = factories.child("Elsa", age=14)
    maria = factories.guardian_of(elsa, name="Maria")
    johan = factories.guardian_of(elsa, name="Johan")
    case = factories.case(elsa, social, coordinator=kim, step=Step.CONSENT)
    factories.participant(case, ParticipantRole.UNIT, unit_=school)
    factories.participant(case, ParticipantRole.UNIT, unit_=clinic)
    for guardian in (maria, johan):
        consent.give(guardian, case, [social.public_id, school.public_id], ["social", "school"], UNTIL)
    case.step = Step.MEETING_HELD
    plan = plans.start_draft(kim, case)
    goal = plans.add_goal(kim, case, plan, "short", "Elsa går till skolan")
    db.session.commit()
    return {
        "case": case,
        "kim": kim,
        "johan": johan,
        "plan": plan,
        "goal": goal,
        "social": social,
        "school": school,
        "clinic": clinic,
    }


def _school_action(sip, unit):
    return plans.add_action(
        sip["kim"],
        sip["case"],
        sip["plan"],
        sip["goal"].public_id,
        what="Stöd i klassen",
        responsible="municipality",
        responsible_unit_id=unit.id,
    )


def test_vem_gor_det_offers_only_the_units_the_consent_covers(sip):
    assert plans.responsible_units(sip["case"]) == [sip["school"], sip["social"]]


def test_an_action_by_a_unit_the_consent_does_not_cover_is_refused(sip):
    with pytest.raises(plans.InvalidPlan) as refused:
        _school_action(sip, sip["clinic"])
    assert refused.value.errors == {"responsible_unit": NOT_COVERED}
    db.session.rollback()
    db.session.expire_all()
    assert sip["plan"].goals[0].actions == []
    assert _school_action(sip, sip["school"]).responsible_unit == sip["school"]


def test_when_one_guardian_narrows_the_consent_the_unit_is_no_longer_offered(sip):
    """Both guardians must agree: the narrowest scope applies, for the plan as for invitations [DA 4.2]."""
    consent.give(sip["johan"], sip["case"], [sip["social"].public_id], ["social"], UNTIL)
    assert plans.responsible_units(sip["case"]) == [sip["social"]]
    with pytest.raises(plans.InvalidPlan) as refused:
        _school_action(sip, sip["school"])
    assert refused.value.errors == {"responsible_unit": NOT_COVERED}


def test_without_consent_in_force_no_unit_is_offered(sip):
    withdrawal.withdraw(sip["johan"], sip["case"])
    assert plans.responsible_units(sip["case"]) == []
