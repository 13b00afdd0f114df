"""The plan [issue 6] [SIP.md 5]: one draft at a time, numbered versions, locked once approved, outcomes at
follow-up, closing with a reason, sharing with a relative and taking it back, and no plan in force after
consent is withdrawn."""

from datetime import date, timedelta

import pytest

from citizen_app.extensions import db
from citizen_app.models import (
    ClosingReason,
    GoalOutcome,
    NotificationKind,
    ParticipantRole,
    StaffRole,
    Step,
    VersionStatus,
)
from citizen_app.services import NotAllowed, closing, consent, notifications, plans, withdrawal
from tests.support import factories

TODAY = date.today()


@pytest.fixture
def sip(app):
    social = factories.unit("Socialtjänsten")
    person = factories.person("Anna")
    relative = factories.person("Bengt", age=50)
    coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Samordnare")
    case = factories.case(person, social, coordinator=coordinator, step=Step.MEETING_HELD)
    bengt = factories.participant(case, ParticipantRole.RELATIVE, person_=relative)
    consent.give(person, case, [social.public_id], ["social"], TODAY + timedelta(days=300))
    case.step = Step.MEETING_HELD
    db.session.flush()
    return {
        "case": case,
        "person": person,
        "relative": relative,
        "bengt": bengt,
        "staff": coordinator,
        "social": social,
    }


def _documented(sip, goals=("Bo kvar hemma", "Gå till skolan")):
    plan = plans.start_draft(sip["staff"], sip["case"])
    for text in goals:
        goal = plans.add_goal(sip["staff"], sip["case"], plan, "short", text)
        plans.add_action(
            sip["staff"],
            sip["case"],
            plan,
            goal.public_id,
            what=f"Hjälp med: {text}",
            responsible="municipality",
            responsible_unit_id=sip["social"].id,
            how_often="varje vecka",
        )
    factories.complete_plan(plan)
    plans.send_for_reading(sip["staff"], sip["case"], plan)
    return plan


def test_only_one_draft_at_a_time_and_versions_are_numbered(sip):
    first = _documented(sip)
    assert plans.start_draft(sip["staff"], sip["case"]) is first
    assert first.number == 1
    plans.approve_by_person(sip["person"], sip["case"], first)
    second = plans.start_draft(sip["staff"], sip["case"])
    assert second.number == 2 and second.based_on_id == first.id


def test_an_approved_version_is_locked(sip):
    plan = _documented(sip)
    factories.complete_plan(plan)
    plans.approve_at_meeting(sip["staff"], sip["case"], plan)
    assert plan.status == VersionStatus.APPROVED and plan.is_locked
    with pytest.raises(plans.PlanLocked):
        plans.add_goal(sip["staff"], sip["case"], plan, "long", "Nytt mål")
    with pytest.raises(plans.PlanLocked):
        plans.change_goal(sip["staff"], sip["case"], plan, plan.goals[0].public_id, "long", "Ändrat")
    with pytest.raises(plans.PlanLocked):
        plans.update_details(sip["staff"], sip["case"], plan, if_worse="Ring 112")


def test_the_lock_holds_even_if_code_changes_an_approved_plan_directly(sip):
    plan = _documented(sip)
    factories.complete_plan(plan)
    plans.approve_at_meeting(sip["staff"], sip["case"], plan)
    db.session.commit()
    plan.goals[0].text = "Ändrat bakvägen"
    with pytest.raises(plans.PlanLocked):
        db.session.flush()
    db.session.rollback()
    plan.goals[0].actions[0].how_often = "aldrig"
    with pytest.raises(plans.PlanLocked):
        db.session.flush()
    db.session.rollback()
    plan.if_worse = "Ändrat"
    with pytest.raises(plans.PlanLocked):
        db.session.flush()
    db.session.rollback()


def test_the_person_approves_and_the_coordinator_is_told(sip):
    plan = _documented(sip)
    factories.complete_plan(plan)
    plans.send_for_reading(sip["staff"], sip["case"], plan)
    assert sip["case"].step == Step.PLAN_DOCUMENTED
    plans.approve_by_person(sip["person"], sip["case"], plan)
    assert sip["case"].step == Step.PLAN_APPROVED
    assert NotificationKind.PLAN_APPROVED in {n.kind for n in notifications.list_for(sip["staff"])}


def test_a_relative_cannot_approve(sip):
    plan = _documented(sip)
    with pytest.raises(NotAllowed):
        plans.approve_by_person(sip["relative"], sip["case"], plan)


def test_follow_up_carries_goals_with_outcomes_and_ended_goals_stop(sip):
    first = _documented(sip)
    plans.approve_by_person(sip["person"], sip["case"], first)
    second = plans.start_draft(sip["staff"], sip["case"])
    assert [g.text for g in second.goals] == ["Bo kvar hemma", "Gå till skolan"]
    assert [len(g.actions) for g in second.goals] == [1, 1]
    home, school = second.goals
    plans.set_outcome(sip["staff"], sip["case"], second, home.public_id, "met", "Det gick bra", end=True)
    plans.set_outcome(
        sip["staff"], sip["case"], second, school.public_id, "partly", "Halva veckan", end=False
    )
    plans.add_goal(sip["staff"], sip["case"], second, "long", "Få ett jobb")
    factories.complete_plan(second)
    plans.approve_at_meeting(sip["staff"], sip["case"], second)
    assert first.status == VersionStatus.REPLACED
    assert sip["case"].step == Step.FOLLOW_UP
    assert plans.in_force(sip["case"]) is second
    assert [g.outcome for g in second.goals] == [GoalOutcome.MET, GoalOutcome.PARTLY, None]
    third = plans.start_draft(sip["staff"], sip["case"])
    assert [g.text for g in third.goals] == ["Gå till skolan", "Få ett jobb"]  # the ended goal is not carried


def test_comparing_a_version_with_the_one_before(sip):
    first = _documented(sip)
    plans.approve_by_person(sip["person"], sip["case"], first)
    second = plans.start_draft(sip["staff"], sip["case"])
    plans.change_goal(
        sip["staff"], sip["case"], second, second.goals[1].public_id, "short", "Gå till skolan varje dag"
    )
    plans.remove_goal(sip["staff"], sip["case"], second, second.goals[0].public_id)
    plans.add_goal(sip["staff"], sip["case"], second, "long", "Få ett jobb")
    changes = plans.compare(second, first)
    assert [c.kind for c in changes] == ["changed", "added", "removed"]
    assert changes[0].before.text == "Gå till skolan"


def test_an_outcome_needs_an_earlier_version(sip):
    plan = _documented(sip)
    with pytest.raises(plans.InvalidPlan):
        plans.set_outcome(sip["staff"], sip["case"], plan, plan.goals[0].public_id, "met", "", end=False)


def test_comments_on_a_draft_only(sip):
    plan = _documented(sip)
    plans.comment(sip["person"], sip["case"], plan, "Jag vill ha hjälp på kvällen i stället")
    assert NotificationKind.PLAN_COMMENTED in {n.kind for n in notifications.list_for(sip["staff"])}
    plans.approve_by_person(sip["person"], sip["case"], plan)
    with pytest.raises(plans.PlanLocked):
        plans.comment(sip["person"], sip["case"], plan, "För sent")


def test_sharing_with_a_relative_and_taking_it_back(sip):
    _documented(sip)
    assert not plans.may_read(sip["relative"], sip["case"])
    plans.share_with(sip["person"], sip["case"], sip["bengt"].public_id, True)
    assert plans.may_read(sip["relative"], sip["case"])
    plans.share_with(sip["person"], sip["case"], sip["bengt"].public_id, False)
    assert not plans.may_read(sip["relative"], sip["case"])


def test_closing_needs_a_reason_and_tells_everyone(sip):
    plan = _documented(sip)
    plans.approve_by_person(sip["person"], sip["case"], plan)
    with pytest.raises(closing.InvalidClosing):
        closing.close(sip["staff"], sip["case"], "", "", agreement="agrees")
    closing.close(sip["staff"], sip["case"], "goals_met", agreement="agrees")
    assert sip["case"].closing_reason == ClosingReason.GOALS_MET
    assert not plans.is_in_force(sip["case"], plans.in_force(sip["case"]))
    assert plans.versions(sip["case"]) == [plan]  # the history stays
    assert NotificationKind.PLAN_CLOSED in {n.kind for n in notifications.list_for(sip["person"])}


def test_consent_withdrawn_means_the_plan_is_no_longer_in_force(sip):
    plan = _documented(sip)
    plans.approve_by_person(sip["person"], sip["case"], plan)
    withdrawal.withdraw(sip["person"], sip["case"])
    latest = plans.in_force(sip["case"])
    assert latest is plan and not plans.is_in_force(sip["case"], latest)


def test_the_person_sees_and_approves_a_draft_only_once_it_is_sent(sip):
    plan = plans.start_draft(sip["staff"], sip["case"])
    plans.add_goal(sip["staff"], sip["case"], plan, "short", "Bo kvar hemma")
    with pytest.raises(NotAllowed):
        plans.approve_by_person(sip["person"], sip["case"], plan)
    with pytest.raises(NotAllowed):
        plans.comment(sip["person"], sip["case"], plan, "För tidigt")
    factories.complete_plan(plan)
    plans.send_for_reading(sip["staff"], sip["case"], plan)
    plans.approve_by_person(sip["person"], sip["case"], plan)
    assert plan.status == VersionStatus.APPROVED
