"""No lost update on the plan's actions, from two app servers at the same instant [issue 16]: PostgreSQL only.

- The coordinator changes the same action in two tabs (two servers), both pages showing the same revision:
  one change is saved, the other is refused with "Någon annan har ändrat det här" (422).
- Two staff (the coordinator and the school) mark the same action from pages showing the same state: one
  mark is saved, the other refused the same way, so neither overwrites the other unseen.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from citizen_app.extensions import db
from citizen_app.models import ActionMark, ParticipantRole, PlanVersion, StaffRole, Step, UnitKind
from citizen_app.services import consent, plans
from tests.support import factories
from tests.web.test_plan_concurrency import _hidden, _main_text, _race
from tests.web.test_plan_concurrency import servers as servers  # the fixture: two app servers


def _sip():
    social = factories.unit("Socialtjänsten")
    school = factories.unit("Skolan", kind=UnitKind.SCHOOL)
    kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
    sofia = factories.staff(school, StaffRole.MEMBER, name="Sofia Kurator")
    person = factories.person("Anna Lind")
    case = factories.case(person, social, kim, step=Step.CONSENT)
    factories.participant(case, ParticipantRole.UNIT, unit_=school)
    consent.give(
        person, case, [social.public_id, school.public_id], ["social"], date.today() + timedelta(days=300)
    )
    case.step = Step.MEETING_HELD
    plan = plans.start_draft(kim, case)
    goal = plans.add_goal(kim, case, plan, "long", "Jag vill gå till skolan")
    action = plans.add_action(
        kim,
        case,
        plan,
        goal.public_id,
        what="Skolan ordnar en lugn plats",
        responsible="municipality",
        responsible_unit_id=school.id,
        starts_on=date.today(),
    )
    factories.complete_plan(plan)
    db.session.commit()
    return case, kim, sofia, school, plan, action


def test_two_tabs_changing_the_same_action_save_one_and_tell_the_other(app, servers):
    case, kim, _sofia, school, _plan, action = _sip()
    url = f"/personal/sip/{case.public_id}/planen/1/insats/{action.public_id}"
    one, two = servers
    tab_one, tab_two = one.client(kim), two.client(kim)
    base = {"responsible": "municipality", "responsible_unit": school.public_id, "starts_on": "2027-01-10"}
    first = {**_hidden(tab_one.get(url), url), **base, "what": "Från flik ett"}
    second = {**_hidden(tab_two.get(url), url), **base, "what": "Från flik två"}

    answers = _race((one, tab_one, url, first), (two, tab_two, url, second))

    assert answers["first"].status_code == 303
    assert answers["second"].status_code == 422
    assert "Någon annan har ändrat det här" in _main_text(answers["second"])
    db.session.expire_all()
    saved = db.session.scalars(select(PlanVersion)).one().goals[0].actions[0]
    assert saved.what == "Från flik ett"


def test_two_staff_marking_the_same_action_save_one_and_tell_the_other(app, servers):
    case, kim, sofia, _school, plan, action = _sip()
    plans.approve_at_meeting(kim, case, plan)
    db.session.commit()
    url = f"/personal/sip/{case.public_id}/planen/insats/{action.public_id}/hur-det-gar"
    one, two = servers
    coordinator, school_staff = one.client(kim), two.client(sofia)
    today = date.today().isoformat()
    first = {**_hidden(coordinator.get(url), url), "progress": "started", "marked_on": today}
    second = {**_hidden(school_staff.get(url), url), "progress": "done", "marked_on": today}

    answers = _race((one, coordinator, url, first), (two, school_staff, url, second))

    assert answers["first"].status_code == 303
    assert answers["second"].status_code == 422
    assert "Någon annan har ändrat det här" in _main_text(answers["second"])
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ActionMark.id))) == 1
