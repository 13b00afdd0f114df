"""The coordinator's workbench (issue 16): "Mina SIP:ar" with the next deadline in words, what waits on whom,
overdue first, a filter by step, a search by name, 25 a page; and the SIPs a taking-part unit may see.

The clock is frozen on Tuesday 1 December 2026.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from citizen_app import access
from citizen_app.extensions import db
from citizen_app.models import (
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    Invitation,
    InvitationStatus,
    Meeting,
    MeetingMode,
    MeetingStatus,
    ParticipantRole,
    PlanComment,
    PlanVersion,
    ProblemKind,
    ProblemReport,
    StaffRole,
    StaffUser,
    Step,
    VersionStatus,
)
from citizen_app.pages import workbench as words
from citizen_app.services import consent, withdrawal, workbench
from citizen_app.services.deadlines import next_deadline
from citizen_app.services.workbench import Filters, WaitKind
from tests.support import factories

TODAY = date(2026, 12, 1)  # a Tuesday
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time(NOW):
        yield


@pytest.fixture
def unit(app):
    return factories.unit("Socialtjänsten Norr")


@pytest.fixture
def kim(unit):
    return factories.staff(unit, StaffRole.COORDINATOR, "Kim Samordnare")


def _roles(staff) -> dict:
    return {m.unit_id: m.role for m in staff.memberships}


def _bench(app, staff, **filters):
    with app.test_request_context("/personal/"):
        access.forget_roles()  # the test's app context outlives a request: start each page afresh
        return workbench.workbench_for(staff, _roles(staff), Filters(**filters), TODAY)


def _names(listing) -> list[str]:
    return [row.case.subject.display_name for row in listing.rows]


def _say(app, deadline) -> str:
    with app.test_request_context("/personal/"):
        return words.deadline_words(deadline)


def _days_ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def _held_meeting(case, on: datetime) -> Meeting:
    meeting = Meeting(
        case_id=case.id, starts_at=on, mode=MeetingMode.IN_PERSON, status=MeetingStatus.HELD, held_at=on
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def _approved_plan(case, follow_up_on: date) -> PlanVersion:
    plan = PlanVersion(case_id=case.id, number=1, status=VersionStatus.APPROVED, follow_up_on=follow_up_on)
    db.session.add(plan)
    db.session.flush()
    return plan


# --- the next deadline in words ---


def test_the_first_meeting_is_due_30_days_after_the_request_with_the_days_left(app):
    deadline = next_deadline(Step.PREPARATION, date(2026, 11, 29), TODAY)
    assert deadline is not None and deadline.kind == "first_meeting" and deadline.due == date(2026, 12, 29)
    assert _say(app, deadline) == "Möte senast 29 dec. – 28 dagar kvar"


def test_an_overdue_first_meeting_says_how_many_days_late(app):
    deadline = next_deadline(Step.CONSENT, date(2026, 10, 29), TODAY)
    assert deadline is not None and deadline.overdue
    assert _say(app, deadline) == "Möte senast 28 nov. – 3 dagar sen"


def test_the_plan_is_due_two_working_days_after_the_meeting(app):
    # Held on Friday 27 November: Monday and Tuesday are the two working days, so the plan is due today.
    today = next_deadline(Step.MEETING_HELD, date(2026, 11, 1), TODAY, meeting_held_on=date(2026, 11, 27))
    assert today is not None and today.kind == "plan" and today.due == TODAY
    assert _say(app, today) == "Planen ska skrivas senast i dag"
    tomorrow = next_deadline(Step.MEETING_HELD, date(2026, 11, 1), TODAY, meeting_held_on=date(2026, 11, 30))
    assert _say(app, tomorrow) == "Planen ska skrivas senast i morgon"
    late = next_deadline(Step.MEETING_HELD, date(2026, 11, 1), TODAY, meeting_held_on=date(2026, 11, 24))
    assert _say(app, late) == "Planen ska skrivas senast 26 nov. – 5 dagar sen"


def test_the_follow_up_is_said_in_days_or_weeks(app):
    in_two_weeks = next_deadline(Step.PLAN_APPROVED, date(2026, 9, 1), TODAY, follow_up_on=date(2026, 12, 15))
    assert _say(app, in_two_weeks) == "Uppföljning om 2 veckor"
    tomorrow = next_deadline(Step.PLAN_APPROVED, date(2026, 9, 1), TODAY, follow_up_on=date(2026, 12, 2))
    assert _say(app, tomorrow) == "Uppföljning i morgon"
    late = next_deadline(Step.FOLLOW_UP, date(2026, 9, 1), TODAY, follow_up_on=date(2026, 11, 28))
    assert _say(app, late) == "Uppföljning 28 nov. – 3 dagar sen"


def test_a_written_plan_waiting_for_approval_has_no_deadline():
    assert next_deadline(Step.PLAN_DOCUMENTED, date(2026, 11, 1), TODAY) is None


def test_the_workbench_reads_the_meeting_and_the_follow_up_from_the_sip(app, unit, kim):
    held = factories.case(factories.person("Hållen Hanna"), unit, kim, Step.MEETING_HELD)
    _held_meeting(held, datetime(2026, 11, 30, 13, 0, tzinfo=UTC))
    approved = factories.case(factories.person("Godkänd Gun"), unit, kim, Step.PLAN_APPROVED)
    _approved_plan(approved, date(2026, 12, 15))
    rows = {row.case.id: row for row in _bench(app, kim).mine.rows}
    assert rows[held.id].deadline.kind == "plan" and rows[held.id].deadline.due == date(2026, 12, 2)
    assert rows[approved.id].deadline.kind == "follow_up" and rows[approved.id].deadline.days_left == 14


# --- what waits on whom ---


def _waits(app, staff, case) -> tuple:
    (row,) = [r for r in _bench(app, staff).mine.rows if r.case.id == case.id]
    return row.waits


def test_a_child_waits_for_consent_from_the_one_guardian_who_has_not_said_yes(app, unit, kim):
    child = factories.child("Elsa")
    mother = factories.guardian_of(child, name="Maria")
    factories.guardian_of(child, name="Johan")
    case = factories.case(child, unit, kim, Step.CONSENT)
    db.session.add(
        ConsentEvent(
            case_id=case.id,
            kind=ConsentEventKind.GIVEN,
            consenter_id=mother.id,
            method=ConsentMethod.DIGITAL,
            unit_ids=[unit.public_id],
            categories=["social"],
            valid_from=TODAY,
            valid_until=TODAY + timedelta(days=100),
        )
    )
    db.session.flush()
    assert _waits(app, kim, case) == (workbench.Wait(WaitKind.GUARDIAN_CONSENT, 1),)
    with app.test_request_context("/"):
        assert words.wait_words(workbench.Wait(WaitKind.GUARDIAN_CONSENT, 1)) == (
            "Väntar på samtycke från 1 vårdnadshavare"
        )


def test_an_adult_waits_for_consent_from_the_person(app, unit, kim):
    case = factories.case(factories.person("Anna"), unit, kim, Step.CONSENT)
    assert _waits(app, kim, case) == (workbench.Wait(WaitKind.PERSON_CONSENT),)


def test_units_that_have_not_answered_the_invitation_are_counted(app, unit, kim):
    case = factories.case(factories.person("Anna"), unit, kim, Step.INVITED)
    meeting = Meeting(case_id=case.id, starts_at=NOW + timedelta(days=5), mode=MeetingMode.IN_PERSON)
    db.session.add(meeting)
    db.session.flush()
    for name, status in (
        ("Skolan", InvitationStatus.SENT),
        ("BUP", InvitationStatus.SENT),
        ("VC", "accepted"),
    ):
        part = factories.participant(case, ParticipantRole.UNIT, unit_=factories.unit(name))
        db.session.add(Invitation(meeting_id=meeting.id, participant_id=part.id, status=status))
    relative = factories.participant(case, ParticipantRole.RELATIVE, person_=factories.person("Bengt"))
    db.session.add(Invitation(meeting_id=meeting.id, participant_id=relative.id))
    db.session.flush()
    assert _waits(app, kim, case) == (workbench.Wait(WaitKind.UNIT_INVITATIONS, 2),)


def test_a_comment_on_the_draft_plan_and_an_open_problem_report_wait_on_the_coordinator(app, unit, kim):
    anna = factories.person("Anna")
    case = factories.case(anna, unit, kim, Step.PLAN_DOCUMENTED)
    draft = PlanVersion(case_id=case.id, number=1, status=VersionStatus.DRAFT)
    db.session.add(draft)
    db.session.flush()
    db.session.add(PlanComment(version_id=draft.id, person_id=anna.id, text="Kan vi ändra tiden?"))
    for status in ("received", "answered"):
        db.session.add(
            ProblemReport(
                case_id=case.id,
                unit_id=unit.id,
                reported_by_person_id=anna.id,
                kind=ProblemKind.OTHER,
                text="Ingen ringde",
                status=status,
            )
        )
    db.session.flush()
    assert _waits(app, kim, case) == (
        workbench.Wait(WaitKind.PLAN_COMMENTS, 1),
        workbench.Wait(WaitKind.PROBLEM_REPORTS, 1),
    )


# --- order, paging, filter, search ---


def test_overdue_first_then_by_deadline_then_those_without_one(app, unit, kim):
    factories.case(factories.person("Snart Sven"), unit, kim, Step.CONSENT, requested_at=_days_ago(25))
    factories.case(factories.person("Sen Sigrid"), unit, kim, Step.CONSENT, requested_at=_days_ago(31))
    factories.case(
        factories.person("Mycket Sen Mona"), unit, kim, Step.PREPARATION, requested_at=_days_ago(40)
    )
    factories.case(factories.person("Skriven Stina"), unit, kim, Step.PLAN_DOCUMENTED)
    factories.case(factories.person("Ny Nils"), unit, kim, Step.REQUESTED, requested_at=_days_ago(1))
    assert _names(_bench(app, kim).mine) == [
        "Mycket Sen Mona",
        "Sen Sigrid",
        "Snart Sven",
        "Ny Nils",
        "Skriven Stina",
    ]


def test_25_a_page(app, unit, kim):
    for n in range(30):
        factories.case(factories.person(f"Person {n:02}"), unit, kim, Step.CONSENT, requested_at=_days_ago(n))
    first = _bench(app, kim).mine
    second = _bench(app, kim, page=2).mine
    assert (first.total, first.pages, len(first.rows)) == (30, 2, 25)
    assert (second.page, len(second.rows)) == (2, 5)
    assert _names(second) == [f"Person {n:02}" for n in (4, 3, 2, 1, 0)]  # the newest requests last
    assert _bench(app, kim, page=9).mine.page == 2  # past the end: the last page


def test_the_filter_by_step_and_the_search_by_name(app, unit, kim):
    factories.case(factories.person("Anna Lind"), unit, kim, Step.CONSENT)
    factories.case(factories.person("Bengt Lindqvist"), unit, kim, Step.INVITED)
    factories.case(factories.person("Cecilia Berg"), unit, kim, Step.INVITED)
    assert _names(_bench(app, kim, step=Step.INVITED).mine) == ["Bengt Lindqvist", "Cecilia Berg"]
    assert sorted(_names(_bench(app, kim, name="lind").mine)) == ["Anna Lind", "Bengt Lindqvist"]
    assert _names(_bench(app, kim, step=Step.INVITED, name="LIND").mine) == ["Bengt Lindqvist"]
    assert _bench(app, kim, name="100%_").mine.total == 0  # LIKE's wildcards are only letters here


def test_the_filter_reads_the_get_form_leniently():
    assert Filters.parse("invited", "  Anna ", "2", None) == Filters(Step.INVITED, "Anna", 2, 1)
    assert Filters.parse("closed", "", "-1", "x") == Filters(None, "", 1, 1)


def test_closed_sips_are_not_on_the_workbench(app, unit, kim):
    factories.case(factories.person("Klar Karin"), unit, kim, Step.CLOSED)
    assert _bench(app, kim).mine.total == 0


# --- whose SIPs ---


def test_a_unit_coordinator_sees_the_units_sips_and_never_another_units(app, unit, kim):
    colleague = factories.staff(unit, StaffRole.COORDINATOR, "Kollega")
    factories.case(factories.person("Kollegans Karl"), unit, colleague, Step.CONSENT)
    other = factories.unit("Vårdcentralen")
    stranger = factories.staff(other, StaffRole.COORDINATOR, "Främling")
    factories.case(factories.person("Annan Enhet"), other, stranger, Step.CONSENT)
    assert _names(_bench(app, kim).mine) == ["Kollegans Karl"]
    assert _names(_bench(app, stranger).mine) == ["Annan Enhet"]


def test_a_member_sees_only_the_sips_they_coordinate(app, unit, kim):
    member = factories.staff(unit, StaffRole.MEMBER, "Medarbetare")
    factories.case(factories.person("Kims Kalle"), unit, kim, Step.CONSENT)
    mine = factories.case(factories.person("Egen Eva"), unit, member, Step.CONSENT)
    bench = _bench(app, member)
    assert [r.case.id for r in bench.mine.rows] == [mine.id] and bench.theirs.total == 0


def test_a_taking_part_unit_sees_a_sip_only_while_the_consent_covers_it(app, unit, kim):
    school = factories.unit("Björkskolan")
    teacher = factories.staff(school, StaffRole.MEMBER, "Lärare")
    ada = factories.person("Ada")
    case = factories.case(ada, unit, kim, Step.CONSENT)
    factories.participant(case, ParticipantRole.UNIT, unit_=school)
    assert _bench(app, teacher).theirs.total == 0  # no consent yet

    def give(*units):
        with app.test_request_context("/"):
            consent.give(ada, case, [u.public_id for u in units], ["school"], TODAY + timedelta(days=100))

    give(unit)  # the consent leaves the school out
    assert _bench(app, teacher).theirs.total == 0
    give(unit, school)
    bench = _bench(app, teacher)
    assert [r.case.id for r in bench.theirs.rows] == [case.id] and bench.mine.total == 0
    with app.test_request_context("/"):
        withdrawal.withdraw(ada, case)
    assert _bench(app, teacher).theirs.total == 0


# --- the demo ---


def test_the_demo_coordinator_has_about_twelve_sips_in_different_steps_some_late(app):
    from citizen_app.services.demo import load_demo_data

    load_demo_data()
    rita = db.session.scalars(select(StaffUser).where(StaffUser.display_name == "Rita Samuelsson")).one()
    vera = db.session.scalars(select(StaffUser).where(StaffUser.display_name == "Vera Nilsson")).one()
    bench = _bench(app, rita)
    assert bench.mine.total == 13  # her twelve, and Karl Nyström's discharge SIP waiting in her unit's queue
    assert len({row.case.step for row in bench.mine.rows}) >= 7
    assert sum(1 for row in bench.mine.rows if row.deadline and row.deadline.overdue) >= 2
    assert bench.mine.rows[0].deadline.overdue
    kinds = {wait.kind for row in bench.mine.rows for wait in row.waits}
    # Every wait but a closed coordinator account: the demo's staff all sign in (tests/unit/
    # test_coordinator_handover.py shows that one).
    assert kinds == set(WaitKind) - {WaitKind.COORDINATOR_GONE}
    assert {row.deadline.kind for row in bench.mine.rows if row.deadline} == {
        "first_meeting",
        "discharge_invitation",
        "plan",
        "follow_up",
    }
    assert _bench(app, vera).theirs.total == 2  # the consent names Vårdcentralen Norra in two of Rita's SIPs


def test_the_bulk_roles_are_the_roles_the_policy_gives_one_sip_at_a_time(app, unit, kim):
    school = factories.unit("Björkskolan")
    teacher = factories.staff(school, StaffRole.MEMBER, "Lärare")
    cases = []
    for n, units in enumerate(([unit, school], [unit], [])):
        ada = factories.person(f"Ada {n}")
        case = factories.case(ada, unit, kim, Step.CONSENT)
        factories.participant(case, ParticipantRole.UNIT, unit_=school)
        if units:
            with app.test_request_context("/"):
                consent.give(ada, case, [u.public_id for u in units], ["school"], TODAY + timedelta(days=9))
        cases.append(case)
    for staff in (kim, teacher):
        with app.test_request_context("/"):
            access.forget_roles()
            one_by_one = [access.roles_of(staff, c, TODAY) for c in cases]
        with app.test_request_context("/"):
            access.forget_roles()
            access.staff_roles_for_many(staff, cases, TODAY)
            assert [access.roles_of(staff, c, TODAY) for c in cases] == one_by_one
    assert [access.Role.PARTICIPATING_STAFF in r for r in one_by_one] == [True, False, False]
