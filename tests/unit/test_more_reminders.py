"""The reminders issue 8 adds [SIP.md 3, deadlines]: the meeting is tomorrow, the plan's follow-up is near, a
unit has not answered its invitation within one working day, the plan was not written within two working
days of the meeting. Each fires on the right day, in Swedish time, and only once however often it runs."""

from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import (
    InvitationStatus,
    Notification,
    NotificationKind,
    ParticipantRole,
    StaffRole,
    Step,
)
from citizen_app.services import closing, consent, meetings, plans, preparation, reminders, withdrawal
from tests.support import factories

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Sweden
TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = (MONDAY.date() + timedelta(days=n) for n in range(1, 5))


@pytest.fixture
def sip(app):
    with freeze_time(MONDAY):
        social, school, bup = factories.social_school_and_bup()
        anna = factories.person("Anna")
        coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Samordnare")
        teacher = factories.staff(school, StaffRole.COORDINATOR, name="Lärare")
        doctor = factories.staff(bup, StaffRole.COORDINATOR, name="Läkare")
        case = factories.case(anna, social, coordinator=coordinator, step=Step.CONSENT)
        school_party = factories.participant(case, ParticipantRole.UNIT, unit_=school)
        bup_party = factories.participant(case, ParticipantRole.UNIT, unit_=bup)
        consent.give(
            anna, case, [social.public_id, school.public_id, bup.public_id], ["social"], date(2027, 6, 1)
        )
        return {
            "case": case,
            "anna": anna,
            "coordinator": coordinator,
            "teacher": teacher,
            "doctor": doctor,
            "school_party": school_party,
            "bup_party": bup_party,
        }


def _messages(kind: NotificationKind) -> list[Notification]:
    return list(db.session.query(Notification).filter_by(kind=kind).order_by(Notification.id))


def _people_told(kind: NotificationKind) -> list[int]:
    return [m.recipient_person_id for m in _messages(kind) if m.recipient_person_id]


def _staff_told(kind: NotificationKind) -> list[int]:
    return [m.recipient_staff_id for m in _messages(kind) if m.recipient_staff_id]


def _meeting_at(sip, starts_at: datetime, now: datetime = MONDAY):
    with freeze_time(now):
        return meetings.set_meeting(
            sip["coordinator"],
            sip["case"],
            starts_at=starts_at,
            length_minutes=60,
            mode="in_person",
            place="Storgatan 1",
            now=now,
        )


def _run_every_day(first: date, last: date, kind: str) -> list[int]:
    """Run all reminders once a day, twice each day (a second cron run, or a second worker)."""
    sent = []
    day = first
    while day <= last:
        sent.append(reminders.run_all(day)[kind])
        assert reminders.run_all(day)[kind] == 0  # the same day again sends nothing
        day += timedelta(days=1)
    return sent


# --- The meeting is tomorrow --------------------------------------------------------------------------------


def test_the_day_before_the_meeting_the_person_and_relatives_who_come_are_reminded_once(sip):
    meeting = _meeting_at(sip, datetime(2026, 11, 25, 9, 0, tzinfo=UTC))  # Wednesday 10:00
    bengt = factories.person("Bengt")
    cilla = factories.person("Cilla")
    parties = [
        factories.participant(sip["case"], ParticipantRole.RELATIVE, person_=p) for p in (bengt, cilla)
    ]
    with freeze_time(MONDAY):
        sent = meetings.invite(sip["coordinator"], meeting, [p.public_id for p in parties])
    answers = {parties[0].id: InvitationStatus.ACCEPTED, parties[1].id: InvitationStatus.DECLINED}
    # Relatives with an account have no answer page of their own yet: their answers are set here.
    for invitation in (s.invitation for s in sent):
        invitation.status = answers[invitation.participant_id]  # Bengt comes, Cilla does not
    assert _run_every_day(MONDAY.date(), THURSDAY, "meeting") == [0, 2, 0, 0]
    reminded = _messages(NotificationKind.MEETING_REMINDER)
    assert [m.recipient_person_id for m in reminded] == [sip["anna"].id, bengt.id]
    assert all(m.case_id == sip["case"].id and m.data == {} for m in reminded)  # nothing more in the message


def test_tomorrow_is_counted_in_swedish_time(sip):
    # 23:30 UTC on Wednesday is 00:30 on Thursday in Sweden: the reminder goes out on Wednesday, not Tuesday.
    _meeting_at(sip, datetime(2026, 11, 25, 23, 30, tzinfo=UTC))
    assert _run_every_day(TUESDAY, THURSDAY, "meeting") == [0, 1, 0]


def test_a_moved_meeting_is_reminded_of_again_and_a_cancelled_one_not_at_all(sip):
    _meeting_at(sip, datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    assert reminders.run_all(TUESDAY)["meeting"] == 1
    _meeting_at(sip, datetime(2026, 11, 27, 9, 0, tzinfo=UTC), now=MONDAY + timedelta(days=1))  # to Friday
    assert reminders.run_all(THURSDAY)["meeting"] == 1
    assert len(_messages(NotificationKind.MEETING_REMINDER)) == 2
    with freeze_time(MONDAY + timedelta(days=1)):
        withdrawal.withdraw(sip["anna"], sip["case"])  # the SIP ends; the meeting is cancelled
    assert reminders.run_all(THURSDAY)["meeting"] == 0


def test_a_childs_guardians_are_reminded_not_the_child(app):
    kid = factories.child("Elsa")
    mum = factories.guardian_of(kid, name="Mamma")
    social = factories.unit("Socialtjänsten")
    coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Samordnare")
    case = factories.case(kid, social, coordinator=coordinator, step=Step.CONSENT)
    with freeze_time(MONDAY):
        consent.give(mum, case, [social.public_id], ["school"], date(2027, 6, 1))
        meetings.set_meeting(
            coordinator,
            case,
            starts_at=MONDAY + timedelta(days=2),
            length_minutes=60,
            mode="phone",
            phone="010-123 45 67",
            now=MONDAY,
        )
    reminders.run_all(TUESDAY)
    assert _people_told(NotificationKind.MEETING_REMINDER) == [mum.id]


# --- The plan's follow-up is near ---------------------------------------------------------------------------

FOLLOW_UP_DAY = date(2026, 12, 14)


def _approved_plan(sip, follow_up_on: date = FOLLOW_UP_DAY):
    staff, case = sip["coordinator"], sip["case"]
    with freeze_time(MONDAY):
        case.step = Step.MEETING_HELD
        plan = plans.start_draft(staff, case)
        plans.add_goal(staff, case, plan, "short", "Bo kvar hemma")
        plans.update_details(staff, case, plan, follow_up_on=follow_up_on, today=MONDAY.date())
        factories.complete_plan(plan)
        plans.approve_at_meeting(staff, case, plan)
    return plan


def test_the_follow_up_is_reminded_a_week_before_once_to_the_person_and_the_coordinator(sip):
    _approved_plan(sip)
    sent = _run_every_day(date(2026, 12, 1), date(2026, 12, 16), "follow_up")
    assert sent.index(2) == 6 and sum(sent) == 2  # on 7 December, a week before, and never again
    assert _people_told(NotificationKind.FOLLOW_UP_DUE) == [sip["anna"].id]
    assert _staff_told(NotificationKind.FOLLOW_UP_DUE) == [sip["coordinator"].id]
    assert _messages(NotificationKind.FOLLOW_UP_DUE)[0].data == {"follow_up_on": "2026-12-14"}


def test_a_job_that_was_down_for_days_still_reminds_before_the_follow_up_but_not_after(sip):
    _approved_plan(sip)
    assert reminders.run_all(FOLLOW_UP_DAY + timedelta(days=1))["follow_up"] == 0  # it has passed
    assert reminders.run_all(FOLLOW_UP_DAY)["follow_up"] == 2  # the day itself still counts
    assert reminders.run_all(FOLLOW_UP_DAY)["follow_up"] == 0


def test_a_closed_sip_gets_no_follow_up_reminder(sip):
    _approved_plan(sip)
    with freeze_time(MONDAY):
        closing.close(sip["coordinator"], sip["case"], "goals_met", "", agreement="agrees")
    assert reminders.run_all(FOLLOW_UP_DAY)["follow_up"] == 0


# --- Staff: a unit has not answered its invitation in one working day ---------------------------------------

A_FRIDAY = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # answers due by the end of Monday 30 November


def _invite(sip, *parties, at: datetime = A_FRIDAY):
    meeting = _meeting_at(sip, at + timedelta(days=14), now=at)
    with freeze_time(at):
        sent = meetings.invite(sip["coordinator"], meeting, [p.public_id for p in parties])
    by_party = {s.invitation.participant_id: s.invitation for s in sent}
    return [by_party[p.id] for p in parties]  # in the order asked for


def test_an_unanswered_invitation_is_flagged_the_day_after_its_working_day_once(sip):
    (invitation,) = _invite(sip, sip["school_party"])
    assert meetings.answer_due(invitation).date() == date(2026, 11, 30)
    sent = _run_every_day(date(2026, 11, 27), date(2026, 12, 3), "invitation_unanswered")
    assert sent == [0, 0, 0, 0, 2, 0, 0]  # Fri, Sat, Sun, Mon: not yet; Tuesday 1 December: late
    late = _messages(NotificationKind.STAFF_INVITATION_UNANSWERED)
    assert [(m.recipient_staff_id, m.data["for"]) for m in late] == [
        (sip["teacher"].id, "invited_unit"),  # the unit that should answer
        (sip["coordinator"].id, "coordinator"),
    ]
    assert all(m.data["invitation"] == invitation.public_id for m in late)


def test_the_coordinator_gets_one_message_per_unanswered_invitation(sip):
    _invite(sip, sip["school_party"], sip["bup_party"])
    assert reminders.run_all(date(2026, 12, 1))["invitation_unanswered"] == 4
    assert _staff_told(NotificationKind.STAFF_INVITATION_UNANSWERED).count(sip["coordinator"].id) == 2
    assert set(_staff_told(NotificationKind.STAFF_INVITATION_UNANSWERED)) == {
        sip["coordinator"].id,
        sip["teacher"].id,
        sip["doctor"].id,
    }


def test_an_invitation_answered_in_time_or_to_a_relative_is_not_flagged(sip):
    guest = preparation.add_guest(sip["anna"], sip["case"], "Bengt", "070-123 45 67", support_person=False)
    school, _relative = _invite(sip, sip["school_party"], guest)
    with freeze_time(datetime(2026, 11, 30, 15, 0, tzinfo=UTC)):
        meetings.answer_as_unit(sip["teacher"], school.public_id, "accepted", who_comes="Lärare Li")
    assert _run_every_day(date(2026, 12, 1), date(2026, 12, 2), "invitation_unanswered") == [0, 0]


def test_public_holidays_are_not_working_days(sip):
    # Sent on Wednesday 23 December: the 24th, 25th and 26th are holidays and the 27th a Sunday.
    (invitation,) = _invite(sip, sip["school_party"], at=datetime(2026, 12, 23, 9, 0, tzinfo=UTC))
    assert meetings.answer_due(invitation).date() == date(2026, 12, 28)
    assert _run_every_day(date(2026, 12, 24), date(2026, 12, 29), "invitation_unanswered") == [
        0,
        0,
        0,
        0,
        0,
        2,
    ]


# --- Staff: the plan is not written two working days after the meeting --------------------------------------


def _held_on_monday(sip):
    _meeting_at(sip, MONDAY, now=MONDAY - timedelta(days=3))
    with freeze_time(MONDAY + timedelta(hours=2)):
        meetings.mark_held(sip["coordinator"], sip["case"], confirmation=meetings.CONSENT_CONFIRMED)


def test_the_coordinator_is_told_once_when_the_plan_is_not_written_in_two_working_days(sip):
    _held_on_monday(sip)
    assert plans.document_due(sip["case"], MONDAY) == WEDNESDAY
    assert _run_every_day(MONDAY.date(), FRIDAY, "plan_overdue") == [0, 0, 0, 1, 0]  # on Thursday
    (overdue,) = _messages(NotificationKind.STAFF_PLAN_OVERDUE)
    assert (overdue.recipient_staff_id, overdue.data) == (sip["coordinator"].id, {"due": "2026-11-25"})


def test_a_plan_sent_to_the_person_in_time_is_not_flagged(sip):
    _held_on_monday(sip)
    staff, case = sip["coordinator"], sip["case"]
    with freeze_time(MONDAY + timedelta(days=1)):
        plan = plans.start_draft(staff, case)
        plans.add_goal(staff, case, plan, "short", "Bo kvar hemma")
        factories.complete_plan(plan)
        plans.send_for_reading(staff, case, plan)
    assert _run_every_day(THURSDAY, FRIDAY, "plan_overdue") == [0, 0]


# --- The job reads today from the clock, in Swedish time ----------------------------------------------------


def test_the_job_counts_today_as_the_day_in_sweden(sip):
    _meeting_at(sip, datetime(2026, 11, 26, 9, 0, tzinfo=UTC))  # Thursday
    with freeze_time(datetime(2026, 11, 24, 23, 30, tzinfo=UTC)):  # already Wednesday in Sweden
        assert reminders.today_in_sweden() == WEDNESDAY
        assert reminders.run_all_job()["meeting"] == 1
        assert reminders.run_all_job()["meeting"] == 0
