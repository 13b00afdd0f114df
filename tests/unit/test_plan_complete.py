"""A plan is complete before it can be sent or approved, and its actions can be changed [issue 16]
[DA 4.5–4.6] [HA] [003]: at least one action with who does it (a unit the consent covers) and when; the
principal with overall responsibility; the coordinator; the follow-up date, or why there is none and until
when the plan applies. What the parties do not agree on can be written in the plan.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import ParticipantRole, PrincipalKind, StaffRole, Step, UnitKind, VersionStatus
from citizen_app.services import consent, plans
from tests.support import factories

TODAY = date(2026, 12, 6)


@pytest.fixture
def sip(app):
    with freeze_time(TODAY):
        social = factories.unit("Socialtjänsten")
        school = factories.unit("Skolan", kind=UnitKind.SCHOOL)
        bup = factories.unit("BUP", kind=UnitKind.CHILD_PSYCHIATRY, principal_kind=PrincipalKind.REGION)
        person = factories.person("Anna")
        kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
        case = factories.case(person, social, coordinator=kim, step=Step.CONSENT)
        factories.participant(case, ParticipantRole.UNIT, unit_=school)
        factories.participant(case, ParticipantRole.UNIT, unit_=bup)
        consent.give(
            person, case, [social.public_id, school.public_id], ["social"], TODAY + timedelta(days=300)
        )
        case.step = Step.MEETING_HELD
        plan = plans.start_draft(kim, case)
        goal = plans.add_goal(kim, case, plan, "short", "Gå till skolan")
        db.session.flush()
        yield {
            "case": case,
            "kim": kim,
            "plan": plan,
            "goal": goal,
            "social": social,
            "school": school,
            "bup": bup,
        }


def _complete(sip, **details):
    kim, case, plan = sip["kim"], sip["case"], sip["plan"]
    plans.add_action(
        kim,
        case,
        plan,
        sip["goal"].public_id,
        what="Skolan ordnar en lugn plats",
        responsible="municipality",
        responsible_unit_id=sip["school"].id,
        starts_on=TODAY + timedelta(days=3),
    )
    values = {"principal_in_charge": "Kommunen", "follow_up_on": TODAY + timedelta(days=90)}
    plans.update_details(kim, case, plan, **{**values, **details}, today=TODAY)
    return plan


def _keys(sip) -> list[str]:
    return [item.key for item in plans.missing(sip["case"], sip["plan"])]


def test_a_complete_plan_lacks_nothing_and_can_be_approved(sip):
    plan = _complete(sip)
    assert _keys(sip) == []
    plans.approve_at_meeting(sip["kim"], sip["case"], plan)
    assert plan.status == VersionStatus.APPROVED


@pytest.mark.parametrize(
    ("gap", "key", "message"),
    [
        ("no action", "actions", "Skriv minst en sak som ska göras, vem som gör det och när."),
        ("no principal", "principal_in_charge", "Skriv vilken huvudman som har huvudansvaret för planen."),
        ("no coordinator", "coordinator_name", "Skriv vem som är samordnare."),
        ("no follow-up", "follow_up_on", "Skriv när planen ska följas upp."),
        ("no reason", "follow_up_on", "Skriv när planen ska följas upp."),
        ("no day", "when", "Skriv när det här ska göras: Skolan ordnar en lugn plats."),
        ("unit not covered", "who", "Samtycket gäller inte verksamheten som ska göra det här"),
    ],
)
def test_each_missing_part_blocks_sending_and_approving_with_its_own_message(sip, gap, key, message):
    kim, case, plan = sip["kim"], sip["case"], sip["plan"]
    if gap == "no action":
        plans.update_details(
            kim, case, plan, principal_in_charge="K", follow_up_on=TODAY + timedelta(days=9), today=TODAY
        )
    else:
        _complete(sip)
    action = plan.goals[0].actions[0] if plan.goals[0].actions else None
    if gap == "no principal":
        plan.principal_in_charge = ""
    elif gap == "no coordinator":
        plan.coordinator_name = ""
    elif gap == "no follow-up":
        plan.follow_up_on = None
    elif gap == "no reason":  # no date, and a reason without the day the plan applies until is not enough
        plan.follow_up_on, plan.no_follow_up_reason = None, "Insatsen är kort"
    elif gap == "no day":
        action.starts_on = None
    elif gap == "unit not covered":
        action.responsible, action.responsible_unit_id = action.responsible.REGION, sip["bup"].id
    db.session.flush()
    missing = plans.missing(case, plan)
    assert len(missing) == 1 and missing[0].key.startswith(key)
    assert message in (missing[0].message % {"what": missing[0].what})
    with pytest.raises(plans.IncompletePlan) as refused:
        plans.send_for_reading(kim, case, plan)
    assert refused.value.missing == missing
    with pytest.raises(plans.IncompletePlan):
        plans.approve_at_meeting(kim, case, plan)
    assert plan.status == VersionStatus.DRAFT and plan.sent_at is None


def test_without_a_follow_up_the_reason_and_the_last_day_are_enough(sip):
    plan = _complete(
        sip,
        follow_up_on=None,
        no_follow_up_reason="Bara en kort insats",
        applies_until=TODAY + timedelta(days=60),
    )
    assert _keys(sip) == []
    assert plan.no_follow_up_reason == "Bara en kort insats" and plan.applies_until == TODAY + timedelta(
        days=60
    )


def test_the_last_day_must_be_after_today(sip):
    with pytest.raises(plans.InvalidPlan) as refused:
        _complete(sip, follow_up_on=None, no_follow_up_reason="Kort", applies_until=TODAY)
    assert refused.value.errors == {"applies_until": "Dagen ska vara efter i dag"}


def test_the_person_cannot_approve_a_plan_that_became_incomplete(sip):
    plan = _complete(sip)
    plans.send_for_reading(sip["kim"], sip["case"], plan)
    plan.principal_in_charge = ""
    db.session.flush()
    with pytest.raises(plans.IncompletePlan):
        plans.approve_by_person(sip["case"].subject, sip["case"], plan)


def test_disagreements_are_written_in_the_plan_and_carried_to_the_next_version(sip):
    plan = _complete(sip, disagreements="Anna vill ha mer tid i skolan.")
    read_before = plans.fingerprint(plan)
    assert plan.disagreements == "Anna vill ha mer tid i skolan."
    plans.approve_at_meeting(sip["kim"], sip["case"], plan)
    following = plans.start_draft(sip["kim"], sip["case"])
    assert following.disagreements == "Anna vill ha mer tid i skolan."
    assert read_before == plans.fingerprint(plan)


# --- Changing an action ----------------------------------------------------------------------------------


def test_an_action_is_changed_what_who_and_when_and_keeps_its_key(sip):
    plan = _complete(sip)
    action = plan.goals[0].actions[0]
    key, revision = action.action_key, plan.revision
    plans.change_action(
        sip["kim"],
        sip["case"],
        plan,
        action.public_id,
        what="Socialtjänsten ringer varje vecka",
        responsible="municipality",
        responsible_unit_id=sip["social"].id,
        starts_on=TODAY + timedelta(days=1),
        revision=revision,
    )
    assert (action.what, action.responsible_unit_id, action.starts_on) == (
        "Socialtjänsten ringer varje vecka",
        sip["social"].id,
        TODAY + timedelta(days=1),
    )
    assert action.action_key == key and plan.revision == revision + 1


def test_a_change_from_an_older_page_is_refused_and_changes_nothing(sip):
    plan = _complete(sip)
    action = plan.goals[0].actions[0]
    with pytest.raises(plans.EditedElsewhere):
        plans.change_action(
            sip["kim"], sip["case"], plan, action.public_id, what="Annat", responsible="person", revision=1
        )
    assert action.what == "Skolan ordnar en lugn plats"


def test_a_change_to_a_unit_the_consent_does_not_cover_is_refused(sip):
    plan = _complete(sip)
    action = plan.goals[0].actions[0]
    with pytest.raises(plans.InvalidPlan) as refused:
        plans.change_action(
            sip["kim"],
            sip["case"],
            plan,
            action.public_id,
            what="Samtal",
            responsible="region",
            responsible_unit_id=sip["bup"].id,
        )
    assert refused.value.errors == {
        "responsible_unit": "Samtycket gäller inte den här verksamheten. Välj en annan."
    }


def test_an_approved_version_is_changed_only_by_a_follow_up_which_makes_a_new_draft(sip):
    plan = _complete(sip)
    plans.approve_at_meeting(sip["kim"], sip["case"], plan)
    action = plan.goals[0].actions[0]
    with pytest.raises(plans.PlanLocked):
        plans.change_action(
            sip["kim"], sip["case"], plan, action.public_id, what="Nytt", responsible="person"
        )
    following = plans.start_draft(sip["kim"], sip["case"])
    copy = following.goals[0].actions[0]
    plans.change_action(
        sip["kim"],
        sip["case"],
        following,
        copy.public_id,
        what="Nytt",
        responsible="person",
        starts_on=TODAY + timedelta(days=5),
    )
    assert following.number == 2 and copy.action_key == action.action_key
    assert action.what == "Skolan ordnar en lugn plats"  # version 1 stays as it was approved
