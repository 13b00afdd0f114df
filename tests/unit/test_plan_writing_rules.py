"""Rules the staff plan pages need [issue 6]: the deadline to write the plan after the meeting (2 working
days, met once the plan is sent or approved), an action's unit must take part in the SIP and belong to the
right principal, and the coordinator's name on the plan can be corrected."""

from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import ParticipantRole, PrincipalKind, StaffRole, Step, UnitKind
from citizen_app.services import consent, plans
from tests.support import factories

HELD = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)  # a Friday


@pytest.fixture
def sip(app):
    with freeze_time(HELD):
        social = factories.unit("Socialtjänsten")
        bup = factories.unit("BUP", kind=UnitKind.CHILD_PSYCHIATRY, principal_kind=PrincipalKind.REGION)
        elsewhere = factories.unit("Vårdcentral utanför")
        person = factories.person("Anna")
        coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
        case = factories.case(person, social, coordinator=coordinator, step=Step.MEETING_HELD)
        factories.participant(case, ParticipantRole.UNIT, unit_=bup)
        consent.give(person, case, [social.public_id, bup.public_id], ["social"], date(2027, 6, 1))
        db.session.flush()
        return {
            "case": case,
            "person": person,
            "staff": coordinator,
            "social": social,
            "bup": bup,
            "elsewhere": elsewhere,
        }


def _goal(sip):
    plan = plans.start_draft(sip["staff"], sip["case"])
    return plan, plans.add_goal(sip["staff"], sip["case"], plan, "short", "Bo kvar hemma")


def test_the_plan_is_due_two_working_days_after_the_meeting_and_overdue_after(sip):
    due = plans.writing_deadline(sip["case"], HELD, today=date(2026, 12, 1))
    assert due.due == date(2026, 12, 1)  # Friday + 2 working days = Tuesday
    assert not due.done and not due.overdue
    assert plans.writing_deadline(sip["case"], HELD, today=date(2026, 12, 2)).overdue


def test_the_deadline_is_met_once_the_plan_is_sent_to_the_person(sip):
    with freeze_time(HELD + timedelta(days=1)):
        plan, _ = _goal(sip)
        factories.complete_plan(plan)
        plans.send_for_reading(sip["staff"], sip["case"], plan)
    late = plans.writing_deadline(sip["case"], HELD, today=date(2026, 12, 10))
    assert late.done and not late.overdue
    # A plan sent before a later meeting does not count for that meeting.
    assert not plans.writing_deadline(sip["case"], HELD + timedelta(days=30), today=date(2026, 12, 10)).done


def test_an_action_of_the_municipality_is_done_by_one_of_its_units_in_the_sip(sip):
    plan, goal = _goal(sip)
    cases = [
        ("municipality", sip["bup"], "Verksamheten hör inte till kommunen. Välj en annan."),
        ("region", sip["social"], "Verksamheten hör inte till regionen. Välj en annan."),
        ("municipality", sip["elsewhere"], "Välj vilken verksamhet som gör det"),
    ]
    for responsible, unit, message in cases:
        with pytest.raises(plans.InvalidPlan) as refused:
            plans.add_action(
                sip["staff"],
                sip["case"],
                plan,
                goal.public_id,
                what="Stöd",
                responsible=responsible,
                responsible_unit_id=unit.id,
            )
        assert refused.value.errors == {"responsible_unit": message}
    action = plans.add_action(
        sip["staff"],
        sip["case"],
        plan,
        goal.public_id,
        what="Samtal",
        responsible="region",
        responsible_unit_id=sip["bup"].id,
    )
    assert action.responsible_unit == sip["bup"]


def test_the_coordinator_is_prefilled_and_can_be_corrected(sip):
    sip["staff"].phone = "010-111 22 33"
    plan, _ = _goal(sip)
    assert (plan.coordinator_name, plan.coordinator_contact) == ("Kim Samordnare", "010-111 22 33")
    plans.update_details(sip["staff"], sip["case"], plan, if_worse="Ring mig")
    assert plan.coordinator_name == "Kim Samordnare"  # not given: kept
    with pytest.raises(plans.InvalidPlan) as refused:
        plans.update_details(sip["staff"], sip["case"], plan, coordinator_name=" ")
    assert set(refused.value.errors) == {"coordinator_name"}
    plans.update_details(
        sip["staff"], sip["case"], plan, coordinator_name="Kim S", coordinator_contact="kim@example.se"
    )
    assert (plan.coordinator_name, plan.coordinator_contact) == ("Kim S", "kim@example.se")
