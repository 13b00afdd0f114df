"""Issue 16, the meeting: recorded after the fact, held earlier than booked, answers as they were, the school
of a child [DA 3.3.1], a unit that does not know the person [DA 3.6], and the reminders of the 30-day first
meeting [HA] and the 3-day discharge invitation [VM] [ST]. The clock is frozen for every deadline."""

from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import (
    InvitationStatus,
    MeetingStatus,
    Notification,
    NotificationKind,
    ParticipantRole,
    StaffRole,
    Step,
)
from citizen_app.services import NotAllowed, consent, meetings, reminders
from tests.support import factories

REQUESTED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # three weeks later
YESTERDAY = NOW - timedelta(days=1)


@pytest.fixture
def sip(app):
    with freeze_time(REQUESTED):
        social, school, bup = factories.social_school_and_bup()
        person = factories.person("Anna", age=45)
        coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Samordnare")
        teacher = factories.staff(school, StaffRole.COORDINATOR, name="Lärare")
        case = factories.case(
            person, social, coordinator=coordinator, step=Step.CONSENT, requested_at=REQUESTED
        )
        school_party = factories.participant(case, ParticipantRole.UNIT, unit_=school)
        factories.participant(case, ParticipantRole.UNIT, unit_=bup)
        consent.give(person, case, [social.public_id, school.public_id], ["social"], date(2027, 6, 1))
        db.session.commit()
        return {
            "case": case,
            "person": person,
            "coordinator": coordinator,
            "teacher": teacher,
            "school": school,
            "bup": bup,
            "social": social,
            "school_party": school_party,
        }


def _record(sip, when, **changes):
    fields = {"length_minutes": 60, "mode": "in_person", "place": "Storgatan 1"} | changes
    return meetings.record_past_meeting(
        sip["coordinator"], sip["case"], took_place_at=when, confirmation=meetings.CONSENT_CONFIRMED, **fields
    )


def _messages(kind):
    return list(db.session.scalars(select(Notification).where(Notification.kind == kind)))


# --- A meeting recorded after the fact ------------------------------------------------------------------


@freeze_time(NOW)
def test_a_meeting_that_already_happened_is_recorded_and_held_at_once(sip):
    meeting = _record(sip, YESTERDAY)
    assert meeting.status == MeetingStatus.HELD
    assert meeting.starts_at == YESTERDAY and meeting.held_at == YESTERDAY
    assert sip["case"].step == Step.MEETING_HELD


@freeze_time(NOW)
def test_a_meeting_in_the_future_or_before_the_request_is_refused(sip):
    for when in (NOW + timedelta(minutes=1), REQUESTED - timedelta(days=1)):
        with pytest.raises(meetings.InvalidMeeting) as refused:
            _record(sip, when)
        assert "date" in refused.value.errors
    with pytest.raises(meetings.InvalidMeeting) as refused:
        _record(sip, None)
    assert "date" in refused.value.errors
    assert meetings.current_meeting(sip["case"]) is None


@freeze_time(NOW)
def test_the_consent_confirmation_is_still_needed(sip):
    with pytest.raises(meetings.InvalidMeeting) as refused:
        meetings.record_past_meeting(
            sip["coordinator"],
            sip["case"],
            took_place_at=YESTERDAY,
            length_minutes=60,
            mode="phone",
            phone="010-1",
            confirmation=meetings.meeting_consent.Confirmation(""),
        )
    assert "consent_outcome" in refused.value.errors


@freeze_time(NOW)
def test_not_while_a_meeting_is_planned_and_only_the_coordinator(sip):
    with pytest.raises(NotAllowed):
        meetings.record_past_meeting(
            sip["teacher"],
            sip["case"],
            took_place_at=YESTERDAY,
            length_minutes=60,
            mode="phone",
            phone="1",
            confirmation=meetings.CONSENT_CONFIRMED,
        )
    meetings.set_meeting(
        sip["coordinator"],
        sip["case"],
        starts_at=NOW + timedelta(days=3),
        length_minutes=60,
        mode="phone",
        phone="1",
    )
    with pytest.raises(NotAllowed):
        _record(sip, YESTERDAY)


@freeze_time(NOW)
def test_a_booked_meeting_that_took_place_earlier_is_held_with_its_real_time(sip):
    meetings.set_meeting(
        sip["coordinator"],
        sip["case"],
        starts_at=NOW + timedelta(days=3),
        length_minutes=60,
        mode="phone",
        phone="1",
    )
    with pytest.raises(meetings.InvalidMeeting):  # before the booked start, the real time is needed
        meetings.mark_held(sip["coordinator"], sip["case"], confirmation=meetings.CONSENT_CONFIRMED)
    with pytest.raises(meetings.InvalidMeeting):  # and it cannot be in the future
        meetings.mark_held(
            sip["coordinator"],
            sip["case"],
            confirmation=meetings.CONSENT_CONFIRMED,
            took_place_at=NOW + timedelta(hours=1),
        )
    earlier = NOW - timedelta(hours=2)
    meeting = meetings.mark_held(
        sip["coordinator"], sip["case"], confirmation=meetings.CONSENT_CONFIRMED, took_place_at=earlier
    )
    assert meeting.status == MeetingStatus.HELD and meeting.starts_at == earlier


# --- A unit that does not know the person ---------------------------------------------------------------


@freeze_time(NOW)
def test_a_unit_that_does_not_know_the_person_says_so_and_the_coordinator_is_told(sip):
    meeting = meetings.set_meeting(
        sip["coordinator"],
        sip["case"],
        starts_at=NOW + timedelta(days=3),
        length_minutes=60,
        mode="phone",
        phone="1",
    )
    (sent,) = meetings.invite(sip["coordinator"], meeting, [sip["school_party"].public_id])
    meetings.answer_as_unit(
        sip["teacher"], sent.invitation.public_id, "not_known", note="Ingen elev med det namnet."
    )
    assert sent.invitation.status == InvitationStatus.NOT_KNOWN
    assert sent.invitation.answer_note == "Ingen elev med det namnet."
    (told,) = _messages(NotificationKind.UNIT_DOES_NOT_KNOW_PERSON)
    assert told.recipient_staff_id == sip["coordinator"].id
    assert told.data["unit"] == sip["school"].name
    assert _messages(NotificationKind.INVITATION_ANSWERED) == []


@freeze_time(NOW)
def test_no_answer_once_the_meeting_is_held(sip):
    meeting = meetings.set_meeting(
        sip["coordinator"],
        sip["case"],
        starts_at=NOW + timedelta(days=3),
        length_minutes=60,
        mode="phone",
        phone="1",
    )
    (sent,) = meetings.invite(sip["coordinator"], meeting, [sip["school_party"].public_id])
    meetings.mark_held(
        sip["coordinator"], sip["case"], confirmation=meetings.CONSENT_CONFIRMED, took_place_at=YESTERDAY
    )
    with pytest.raises(NotAllowed):
        meetings.answer_as_unit(sip["teacher"], sent.invitation.public_id, "accepted", who_comes="Li")


# --- The school of a child ------------------------------------------------------------------------------


@pytest.fixture
def child_sip(app):
    with freeze_time(REQUESTED):
        social, school, bup = factories.social_school_and_bup()
        child = factories.person("Elsa", age=12)
        mum = factories.guardian_of(child, name="Mamma")
        coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Samordnare")
        case = factories.case(
            child, social, coordinator=coordinator, step=Step.CONSENT, requested_at=REQUESTED
        )
        school_party = factories.participant(case, ParticipantRole.UNIT, unit_=school)
        factories.participant(case, ParticipantRole.UNIT, unit_=bup)
        db.session.commit()
        return {
            "case": case,
            "mum": mum,
            "school": school,
            "bup": bup,
            "social": social,
            "party": school_party,
        }


@freeze_time(NOW)
def test_the_school_the_consent_covers_is_to_be_invited(child_sip):
    consent.give(
        child_sip["mum"], child_sip["case"], [child_sip["school"].public_id], ["social"], date(2027, 6, 1)
    )
    check = meetings.school_check(child_sip["case"])
    assert check is not None and not check.missing
    assert [p.id for p in check.schools] == [child_sip["party"].id]


@freeze_time(NOW)
def test_the_coordinator_is_told_when_no_school_is_covered(child_sip):
    consent.give(
        child_sip["mum"], child_sip["case"], [child_sip["bup"].public_id], ["social"], date(2027, 6, 1)
    )
    check = meetings.school_check(child_sip["case"])
    assert check is not None and check.missing
    assert check.not_covered == [child_sip["school"].name]


@freeze_time(NOW)
def test_nothing_to_say_for_an_adult(sip):
    assert meetings.school_check(sip["case"]) is None


# --- Reminders --------------------------------------------------------------------------------------------

GOAL = REQUESTED.date() + timedelta(days=30)  # the first meeting is held by this day [HA]


def _run(day):
    with freeze_time(day):
        return reminders.run_all(day)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (GOAL - timedelta(days=8), 0),  # the day before the reminder
        (GOAL - timedelta(days=7), 1),  # 7 days before
        (GOAL - timedelta(days=6), 0),  # already sent
    ],
)
def test_the_first_meeting_reminder_seven_days_before(sip, day, expected):
    if expected == 0 and day > GOAL - timedelta(days=7):
        _run(GOAL - timedelta(days=7))
    assert _run(day)["first_meeting"] == expected


def test_the_first_meeting_reminder_when_the_goal_has_passed_once_only(sip):
    _run(GOAL - timedelta(days=7))
    assert _run(GOAL)["first_meeting"] == 0  # the last day: the "soon" one was sent
    assert _run(GOAL + timedelta(days=1))["first_meeting"] == 1  # passed
    assert _run(GOAL + timedelta(days=1))["first_meeting"] == 0  # the job runs twice
    assert _run(GOAL + timedelta(days=2))["first_meeting"] == 0
    told = _messages(NotificationKind.STAFF_FIRST_MEETING_DUE)
    assert [m.data["when"] for m in told] == ["soon", "passed"]
    assert {m.recipient_staff_id for m in told} == {sip["coordinator"].id}


def test_no_first_meeting_reminder_once_the_meeting_is_held(sip):
    with freeze_time(NOW):
        _record(sip, YESTERDAY)
    assert _run(GOAL + timedelta(days=1))["first_meeting"] == 0


def test_the_unit_coordinators_are_told_when_nobody_coordinates_yet(app):
    with freeze_time(REQUESTED):
        social = factories.unit("Socialtjänsten")
        boss = factories.staff(social, StaffRole.COORDINATOR, name="Chef")
        factories.case(factories.person("Bo"), social, step=Step.REQUESTED, requested_at=REQUESTED)
        db.session.commit()
    assert _run(GOAL + timedelta(days=1))["first_meeting"] == 1
    (told,) = _messages(NotificationKind.STAFF_FIRST_MEETING_DUE)
    assert told.recipient_staff_id == boss.id


READY = date(2026, 11, 20)  # utskrivningsklar; the invitation is sent by 23 Nov


@pytest.fixture
def discharge(sip):
    sip["case"].discharge_date = READY
    db.session.commit()
    return sip


def test_the_discharge_invitation_is_reminded_on_day_two_and_when_passed(discharge):
    assert _run(READY + timedelta(days=1))["discharge_invitation"] == 0  # the day before day 2
    assert _run(READY + timedelta(days=2))["discharge_invitation"] == 1  # day 2
    assert _run(READY + timedelta(days=2))["discharge_invitation"] == 0  # the job runs twice
    assert _run(READY + timedelta(days=3))["discharge_invitation"] == 0  # the last day
    assert _run(READY + timedelta(days=4))["discharge_invitation"] == 1  # passed
    assert _run(READY + timedelta(days=5))["discharge_invitation"] == 0
    told = _messages(NotificationKind.STAFF_DISCHARGE_INVITATION_DUE)
    assert [m.data["when"] for m in told] == ["soon", "passed"]


def test_no_discharge_reminder_once_invited(discharge):
    with freeze_time(NOW - timedelta(days=2)):
        meeting = meetings.set_meeting(
            discharge["coordinator"],
            discharge["case"],
            starts_at=NOW + timedelta(days=3),
            length_minutes=60,
            mode="phone",
            phone="1",
        )
        meetings.invite(discharge["coordinator"], meeting, [discharge["school_party"].public_id])
        db.session.commit()
    assert _run(READY + timedelta(days=4))["discharge_invitation"] == 0


# --- The pages --------------------------------------------------------------------------------------------


def _text(response) -> str:
    return " ".join(BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text(" ").split())


def test_after_the_meeting_the_answers_are_shown_as_they_were(client, sip):
    with freeze_time(datetime(2026, 12, 3, 9, 0, tzinfo=UTC)):
        meeting = meetings.set_meeting(
            sip["coordinator"],
            sip["case"],
            starts_at=datetime(2026, 12, 8, 9, 0, tzinfo=UTC),
            length_minutes=60,
            mode="phone",
            phone="1",
        )
        (school,) = meetings.invite(sip["coordinator"], meeting, [sip["school_party"].public_id])
        meetings.answer_as_unit(sip["teacher"], school.invitation.public_id, "accepted", who_comes="Li")
        db.session.commit()
    with freeze_time(datetime(2026, 12, 8, 11, 0, tzinfo=UTC)):
        meetings.mark_held(sip["coordinator"], sip["case"], confirmation=meetings.CONSENT_CONFIRMED)
        db.session.commit()
        client.sign_in_as(sip["person"])
        citizen = _text(client.get(f"/sip/{sip['case'].public_id}/motet"))
        assert "Svarade ja 3 dec" in citizen
        assert "senast" not in citizen
        client.sign_in_as(sip["coordinator"])
        staff = _text(client.get(f"/personal/sip/{sip['case'].public_id}/motet"))
        assert "Svarade ja 3 dec" in staff
        assert "Ska svara senast" not in staff and "skulle ha kommit" not in staff
