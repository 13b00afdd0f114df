"""Approving the draft one has read [issue 6]: "Jag har läst planen och håller med" approves only the text the
person saw (its fingerprint); a second click changes nothing; a draft changed since must be read again."""

from datetime import date, timedelta

import pytest

from citizen_app.extensions import db
from citizen_app.models import StaffRole, Step, VersionStatus
from citizen_app.services import NotAllowed, consent, plans
from tests.support import factories


@pytest.fixture
def sip(app):
    social = factories.unit("Socialtjänsten")
    person = factories.person("Anna")
    coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Samordnare")
    case = factories.case(person, social, coordinator=coordinator, step=Step.MEETING_HELD)
    consent.give(person, case, [social.public_id], ["social"], date.today() + timedelta(days=300))
    case.step = Step.MEETING_HELD
    plan = plans.start_draft(coordinator, case)
    goal = plans.add_goal(coordinator, case, plan, "short", "Bo kvar hemma")
    plans.add_action(
        coordinator,
        case,
        plan,
        goal.public_id,
        what="Hemtjänst",
        responsible="municipality",
        responsible_unit_id=social.id,
    )
    factories.complete_plan(plan)
    plans.send_for_reading(coordinator, case, plan)
    db.session.flush()
    return {"case": case, "person": person, "staff": coordinator, "plan": plan, "goal": goal}


def test_the_fingerprint_follows_every_part_of_the_plan(sip):
    staff, case, plan = sip["staff"], sip["case"], sip["plan"]
    seen = {plans.fingerprint(plan)}
    plans.change_goal(staff, case, plan, sip["goal"].public_id, "short", "Bo kvar hemma länge")
    seen.add(plans.fingerprint(plan))
    plans.add_action(staff, case, plan, sip["goal"].public_id, what="Larm", responsible="person")
    seen.add(plans.fingerprint(plan))
    plans.update_details(staff, case, plan, follow_up_on=date.today() + timedelta(days=60))
    seen.add(plans.fingerprint(plan))
    plans.add_pending_decision(staff, case, plan, "Boende", "Hemtjänst under tiden", None)
    seen.add(plans.fingerprint(plan))
    assert len(seen) == 5
    assert plans.fingerprint(plan) == plans.fingerprint(plan)


def test_approving_what_was_read_and_a_second_click_changes_nothing(sip):
    plan = sip["plan"]
    read = plans.fingerprint(plan)
    assert plans.approve_as_read(sip["person"], sip["case"], plan.number, read) is plan
    assert plan.status == VersionStatus.APPROVED
    approved_at = plan.approved_at
    with pytest.raises(plans.AlreadyApproved) as again:
        plans.approve_as_read(sip["person"], sip["case"], plan.number, read)
    assert again.value.message == "Du har redan godkänt planen."
    assert plan.approved_at == approved_at


def test_a_draft_changed_after_reading_is_not_approved(sip):
    plan = sip["plan"]
    read = plans.fingerprint(plan)
    plans.add_goal(sip["staff"], sip["case"], plan, "long", "Träffa vänner")
    with pytest.raises(plans.PlanChanged):
        plans.approve_as_read(sip["person"], sip["case"], plan.number, read)
    assert plan.status == VersionStatus.DRAFT
    assert plans.approve_as_read(sip["person"], sip["case"], plan.number + 1, read) is None  # not that draft


def test_only_those_who_may_approve(sip):
    stranger = factories.person("Okänd")
    with pytest.raises(NotAllowed):
        plans.approve_as_read(stranger, sip["case"], sip["plan"].number, plans.fingerprint(sip["plan"]))
