"""The plan's actions are followed [issue 16]: the responsible unit (and the coordinator) mark each action
started, done or not done with a day; the person sees "Klart", "Pågår", "Sen", "Inte gjort" or "Inte
påbörjad"; a late action warns the coordinator once.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import (
    ActionProgress,
    AuditEntry,
    Notification,
    NotificationKind,
    ParticipantRole,
    StaffRole,
    Step,
    UnitKind,
)
from citizen_app.services import NotAllowed, consent, plans, reminders
from citizen_app.services import action_follow_up as follow
from citizen_app.services.action_follow_up import ActionStatus
from tests.support import factories

TODAY = date(2026, 12, 6)
YESTERDAY = TODAY - timedelta(days=1)


# --- The status rule, on a frozen clock ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "progress", "status", "label"),
    [
        (TODAY, None, ActionStatus.NOT_STARTED, "Inte påbörjad"),  # its day is today: not late yet
        (YESTERDAY, None, ActionStatus.LATE, "Sen"),  # its day was yesterday and nobody started it
        (None, None, ActionStatus.NOT_STARTED, "Inte påbörjad"),
        (YESTERDAY, ActionProgress.STARTED, ActionStatus.STARTED, "Pågår"),
        (YESTERDAY, ActionProgress.DONE, ActionStatus.DONE, "Klart"),
        (TODAY + timedelta(days=3), ActionProgress.NOT_DONE, ActionStatus.NOT_DONE, "Inte gjort"),
    ],
)
def test_the_status_of_an_action(day, progress, status, label):
    with freeze_time(TODAY):
        found = follow.status_of(day, progress, date.today())
    assert found == status and follow.LABELS[found] == label


# --- Marking ------------------------------------------------------------------------------------------------


@pytest.fixture
def sip(app):
    with freeze_time(TODAY):
        social = factories.unit("Socialtjänsten")
        school = factories.unit("Skolan", kind=UnitKind.SCHOOL)
        other = factories.unit("Fritids", kind=UnitKind.SCHOOL)
        person = factories.person("Anna")
        kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
        sofia = factories.staff(school, StaffRole.MEMBER, name="Sofia Kurator")
        olle = factories.staff(other, StaffRole.MEMBER, name="Olle Fritids")
        case = factories.case(person, social, coordinator=kim, step=Step.CONSENT)
        factories.participant(case, ParticipantRole.UNIT, unit_=school)
        factories.participant(case, ParticipantRole.UNIT, unit_=other)
        units = [social.public_id, school.public_id, other.public_id]
        consent.give(person, case, units, ["social"], TODAY + timedelta(days=300))
        case.step = Step.MEETING_HELD
        plan = plans.start_draft(kim, case)
        goal = plans.add_goal(kim, case, plan, "short", "Gå till skolan")
        action = plans.add_action(
            kim,
            case,
            plan,
            goal.public_id,
            what="Skolan ordnar en lugn plats",
            responsible="municipality",
            responsible_unit_id=school.id,
            starts_on=YESTERDAY,
        )
        factories.complete_plan(plan)
        plans.approve_at_meeting(kim, case, plan)
        db.session.flush()
        yield {
            "case": case,
            "person": person,
            "kim": kim,
            "sofia": sofia,
            "olle": olle,
            "plan": plan,
            "action": action,
            "school": school,
        }


def _status(sip) -> str:
    return follow.statuses(sip["case"], sip["plan"], TODAY)[sip["action"].public_id].label


@freeze_time(TODAY)
def test_the_responsible_unit_marks_its_action_done_and_the_person_sees_klart(sip):
    assert _status(sip) == "Sen"
    follow.mark(sip["sofia"], sip["case"], sip["action"].public_id, "started", YESTERDAY, seen=0)
    assert _status(sip) == "Pågår"
    first = follow.statuses(sip["case"], sip["plan"], TODAY)[sip["action"].public_id].seen
    follow.mark(sip["sofia"], sip["case"], sip["action"].public_id, "done", TODAY, seen=first)
    assert _status(sip) == "Klart"
    logged = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action == "plan.action_marked"))
    assert len(list(logged)) == 2


@freeze_time(TODAY)
def test_who_may_mark_an_action(sip):
    case, action = sip["case"], sip["action"]
    assert follow.may_mark(sip["kim"], case, action)  # the coordinator
    assert follow.may_mark(sip["sofia"], case, action)  # the responsible unit's staff
    assert not follow.may_mark(sip["olle"], case, action)  # another unit taking part
    with pytest.raises(NotAllowed):
        follow.mark(sip["olle"], case, action.public_id, "done", TODAY)


@freeze_time(TODAY)
def test_a_unit_whose_consent_coverage_ended_cannot_mark(sip):
    case, person = sip["case"], sip["person"]
    others = [u for u in consent.in_force(case).unit_ids if u != sip["school"].public_id]
    consent.give(person, case, others, ["social"], TODAY + timedelta(days=300))
    assert not follow.may_mark(sip["sofia"], case, sip["action"])
    with pytest.raises(NotAllowed):
        follow.mark(sip["sofia"], case, sip["action"].public_id, "done", TODAY)
    assert follow.may_mark(sip["kim"], case, sip["action"])  # the coordinator still follows the plan


@freeze_time(TODAY)
@pytest.mark.parametrize(
    ("progress", "day", "errors"),
    [
        ("done", TODAY + timedelta(days=1), {"marked_on": "Dagen kan inte vara senare än i dag"}),
        ("done", None, {"marked_on": "Skriv vilken dag"}),
        ("finished", TODAY, {"progress": "Välj hur det går"}),
    ],
)
def test_a_mark_needs_a_choice_and_a_day_not_in_the_future(sip, progress, day, errors):
    with pytest.raises(follow.InvalidMark) as refused:
        follow.mark(sip["sofia"], sip["case"], sip["action"].public_id, progress, day)
    assert refused.value.errors == errors


@freeze_time(TODAY)
def test_a_mark_from_an_older_page_is_refused(sip):
    follow.mark(sip["kim"], sip["case"], sip["action"].public_id, "started", TODAY, seen=0)
    with pytest.raises(follow.MarkedElsewhere):
        follow.mark(sip["sofia"], sip["case"], sip["action"].public_id, "done", TODAY, seen=0)
    assert _status(sip) == "Pågår"


@freeze_time(TODAY)
def test_not_done_tells_the_coordinator(sip):
    follow.mark(sip["sofia"], sip["case"], sip["action"].public_id, "not_done", TODAY)
    told = db.session.scalars(
        select(Notification).where(Notification.kind == NotificationKind.STAFF_ACTION_NOT_DONE)
    ).all()
    assert [n.recipient_staff_id for n in told] == [sip["kim"].id]


def test_the_status_follows_the_action_into_the_next_version(sip):
    with freeze_time(TODAY):
        follow.mark(sip["sofia"], sip["case"], sip["action"].public_id, "done", TODAY)
        draft = plans.start_draft(sip["kim"], sip["case"])
        factories.complete_plan(draft, follow_up_on=TODAY + timedelta(days=100))
        plans.approve_at_meeting(sip["kim"], sip["case"], draft)
        assert [f.label for f in follow.statuses(sip["case"], draft, TODAY).values()] == ["Klart"]


# --- The daily warning -------------------------------------------------------------------------------------


def _late_messages() -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.kind == NotificationKind.STAFF_ACTION_LATE)
        )
    )


def test_a_late_action_warns_the_coordinator_once_and_not_before_its_day_has_passed(sip):
    with freeze_time(YESTERDAY):
        assert follow.send_late_actions(YESTERDAY) == 0  # on its day it is not late
    with freeze_time(TODAY):
        assert reminders.run_all(TODAY)["action_late"] == 1
        assert reminders.run_all(TODAY)["action_late"] == 0  # a second run sends nothing twice
    (message,) = _late_messages()
    assert message.recipient_staff_id == sip["kim"].id
    assert message.data["what"] == "Skolan ordnar en lugn plats"


def test_a_started_action_is_not_late(sip):
    with freeze_time(TODAY):
        follow.mark(sip["sofia"], sip["case"], sip["action"].public_id, "started", YESTERDAY)
        assert follow.send_late_actions(TODAY) == 0
    assert _late_messages() == []
