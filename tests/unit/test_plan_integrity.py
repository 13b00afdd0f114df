"""The plan keeps everyone's change and approves only what was read [issue 12]: every change of a draft moves
its revision on; a change based on an older revision is refused whoever makes it; a second approval changes
nothing and says so calmly. The races themselves, from two app servers, are in
tests/web/test_plan_concurrency.py."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from citizen_app.extensions import db
from citizen_app.models import AuditEntry, StaffRole, Step, VersionStatus
from citizen_app.services import consent, plans
from tests.support import factories

UNTIL = date.today() + timedelta(days=300)


@pytest.fixture
def sip(app):
    """Elsa (14): Maria and Johan have custody and both consented. The draft has one goal, sent to read."""
    social = factories.unit("Socialtjänsten")
    kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
    elsa = factories.child("Elsa", age=14)
    maria = factories.guardian_of(elsa, name="Maria")
    johan = factories.guardian_of(elsa, name="Johan")
    case = factories.case(elsa, social, coordinator=kim, step=Step.CONSENT)
    for guardian in (maria, johan):
        consent.give(guardian, case, [social.public_id], ["social"], UNTIL)
    case.step = Step.MEETING_HELD
    plan = plans.start_draft(kim, case)
    goal = plans.add_goal(kim, case, plan, "short", "Elsa går till skolan")
    factories.complete_plan(plan)
    plans.send_for_reading(kim, case, plan)
    db.session.commit()
    return {
        "case": case,
        "kim": kim,
        "maria": maria,
        "johan": johan,
        "plan": plan,
        "goal": goal,
    }


# --- The revision each staff form is based on -----------------------------------------------------------


def _changes(sip):
    """Every change the coordinator can make to the draft, each as a call taking ``revision``."""
    kim, case, plan, goal = sip["kim"], sip["case"], sip["plan"], sip["goal"]
    return {
        "details": lambda r: plans.update_details(kim, case, plan, if_worse="Ring Kim", revision=r),
        "add goal": lambda r: plans.add_goal(kim, case, plan, "long", "Elsa mår bra", revision=r),
        "change goal": lambda r: plans.change_goal(
            kim, case, plan, goal.public_id, "short", "Elsa går till skolan varje dag", revision=r
        ),
        "add action": lambda r: plans.add_action(
            kim, case, plan, goal.public_id, what="Stöd i klassen", responsible="person", revision=r
        ),
        "add decision": lambda r: plans.add_pending_decision(
            kim, case, plan, "Beslut om skolskjuts", "", None, revision=r
        ),
        "remove goal": lambda r: plans.remove_goal(kim, case, plan, goal.public_id, revision=r),
        "send for reading": lambda r: plans.send_for_reading(kim, case, plan, revision=r),
        "approve at meeting": lambda r: plans.approve_at_meeting(kim, case, plan, revision=r),
    }


@pytest.mark.parametrize(
    "change",
    [
        "details",
        "add goal",
        "change goal",
        "add action",
        "add decision",
        "remove goal",
        "send for reading",
        "approve at meeting",
    ],
)
def test_a_change_based_on_an_older_revision_is_refused_and_changes_nothing(sip, change):
    plan = sip["plan"]
    seen = plan.revision
    read = plans.fingerprint(plan)
    # Another tab adds a pending decision after this page was shown.
    plans.add_pending_decision(sip["kim"], sip["case"], plan, "Beslut om boende", "", None, revision=seen)
    db.session.commit()
    now, after_other_tab = plan.revision, plans.fingerprint(plan)
    assert now == seen + 1 and after_other_tab != read

    with pytest.raises(plans.EditedElsewhere) as refused:
        _changes(sip)[change](seen)
    assert refused.value.revision == now
    assert refused.value.message == "Någon annan har ändrat det här. Se hur det ser ut nu."
    db.session.rollback()
    db.session.expire_all()
    assert plans.fingerprint(plan) == after_other_tab and plan.status == VersionStatus.DRAFT

    _changes(sip)[change](now)  # based on what is there now, it goes through
    db.session.flush()


def test_every_change_of_the_draft_or_its_parts_moves_the_revision_on_but_a_comment_does_not(sip):
    kim, case, plan, goal = sip["kim"], sip["case"], sip["plan"], sip["goal"]
    revisions = [plan.revision]

    def moved_on():
        db.session.flush()
        revisions.append(plan.revision)
        return revisions[-1] > revisions[-2]

    plans.update_details(kim, case, plan, other_discussed="Fritids")
    assert moved_on()
    action = plans.add_action(kim, case, plan, goal.public_id, what="Läxhjälp", responsible="person")
    assert moved_on()
    plans.remove_action(kim, case, plan, action.public_id)
    assert moved_on()
    decision = plans.add_pending_decision(kim, case, plan, "Beslut om boende", "", None)
    assert moved_on()
    plans.remove_pending_decision(kim, case, plan, decision.public_id)
    assert moved_on()
    plans.change_goal(kim, case, plan, goal.public_id, "long", "Elsa trivs i skolan")
    assert moved_on()
    plans.comment(sip["maria"], case, plan, "Elsa vill börja senare på morgonen")
    db.session.flush()
    assert plan.revision == revisions[-1]  # the person's comment changes nothing the coordinator wrote


# --- Approving twice -------------------------------------------------------------------------------------


def test_a_second_click_changes_nothing_and_says_so_calmly(sip):
    plan, case = sip["plan"], sip["case"]
    read = plans.fingerprint(plan)
    plans.approve_as_read(sip["maria"], case, plan.number, read)
    db.session.commit()
    approved_at = plan.approved_at

    with pytest.raises(plans.AlreadyApproved) as mine:
        plans.approve_as_read(sip["maria"], case, plan.number, read)
    assert mine.value.message == "Du har redan godkänt planen."
    with pytest.raises(plans.AlreadyApproved) as other:
        plans.approve_as_read(sip["johan"], case, plan.number, read)
    assert other.value.message == "Planen är redan godkänd."

    db.session.rollback()
    assert plan.approved_at == approved_at and plan.approved_by_person_id == sip["maria"].id
    approvals = select(func.count()).where(AuditEntry.action == "plan.approved")
    assert db.session.scalar(approvals) == 1
